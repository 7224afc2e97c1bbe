"""What a notified person reads: every kind a reaction can tell, for every audience it tells, has its title and body
in every language of the catalogue, with its facts formatted the language's way; the e-mail says nothing but that
there is something new and where to read it."""

from __future__ import annotations

import re
from uuid import uuid4

import pytest

from services.notifications.application.texts import email, render
from shared.i18n import catalogue

PARAMS = {"decision_number": "HB-2026-0042", "amount_cents": 119_000, "previous_amount_cents": 100_000,
          "reason_code": "exceeds_remaining", "order_id": str(uuid4()), "orders": 3, "number": 2,
          "due_on": "2026-11-20", "matter": "budget_decision", "provider_id": str(uuid4()),
          "closure_code": "goals_achieved", "requester": "rule", "outcome_code": "amended"}
# (kind, audience[, variant]) for every text a reaction (application/reactions.py) can give someone
TOLD = [("budget_decided", "client"), ("budget_decided", "representative"), ("budget_decided", "worker"),
        ("budget_revised", "client"), ("budget_revised", "worker"), ("approval_refused", "client"),
        ("approval_refused", "worker"), ("coordinator_assigned", "client"), ("coordinator_assigned", "worker"),
        ("coordinator_changed", "client"), ("coordinator_changed", "worker"),
        ("coordinator_changed", "worker", "previous"), ("intake_declined", "client"), ("order_rejected", "client"),
        ("order_rejected", "worker"), ("purchase_refused", "client"), ("purchase_refused", "worker"),
        ("provider_suspended", "client"), ("provider_suspended", "worker"),
        ("provider_suspended", "provider"), ("followup_overdue", "worker"), ("order_declined", "client"),
        ("order_declined", "worker"), ("order_cancelled", "client"), ("order_cancelled", "worker"),
        ("case_closed", "client"), ("case_closed", "worker"), ("plan_review_opened", "worker"),
        ("letter_issued", "client"), ("letter_issued", "representative"), ("rectification_decided", "client"),
        ("rectification_decided", "representative"), ("rectification_decided", "worker")]


@pytest.mark.parametrize("language", catalogue().codes)
@pytest.mark.parametrize("told", TOLD, ids=lambda t: ".".join(t))
def test_every_notice_reads_in_every_language_without_a_raw_key_or_placeholder(told: tuple[str, ...],
                                                                              language: str) -> None:
    kind, audience, *variant = told
    shown = render(kind, audience, {**PARAMS, **({"variant": variant[0]} if variant else {})}, language)
    for text in shown.values():
        assert text and not text.startswith("notice.") and not re.search(r"\{[a-z_]+\}", text), text


def test_facts_are_formatted_the_readers_way() -> None:
    fi = render("budget_decided", "client", PARAMS, "fi")["body"]
    sv = render("budget_decided", "client", PARAMS, "sv")["body"]
    assert "HB-2026-0042" in fi and "1\u00a0190,00\u00a0€" in fi and fi != sv
    assert "20.11.2026" in render("followup_overdue", "worker", PARAMS, "fi")["body"]
    rejected = render("order_rejected", "client", PARAMS, "en")["body"]
    assert "exceeds what remains" in rejected
    unknown = render("order_rejected", "client", {**PARAMS, "reason_code": "no_such_code"}, "en")["body"]
    assert "no_such_code" not in unknown  # an unknown code reads as the general reason, never as a code
    assert "the goals were achieved" in render("case_closed", "client", PARAMS, "en")["body"]
    assert "a follow-up rule" in render("plan_review_opened", "worker", PARAMS, "en")["body"]


@pytest.mark.parametrize("language", catalogue().codes)
def test_a_rectification_outcome_reads_in_words_each_its_own_and_an_unknown_one_never_as_its_code(
        language: str) -> None:
    bodies = {o: render("rectification_decided", "client", {**PARAMS, "outcome_code": o}, language)["body"]
              for o in ("upheld", "amended", "dismissed", "no_such_outcome")}
    assert len(set(bodies.values())) == 4
    assert "no_such_outcome" not in bodies["no_such_outcome"]  # a newer publisher's outcome: the general text
    assert all("HB-2026-0042" in body for body in bodies.values())
    assert "the decision was changed" in render("rectification_decided", "worker", PARAMS, "en")["body"]


def test_a_previous_worker_reads_a_text_of_their_own() -> None:
    previous = render("coordinator_changed", "worker", {"variant": "previous"}, "en")
    assert previous != render("coordinator_changed", "worker", {}, "en")


@pytest.mark.parametrize("language", catalogue().codes)
def test_the_e_mail_says_only_that_there_is_something_new_and_where(language: str) -> None:
    subject, body = email(language, "https://avain.example/inbox")
    assert "https://avain.example/inbox" in body and subject
    assert not re.search(r"\{[a-z_]+\}", subject + body)
