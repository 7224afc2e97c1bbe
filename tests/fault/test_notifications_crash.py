"""Kill -9 of the notifications service in the middle of a burst of 200 notifications, against a real SMTP server
(aiosmtpd, its own process): after the restarts every (event, person) has exactly one inbox item, the SMTP server
holds every distinct Message-ID, and the duplicates are at most the number of kills (the mailer sends one message
at a time and marks it sent in the transaction that held its row)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from contracts import budgeting, intake
from deploy.local.mail import MailSink
from shared.infra.crypto import Keyring, decode_master_key
from shared.infra.settings import DEV_MASTER_KEY
from shared.kernel.envelope import Actor, EventEnvelope
from shared.kernel.events import DomainEvent
from shared.kernel.sealed import Sealed
from tests.fault.stack import ServiceProcess, Stack, free_port
from tests.support import eventually

pytestmark = [pytest.mark.integration, pytest.mark.fault]

BURST = 200
DOMAIN = "mail.avain.test"


def envelope(event: DomainEvent, subject: UUID) -> EventEnvelope:
    service = event.event_type.split(".")[2]
    return EventEnvelope(
        id=uuid4(), source=f"/avain/{service}", type=event.event_type, schema_version=event.schema_version,
        time=datetime.now(UTC), subject=str(subject), stream_id=f"{service}-{subject}", stream_version=1,
        correlation_id=str(uuid4()), actor=Actor(id=service, role="system"), data=event.model_dump(mode="json"),
    ).sealed()


async def send(stack: Stack, envelopes: list[EventEnvelope]) -> None:
    producer = await stack.intake_producer()
    for e in envelopes:
        await producer.send(stack.topic(e.source.rsplit("/", 1)[1]), value=e.kafka_value(), key=e.kafka_key(),
                            headers=e.kafka_headers())
    await producer.flush()


def decided(cid: UUID) -> budgeting.BudgetDecided:
    return budgeting.BudgetDecided(
        client_id=cid, decision_number=f"HB-{cid.hex[:8]}", proposal_id=uuid4(), amount_cents=100_000,
        period=budgeting.Period(start=date(2026, 12, 1), end=date(2027, 11, 30)), breakdown={"home_help": 100_000},
        decided_by="worker-other", reasoning=Sealed(kid=str(cid), nonce="bm9uY2U=", ct="Y3Q="),
        legal_basis="VpL 42 §", appeal_instructions="Oikaisuvaatimus 30 päivässä")


async def kill9(service: ServiceProcess) -> None:
    service.kill9()
    assert await service.wait_exit() == -9


async def test_kill_9_in_a_burst_of_200_tells_everyone_once_and_mails_each_at_least_once(
        stack: Stack, tmp_path: Path) -> None:
    sink = MailSink(free_port(), tmp_path / "mail", tmp_path / "smtp.log")
    await sink.start()
    try:
        service = await stack.start("notifications", extra_env={
            "AVAIN_SMTP_HOST": "127.0.0.1", "AVAIN_SMTP_PORT": str(sink.port), "AVAIN_SMTP_SECURITY": "none",
            "AVAIN_MAIL_DOMAIN": DOMAIN, "AVAIN_MAIL_RETRY_SECONDS": "0.2"})
        # The clients as intake registered them: each one's e-mail sealed under their own key in the key vault.
        keyring = Keyring(await stack.pool("keys"), decode_master_key(DEV_MASTER_KEY))
        clients = [uuid4() for _ in range(BURST)]
        registered = []
        for cid in clients:
            await keyring.create(str(cid))
            [sealed] = await keyring.seal(str(cid), json.dumps({"email": f"c-{cid.hex[:12]}@example.test"}))
            registered.append(envelope(intake.ClientRegistered(
                client_id=cid, personal_data=sealed, municipality="Pori", preferred_language="fi"), cid))
        await send(stack, registered)
        await eventually(lambda: stack.value("notifications", "SELECT count(*) = $1 FROM known_clients"
                                             " WHERE contact IS NOT NULL", BURST), timeout=120)

        decisions = [envelope(decided(cid), cid) for cid in clients]
        await send(stack, decisions)
        kills = 0
        # First kill while the consumer is still telling people; the second while the mailer is sending.
        await eventually(lambda: stack.value("notifications", "SELECT count(*) >= 20 FROM inbox_items"), timeout=120)
        await kill9(service)
        kills += 1
        await service.start()
        await eventually(lambda: len(sink.messages()) >= 40, timeout=120)
        await kill9(service)
        kills += 1
        await service.start()

        await eventually(lambda: stack.value("notifications", "SELECT count(*) = $1 FROM inbox_items", BURST),
                         timeout=180)
        await eventually(lambda: stack.value("notifications", "SELECT count(*) = 0 FROM email_outbox"
                                             " WHERE outcome IS NULL"), timeout=180)
        items = await (await stack.pool("notifications")).fetch("SELECT notice_id, person_id, item_id FROM inbox_items")
        assert Counter((r["notice_id"], r["person_id"]) for r in items) == Counter(
            {(e.id, str(e.subject)): 1 for e in decisions})
        outcomes = await (await stack.pool("notifications")).fetch("SELECT outcome, count(*) FROM email_outbox"
                                                                    " GROUP BY outcome")
        assert {r["outcome"]: r["count"] for r in outcomes} == {"sent": BURST}

        ids = Counter(m["Message-ID"] for m in sink.messages())
        assert set(ids) == {f"<{r['item_id']}@{DOMAIN}>" for r in items}, "every item's e-mail arrived"
        duplicates = sum(ids.values()) - len(ids)
        assert duplicates <= kills, ids.most_common(3)
        events = await stack.count("notifications", "SELECT count(*) FROM events WHERE event_type ="
                                   " 'fi.avain.notifications.PersonNotified'")
        assert events == BURST
    finally:
        await sink.stop()
