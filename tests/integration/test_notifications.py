"""The notifications service with real Kafka, PostgreSQL and a real SMTP server (aiosmtpd, its own process): other
services' events as their outbox relays put them on the topics → one inbox item per (event, person), read over HTTP
in the person's language, and one e-mail per item that only says there is something new, with a Message-ID stable
per (event, person) — also when the event is delivered again. No hetu, name or address in any e-mail, Kafka key or
log line (a canary)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime
from email.message import Message
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from contracts import budgeting, decisions, intake, marketplace
from services.notifications.bootstrap import NotificationsSettings, create_app
from services.notifications.domain.notice import item_id_of
from shared.infra import tables
from shared.infra.settings import ServiceSettings
from shared.kernel.envelope import Actor, EventEnvelope
from shared.kernel.events import DomainEvent
from tests.conftest import running_service
from tests.support import eventually, publish, read_to_end

WORKER = "worker-aino"
PROVIDER_USER = "provider-user-1"
DOMAIN = "mail.avain.test"
HETU = "131052-308T"
CANARIES = (HETU, "Kaarina", "Kantelinen", "Rantakatu 9")
SCORES = intake.SelfAssessmentScores(general_ability=5, mental_wellbeing=4, social_participation=3,
                                     physical_functioning=7, competence=6, everyday_life=4)


@pytest.fixture
async def notifications(settings: ServiceSettings, smtp_server: Any) -> AsyncIterator[httpx.AsyncClient]:
    mine = NotificationsSettings(**settings.model_dump(), smtp_host="127.0.0.1", smtp_port=smtp_server.port,
                                 smtp_security="none", mail_domain=DOMAIN, mail_retry_seconds=0.2)
    async with running_service(create_app, mine, "notifications") as client:
        yield client


def envelope(event: DomainEvent, subject: UUID, *, actor: Actor | None = None) -> EventEnvelope:
    service = event.event_type.split(".")[2]
    return EventEnvelope(
        id=uuid4(), source=f"/avain/{service}", type=event.event_type, schema_version=event.schema_version,
        time=datetime.now(UTC), subject=str(subject), stream_id=f"test-{uuid4()}", stream_version=1,
        correlation_id=str(uuid4()), actor=actor or Actor(id=service, role="system"),
        data=event.model_dump(mode="json"),
    ).sealed()


async def publish_events(settings: ServiceSettings, *envelopes: EventEnvelope) -> None:
    for e in envelopes:
        await publish(f"{settings.topic_prefix}avain.{e.source.rsplit('/', 1)[1]}.events.v1", [e])


async def known(client: httpx.AsyncClient, sql: str, *args: Any) -> Any:
    pool = client.app.state.application.store.pool  # type: ignore[attr-defined]
    return await pool.fetchval(sql, *args)


async def register(client: httpx.AsyncClient, settings: ServiceSettings, *, language: str, email: str | None,
                   coordinator: str = WORKER) -> UUID:
    """A client as intake publishes them: sealed personal data (hetu, name, address, e-mail) under their own key,
    then the completed intake naming their coordinator; returns once the service's directory holds both."""
    cid = uuid4()
    keyring = client.app.state.application.keyring  # type: ignore[attr-defined]
    await keyring.create(str(cid))
    person = {"hetu": HETU, "first_name": "Kaarina", "last_name": "Kantelinen", "phone": None, "email": email,
              "address": "Rantakatu 9, 28100 Pori"}
    [sealed] = await keyring.seal(str(cid), json.dumps(person))
    await publish_events(settings, envelope(intake.ClientRegistered(
        client_id=cid, personal_data=sealed, municipality="Pori", preferred_language=language), cid), envelope(
        intake.IntakeCompleted(client_id=cid, coordinator_id=coordinator,
                               service_task=intake.ServiceTask.DISABILITY_SERVICES, municipality="Pori",
                               preferred_language=language, baseline_scores=SCORES), cid))
    await eventually(lambda: known(client, "SELECT coordinator_id IS NOT NULL AND contact IS NOT NULL FROM"
                                           " known_clients WHERE client_id = $1", cid), timeout=60)
    return cid


def decided(cid: UUID, number: str = "HB-2026-0042") -> budgeting.BudgetDecided:
    return budgeting.BudgetDecided(
        client_id=cid, decision_number=number, proposal_id=uuid4(), amount_cents=119_000,
        period=budgeting.Period(start=date(2026, 12, 1), end=date(2027, 11, 30)), breakdown={"home_help": 119_000},
        decided_by="worker-other", reasoning=_sealed_nothing(cid), legal_basis="VpL 42 §",
        appeal_instructions="Oikaisuvaatimus 30 päivässä")


def _sealed_nothing(cid: UUID) -> Any:
    from shared.kernel.sealed import Sealed

    return Sealed(kid=str(cid), nonce="bm9uY2U=", ct="Y3Q=")


async def inbox(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> dict[str, Any]:
    r = await client.get("/inbox", headers=headers, params=params)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def mail_to(smtp: Any, address: str) -> list[Message]:
    return [m for m in smtp.messages() if m["To"] == address]


def text_of(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def subject_of(message: Message) -> str:
    from email.header import decode_header, make_header

    return str(make_header(decode_header(message["Subject"])))


async def test_a_decided_budget_reaches_a_swedish_client_once_in_the_inbox_and_by_e_mail(
        settings: ServiceSettings, notifications: httpx.AsyncClient, smtp_server: Any,
        tokens: Callable[..., dict[str, str]], capfd: pytest.CaptureFixture[str]) -> None:
    cid = await register(notifications, settings, language="sv", email="kaarina@example.test")
    the_decision = envelope(decided(cid), cid)
    await publish_events(settings, the_decision)
    client = tokens(str(cid), "client")
    page = await eventually(lambda: _with_items(inbox(notifications, client), 1), timeout=60)

    [item] = page["items"]
    assert item["kind"] == "budget_decided" and item["audience"] == "client" and not item["read"]
    assert page["language"] == "sv" and item["title"] == "Beslutet om din budget har fattats"
    assert "HB-2026-0042" in item["body"] and "1\u00a0190,00\u00a0€" in item["body"]
    assert item["id"] == str(item_id_of(the_decision.id, str(cid)))

    [mail] = await eventually(lambda: mail_to(smtp_server, "kaarina@example.test"), timeout=60)
    assert mail["Message-ID"] == f"<{item['id']}@{DOMAIN}>"
    assert mail["Content-Language"] == "sv" and mail["Auto-Submitted"] == "auto-generated"
    assert subject_of(mail) == "Avain: du har ett nytt meddelande"
    assert "/inbox" in text_of(mail) and "HB-2026-0042" not in text_of(mail)  # what happened stays in Avain

    # The coordinator: an item in Finnish; no e-mail (staff work addresses come with the staff directory).
    worker = await inbox(notifications, tokens(WORKER, "worker"))
    assert [(i["kind"], i["audience"]) for i in worker["items"]] == [("budget_decided", "worker")]
    assert worker["language"] == "fi" and worker["items"][0]["title"] == "Asiakkaasi budjettipäätös on tehty"

    # The same event delivered again (a replay, a redelivery), then a later event on the same key: once the later
    # one is in the inbox and mailed, the replay has been handled too, and told nobody anything twice.
    revised = budgeting.BudgetRevised(client_id=cid, revision_number=1, previous_amount_cents=119_000,
                                      amount_cents=150_000, breakdown={"home_help": 150_000},
                                      reason=_sealed_nothing(cid))
    await publish_events(settings, the_decision, envelope(revised, cid))
    await eventually(lambda: len(mail_to(smtp_server, "kaarina@example.test")) == 2, timeout=60)
    page = await inbox(notifications, client)
    assert sorted(i["kind"] for i in page["items"]) == ["budget_decided", "budget_revised"]
    assert len({m["Message-ID"] for m in mail_to(smtp_server, "kaarina@example.test")}) == 2

    # Read: once, by its own person only.
    assert (await notifications.post(f"/inbox/{item['id']}/read", headers=client)).status_code == 200
    assert (await notifications.post(f"/inbox/{item['id']}/read", headers=tokens(WORKER, "worker"))).status_code \
        == 403
    assert (await inbox(notifications, client, unread="true"))["total"] == 1

    # Opening the address to send was access-logged with its purpose.
    async def logged() -> bool:
        accessed = [json.loads(r.value) for r in await read_to_end(f"{settings.topic_prefix}avain.access.events.v1")]
        return any(a["client_id"] == str(cid) and a["purpose"] == "notification" and a["service"] == "notifications"
                   for a in accessed)

    await eventually(logged, timeout=60)
    await _no_canary_in(smtp_server, settings, capfd)


async def _with_items(page: Any, count: int) -> Any:
    found = await page
    return found if len(found["items"]) >= count else None


async def test_a_suspension_tells_each_affected_person_once_also_when_replayed(
        settings: ServiceSettings, notifications: httpx.AsyncClient, smtp_server: Any,
        tokens: Callable[..., dict[str, str]], capfd: pytest.CaptureFixture[str]) -> None:
    anna = await register(notifications, settings, language="sv", email="anna@example.test")
    bert = await register(notifications, settings, language="fi", email="bert@example.test")
    provider_id = uuid4()
    await publish_events(settings, envelope(marketplace.ProviderRegistered(
        provider_id=provider_id, y_tunnus="1234567-8", name="Städ Ab", kind=marketplace.ProviderKind.FIRM,
        service_areas=["Pori"], languages=["sv"], accessibility="", evening_availability=False,
        weekend_availability=False, contact_email="info@stad.example.test"), provider_id,
        actor=Actor(id=PROVIDER_USER, role="provider")))
    orders = [(anna, uuid4()), (anna, uuid4()), (bert, uuid4())]
    await publish_events(settings, *(envelope(marketplace.OrderPlaced(
        client_id=cid, order_id=order_id, provider_id=provider_id, offering_id=uuid4(), category="cleaning",
        quantity=1, unit_price_cents=4500, amount_cents=4500), cid) for cid, order_id in orders))
    await eventually(lambda: known(notifications, "SELECT count(*) = 3 FROM known_orders WHERE provider_id = $1",
                                   provider_id), timeout=60)
    await eventually(lambda: known(notifications, "SELECT users ? $2 FROM known_providers WHERE provider_id = $1",
                                   provider_id, PROVIDER_USER), timeout=60)

    suspension = envelope(marketplace.ProviderSuspended(provider_id=provider_id, reason="laatupoikkeama"),
                          provider_id, actor=Actor(id="manager-maija", role="manager"))
    await publish_events(settings, suspension)
    addresses = ("anna@example.test", "bert@example.test", "info@stad.example.test")
    await eventually(lambda: all(mail_to(smtp_server, a) for a in addresses), timeout=60)

    await publish_events(settings, suspension)  # replayed
    marker = envelope(decided(bert, "HB-2026-0099"), bert)  # then something later for the last client
    await publish_events(settings, marker)
    await eventually(lambda: len(mail_to(smtp_server, "bert@example.test")) == 2, timeout=60)

    people = {str(anna): tokens(str(anna), "client"), str(bert): tokens(str(bert), "client"),
              WORKER: tokens(WORKER, "worker"), PROVIDER_USER: tokens(PROVIDER_USER, "provider",
                                                                      provider_id=str(provider_id))}
    told = {p: [i for i in (await inbox(notifications, h))["items"] if i["kind"] == "provider_suspended"]
            for p, h in people.items()}
    assert {p: len(items) for p, items in told.items()} == {p: 1 for p in people}
    assert {p: items[0]["params"]["orders"] for p, items in told.items()} == {
        str(anna): 2, str(bert): 1, WORKER: 3, PROVIDER_USER: 3}
    assert told[str(anna)][0]["title"] == "Serviceproducentens verksamhet har avbrutits"  # Swedish for the Swedish client
    for address in addresses:
        suspended = [m for m in mail_to(smtp_server, address) if m["Message-ID"] != f"<{_item(marker, bert)}@{DOMAIN}>"]
        assert len(suspended) == 1, address
    assert await known(notifications, "SELECT count(*) FROM inbox_items WHERE notice_id = $1", suspension.id) == 4
    await _no_canary_in(smtp_server, settings, capfd)


def _item(e: EventEnvelope, person: UUID) -> UUID:
    return item_id_of(e.id, str(person))


async def _no_canary_in(smtp: Any, settings: ServiceSettings, capfd: pytest.CaptureFixture[str]) -> None:
    """No hetu, name or address in any e-mail's headers or body, in the service's records on Kafka (keys, headers,
    values) or in its log lines."""
    for message in smtp.messages():
        shown = f"{subject_of(message)}\n{text_of(message)}\n{message.as_string()}"
        assert not [c for c in CANARIES if c in shown], message["Message-ID"]
    records = await eventually(lambda: read_to_end(f"{settings.topic_prefix}avain.notifications.events.v1"),
                               timeout=60)  # the service's own events, once its relay has published them
    for r in records:
        shown = f"{r.key!r}{r.value!r}{r.headers!r}"
        assert not [c for c in CANARIES if c in shown]
    out, err = capfd.readouterr()
    assert not [c for c in CANARIES if c in out + err]


async def test_a_refused_address_is_settled_and_an_smtp_outage_is_waited_out(
        settings: ServiceSettings, notifications: httpx.AsyncClient, smtp_server: Any,
        tokens: Callable[..., dict[str, str]]) -> None:
    refused = await register(notifications, settings, language="fi", email="nobody@refused.invalid")
    waiting = await register(notifications, settings, language="en", email="eve@example.test")
    refused_decision = envelope(decided(refused), refused)
    await publish_events(settings, refused_decision)
    refused_item = item_id_of(refused_decision.id, str(refused))
    await eventually(lambda: known(notifications, "SELECT outcome = 'refused' FROM email_outbox WHERE item_id = $1",
                                   refused_item), timeout=60)
    assert await known(notifications, "SELECT last_error FROM email_outbox WHERE item_id = $1",
                       refused_item) == "recipient refused: [550]"  # a code, never the address
    assert (await inbox(notifications, tokens(str(refused), "client")))["total"] == 1  # the inbox still has it

    await smtp_server.stop()  # the relay is down: the e-mail waits, the inbox does not
    later = envelope(decided(waiting), waiting)
    await publish_events(settings, later)
    item = item_id_of(later.id, str(waiting))
    await eventually(lambda: known(notifications, "SELECT attempts >= 2 AND outcome IS NULL FROM email_outbox"
                                                  " WHERE item_id = $1", item), timeout=60)
    assert (await inbox(notifications, tokens(str(waiting), "client")))["total"] == 1
    await smtp_server.start()
    [mail] = await eventually(lambda: mail_to(smtp_server, "eve@example.test"), timeout=60)
    assert mail["Message-ID"] == f"<{item}@{DOMAIN}>" and subject_of(mail) == "Avain: you have a new message"


async def test_a_worker_is_mailed_at_work_in_the_language_of_the_staff_directory(
        settings: ServiceSettings, notifications: httpx.AsyncClient, smtp_server: Any,
        tokens: Callable[..., dict[str, str]]) -> None:
    worker = f"worker-{uuid4().hex[:8]}"
    await publish_events(settings, envelope(intake.StaffProfileRecorded(
        staff_id=worker, name="Aino Virtanen", work_email=f"{worker}@county.example", languages=["sv"],
        source="identity_provider"), uuid4()))
    await eventually(lambda: known(notifications, "SELECT count(*) FROM known_staff WHERE staff_id = $1", worker),
                     timeout=30)
    cid = await register(notifications, settings, language="fi", email=None, coordinator=worker)
    await publish_events(settings, envelope(decided(cid), cid))
    [mail] = await eventually(lambda: mail_to(smtp_server, f"{worker}@county.example"), timeout=30)
    assert subject_of(mail) == "Avain: du har ett nytt meddelande"
    page = await inbox(notifications, tokens(worker, "worker"))
    assert page["items"][0]["title"] == "Beslutet om din klients budget har fattats"
    assert "Aino" not in text_of(mail) and "Virtanen" not in mail.as_string()


async def test_a_purchase_above_the_workers_limit_reaches_the_managers_who_may_approve_it(
        settings: ServiceSettings, notifications: httpx.AsyncClient, smtp_server: Any,
        tokens: Callable[..., dict[str, str]]) -> None:
    # Roles come with the staff directory's entries (recorded at sign-in); the delegation table decides who may
    # answer. The worker who asked and a manager who has left are not told.
    tag = uuid4().hex[:8]
    manager, gone, asker = f"manager-{tag}", f"manager-gone-{tag}", f"worker-{tag}"
    for staff_id, role, active in ((manager, "manager", True), (gone, "manager", False), (asker, "worker", True)):
        await publish_events(settings, envelope(intake.StaffProfileRecorded(
            staff_id=staff_id, name="Maija Esimies", work_email=f"{staff_id}@county.example", languages=["fi"],
            role=role, active=active, source="identity_provider"), uuid4()))
    await eventually(lambda: known(notifications, "SELECT count(*) = 3 FROM known_staff WHERE staff_id LIKE $1",
                                   f"%{tag}"), timeout=30)
    cid = await register(notifications, settings, language="fi", email=None, coordinator=asker)
    authority = tables.delegations().authority(asker, "worker", "purchase", "Pori", date(2026, 11, 30))
    assert authority is not None
    waiting = envelope(marketplace.ApprovalRequested(
        approval_id=uuid4(), kind="purchase", matter_id=uuid4(), client_id=cid, municipality="Pori",
        amount_cents=350_000, requested_by=asker, authority=authority), cid, actor=Actor(id=asker, role="worker"))
    await publish_events(settings, waiting, waiting)  # delivered twice: told once
    [mail] = await eventually(lambda: mail_to(smtp_server, f"{manager}@county.example"), timeout=30)
    assert "Maija" not in mail.as_string()
    page = await inbox(notifications, tokens(manager, "manager"))
    [item] = [i for i in page["items"] if i["kind"] == "approval_waiting"]
    assert item["title"] == "Pyyntö odottaa hyväksyntääsi" and "3\xa0500,00\xa0€" in item["body"]
    assert await known(notifications, "SELECT count(*) FROM inbox_items WHERE person_id = ANY($1::text[])",
                       [gone, asker]) == 0


async def test_a_guardian_is_told_what_their_child_is_told_and_one_the_child_forbade_is_not(
        settings: ServiceSettings, notifications: httpx.AsyncClient, tokens: Callable[..., dict[str, str]]) -> None:
    """Who represents the client comes from intake's representation events, as every service keeps them: a
    guardian in force is told in the client's language; a guardian the child forbade to see their data is not."""
    from datetime import timedelta

    from shared.kernel.representation import ACTS

    cid = await register(notifications, settings, language="sv", email=None)
    mother, father = uuid4(), uuid4()
    for guardian in (mother, father):
        await publish_events(settings, envelope(intake.RepresentationStarted(
            client_id=cid, link_id=uuid4(), representative_id=guardian, kind="guardian", scope=list(ACTS),
            starts_on=date.today() - timedelta(days=30), ends_on=None, confirmed=True, source="population_register",
            basis=_sealed_nothing(cid), representative_name=_sealed_nothing(cid)), cid))
    await publish_events(settings, envelope(intake.DataProhibitionRecorded(
        client_id=cid, prohibition_id=uuid4(), guardian_ids=[father], all_guardians=False), cid))
    await eventually(lambda: known(notifications, "SELECT (SELECT count(*) FROM mandates WHERE client_id = $1) = 2"
                                                  " AND EXISTS (SELECT 1 FROM data_prohibitions WHERE client_id = $1)",
                                   cid), timeout=60)
    await publish_events(settings, envelope(decided(cid), cid))
    await eventually(lambda: _with_items(inbox(notifications, tokens(str(cid), "client")), 1), timeout=60)

    told = await inbox(notifications, tokens(str(mother), "representative"))
    assert [(i["kind"], i["audience"]) for i in told["items"]] == [("budget_decided", "representative")]
    assert told["language"] == "sv" and told["items"][0]["title"] == "Beslutet om din budget har fattats"
    assert (await inbox(notifications, tokens(str(father), "representative")))["items"] == []

    # Once the child forbids the mother too, what she was told about the child is no longer hers to read.
    await publish_events(settings, envelope(intake.DataProhibitionRecorded(
        client_id=cid, prohibition_id=uuid4(), guardian_ids=[mother], all_guardians=False), cid))

    async def hidden() -> bool:
        page = await inbox(notifications, tokens(str(mother), "representative"))
        return page["items"] == [] and page["total"] == 0

    assert await eventually(hidden, timeout=60)

def letter(cid: UUID, recipient: str) -> decisions.LetterIssued:
    return decisions.LetterIssued(
        letter_id=uuid4(), decision_id=uuid4(), client_id=cid, decision_number="HB-2026-0042", kind="budget",
        recipient=recipient, dispatch_id=uuid4(), language="sv", template_version="1", catalogue_version="0" * 64,
        texts={"letter.title": "Beslut"}, content_hash="0" * 64, html_hash="0" * 64, pdf_variant="PDF/A-3a",
        document=_sealed_nothing(cid), content=_sealed_nothing(cid), metadata=decisions.LetterMetadata(
            document_type="decision-letter/budget", title="Beslut om personlig budget", author="Aino Virtanen",
            organisation="Satakunnan hyvinvointialue", service_task=None, decided_on=date(2026, 11, 30),
            issued_at=datetime(2026, 11, 30, 10, tzinfo=UTC)))


async def test_each_served_recipient_is_told_of_their_own_letter_and_the_family_of_the_rectification_outcome(
        settings: ServiceSettings, notifications: httpx.AsyncClient, smtp_server: Any,
        tokens: Callable[..., dict[str, str]], capfd: pytest.CaptureFixture[str]) -> None:
    """The decisions service's events on its own topic: a letter per recipient served tells that recipient alone,
    once, also when replayed; a rectification outcome tells the client side and the coordinator, in words."""
    from datetime import timedelta

    from shared.kernel.representation import ACTS

    cid = await register(notifications, settings, language="sv", email="kaarina@example.test")
    guardian = uuid4()
    await publish_events(settings, envelope(intake.RepresentationStarted(
        client_id=cid, link_id=uuid4(), representative_id=guardian, kind="guardian", scope=list(ACTS),
        starts_on=date.today() - timedelta(days=30), ends_on=None, confirmed=True, source="population_register",
        basis=_sealed_nothing(cid), representative_name=_sealed_nothing(cid)), cid))
    await eventually(lambda: known(notifications, "SELECT count(*) = 1 FROM mandates WHERE client_id = $1", cid),
                     timeout=60)

    to_client = envelope(letter(cid, "client"), cid, actor=Actor(id="worker-other", role="worker"))
    await publish_events(settings, to_client, envelope(letter(cid, str(guardian)), cid), to_client)  # one replayed
    outcome = decisions.RectificationDecided(
        request_id=uuid4(), decision_id=uuid4(), client_id=cid, outcome="upheld", body="individual_matters_section",
        meeting_date=date(2026, 11, 26), minutes_section="12 §", recorded_by="worker-other",
        reasoning=_sealed_nothing(cid), outcome_decision_id=uuid4(), outcome_decision_number="OV-2026-0007")
    await publish_events(settings, envelope(outcome, cid, actor=Actor(id="worker-other", role="worker")))
    # The outcome came last on the client's key: once it is mailed, the letters (and the replay) were handled.
    mails = await eventually(lambda: _at_least(mail_to(smtp_server, "kaarina@example.test"), 2), timeout=60)

    client = (await inbox(notifications, tokens(str(cid), "client")))["items"]
    assert sorted((i["kind"], i["title"]) for i in client) == [
        ("letter_issued", "Ett beslutsbrev finns att läsa"),
        ("rectification_decided", "Begäran om omprövning har avgjorts")]
    decided_ = next(i for i in client if i["kind"] == "rectification_decided")
    assert "OV-2026-0007" in decided_["body"] and "beslutet står fast" in decided_["body"]
    mine = (await inbox(notifications, tokens(str(guardian), "representative")))["items"]
    assert sorted(i["kind"] for i in mine) == ["letter_issued", "rectification_decided"]  # their own letter only
    worker = (await inbox(notifications, tokens(WORKER, "worker")))["items"]
    assert [(i["kind"], i["title"]) for i in worker] == [
        ("rectification_decided", "Asiakkaasi oikaisuvaatimukseen on annettu päätös")]
    assert len({m["Message-ID"] for m in mails}) == len(mails) == 2
    assert all("HB-2026-0042" not in text_of(m) and "OV-2026-0007" not in text_of(m) for m in mails)  # only "new"
    await _no_canary_in(smtp_server, settings, capfd)


def _at_least(found: list[Message], count: int) -> list[Message] | None:
    return found if len(found) >= count else None
