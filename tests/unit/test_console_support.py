"""The support-person pages' own reading of what the worker types: a support person needs a name, a relationship,
their tasks and their own consent, and a hetu and IBAN that pass their check characters (both or neither); an
agreement a payable person of the plan, a part of the budget, a fee in euros, the hours for an hourly fee and a
period of at most twelve months; a claim a month and its hours or its receipt. Each mistake is named beside its
field, in every language, before anything is sent; the check page shows what the agreement can cost at most, as the
marketplace counts it."""

from __future__ import annotations

from datetime import date

import pytest

from services.console.support import AgreementForm, ClaimForm, PersonForm
from shared.i18n import catalogue
from shared.kernel.identifiers import make_hetu

HETU = make_hetu(date(1950, 1, 1), 935)
IBAN = "FI21 1234 5600 0007 85"
AILI = "11111111-1111-4111-8111-111111111111"


def person(**typed: str) -> PersonForm:
    fields = {"name": "Aili Virtanen", "relationship": "relative", "tasks": "Hoitaa lapsia", "contact": "",
              "consent": "yes", "hetu": HETU, "iban": IBAN} | typed
    return PersonForm.read(**fields)


def agreement(**typed: str) -> AgreementForm:
    fields = {"person_id": AILI, "category": "informal_support", "fee_basis": "hour", "fee": "15,00",
              "max_hours": "20", "expenses_cap": "50,00", "period_start": "2026-11-01",
              "period_end": "2026-12-31", "earnings_type": "216"} | typed
    return AgreementForm(**fields).check({AILI}, ["informal_support"])


def test_a_person_with_consent_and_payment_details_becomes_the_marketplaces_bodies() -> None:
    form = person(hetu=HETU.lower(), contact=" 040 111 2223 ")
    assert form.errors == [] and form.payable and form.hetu == HETU
    assert form.body("c1", date(2026, 11, 30)) == {
        "client_id": "c1", "relationship": "relative", "tasks": "Hoitaa lapsia", "name": "Aili Virtanen",
        "contact": "040 111 2223", "consent_given": True, "consent_on": "2026-11-30"}
    volunteer = person(hetu="", iban="")
    assert volunteer.errors == [] and not volunteer.payable  # unpaid: no payment details needed


@pytest.mark.parametrize(("typed", "field", "key"), [
    ({"name": " "}, "name", "sp.error.name_missing"),
    ({"relationship": "boss"}, "relationship-0", "sp.error.relationship_missing"),
    ({"tasks": ""}, "tasks", "sp.error.tasks_missing"),
    ({"consent": ""}, "consent", "sp.error.consent_missing"),
    ({"hetu": HETU[:-1] + ("A" if HETU[-1] != "A" else "B")}, "hetu", "intake.hetu.mismatch"),
    ({"hetu": "", "iban": IBAN}, "hetu", "intake.hetu.length"),  # an IBAN alone: payroll needs both
    ({"iban": "FI21 1234 5600 0007 86"}, "iban", "sp.error.iban_invalid"),
])
def test_each_mistake_in_a_person_is_named_beside_its_field_in_every_language(typed: dict[str, str], field: str,
                                                                                key: str) -> None:
    assert (field, key) in person(**typed).errors
    for lang in ("fi", "sv", "en"):
        assert catalogue().translator("console", lang).has(key)


def test_an_hourly_agreement_costs_the_hours_times_the_fee_and_the_expenses_cap() -> None:
    form = agreement()
    assert form.errors == [] and form.cost_cents == 15_00 * 20 + 50_00
    assert form.body("c1") == {
        "client_id": "c1", "person_id": AILI, "category": "informal_support", "fee_basis": "hour",
        "fee_cents": 1_500, "max_hours": 20, "expenses_cap_cents": 5_000, "period_start": "2026-11-01",
        "period_end": "2026-12-31", "earnings_type": "216"}
    monthly = agreement(fee_basis="month", fee="1 000,00", max_hours="", expenses_cap="", period_end="31.1.2027")
    assert monthly.errors == [] and monthly.cost_cents == 3 * 100_000  # November, December and January
    assert monthly.body("c1")["max_hours"] is None and monthly.body("c1")["expenses_cap_cents"] == 0


@pytest.mark.parametrize(("typed", "field", "key"), [
    ({"person_id": "someone-else"}, "person-0", "sa.error.person_missing"),
    ({"category": "cleaning"}, "category", "sa.error.category_missing"),
    ({"fee_basis": ""}, "basis-0", "sa.error.basis_missing"),
    ({"fee": "viisitoista"}, "fee", "sa.error.fee_invalid"),
    ({"max_hours": ""}, "max_hours", "sa.error.hours_invalid"),
    ({"expenses_cap": "-5"}, "expenses_cap", "sa.error.cap_invalid"),
    ({"period_start": "huomenna"}, "period_start", "sa.error.date_invalid"),
    ({"period_end": "2026-10-31"}, "period_end", "sa.error.period_invalid"),
    ({"period_end": "2027-11-01"}, "period_end", "sa.error.period_invalid"),  # thirteen months
    ({"earnings_type": "x"}, "earnings_type", "sa.error.earnings_type_invalid"),
])
def test_each_mistake_in_an_agreement_is_named_beside_its_field(typed: dict[str, str], field: str, key: str) -> None:
    assert (field, key) in agreement(**typed).errors
    for lang in ("fi", "sv", "en"):
        assert catalogue().translator("console", lang).has(key)


def test_a_claim_is_a_months_hours_or_expenses_against_a_receipt() -> None:
    hours = ClaimForm("fee", "2026-11", "12").check("hour")
    assert hours.errors == [] and hours.body("hour") == {"kind": "fee", "month": "2026-11-01", "hours": 12}
    month = ClaimForm("fee", "2026-11").check("month")
    assert month.errors == [] and month.body("month") == {"kind": "fee", "month": "2026-11-01"}
    receipt = ClaimForm("expenses", "2026-11", amount="18,90", receipt="K-2291").check("hour")
    assert receipt.body("hour") == {"kind": "expenses", "month": "2026-11-01", "amount_cents": 1_890,
                                    "receipt_reference": "K-2291"}
    assert ("hours", "claim.error.hours_invalid") in ClaimForm("fee", "2026-11", "").check("hour").errors
    assert ("month", "claim.error.month_invalid") in ClaimForm("fee", "2026-13", "1").check("hour").errors
    assert {f for f, _ in ClaimForm("expenses", "2026-11").check("hour").errors} == {"amount", "receipt"}
    assert ("kind-0", "claim.error.kind_missing") in ClaimForm("", "2026-11").check("month").errors
    named = ClaimForm("expenses", "2026-11", amount="18,90", receipt="Maijan kuitti").check("hour")
    assert named.errors == [("receipt", "claim.error.receipt_code")]  # a code, never words: it is on the log in clear
