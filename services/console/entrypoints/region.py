"""The regional planner's page: does HB work, for whom, at what cost? The region's effectiveness by quarter and
support category as charts, each with a table of the same cells, and the follow-up service's CSV as it is.
Managers read it too. The planner reads aggregated figures only (no client's page is open to them)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.console.adapters.services import Services
from services.console.region import region_view
from services.console.web import page_of

router = APIRouter(prefix="/region")
READERS = ("planner", "manager")


def _services(request: Request) -> Services:
    return request.app.state.services  # type: ignore[no-any-return]


@router.get("", response_class=HTMLResponse)
async def region(request: Request) -> Response:
    page = page_of(request)
    session = page.require_staff(*READERS)
    figures = await _services(request).get("followup", "/effectiveness/region", session.token)
    return page.render("region.html", **region_view(figures, page.t))


@router.get(".csv")
async def region_csv(request: Request) -> Response:
    """The follow-up service's CSV, byte for byte: the console adds and removes nothing."""
    page = page_of(request)
    session = page.require_staff(*READERS)
    answer = await _services(request).raw("followup", "/effectiveness/region.csv", session.token)
    return Response(answer.content, media_type=answer.headers.get("content-type", "text/csv"), headers={
        "Content-Disposition": answer.headers.get("content-disposition", 'attachment; filename="region.csv"')})
