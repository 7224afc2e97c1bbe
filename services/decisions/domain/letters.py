"""A decision's letters: one for each dispatch to a recipient, written when the dispatch is recorded (the time limit
it starts is in the letter), never written again. Pure: the letter arrives rendered and sealed (the application
renders it with shared/infra/letters); here only whether it belongs in the decision's stream."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from contracts.decisions import DecisionRegistered, LetterIssued
from shared.kernel.errors import RuleViolation
from shared.kernel.events import DomainEvent


@dataclass(frozen=True)
class Issue:
    dispatch_id: UUID
    recipient: str
    letter: LetterIssued | None  # None: nothing to write it from (registered before letters, or the client erased)


def issue(command: Issue, decision: DecisionRegistered, issued_for: set[UUID], served: set[str]) -> list[DomainEvent]:
    """The letter of a dispatch, once: a redelivered dispatch writes nothing again."""
    if command.dispatch_id in issued_for or command.letter is None:
        return []
    if command.recipient not in served:
        raise RuleViolation("a letter is written for a recorded dispatch", code="letter-without-dispatch")
    letter = command.letter
    if (letter.decision_id, letter.client_id, letter.dispatch_id) != (
            decision.decision_id, decision.client_id, command.dispatch_id):
        raise RuleViolation("a letter belongs to its own decision and dispatch", code="letter-of-another-decision")
    return [letter]
