"""What the manager's approvals page needs beyond the decisions service's answers: where each kind of matter is
answered (the owning service's endpoint), why a reader who may not answer a matter cannot, and reading the reason
typed in the answer form, so that a missing reason is shown beside its field instead of as a refusal.

The console decides nothing: ``may_answer`` comes from the decisions service (the reader's own delegation), and the
owning service checks the answer again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

Answer = Literal["approve", "refuse"]
MAX_REASON = 4000  # budgeting's ApprovalBody.reason


@dataclass(frozen=True)
class Endpoints:
    service: str
    approve: str
    refuse: str
    matter: str  # where the matter is read (to show it, and to see it still waits before an answer is sent)

    def path(self, answer: Answer, client_id: str, matter_id: str) -> str:
        return (self.approve if answer == "approve" else self.refuse).format(client_id=client_id, matter_id=matter_id)

    def matter_path(self, client_id: str, matter_id: str) -> str:
        return self.matter.format(client_id=client_id, matter_id=matter_id)


# The kinds of matter the console can answer, by the service that owns them; a kind not listed here is shown in
# the queue (with its amount and asker) but answered in its own service until the console learns it.
_BUDGET = Endpoints("budgeting", "/budgets/{client_id}/approval", "/budgets/{client_id}/rejection",
                    "/budgets/{client_id}")
ENDPOINTS: dict[tuple[str, str], Endpoints] = {
    ("budgeting", "budget_decision"): _BUDGET,
    ("budgeting", "budget_revision"): _BUDGET,
    ("marketplace", "purchase"): Endpoints("marketplace", "/purchases/{matter_id}/approval",
                                           "/purchases/{matter_id}/approval/refusal", "/purchases/{matter_id}"),
    ("marketplace", "support_agreement"): Endpoints("marketplace", "/agreements/{matter_id}/approval",
                                                    "/agreements/{matter_id}/approval/refusal",
                                                    "/agreements/{matter_id}"),
}


def still_waiting(service: str, matter: dict[str, Any], approval_id: str) -> bool:
    """Whether the matter as its owner now shows it still waits for this very request (a budget names the request
    it waits on; a purchase waits on one request at most)."""
    if service == "budgeting":
        return bool((matter.get("awaiting_approval") or {}).get("approval_id") == approval_id)
    return bool(matter.get("waiting_for_approval"))


def endpoints_of(row: dict[str, Any]) -> Endpoints | None:
    return ENDPOINTS.get((str(row.get("service")), str(row.get("kind"))))


def why_not(row: dict[str, Any], reader_id: str, reader_role: str) -> str | None:
    """None when the reader may answer the matter here; else the catalogue key that says why not."""
    if row.get("status") != "pending":
        return "approvals.why_not.answered"
    if row.get("requested_by") == reader_id:
        return "approvals.why_not.own_request"  # nobody approves their own request
    if reader_role != "manager":
        return "approvals.why_not.role"
    if not row.get("may_answer"):
        return "approvals.why_not.authority"  # the manager's own delegation does not cover the amount
    if endpoints_of(row) is None:
        return "approvals.why_not.elsewhere"
    return None


def over_limit(row: dict[str, Any]) -> int | None:
    """How many cents the matter is above its asker's delegated limit (None when the limit is not known)."""
    limit = row.get("limit_cents")
    if not isinstance(limit, int):
        return None
    return max(int(row.get("amount_cents") or 0) - limit, 0)


@dataclass(frozen=True)
class AnswerForm:
    answer: Answer | None
    reason: str
    errors: tuple[str, ...]

    @classmethod
    def read(cls, answer: str, reason: str) -> AnswerForm:
        """The answer and its reason as typed: a refusal (and the service asks it of an approval too) needs a
        reason a person can read; blank space is no reason."""
        chosen: Answer | None = "approve" if answer == "approve" else "refuse" if answer == "refuse" else None
        text = reason.strip()
        errors: list[str] = []
        if chosen is None:
            errors.append("approvals.answer_missing")
        elif not text:
            errors.append(f"approvals.reason_missing.{chosen}")
        elif len(text) > MAX_REASON:
            errors.append("approvals.reason_too_long")
        return cls(chosen, text, tuple(errors))
