"""The staff directory's HTTP API (intake owns it): each person's name, title, unit, work contact and languages,
which every service shows staff by. Recorded from the identity provider's claims when a staff member signs in
(``POST /staff/me``, what the console calls after sign-in), or by an administrator (``PUT /staff/{staff_id}``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from services.intake.application import commands as c
from services.intake.application import views
from services.intake.application.handlers import Ports
from services.intake.application.queries import ListStaff, ReadStaff
from shared.infra.aggregate import Executed
from shared.infra.auth import CurrentPrincipal, token_claims
from shared.infra.http import Offset, command_context, etag
from shared.infra.pipeline import Application

router = APIRouter(prefix="/staff", tags=["staff directory"])
StaffId = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9._@-]+$")]


class StaffProfileBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    title: str | None = Field(None, max_length=200)
    unit: str | None = Field(None, max_length=200)
    work_email: EmailStr | None = None
    work_phone: str | None = Field(None, max_length=40)
    languages: list[Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]] = Field(
        default_factory=list, max_length=10, description="Languages the person serves in, their own preference first")
    active: bool = True
    role: Literal["worker", "manager", "auditor", "planner"] | None = Field(
        None, description="The role the person works in; unset: the one their sign-in recorded stays")


class StaffRecorded(BaseModel):
    staff_id: str
    version: int
    events: list[dict[str, Any]]


def _app(request: Request) -> Application[Ports]:
    return request.app.state.application  # type: ignore[no-any-return]


def _recorded(staff_id: str, done: Executed[Any], response: Response) -> StaffRecorded:
    response.headers["ETag"] = etag(done.version)
    return StaffRecorded(staff_id=staff_id, version=done.version, events=[
        {"id": str(e.id), "type": e.type, "version": e.stream_version} for e in done.new_events])


@router.get("")
async def list_staff(principal: CurrentPrincipal, request: Request, active: bool | None = True,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100, offset: Offset = 0) -> list[dict[str, Any]]:
    """The staff directory, by name."""
    return await views.staff_list(_app(request), ListStaff(active=active, limit=limit, offset=offset), principal)


@router.post("/me", response_model=StaffRecorded)
async def record_my_entry(principal: CurrentPrincipal, request: Request, response: Response) -> StaffRecorded:
    """Record the caller's own entry from their sign-in token's claims (name or given_name + family_name, email,
    phone_number, locale, and the county's title, unit, languages). Unchanged claims record nothing."""
    command = c.SyncStaffProfile(staff_id=principal.user_id, claims=await token_claims(request), role=principal.role)
    done = await _app(request).handle(command, principal, command_context(request, principal))
    return _recorded(principal.user_id, done, response)


@router.get("/{staff_id}")
async def get_staff(staff_id: StaffId, principal: CurrentPrincipal, request: Request,
                    response: Response) -> dict[str, Any]:
    version, view = await views.staff_member(_app(request), ReadStaff(staff_id=staff_id), principal)
    response.headers["ETag"] = etag(version)
    return view


@router.put("/{staff_id}", response_model=StaffRecorded)
async def record_entry(staff_id: StaffId, body: StaffProfileBody, principal: CurrentPrincipal, request: Request,
                       response: Response) -> StaffRecorded:
    """An administrator (a manager) records a staff member's entry as a whole; unchanged, nothing is recorded."""
    command = c.RecordStaffProfile(staff_id=staff_id, **body.model_dump())
    done = await _app(request).handle(command, principal, command_context(request, principal))
    return _recorded(staff_id, done, response)
