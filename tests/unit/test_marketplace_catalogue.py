"""The catalogue's rules (providers and offerings) as given events → when command → then events (or the error)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from contracts.marketplace import (
    QUALITY_CRITERIA,
    OfferingPriceChanged,
    OfferingPublished,
    OfferingWithdrawn,
    ProviderKind,
    ProviderRegistered,
    ProviderSuspended,
    ProviderVerified,
)
from services.marketplace.domain import catalogue as d
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent

PID = uuid4()
OID = uuid4()
Y_TUNNUS = "0112038-9"
ALL_MET = dict.fromkeys(QUALITY_CRITERIA, True)


def given_provider(*events: DomainEvent) -> d.Provider:
    provider = d.NO_PROVIDER
    for event in events:
        provider = d.evolve_provider(provider, event)
    return provider


def given_offering(*events: DomainEvent) -> d.Offering:
    offering = d.NO_OFFERING
    for event in events:
        offering = d.evolve_offering(offering, event)
    return offering


def register(y_tunnus: str = Y_TUNNUS) -> d.RegisterProvider:
    return d.RegisterProvider(provider_id=PID, y_tunnus=y_tunnus, name="Avustajapalvelu Oy", kind=ProviderKind.FIRM,
                              service_areas=["Pori", "Ulvila"], languages=["fi", "sv"], accessibility="step-free",
                              evening_availability=True, weekend_availability=False, contact_email="info@example.fi")


def publish(provider_status: d.ProviderStatus = "verified", price: int = 4_500) -> d.PublishOffering:
    return d.PublishOffering(provider_status=provider_status, offering_id=OID, provider_id=PID, category="assistance",
                             title="Henkilökohtainen apu", description="Apua arkeen", unit_price_cents=price,
                             vat_rate_bp=2550, unit="hour", availability="weekdays")


REGISTERED = ProviderRegistered(provider_id=PID, y_tunnus=Y_TUNNUS, name="Avustajapalvelu Oy", kind=ProviderKind.FIRM,
                                service_areas=["Pori", "Ulvila"], languages=["fi", "sv"], accessibility="step-free",
                                evening_availability=True, weekend_availability=False, contact_email="info@example.fi")
VERIFIED = ProviderVerified(provider_id=PID, checklist=ALL_MET, notes="ok")
SUSPENDED = ProviderSuspended(provider_id=PID, reason="complaints")
PUBLISHED = OfferingPublished(offering_id=OID, provider_id=PID, category="assistance", title="Henkilökohtainen apu",
                              description="Apua arkeen", unit_price_cents=4_500, vat_rate_bp=2550, unit="hour",
                              availability="weekdays")
WITHDRAWN = OfferingWithdrawn(offering_id=OID, provider_id=PID, reason="no staff")


# --- RegisterProvider ------------------------------------------------------------------------------------


@pytest.mark.parametrize("y_tunnus", ["0112038-9", "1234567-1", "2345678-0", " 0112038-9 "])
def test_register_with_a_valid_y_tunnus(y_tunnus: str) -> None:
    [event] = d.decide_provider(register(y_tunnus), d.NO_PROVIDER)
    assert event == REGISTERED.model_copy(update={"y_tunnus": y_tunnus.strip()})
    provider = given_provider(event)
    assert provider == d.Provider(provider_id=PID, status="unverified", service_areas=("Pori", "Ulvila"))
    assert not provider.can_take_orders


@pytest.mark.parametrize(("y_tunnus", "why"), [
    ("0112038-8", "check digit does not match"),
    ("1234567-2", "check digit does not match"),
    ("1111111-0", "never issued"),  # r == 1: no valid check digit exists
    ("1111111-1", "never issued"),
    ("0112038", "9 characters"),
    ("01120389-", "hyphen"),
    ("0112038_9", "hyphen"),
    ("01120a8-9", "seven characters must be digits"),
    ("0112038-X", "check digit must be a digit"),
    ("０１１２０３８-9", "digits"),  # fullwidth digits are not ASCII digits
    ("", "9 characters"),
])
def test_register_with_an_invalid_y_tunnus_names_the_field_but_not_the_value(y_tunnus: str, why: str) -> None:
    with pytest.raises(InvalidCommand, match=why) as caught:
        d.decide_provider(register(y_tunnus), d.NO_PROVIDER)
    assert caught.value.field == "y_tunnus"
    message = str(caught.value)
    if y_tunnus:
        assert y_tunnus not in message
        assert y_tunnus[:7] not in message


def test_a_provider_registers_once() -> None:
    for history in ((REGISTERED,), (REGISTERED, VERIFIED), (REGISTERED, SUSPENDED)):
        with pytest.raises(RuleViolation, match="already registered"):
            d.decide_provider(register(), given_provider(*history))


def test_registering_twice_is_refused_even_with_an_invalid_y_tunnus() -> None:
    with pytest.raises(RuleViolation, match="already registered"):
        d.decide_provider(register("0112038-8"), given_provider(REGISTERED))


# --- VerifyProvider / SuspendProvider ---------------------------------------------------------------------


def test_verify_with_every_criterion_met() -> None:
    [event] = d.decide_provider(d.VerifyProvider(checklist=ALL_MET, notes="ok"), given_provider(REGISTERED))
    assert event == VERIFIED
    assert given_provider(REGISTERED, event).status == "verified"
    assert given_provider(REGISTERED, event).can_take_orders


@pytest.mark.parametrize("criterion", QUALITY_CRITERIA)
def test_verify_refuses_a_false_or_missing_criterion_and_names_it(criterion: str) -> None:
    false = ALL_MET | {criterion: False}
    missing = {c: True for c in QUALITY_CRITERIA if c != criterion}
    for checklist in (false, missing):
        with pytest.raises(InvalidCommand, match="quality criteria not met") as caught:
            d.decide_provider(d.VerifyProvider(checklist=checklist), given_provider(REGISTERED))
        assert caught.value.field == "checklist"
        assert str(caught.value).endswith(f": {criterion}")


def test_verify_names_every_missing_criterion() -> None:
    with pytest.raises(InvalidCommand) as caught:
        d.decide_provider(d.VerifyProvider(checklist={}), given_provider(REGISTERED))
    assert str(caught.value) == f"quality criteria not met: {', '.join(QUALITY_CRITERIA)}"
    checklist = ALL_MET | {"liability_insurance": False, "soteri_register": False}
    with pytest.raises(InvalidCommand, match=r"not met: soteri_register, liability_insurance$"):
        d.decide_provider(d.VerifyProvider(checklist=checklist), given_provider(REGISTERED))


def test_verify_refuses_unknown_criteria() -> None:
    with pytest.raises(InvalidCommand, match="unknown quality criteria: b_made_up, nice_website") as caught:
        d.decide_provider(d.VerifyProvider(checklist=ALL_MET | {"nice_website": True, "b_made_up": True}),
                          given_provider(REGISTERED))
    assert caught.value.field == "checklist"


def test_verifying_a_verified_provider_records_nothing() -> None:
    assert d.decide_provider(d.VerifyProvider(checklist=ALL_MET), given_provider(REGISTERED, VERIFIED)) == []


def test_verifying_a_suspended_provider_verifies_it_again() -> None:
    suspended = given_provider(REGISTERED, VERIFIED, SUSPENDED)
    assert not suspended.can_take_orders
    [event] = d.decide_provider(d.VerifyProvider(checklist=ALL_MET, notes="fixed"), suspended)
    assert event == ProviderVerified(provider_id=PID, checklist=ALL_MET, notes="fixed")
    assert d.evolve_provider(suspended, event).status == "verified"
    assert d.evolve_provider(suspended, event).can_take_orders


def test_verifying_a_suspended_provider_still_needs_every_criterion() -> None:
    with pytest.raises(InvalidCommand, match="tax_debt_certificate"):
        d.decide_provider(d.VerifyProvider(checklist=ALL_MET | {"tax_debt_certificate": False}),
                          given_provider(REGISTERED, VERIFIED, SUSPENDED))


@pytest.mark.parametrize("command", [d.VerifyProvider(checklist=ALL_MET), d.SuspendProvider(reason="x")])
def test_verify_and_suspend_need_a_registered_provider(command: d.Command) -> None:
    with pytest.raises(RuleViolation, match="no such provider"):
        d.decide_provider(command, d.NO_PROVIDER)


@pytest.mark.parametrize("history", [(REGISTERED,), (REGISTERED, VERIFIED)], ids=["unverified", "verified"])
def test_suspend(history: tuple[DomainEvent, ...]) -> None:
    [event] = d.decide_provider(d.SuspendProvider(reason="complaints"), given_provider(*history))
    assert event == SUSPENDED
    suspended = given_provider(*history, event)
    assert suspended.status == "suspended"
    assert not suspended.can_take_orders
    assert d.decide_provider(d.SuspendProvider(reason="again"), suspended) == []


@pytest.mark.parametrize(("history", "can"), [
    ((), False),
    ((REGISTERED,), False),
    ((REGISTERED, VERIFIED), True),
    ((REGISTERED, VERIFIED, SUSPENDED), False),
    ((REGISTERED, SUSPENDED), False),
    ((REGISTERED, VERIFIED, SUSPENDED, VERIFIED), True),
])
def test_only_a_verified_provider_takes_orders(history: tuple[DomainEvent, ...], can: bool) -> None:
    assert given_provider(*history).can_take_orders is can


# --- offerings --------------------------------------------------------------------------------------------


def test_a_verified_provider_publishes_an_offering() -> None:
    [event] = d.decide_offering(publish(), d.NO_OFFERING)
    assert event == PUBLISHED
    assert given_offering(event) == d.Offering(offering_id=OID, provider_id=PID, category="assistance",
                                               unit_price_cents=4_500, withdrawn=False)


@pytest.mark.parametrize("status", ["none", "unverified", "suspended"])
def test_only_a_verified_provider_publishes(status: d.ProviderStatus) -> None:
    with pytest.raises(RuleViolation, match=f"the provider is {status}"):
        d.decide_offering(publish(status), d.NO_OFFERING)


def test_an_offering_is_published_once() -> None:
    for history in ((PUBLISHED,), (PUBLISHED, WITHDRAWN)):
        with pytest.raises(RuleViolation, match="already exists"):
            d.decide_offering(publish(), given_offering(*history))


def test_a_price_change_records_the_previous_price() -> None:
    [event] = d.decide_offering(d.ChangePrice(unit_price_cents=5_000), given_offering(PUBLISHED))
    assert event == OfferingPriceChanged(offering_id=OID, provider_id=PID, previous_price_cents=4_500,
                                         unit_price_cents=5_000)
    changed = given_offering(PUBLISHED, event)
    assert changed.unit_price_cents == 5_000
    [again] = d.decide_offering(d.ChangePrice(unit_price_cents=0), changed)
    assert again == OfferingPriceChanged(offering_id=OID, provider_id=PID, previous_price_cents=5_000,
                                         unit_price_cents=0)


def test_the_same_price_records_nothing() -> None:
    assert d.decide_offering(d.ChangePrice(unit_price_cents=4_500), given_offering(PUBLISHED)) == []


def test_withdraw_an_offering() -> None:
    [event] = d.decide_offering(d.WithdrawOffering(reason="no staff"), given_offering(PUBLISHED))
    assert event == WITHDRAWN
    assert given_offering(PUBLISHED, event).withdrawn


@pytest.mark.parametrize("command", [
    d.ChangePrice(unit_price_cents=5_000), d.ChangePrice(unit_price_cents=4_500), d.WithdrawOffering(reason="again"),
], ids=["change", "same-price", "withdraw"])
def test_a_withdrawn_offering_takes_no_more_changes(command: d.Command) -> None:
    with pytest.raises(RuleViolation, match="withdrawn"):
        d.decide_offering(command, given_offering(PUBLISHED, WITHDRAWN))


@pytest.mark.parametrize("command", [d.ChangePrice(unit_price_cents=1), d.WithdrawOffering(reason="x")])
def test_changes_need_an_offering(command: d.Command) -> None:
    with pytest.raises(RuleViolation, match="no such offering"):
        d.decide_offering(command, d.NO_OFFERING)


def test_commands_go_to_their_own_aggregate() -> None:
    with pytest.raises(TypeError):
        d.decide_provider(publish(), d.NO_PROVIDER)
    with pytest.raises(TypeError):
        d.decide_offering(register(), d.NO_OFFERING)
    with pytest.raises(TypeError):
        d.evolve_provider(d.NO_PROVIDER, PUBLISHED)
    with pytest.raises(TypeError):
        d.evolve_offering(d.NO_OFFERING, REGISTERED)
