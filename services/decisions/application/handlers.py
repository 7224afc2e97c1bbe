"""The decisions service's command handlers: each turns an application command into the domain's, after the
pipeline has found the decision (404), asked the policy (403) and checked the version the caller saw (409). The
rules live in domain/register.py (serving) and domain/serving.py (time limits)."""

from __future__ import annotations

from typing import Any

from contracts.decisions import registry
from services.decisions.adapters import postgres
from services.decisions.application import commands as c
from services.decisions.application.policy import policy
from services.decisions.application.ports import Ports
from services.decisions.domain import register
from services.decisions.domain.serving import county_day
from shared.infra.aggregate import Aggregate
from shared.infra.pipeline import AggregateSpec, Given, Handlers, Route


def stream_of(request: Any) -> str:
    return f"decision-{request.decision_id}"


DECISION = AggregateSpec(
    Aggregate(register.INITIAL, register.evolve, register.decide, registry), stream_of=stream_of,
    subject_of=lambda cmd: str(cmd.client_id), exists=lambda d: d.exists, not_found="no such decision",
    policy=policy, projector=postgres.project_decision,
)

Given_ = Given[register.RegisteredDecision, Ports]


async def register_decision(cmd: c.RegisterDecision, given: Given_) -> register.Register:
    return register.Register(record=cmd.record)


async def dispatch(cmd: c.DispatchDecision, given: Given_) -> register.Dispatch:
    return register.Dispatch(recipient=cmd.recipient, method=cmd.method, sent_at=cmd.sent_at,
                             recorded_by=given.principal.user_id, electronic_consent=cmd.electronic_consent,
                             rules=given.deps.rules, now=given.context.now)


async def record_receipt(cmd: c.RecordReceipt, given: Given_) -> register.RecordReceipt:
    return register.RecordReceipt(recipient=cmd.recipient, received_on=cmd.received_on,
                                  recorded_by=given.principal.user_id,
                                  today=county_day(given.context.now))


HANDLERS: Handlers = {
    c.RegisterDecision: Route(DECISION, register_decision, missing="decide"),
    c.DispatchDecision: Route(DECISION, dispatch),
    c.RecordReceipt: Route(DECISION, record_receipt),
}
