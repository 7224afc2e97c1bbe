"""Providers (vendors) and their offerings: decide/evolve for both catalogue aggregates.

- a provider registers with a valid Y-tunnus (one provider per Y-tunnus is kept by the application's
  lookup) and says what it sells (its kind: social-care services unless it says otherwise); the region verifies
  it against every criterion of its kind that applies (domain/vendors.py), or suspends it with a reason;
- only a verified, unsuspended provider can publish offerings or receive orders, and only in the support
  categories its kind may deliver;
- a price change is an event (the history shows in search); a withdrawn offering takes no orders.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import singledispatch
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.marketplace import (
    SOCIAL_CARE,
    Language,
    OfferingPriceChanged,
    OfferingPublished,
    OfferingWithdrawn,
    ProviderKind,
    ProviderRegistered,
    ProviderSuspended,
    ProviderVerified,
)
from services.marketplace.domain.vendors import SOCIAL_CARE_CRITERIA, Criterion, VendorFacts, answer, missing
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.identifiers import InvalidIdentifier, validate_y_tunnus

ProviderStatus = Literal["none", "unverified", "verified", "suspended"]


@dataclass(frozen=True)
class Provider:
    provider_id: UUID | None = None
    status: ProviderStatus = "none"
    service_areas: tuple[str, ...] = ()
    name: str = field(default="", compare=False)  # shown (a purchase names its vendor), never decided on
    vendor_kind: str = SOCIAL_CARE
    met: frozenset[str] = frozenset()  # the criteria met at the last verification
    on_county_premises: bool = False  # as the region stated at the last verification

    @property
    def can_take_orders(self) -> bool:
        return self.status == "verified"


@dataclass(frozen=True)
class Offering:
    offering_id: UUID | None = None
    provider_id: UUID | None = None
    category: str = ""
    unit_price_cents: int = 0
    withdrawn: bool = False

    @property
    def exists(self) -> bool:
        return self.offering_id is not None


NO_PROVIDER = Provider()
NO_OFFERING = Offering()


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RegisterProvider(Command):
    provider_id: UUID
    y_tunnus: str
    name: str = Field(min_length=1, max_length=200)
    kind: ProviderKind
    service_areas: list[str] = Field(min_length=1)
    languages: list[Language] = Field(min_length=1)
    accessibility: str
    evening_availability: bool
    weekend_availability: bool
    contact_email: str
    contact_phone: str | None = None
    vendor_kind: str = SOCIAL_CARE


class VerifyProvider(Command):
    checklist: dict[str, bool]
    notes: str = ""
    criteria: tuple[Criterion, ...] = SOCIAL_CARE_CRITERIA  # the criteria of the provider's kind (the region's table)
    facts: VendorFacts | None = None  # what the criteria's conditions are decided on (None: no condition to decide)


class SuspendProvider(Command):
    reason: str = Field(min_length=1)


class PublishOffering(Command):
    provider_status: ProviderStatus  # read from the provider's stream by the application
    kind_may_deliver: bool = True  # the region's table lets the provider's kind deliver the category
    offering_id: UUID
    provider_id: UUID
    category: str
    title: str
    description: str
    unit_price_cents: int = Field(ge=0)
    vat_rate_bp: int = Field(ge=0, le=10_000)
    unit: str
    availability: str


class ChangePrice(Command):
    unit_price_cents: int = Field(ge=0)


class WithdrawOffering(Command):
    reason: str = Field(min_length=1)


def decide_provider(command: Command, provider: Provider) -> list[DomainEvent]:
    match command:
        case RegisterProvider():
            if provider.status != "none":
                raise RuleViolation("the provider is already registered")
            try:
                y_tunnus = validate_y_tunnus(command.y_tunnus)
            except InvalidIdentifier as exc:
                raise InvalidCommand(str(exc), field="y_tunnus") from exc
            return [ProviderRegistered(**(command.model_dump() | {"y_tunnus": y_tunnus}))]
        case VerifyProvider():
            return _verify(command, provider)
        case SuspendProvider():
            _require_provider(provider)
            if provider.status == "suspended":
                return []
            return [ProviderSuspended(provider_id=provider.provider_id, reason=command.reason)]
    raise TypeError(f"unknown command {type(command).__name__}")


def _verify(command: VerifyProvider, provider: Provider) -> list[DomainEvent]:
    """Every criterion of the provider's kind that applies on the facts must be met; the answer names, per
    criterion, what was met, what is missing and what does not apply."""
    _require_provider(provider)
    unknown = sorted(set(command.checklist) - {c.code for c in command.criteria})
    if unknown:
        raise InvalidCommand(f"unknown quality criteria: {', '.join(unknown)}", field="checklist")
    answers = answer(command.criteria, command.checklist, command.facts or VendorFacts())
    failing = missing(answers)
    if failing:
        by = {result: [a.code for a in answers if a.result == result] for result in ("met", "not_applicable")}
        raise InvalidCommand(f"quality criteria not met: {', '.join(failing)}", field="checklist",
                             code="criteria-not-met", missing=failing, **by)
    if provider.status == "verified":
        return []
    facts = command.facts
    return [ProviderVerified(
        provider_id=provider.provider_id, checklist=command.checklist, notes=command.notes,
        vendor_kind=provider.vendor_kind, not_applicable=[a.code for a in answers if a.result == "not_applicable"],
        on_county_premises=facts.on_county_premises if facts else False,
        purchases_12m_cents=facts.purchases_12m_cents if facts else None)]


def _require_provider(provider: Provider) -> None:
    if provider.status == "none":
        raise RuleViolation("no such provider")


def decide_offering(command: Command, offering: Offering) -> list[DomainEvent]:
    match command:
        case PublishOffering():
            if offering.exists:
                raise RuleViolation("the offering already exists")
            if command.provider_status != "verified":
                raise RuleViolation(f"the provider is {command.provider_status}: only verified providers publish offerings")
            if not command.kind_may_deliver:
                raise RuleViolation(f"the region's criteria do not let this kind of vendor deliver {command.category}",
                                    code="category-not-for-vendor-kind", category=command.category)
            return [OfferingPublished(**command.model_dump(exclude={"provider_status", "kind_may_deliver"}))]
        case ChangePrice():
            _require_live(offering)
            if command.unit_price_cents == offering.unit_price_cents:
                return []
            return [OfferingPriceChanged(offering_id=offering.offering_id, provider_id=offering.provider_id,
                                         previous_price_cents=offering.unit_price_cents,
                                         unit_price_cents=command.unit_price_cents)]
        case WithdrawOffering():
            _require_live(offering)
            return [OfferingWithdrawn(offering_id=offering.offering_id, provider_id=offering.provider_id,
                                      reason=command.reason)]
    raise TypeError(f"unknown command {type(command).__name__}")


def _require_live(offering: Offering) -> None:
    if not offering.exists:
        raise RuleViolation("no such offering")
    if offering.withdrawn:
        raise RuleViolation("the offering has been withdrawn")


def evolve_provider(provider: Provider, event: DomainEvent) -> Provider:
    return _provider(event, provider)


@singledispatch
def _provider(event: DomainEvent, p: Provider) -> Provider:
    raise TypeError(f"a provider cannot apply {type(event).__name__}")


@_provider.register
def _(e: ProviderRegistered, p: Provider) -> Provider:
    return replace(p, provider_id=e.provider_id, status="unverified", service_areas=tuple(e.service_areas),
                   name=e.name, vendor_kind=e.vendor_kind)


@_provider.register
def _(e: ProviderVerified, p: Provider) -> Provider:
    return replace(p, status="verified", met=frozenset(code for code, ok in e.checklist.items() if ok),
                   on_county_premises=e.on_county_premises)


@_provider.register
def _(e: ProviderSuspended, p: Provider) -> Provider:
    return replace(p, status="suspended")


def evolve_offering(offering: Offering, event: DomainEvent) -> Offering:
    return _offering(event, offering)


@singledispatch
def _offering(event: DomainEvent, o: Offering) -> Offering:
    raise TypeError(f"an offering cannot apply {type(event).__name__}")


@_offering.register
def _(e: OfferingPublished, o: Offering) -> Offering:
    return Offering(e.offering_id, e.provider_id, e.category, e.unit_price_cents)


@_offering.register
def _(e: OfferingPriceChanged, o: Offering) -> Offering:
    return replace(o, unit_price_cents=e.unit_price_cents)


@_offering.register
def _(e: OfferingWithdrawn, o: Offering) -> Offering:
    return replace(o, withdrawn=True)
