"""The client's own copy (GDPR art. 15) through the case history's application on the memory store: asked by the
client or their representative (a mandate in force that reads), refused to anyone else with nothing recorded; the
county's readers see it pending with its due day; the copy opened with the client's key, delivered once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from contracts.budgeting import GasLevels, GoalSet
from contracts.history import CopyDelivered, CopyRequested
from contracts.intake import CoordinatorAssigned, PreferredLanguageChanged, StaffProfileRecorded
from services.history.application import commands as c
from services.history.application import views
from services.history.application.copy import content_hash
from services.history.application.handlers import HANDLERS, stream_of
from services.history.application.ports import Ports
from shared.kernel.errors import Forbidden, InvalidCommand, NotFound
from shared.kernel.principal import Principal
from shared.kernel.representation import Mandate
from tests.application import AUDITOR, OTHER_WORKER, WORKER, Harness, covers
from tests.history_tables import MemoryTables
from tests.unit.test_history_application import heard

SERVICE = "history"
NOW = datetime(2026, 11, 30, 10, tzinfo=UTC)


@pytest.fixture
def h() -> Harness:
    return Harness.of(SERVICE, HANDLERS, Ports(MemoryTables()))


def representative(cid: object, *, reads: bool = True) -> Principal:
    mandate = Mandate(link_id=uuid4(), client_id=cid, kind="authorised", scope=frozenset({"read"}), reads=reads)
    return Principal(user_id=str(uuid4()), role="representative", mandates=(mandate,))


async def a_case(h: Harness) -> tuple[object, Principal]:
    cid = uuid4()
    await h.keyring.create(str(cid))
    await heard(h, StaffProfileRecorded(staff_id=WORKER.user_id, name="Aino Virtanen", source="admin"), uuid4())
    await heard(h, CoordinatorAssigned(client_id=cid, worker_id=WORKER.user_id), cid, at=NOW - timedelta(days=9))
    await heard(h, PreferredLanguageChanged(client_id=cid, preferred_language="sv"), cid, at=NOW - timedelta(days=8))
    title, *levels = await h.keyring.seal(str(cid), "Jag orkar med vardagen", *"abcde")
    await heard(h, GoalSet(client_id=cid, goal_id=uuid4(), title=title, baseline_level=-1, levels=GasLevels(
        much_less_than_expected=levels[0], less_than_expected=levels[1], expected=levels[2],
        more_than_expected=levels[3], much_more_than_expected=levels[4])), cid, at=NOW - timedelta(days=7),
        by=WORKER)
    return cid, Principal(user_id=str(cid), role="client")


@covers(SERVICE, c.RequestCopy)
async def test_the_client_or_their_representative_asks_and_staff_see_it_pending_with_its_due_day(h: Harness) -> None:
    cid, client = await a_case(h)
    [asked] = await h.when(c.RequestCopy(client_id=cid), client, at=NOW)
    assert isinstance(asked, CopyRequested)
    assert (asked.requested_by, asked.language, asked.due_on) == ("client", "sv", date(2026, 12, 30))
    [for_them] = await h.when(c.RequestCopy(client_id=cid, language="en"), representative(cid), at=NOW)
    assert isinstance(for_them, CopyRequested) and for_them.requested_by == "representative"

    for refused in (representative(cid, reads=False), representative(uuid4()), Principal(user_id=str(uuid4()),
                                                                                          role="client"), WORKER):
        with pytest.raises(Forbidden):
            await h.when(c.RequestCopy(client_id=cid), refused, at=NOW)
    with pytest.raises(InvalidCommand):
        await h.when(c.RequestCopy(client_id=cid, language="xx"), client, at=NOW)
    unknown = uuid4()
    with pytest.raises(NotFound):
        await h.when(c.RequestCopy(client_id=unknown), Principal(user_id=str(unknown), role="client"), at=NOW)
    assert len(await h.recorded(stream_of(cid))) == 2  # nothing of the refused

    for reader in (WORKER, AUDITOR, client):  # the coordinating worker, the county's readers, the client
        pending = await views.copy_requests(h.app, cid, reader)
        assert [(r["status"], r["due_on"]) for r in pending] == [("pending", "2026-12-30")] * 2
    with pytest.raises(Forbidden):
        await views.copy_requests(h.app, cid, OTHER_WORKER)


@covers(SERVICE, c.DeliverCopy)
async def test_the_copy_opens_the_clients_words_and_its_first_download_records_the_delivery(h: Harness) -> None:
    cid, client = await a_case(h)
    [asked] = await h.when(c.RequestCopy(client_id=cid), client, at=NOW)
    with pytest.raises(Forbidden):  # staff see the request, not the copy
        await views.client_copy(h.app, cid, asked.request_id, WORKER)
    copy = await views.client_copy(h.app, cid, asked.request_id, client)
    assert [(w.what, w.text) for w in copy.plan] == [("goal", "Jag orkar med vardagen")]
    assert copy.language == "sv" and [e.type for e in copy.timeline][-1] == "GoalSet"
    assert copy.timeline[-1].who.name == "Aino Virtanen"

    deliver = c.DeliverCopy(client_id=cid, request_id=asked.request_id, content_hash=content_hash(copy),
                            sources=copy.sources)
    [delivered] = await h.when(deliver, client, at=NOW + timedelta(days=2))
    assert isinstance(delivered, CopyDelivered) and not delivered.late
    assert delivered.content_hash == content_hash(await views.client_copy(h.app, cid, asked.request_id, client))
    assert await h.when(deliver, client) == []
    with pytest.raises(Forbidden):
        await h.when(deliver, WORKER)
    status = await views.copy_request(h.app, cid, asked.request_id, WORKER)
    assert (status["status"], status["delivered_on"]) == ("delivered", "2026-12-02")
