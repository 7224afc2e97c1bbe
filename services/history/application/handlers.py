"""The case history's command handlers: the data subject's rights on each client's rights stream
(``rights-<client id>``). Each reads the facts the rules need (domain/rights.py decides), and the approval of an
erasure destroys the client's key in the transaction that records it."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID, uuid4

from contracts.history import ClientErased, ErasureRefused
from contracts.history import registry as history_events
from services.history.application import commands as c
from services.history.application.policy import policy
from services.history.application.ports import Ports
from services.history.domain import rights
from shared.i18n import DEFAULT_LANGUAGE, catalogue
from shared.infra.aggregate import Aggregate, Executed
from shared.infra.eventstore import Session
from shared.infra.pipeline import AggregateSpec, Given, Handlers, Route
from shared.kernel.calendar import county_day
from shared.kernel.envelope import EventEnvelope
from shared.kernel.errors import InvalidCommand, NotFound, RuleViolation
from shared.kernel.sealed import Sealed

NO_HISTORY = "no history for this client"


def stream_of(client_id: UUID) -> str:
    return f"rights-{client_id}"


# A client's rights stream starts with its first request: the case exists when the history holds the client's
# events, which the handlers check (404) after the policy (403), as before the pipeline.
RIGHTS = AggregateSpec(
    Aggregate(rights.INITIAL, rights.evolve, rights.decide, history_events),
    stream_of=lambda cmd: stream_of(cmd.client_id), subject_of=lambda cmd: str(cmd.client_id),
    exists=lambda _rights: True, not_found=NO_HISTORY, policy=policy, serialize=True,
)

Given_ = Given[rights.Rights, Ports]


async def known(ports: Ports, client_id: UUID) -> list[EventEnvelope]:
    """The client's events, or 404 when the history holds none."""
    events = await ports.tables.case_events(client_id)
    if not events:
        raise NotFound(NO_HISTORY)
    return events


async def facts(ports: Ports, client_id: UUID) -> rights.CaseFacts:
    events = await known(ports, client_id)
    case = await ports.tables.case_of(client_id)
    return rights.case_facts(events, case.closed_on if case else None, case.service_task if case else None)


async def request_erasure(cmd: c.RequestErasure, given: Given_) -> rights.RequestErasure:
    case = await facts(given.deps, cmd.client_id)
    return rights.RequestErasure(cmd.client_id, uuid4(), cmd.ground, cmd.reference, given.principal.user_id, case,
                                 county_day(given.context.now), await given.deps.tables.retention_table())


async def approve_erasure(cmd: c.ApproveErasure, given: Given_) -> rights.ApproveErasure:
    case = await facts(given.deps, cmd.client_id)
    return rights.ApproveErasure(cmd.client_id, cmd.request_id, given.principal.user_id, case,
                                 county_day(given.context.now), await given.deps.tables.retention_table())


async def destroy_key(cmd: c.ApproveErasure, done: Executed[Any], given: Given_, _session: Session) -> None:
    """Crypto-shredding, in the transaction that records the erasure: a key vault outage rolls the record back
    and leaves the request pending, so nothing is half done."""
    erased = [e for e in done.new_events if e.type == ClientErased.event_type]
    if erased:
        await given.keyring.destroy(str(cmd.client_id), f"erasure {cmd.request_id}: {erased[0].data['legal_basis']}")


async def withdraw_erasure(cmd: c.WithdrawErasure, given: Given_) -> rights.WithdrawErasure:
    await known(given.deps, cmd.client_id)
    return rights.WithdrawErasure(cmd.client_id, cmd.request_id)


async def place_hold(cmd: c.PlaceHold, given: Given_) -> rights.PlaceHold:
    await known(given.deps, cmd.client_id)
    return rights.PlaceHold(cmd.client_id, cmd.hold_id, cmd.kind, cmd.reference)


async def lift_hold(cmd: c.LiftHold, given: Given_) -> rights.LiftHold:
    await known(given.deps, cmd.client_id)
    return rights.LiftHold(cmd.client_id, cmd.hold_id)


async def designate_for_archiving(cmd: c.DesignateForArchiving, given: Given_) -> rights.DesignateForArchiving:
    await known(given.deps, cmd.client_id)
    return rights.DesignateForArchiving(cmd.client_id, cmd.reference)


async def restrict_processing(cmd: c.RestrictProcessing, given: Given_) -> rights.RestrictProcessing:
    await known(given.deps, cmd.client_id)
    return rights.RestrictProcessing(cmd.client_id, cmd.ground, cmd.purpose, cmd.reference)


async def lift_restriction(cmd: c.LiftRestriction, given: Given_) -> rights.LiftRestriction:
    await known(given.deps, cmd.client_id)
    return rights.LiftRestriction(cmd.client_id)


async def correct_entry(cmd: c.CorrectEntry, given: Given_) -> rights.CorrectEntry:
    events = await known(given.deps, cmd.client_id)
    exists = any(e.id == cmd.entry_event_id for e in events)
    if not exists:  # refused by the domain; nothing is sealed for an entry that is not there
        return rights.CorrectEntry(cmd.client_id, cmd.entry_event_id, False, cmd.reason, _NOTHING, None)
    texts = [cmd.correction] + ([cmd.explanation] if cmd.explanation else [])
    sealed = await given.keyring.seal(str(cmd.client_id), *texts)
    return rights.CorrectEntry(cmd.client_id, cmd.entry_event_id, True, cmd.reason, sealed[0],
                               sealed[1] if len(sealed) > 1 else None)


async def request_copy(cmd: c.RequestCopy, given: Given_) -> rights.RequestCopy:
    await known(given.deps, cmd.client_id)
    languages = catalogue().languages
    language = cmd.language or await given.deps.people.language(str(cmd.client_id)) or DEFAULT_LANGUAGE
    if language not in languages:
        raise InvalidCommand("language must be one of " + ", ".join(languages), field="language")
    role: Literal["client", "representative"] = (
        "representative" if given.principal.role == "representative" else "client")
    now = given.context.now
    return rights.RequestCopy(cmd.client_id, cmd.request_id, role, now, county_day(now), language)


async def deliver_copy(cmd: c.DeliverCopy, given: Given_) -> rights.DeliverCopy:
    return rights.DeliverCopy(cmd.client_id, cmd.request_id, county_day(given.context.now), cmd.content_hash,
                              cmd.sources)


_NOTHING = Sealed(kid="-", nonce="", ct="")  # never recorded: the domain refuses a correction of no entry

# Every command lands on the client's rights stream; "decide": the stream starts with its first command.
HANDLERS: Handlers = {
    c.RequestErasure: Route(RIGHTS, request_erasure, missing="decide"),
    c.ApproveErasure: Route(RIGHTS, approve_erasure, missing="decide", then=destroy_key),
    c.WithdrawErasure: Route(RIGHTS, withdraw_erasure, missing="decide"),
    c.PlaceHold: Route(RIGHTS, place_hold, missing="decide"),
    c.LiftHold: Route(RIGHTS, lift_hold, missing="decide"),
    c.DesignateForArchiving: Route(RIGHTS, designate_for_archiving, missing="decide"),
    c.RestrictProcessing: Route(RIGHTS, restrict_processing, missing="decide"),
    c.LiftRestriction: Route(RIGHTS, lift_restriction, missing="decide"),
    c.CorrectEntry: Route(RIGHTS, correct_entry, missing="decide"),
    c.RequestCopy: Route(RIGHTS, request_copy, missing="decide"),
    c.DeliverCopy: Route(RIGHTS, deliver_copy, missing="decide"),
}


def refusal_of(done: Executed[Any]) -> None:
    """An erasure refused is recorded (the refusal is part of the case) and answered as a 409 with its reasons."""
    refused = [e for e in done.new_events if e.type == ErasureRefused.event_type]
    if refused:
        reasons = refused[0].data["reasons"]
        raise RuleViolation("erasure refused: " + "; ".join(r["reason"] for r in reasons), code="erasure-refused",
                            reasons=reasons, refusal_event_id=str(refused[0].id))
