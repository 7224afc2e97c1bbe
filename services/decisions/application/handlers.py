"""The decisions service's command handlers: each turns an application command into the domain's, after the
pipeline has found the decision (404), asked the policy (403) and checked the version the caller saw (409). The
rules live in domain/register.py (serving), domain/serving.py (time limits) and domain/rectification.py. Texts
are sealed with the client's key here, after the policy, so a refused caller causes no work."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID, uuid4

from contracts.decisions import registry
from services.decisions.adapters import postgres
from services.decisions.application import commands as c
from services.decisions.application import letters
from services.decisions.application.policy import policy
from services.decisions.application.ports import Ports
from services.decisions.domain import recipients, rectification, register
from shared.infra.aggregate import Aggregate
from shared.infra.law_texts import decision_law
from shared.infra.pipeline import AggregateSpec, Given, Handlers, Route
from shared.infra.timers import Timer
from shared.kernel.calendar import county_day
from shared.kernel.law import Decided

OVERDUE_TIMER = postgres.OVERDUE_TIMER


def stream_of(request: Any) -> str:
    return f"decision-{request.decision_id}"


DECISION = AggregateSpec(
    Aggregate(register.INITIAL, register.evolve, register.decide, registry), stream_of=stream_of,
    subject_of=lambda cmd: str(cmd.client_id), exists=lambda d: d.exists, not_found="no such decision",
    policy=policy, projector=postgres.project_decision,
    # The letter is written by a reaction to the dispatch, maybe while a person acts on the same decision (files a
    # request for rectification, decides it): commands on one decision queue instead of failing with a conflict.
    serialize=True,
)

Given_ = Given[register.RegisteredDecision, Ports]


async def register_decision(cmd: c.RegisterDecision, given: Given_) -> register.Register:
    return register.Register(record=cmd.record)


async def dispatch(cmd: c.DispatchDecision, given: Given_) -> register.Dispatch:
    """Checked against who was entitled to be served on the county's day of sending."""
    standing = await given.deps.standing(cmd.client_id, county_day(cmd.sent_at))
    return register.Dispatch(recipient=cmd.recipient, entitled=recipients.entitled(cmd.client_id, standing),
                             method=cmd.method, sent_at=cmd.sent_at,
                             recorded_by=given.principal.user_id, electronic_consent=cmd.electronic_consent,
                             rules=given.deps.rules, now=given.context.now)


async def record_receipt(cmd: c.RecordReceipt, given: Given_) -> register.RecordReceipt:
    return register.RecordReceipt(recipient=cmd.recipient, received_on=cmd.received_on,
                                  recorded_by=given.principal.user_id,
                                  today=county_day(given.context.now))


async def file_rectification(cmd: c.FileRectification, given: Given_) -> rectification.FileRequest:
    [text] = await given.keyring.seal(str(cmd.client_id), cmd.text)
    now, principal = given.context.now, given.principal
    # A client or a representative files their own request, and it arrives the day they send it; a worker records
    # one received by post or at the desk, on the day it came and for whoever filed it.
    own = principal.role in ("client", "representative")
    served_to_them = principal.role == "representative" and principal.user_id in given.state.served
    party = (principal.user_id if served_to_them else c.CLIENT) if own else cmd.party  # else: for the client
    received_on = county_day(now) if own else cmd.received_on
    return rectification.FileRequest(
        request_id=uuid4(), party=party, filed_by=principal.user_id, filed_by_role=principal.role,
        received_on=received_on, text=text, deadline=register.deadline_of(given.state, party),
        today=county_day(now), answer_due_at=now + timedelta(days=given.deps.rectification_answer_days),
        parties=frozenset({c.CLIENT, *given.state.served}))


async def prepare_rectification(cmd: c.PrepareRectification, given: Given_) -> rectification.PrepareRequest:
    [memo] = await given.keyring.seal(str(cmd.client_id), cmd.memo)
    return rectification.PrepareRequest(request_id=cmd.request_id, prepared_by=given.principal.user_id,
                                        proposal=cmd.proposal, memo=memo)


async def decide_rectification(cmd: c.DecideRectification, given: Given_) -> rectification.DecideRequest:
    record = given.state.registered
    assert record is not None
    [reasoning] = await given.keyring.seal(str(cmd.client_id), cmd.reasoning)
    law = decision_law(given.deps.legal, "rectification", cmd.meeting_date, record.language)
    decided = Decided(decision_id=uuid4(), decision_number=await given.deps.decision_number(cmd.meeting_date.year),
                      decided_on=cmd.meeting_date, decided_by=given.principal.user_id, authority=None, law=law)
    return rectification.DecideRequest(
        request_id=cmd.request_id, outcome=cmd.outcome, body=cmd.body, meeting_date=cmd.meeting_date,
        minutes_section=cmd.minutes_section, recorded_by=given.principal.user_id, reasoning=reasoning,
        today=county_day(given.context.now), decided=decided, amended_amount_cents=cmd.amended_amount_cents,
        amended_breakdown=cmd.amended_breakdown)


async def mark_overdue(cmd: c.MarkRectificationOverdue, given: Given_) -> rectification.MarkOverdue:
    return rectification.MarkOverdue(request_id=cmd.request_id)


HANDLERS: Handlers = {
    c.RegisterDecision: Route(DECISION, register_decision, missing="decide"),
    c.DispatchDecision: Route(DECISION, dispatch),
    c.RecordReceipt: Route(DECISION, record_receipt),
    c.FileRectification: Route(DECISION, file_rectification),
    c.PrepareRectification: Route(DECISION, prepare_rectification),
    c.DecideRectification: Route(DECISION, decide_rectification),
    c.MarkRectificationOverdue: Route(DECISION, mark_overdue, missing="skip"),
    c.IssueLetter: Route(DECISION, letters.issue, missing="skip"),
}


def overdue_command(timer: Timer) -> c.MarkRectificationOverdue:
    p = timer.payload
    return c.MarkRectificationOverdue(client_id=UUID(p["client_id"]), decision_id=UUID(p["decision_id"]),
                                      request_id=UUID(p["request_id"]))


TIMERS = {OVERDUE_TIMER: overdue_command}
