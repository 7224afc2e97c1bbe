"""Vendors verified by what they sell: the region's criteria per kind, their conditions, the answer per criterion,
and which kinds may deliver which category (domain/vendors.py and the catalogue's VerifyProvider and
PublishOffering), as given → when → then."""

from __future__ import annotations

import tomllib
from uuid import uuid4

import pytest

from contracts.marketplace import QUALITY_CRITERIA, ProviderKind, ProviderRegistered, ProviderVerified
from services.marketplace.bootstrap import MarketplaceSettings
from services.marketplace.domain import catalogue as d
from services.marketplace.domain.vendors import (
    Condition,
    Criterion,
    VendorFacts,
    VendorTable,
    answer,
    missing,
    now_needed,
)
from shared.kernel.errors import InvalidCommand, RuleViolation

TABLE = MarketplaceSettings().vendors()  # the default table, as a service reads it
PID = uuid4()
LIABILITY_THRESHOLD = 900_000


def registered(kind: str) -> d.Provider:
    event = ProviderRegistered(provider_id=PID, y_tunnus="0112038-9", name="Särkänniemi Oy", kind=ProviderKind.FIRM,
                               service_areas=["Tampere"], languages=["fi"], accessibility="Esteetön",
                               evening_availability=True, weekend_availability=True, contact_email="info@example.fi",
                               vendor_kind=kind)
    return d.evolve_provider(d.NO_PROVIDER, event)


def verify(kind: str, checklist: dict[str, bool], facts: VendorFacts | None = None) -> d.VerifyProvider:
    return d.VerifyProvider(checklist=checklist, criteria=TABLE.criteria(kind), facts=facts or VendorFacts())


# --- the region's table ---------------------------------------------------------------------------------------------

def test_the_shipped_table_keeps_the_social_care_checklist_every_provider_had() -> None:
    assert [c.code for c in TABLE.criteria("social_care")] == list(QUALITY_CRITERIA)
    assert all(c.when is None for c in TABLE.criteria("social_care"))


def test_goods_and_tickets_need_a_real_business_and_payment_details_and_nothing_of_social_care() -> None:
    codes = [c.code for c in TABLE.criteria("goods_and_tickets")]
    assert codes == ["y_tunnus_valid", "payment_details"]
    assert "soteri_register" not in codes


def test_other_services_need_the_contractors_liability_checks_only_above_the_threshold() -> None:
    conditional = {c.code: c.when for c in TABLE.criteria("other_service") if c.when}
    assert conditional["tax_debt_certificate"] == Condition(purchases_over_cents=LIABILITY_THRESHOLD)
    assert conditional["pension_insurance"] == Condition(purchases_over_cents=LIABILITY_THRESHOLD)
    assert conditional["liability_insurance"] == Condition(on_county_premises=True)


def test_a_category_names_the_kinds_that_may_deliver_it_and_others_are_for_social_care() -> None:
    assert TABLE.may_deliver("goods_and_tickets", "equipment") and not TABLE.may_deliver("social_care", "equipment")
    assert TABLE.may_deliver("other_service", "cleaning") and TABLE.may_deliver("social_care", "cleaning")
    assert TABLE.may_deliver("social_care", "everyday_life") and not TABLE.may_deliver("goods_and_tickets", "hobbies")


def test_an_unknown_kind_is_refused_with_the_regions_kinds() -> None:
    with pytest.raises(InvalidCommand, match="unknown vendor kind florist") as caught:
        TABLE.criteria("florist")
    assert caught.value.field == "vendor_kind" and caught.value.code == "unknown-vendor-kind"


@pytest.mark.parametrize(("text", "why"), [
    ('version = "x"\n[kinds.a]\ncriteria = [{ code = "c", when = { colour = "red" } }]', "unknown condition"),
    ('version = "x"\n[kinds.a]\ncriteria = []\n[categories]\nequipment = ["b"]', "unknown kinds"),
])
def test_a_malformed_table_is_refused_at_start(text: str, why: str) -> None:
    with pytest.raises(ValueError, match=why):
        VendorTable.from_mapping(tomllib.loads(text))


# --- conditions and the answer ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("when", "facts", "holds"), [
    (Condition(purchases_over_cents=900_000), VendorFacts(purchases_12m_cents=900_000), False),  # not over it
    (Condition(purchases_over_cents=900_000), VendorFacts(purchases_12m_cents=900_001), True),
    (Condition(on_county_premises=True), VendorFacts(on_county_premises=False), False),
    (Condition(on_county_premises=True), VendorFacts(on_county_premises=True), True),
    (Condition(900_000, True), VendorFacts(1_000_000, False), False),  # every part stated must hold
    (Condition(900_000, True), VendorFacts(1_000_000, True), True),
    (Condition(), VendorFacts(), True),
])
def test_a_condition_holds_when_every_part_it_states_holds(when: Condition, facts: VendorFacts, holds: bool) -> None:
    assert when.holds(facts) is holds


def test_the_answer_lists_every_criterion_met_missing_or_not_applicable() -> None:
    criteria = TABLE.criteria("other_service")
    answers = answer(criteria, {"y_tunnus_valid": True}, VendorFacts(purchases_12m_cents=0, on_county_premises=True))
    assert [(a.code, a.result) for a in answers] == [
        ("y_tunnus_valid", "met"), ("prepayment_register", "missing"), ("tax_debt_certificate", "not_applicable"),
        ("pension_insurance", "not_applicable"), ("trade_register_extract", "not_applicable"),
        ("liability_insurance", "missing")]
    assert missing(answers) == ["prepayment_register", "liability_insurance"]


def test_checks_a_purchase_brings_on_are_those_that_apply_now_and_were_never_met() -> None:
    criteria = TABLE.criteria("other_service")
    met = {"y_tunnus_valid", "prepayment_register"}
    assert now_needed(criteria, met, VendorFacts(purchases_12m_cents=800_000)) == []
    assert now_needed(criteria, met, VendorFacts(purchases_12m_cents=950_000)) == [
        "tax_debt_certificate", "pension_insurance", "trade_register_extract"]
    assert now_needed(criteria, met | {"tax_debt_certificate", "pension_insurance", "trade_register_extract"},
                      VendorFacts(purchases_12m_cents=950_000)) == []


# --- verification by kind -----------------------------------------------------------------------------------------

def test_an_amusement_park_is_verified_on_goods_and_tickets_criteria_without_any_soteri_item() -> None:
    park = registered("goods_and_tickets")
    [event] = d.decide_provider(verify("goods_and_tickets", {"y_tunnus_valid": True, "payment_details": True}), park)
    assert isinstance(event, ProviderVerified) and event.vendor_kind == "goods_and_tickets"
    assert event.not_applicable == [] and "soteri_register" not in event.checklist
    verified = d.evolve_provider(park, event)
    assert verified.status == "verified" and verified.met == {"y_tunnus_valid", "payment_details"}


def test_a_social_care_item_is_no_criterion_of_a_shop() -> None:
    with pytest.raises(InvalidCommand, match="unknown quality criteria: soteri_register"):
        d.decide_provider(verify("goods_and_tickets", {"y_tunnus_valid": True, "payment_details": True,
                                                       "soteri_register": True}), registered("goods_and_tickets"))


def test_a_refused_verification_names_what_is_missing_met_and_not_applicable() -> None:
    with pytest.raises(InvalidCommand, match=r"quality criteria not met: prepayment_register$") as caught:
        d.decide_provider(verify("other_service", {"y_tunnus_valid": True}), registered("other_service"))
    assert caught.value.code == "criteria-not-met" and caught.value.field == "checklist"
    assert caught.value.params == {"missing": ["prepayment_register"], "met": ["y_tunnus_valid"],
                                   "not_applicable": ["tax_debt_certificate", "pension_insurance",
                                                      "trade_register_extract", "liability_insurance"]}


def test_above_the_threshold_a_cleaning_firm_needs_the_contractors_liability_checks() -> None:
    basics = {"y_tunnus_valid": True, "prepayment_register": True}
    busy = VendorFacts(purchases_12m_cents=1_200_000)
    with pytest.raises(InvalidCommand, match="tax_debt_certificate, pension_insurance, trade_register_extract"):
        d.decide_provider(verify("other_service", basics, busy), registered("other_service"))
    complete = basics | {"tax_debt_certificate": True, "pension_insurance": True, "trade_register_extract": True}
    [event] = d.decide_provider(verify("other_service", complete, busy), registered("other_service"))
    assert isinstance(event, ProviderVerified) and event.not_applicable == ["liability_insurance"]
    assert event.purchases_12m_cents == 1_200_000


def test_a_social_care_provider_still_needs_the_full_checklist() -> None:
    with pytest.raises(InvalidCommand, match="quality criteria not met: soteri_register"):
        d.decide_provider(verify("social_care", dict.fromkeys(QUALITY_CRITERIA[1:], True)), registered("social_care"))


def test_criteria_of_a_kind_apply_by_their_conditions_on_the_facts_stated() -> None:
    criteria = (Criterion("always"), Criterion("on_site", Condition(on_county_premises=True)))
    here = d.VerifyProvider(checklist={"always": True}, criteria=criteria,
                            facts=VendorFacts(on_county_premises=True))
    with pytest.raises(InvalidCommand, match="not met: on_site"):
        d.decide_provider(here, registered("other_service"))


# --- which kinds may offer which categories -----------------------------------------------------------------------

def test_an_offering_in_a_category_its_vendors_kind_may_not_deliver_is_refused() -> None:
    offering = d.PublishOffering(provider_status="verified", kind_may_deliver=False, offering_id=uuid4(),
                                 provider_id=PID, category="assistance", title="Liput", description="Päiväliput",
                                 unit_price_cents=4_500, vat_rate_bp=1000, unit="ticket", availability="")
    with pytest.raises(RuleViolation, match="deliver assistance") as caught:
        d.decide_offering(offering, d.NO_OFFERING)
    assert caught.value.code == "category-not-for-vendor-kind"
