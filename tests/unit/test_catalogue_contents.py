"""Every text a person reads has its entry in every language of the catalogue, and each renders: every error and
refusal code (title; a rule's own reason also its detail), every status, risk flag and refusal reason the services
show. A missing entry, or a Finnish or Swedish text equal to the English one, fails here (the mechanism's own
test is test_catalogue.py)."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any, get_args

import pytest

from contracts.budgeting import FundsReservationRejected
from services.budgeting.domain import advice, budget
from services.followup.domain import followup
from services.intake.domain import client
from services.marketplace.domain import catalogue as provider_catalogue
from services.marketplace.domain import order, purchase
from shared.i18n import catalogue
from shared.infra import problems

ROOT = Path(__file__).resolve().parents[2]
TEXTS = catalogue()
REFERENCE = "en"


def _literal(annotation: Any) -> list[str]:
    return [str(v) for v in get_args(annotation)]


# (domain, message id) of every status, flag and reason a service shows by code.
SHOWN: list[tuple[str, str]] = [
    *(("budgeting", f"status.{s}") for s in _literal(budget.Status) if s != "none"),
    *(("budgeting", f"risk.{f}") for f in _literal(advice.Flag)),
    *(("budgeting", f"reservation.{r}")
      for r in _literal(FundsReservationRejected.model_fields["reason_code"].annotation)),
    *(("intake", f"status.{s}") for s in _literal(client.Status) if s != "unregistered"),
    *(("intake", f"consent.{s}") for s in _literal(client.Consent)),
    *(("followup", f"status.{s}") for s in _literal(followup.Status) if s != "none"),
    *(("marketplace", f"order.{s}") for s in _literal(order.Status) if s != "none"),
    *(("marketplace", f"purchase.{s}") for s in _literal(purchase.Status) if s != "none"),
    ("marketplace", "refusal.approval_refused"),
    *(("marketplace", f"provider.{s}") for s in _literal(provider_catalogue.ProviderStatus) if s != "none"),
]


def _domain_of(key: str) -> str | None:
    return next((d for d in ("kernel", *sorted(TEXTS.domains)) if TEXTS.has(d, key, "fi")), None)


def _rule_codes() -> set[str]:
    """The codes a rule raises with a reason of its own (``code="..."`` in the domains, the kernel, and the
    services' applications): their detail is translated, so each needs one."""
    found = set()
    for folder in ("shared/kernel", "services"):
        for path in (ROOT / folder).rglob("*.py"):
            if "/entrypoints/" in str(path) or "/adapters/" in str(path):
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.keyword) and node.arg == "code" and isinstance(node.value, ast.Constant):
                    found.add(str(node.value.value))
    return found


def _check(domain: str, key: str) -> list[str]:
    wrong = []
    english = TEXTS.messages.get((REFERENCE, domain), {}).get(key)
    for lang in TEXTS.codes:
        text = TEXTS.messages.get((lang, domain), {}).get(key)
        if not text:
            wrong.append(f"{lang}/{domain}: {key} is missing")
        elif lang != REFERENCE and text == english:
            wrong.append(f"{lang}/{domain}: {key} is the English text")
        else:
            TEXTS.text(domain, key, lang, amount_cents="1", limit_cents="2", committed_cents="3")  # renders
    return wrong


@pytest.mark.parametrize("code", sorted(problems.CODES))
def test_every_error_and_refusal_code_has_a_title_in_every_language(code: str) -> None:
    key = f"problem.{code}.title"
    domain = _domain_of(key)
    assert domain is not None, f"{key} is in no domain"
    assert _check(domain, key) == []


@pytest.mark.parametrize("code", sorted(_rule_codes()))
def test_every_rules_reason_has_a_detail_in_every_language(code: str) -> None:
    assert code in problems.CODES, f"{code} is raised but not registered in shared/infra/problems.py"
    key = f"problem.{code}.detail"
    domain = _domain_of(key)
    assert domain is not None, f"{key} is in no domain"
    assert _check(domain, key) == []


@pytest.mark.parametrize(("domain", "key"), SHOWN, ids=[f"{d}:{k}" for d, k in SHOWN])
def test_every_status_flag_and_reason_shown_has_its_text_in_every_language(domain: str, key: str) -> None:
    assert _check(domain, key) == []


def test_a_rules_reason_is_answered_in_the_asked_language_with_its_values() -> None:
    detail = problems.localized_detail("below-committed", "fi", {"committed_cents": 60_000})
    assert detail == "Varattuja ja käytettyjä varoja on jo 600,00\u00a0€, joten budjetti ei voi olla sitä pienempi."
    sv = problems.localized_detail("below-committed", "sv", {"committed_cents": 60_000})
    assert sv is not None and "600,00\u00a0€" in sv and sv.startswith("Reserverade")
    assert problems.localized_detail("rule", "fi", {}) is None  # a generic code keeps the rule's own sentence
