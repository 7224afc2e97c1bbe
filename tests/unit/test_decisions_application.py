"""The decisions service's application on the memory store: given events → when a command or another service's
event → then events (or the refusal, nothing recorded), and the read models it keeps."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any
from uuid import UUID, uuid4

import pytest

from contracts import approvals, intake
from services.decisions.application import views
from services.decisions.application.approvals import EVENTS as APPROVAL_EVENTS
from services.decisions.application.approvals import LISTENER
from services.decisions.application.handlers import HANDLERS
from services.decisions.application.ports import ApprovalNote, ApprovalRow, Ports
from services.decisions.application.queries import ListApprovals
from shared.infra import people
from shared.kernel.approvals import Authority, DelegationTable
from shared.kernel.errors import Forbidden
from shared.kernel.principal import Principal
from shared.kernel.sealed import Sealed
from tests.application import Harness, covers

SERVICE = "decisions"
WORKER = Principal(user_id="worker-aino", role="worker")
OTHER_WORKER = Principal(user_id="worker-eero", role="worker")
MANAGER = Principal(user_id="manager-helmi", role="manager")
SMALL_MANAGER = Principal(user_id="manager-pieni", role="manager")
AUDITOR = Principal(user_id="auditor-otso", role="auditor")
TODAY = date(2026, 3, 1)


class MemoryApprovals:
    """The queue in memory, with the PostgreSQL adapter's rules: a request once, an answer once."""

    def __init__(self) -> None:
        self.rows: dict[UUID, ApprovalRow] = {}

    async def note(self, session: Any, note: ApprovalNote) -> None:
        row = self.rows.get(note.approval_id)
        if note.status == "pending":
            if row is None:
                self.rows[note.approval_id] = ApprovalRow(
                    note.approval_id, note.service, note.kind, note.matter_id, note.client_id, note.municipality,
                    note.amount_cents, note.limit_cents, note.by, note.at, "pending", None, None)
            return
        if row is None:
            row = ApprovalRow(note.approval_id, note.service, note.kind, note.matter_id, note.client_id, None, 0,
                              None, "", note.at, "pending", None, None)
        if row.status == "pending":
            self.rows[note.approval_id] = replace(row, status=note.status, answered_by=note.by, answered_at=note.at)

    async def list(self, *, status: str | None, kind: str | None, requested_by: str | None, limit: int,
                   offset: int) -> list[ApprovalRow]:
        rows = [r for r in self.rows.values() if (status is None or r.status == status)
                and (kind is None or r.kind == kind) and (requested_by is None or r.requested_by == requested_by)]
        return sorted(rows, key=lambda r: (r.requested_at, str(r.approval_id)))[offset:offset + limit]


def delegations() -> DelegationTable:
    rows = [
        {"id": "worker", "kind": "budget_decision", "role": "worker", "limit_cents": 500_000, "valid_from": date(2020, 1, 1)},
        {"id": "manager", "kind": "budget_decision", "role": "manager", "limit_cents": 5_000_000,
         "valid_from": date(2020, 1, 1)},
        {"id": "small-manager", "kind": "budget_decision", "person": SMALL_MANAGER.user_id, "limit_cents": 550_000,
         "valid_from": date(2020, 1, 1)},
    ]
    return DelegationTable.from_mapping({"version": "t", "kinds": ["budget_decision"], "delegation": rows})


@pytest.fixture
def h() -> Harness:
    return Harness.of(SERVICE, HANDLERS, Ports(approvals=MemoryApprovals(), delegations=delegations()))


def family_member(base: type[Any]) -> list[type[Any]]:
    """Every service's class of one member of the approval family (budgeting's today; purchases next)."""
    return [e for e in APPROVAL_EVENTS if issubclass(e, base)]


AUTHORITY = Authority(table_version="t", rule_id="worker", kind="budget_decision", holder="role:worker",
                      limit_cents=500_000)


def requested(model: type[Any], cid: UUID, approval_id: UUID, amount: int = 600_000) -> Any:
    return model(approval_id=approval_id, kind="budget_decision", matter_id=uuid4(), client_id=cid, municipality="Pori",
                 amount_cents=amount, requested_by=WORKER.user_id, authority=AUTHORITY,
                 reasoning=Sealed(kid=str(cid), nonce="bm9uY2U=", ct="Y3Q="))


async def queue(h: Harness, reader: Principal, status: str | None = "pending") -> list[dict[str, Any]]:
    return await views.approvals(h.app, ListApprovals(status=status), reader, TODAY)  # type: ignore[arg-type]


@covers(SERVICE, *family_member(approvals.ApprovalRequested), *family_member(approvals.ApprovalGranted))
@pytest.mark.parametrize("model", family_member(approvals.ApprovalRequested), ids=lambda m: m.__module__)
async def test_a_request_above_the_limit_waits_in_the_queue_until_it_is_answered(h: Harness, model: type[Any]) -> None:
    cid, approval_id = uuid4(), uuid4()
    request = requested(model, cid, approval_id)
    await h.when_heard(LISTENER, request, cid)
    await h.when_heard(LISTENER, request, cid)  # a redelivery changes nothing
    [row] = await queue(h, MANAGER)
    assert (row["approval_id"], row["amount_cents"], row["limit_cents"], row["requested_by"], row["status"]) == (
        approval_id, 600_000, 500_000, WORKER.user_id, "pending")
    assert row["may_answer"] is True
    [granted_model] = [e for e in family_member(approvals.ApprovalGranted) if e.__module__ == model.__module__]
    granted = granted_model(approval_id=approval_id, kind="budget_decision", matter_id=request.matter_id, client_id=cid,
                            granted_by=MANAGER.user_id, authority=AUTHORITY)
    await h.when_heard(LISTENER, granted, cid)
    assert await queue(h, MANAGER) == []
    [answered] = await queue(h, MANAGER, status="granted")
    assert answered["answered_by"] == MANAGER.user_id and answered["may_answer"] is False


@covers(SERVICE, *family_member(approvals.ApprovalRefused), *family_member(approvals.ApprovalWithdrawn))
@pytest.mark.parametrize("answer", [*family_member(approvals.ApprovalRefused), *family_member(approvals.ApprovalWithdrawn)],
                         ids=lambda m: f"{m.__module__}.{m.__name__}")
async def test_a_refused_or_withdrawn_request_leaves_the_queue(h: Harness, answer: type[Any]) -> None:
    cid, approval_id = uuid4(), uuid4()
    [model] = [e for e in family_member(approvals.ApprovalRequested) if e.__module__ == answer.__module__]
    request = requested(model, cid, approval_id)
    await h.when_heard(LISTENER, request, cid)
    common = {"approval_id": approval_id, "kind": "budget_decision", "matter_id": request.matter_id, "client_id": cid}
    if issubclass(answer, approvals.ApprovalRefused):
        event = answer(**common, refused_by=MANAGER.user_id, reasoning=request.reasoning)
    else:
        event = answer(**common, reason="budget_closed")
    await h.when_heard(LISTENER, event, cid)
    assert await queue(h, MANAGER) == []
    [row] = await queue(h, MANAGER, status=None)
    assert row["status"] == ("refused" if issubclass(answer, approvals.ApprovalRefused) else "withdrawn")


async def test_the_queue_says_who_may_answer_by_their_own_delegation(h: Harness) -> None:
    [model] = family_member(approvals.ApprovalRequested)[:1]
    for amount in (520_000, 900_000):
        cid = uuid4()
        await h.when_heard(LISTENER, requested(model, cid, uuid4(), amount), cid)
    assert [r["may_answer"] for r in await queue(h, SMALL_MANAGER)] == [True, False]  # 5 500 € is her limit
    assert [r["may_answer"] for r in await queue(h, MANAGER)] == [True, True]
    assert [r["may_answer"] for r in await queue(h, WORKER)] == [False, False]  # she asked: never her own
    assert await queue(h, OTHER_WORKER) == []  # a worker sees only the requests she made
    assert len(await queue(h, AUDITOR)) == 2


@pytest.mark.parametrize("reader", [Principal(user_id=str(uuid4()), role="client"),
                                    Principal(user_id="p", role="provider", provider_id=str(uuid4()))])
async def test_clients_and_providers_have_no_approvals_queue(h: Harness, reader: Principal) -> None:
    with pytest.raises(Forbidden):
        await queue(h, reader)


def test_the_queue_reads_every_services_approval_family() -> None:
    assert {e.event_type.rsplit(".", 1)[1] for e in APPROVAL_EVENTS} == {
        "ApprovalRequested", "ApprovalGranted", "ApprovalRefused", "ApprovalWithdrawn"}
    assert "budgeting" in LISTENER.sources


@covers(SERVICE, intake.StaffProfileRecorded, intake.ClientRegistered)
async def test_the_queue_names_who_asked_and_who_answered_from_the_staff_directory(h: Harness) -> None:
    await h.when_heard(people.LISTENER, intake.StaffProfileRecorded(
        staff_id=WORKER.user_id, name="Aino Virtanen", languages=["fi"], source="admin"), uuid4())
    cid = uuid4()
    await h.when_heard(people.LISTENER, intake.ClientRegistered(
        client_id=cid, personal_data=Sealed(kid=str(cid), nonce="bm9uY2U=", ct="Y3Q="), municipality="Pori",
        preferred_language="sv"), cid)
    [model] = family_member(approvals.ApprovalRequested)[:1]
    await h.when_heard(LISTENER, requested(model, cid, uuid4()), cid)
    [row] = await queue(h, MANAGER)
    assert (row["requested_by_name"], row["answered_by_name"]) == ("Aino Virtanen", None)
    assert await h.app.deps.people.language(str(cid)) == "sv"
