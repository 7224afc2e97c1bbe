"""The approvals page's own reading: why a reader may not answer a matter, how far it is above its asker's limit,
where an answer goes, and the reason a refusal needs (checked before anything is sent)."""

from __future__ import annotations

from typing import Any

import pytest

from services.console.approvals import MAX_REASON, AnswerForm, endpoints_of, over_limit, still_waiting, why_not
from shared.i18n import catalogue


def row(**kw: Any) -> dict[str, Any]:
    return {"approval_id": "a1", "service": "budgeting", "kind": "budget_decision", "client_id": "c1",
            "status": "pending", "requested_by": "worker-aino", "amount_cents": 600_000, "limit_cents": 500_000,
            "may_answer": True} | kw


def test_a_manager_whose_delegation_covers_it_may_answer() -> None:
    assert why_not(row(), "manager-helmi", "manager") is None


def test_nobody_answers_their_own_request_even_with_the_authority() -> None:
    assert why_not(row(requested_by="manager-helmi"), "manager-helmi", "manager") == "approvals.why_not.own_request"
    assert why_not(row(may_answer=False), "worker-aino", "worker") == "approvals.why_not.own_request"


def test_a_reader_who_is_not_a_manager_sees_why_they_cannot_answer() -> None:
    assert why_not(row(may_answer=False), "auditor-otso", "auditor") == "approvals.why_not.role"


def test_an_amount_above_the_managers_own_authority_says_so() -> None:
    assert why_not(row(may_answer=False), "manager-helmi", "manager") == "approvals.why_not.authority"


def test_an_answered_or_foreign_matter_offers_no_answer_here() -> None:
    assert why_not(row(status="granted"), "manager-helmi", "manager") == "approvals.why_not.answered"
    foreign = row(service="followup", kind="support_closure")
    assert why_not(foreign, "manager-helmi", "manager") == "approvals.why_not.elsewhere"
    assert endpoints_of(foreign) is None


def test_every_reason_for_not_answering_is_in_every_language() -> None:
    keys = {why_not(r, who, role) for r, who, role in [
        (row(status="refused"), "m", "manager"), (row(), "worker-aino", "manager"), (row(), "a", "auditor"),
        (row(may_answer=False), "m", "manager"), (row(kind="support_closure"), "m", "manager")]}
    for lang in ("fi", "sv", "en"):
        t = catalogue().translator("console", lang)
        assert all(key is not None and t.has(key) for key in keys), lang


def test_a_budget_matter_is_answered_at_budgeting_for_its_client() -> None:
    for kind in ("budget_decision", "budget_revision"):
        found = endpoints_of(row(kind=kind))
        assert found is not None and found.service == "budgeting"
        assert found.path("approve", "c1", "p1") == "/budgets/c1/approval"
        assert found.path("refuse", "c1", "p1") == "/budgets/c1/rejection"
        assert found.matter_path("c1", "p1") == "/budgets/c1"


def test_a_purchase_is_answered_at_the_marketplace_for_the_purchase_itself() -> None:
    found = endpoints_of(row(service="marketplace", kind="purchase", matter_id="p1"))
    assert found is not None and found.service == "marketplace"
    assert found.path("approve", "c1", "p1") == "/purchases/p1/approval"
    assert found.path("refuse", "c1", "p1") == "/purchases/p1/approval/refusal"
    assert found.matter_path("c1", "p1") == "/purchases/p1"


def test_an_answer_goes_only_to_the_request_the_matter_still_waits_on() -> None:
    assert still_waiting("budgeting", {"awaiting_approval": {"approval_id": "a1"}}, "a1")
    assert not still_waiting("budgeting", {"awaiting_approval": {"approval_id": "a2"}}, "a1")  # a newer request
    assert not still_waiting("budgeting", {"awaiting_approval": None}, "a1")
    assert still_waiting("marketplace", {"waiting_for_approval": True}, "a1")
    assert not still_waiting("marketplace", {"waiting_for_approval": False, "status": "confirmed"}, "a1")


def test_how_far_above_the_askers_limit() -> None:
    assert over_limit(row()) == 100_000
    assert over_limit(row(limit_cents=None)) is None
    assert over_limit(row(amount_cents=400_000)) == 0


@pytest.mark.parametrize("typed", ["", "   ", "\n\t"])
def test_a_refusal_without_a_reason_is_not_sent(typed: str) -> None:
    form = AnswerForm.read("refuse", typed)
    assert form.errors == ("approvals.reason_missing.refuse",)


def test_an_approval_also_carries_its_reason() -> None:
    assert AnswerForm.read("approve", "").errors == ("approvals.reason_missing.approve",)
    form = AnswerForm.read("approve", "  Perusteltu tarve.  ")
    assert form.errors == () and form.answer == "approve" and form.reason == "Perusteltu tarve."


def test_an_unknown_answer_or_an_overlong_reason_is_refused() -> None:
    assert AnswerForm.read("delete", "syy").errors == ("approvals.answer_missing",)
    assert AnswerForm.read("refuse", "x" * (MAX_REASON + 1)).errors == ("approvals.reason_too_long",)
    assert AnswerForm.read("refuse", "x" * MAX_REASON).errors == ()


def test_a_support_persons_agreement_is_answered_at_the_marketplace_for_the_agreement() -> None:
    found = endpoints_of(row(service="marketplace", kind="support_agreement", matter_id="a9"))
    assert found is not None
    assert (found.path("approve", "c1", "a9"), found.path("refuse", "c1", "a9"), found.matter_path("c1", "a9")) == (
        "/agreements/a9/approval", "/agreements/a9/approval/refusal", "/agreements/a9")
    assert still_waiting("marketplace", {"waiting_for_approval": True, "status": "awaiting_approval"}, "x")
