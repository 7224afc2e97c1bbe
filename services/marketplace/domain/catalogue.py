"""Providers and their offerings: decide/evolve for both catalogue aggregates.

- a provider registers with a valid Y-tunnus (one provider per Y-tunnus is kept by the application's
  lookup); the region verifies it against every quality criterion, or suspends it with a reason;
- only a verified, unsuspended provider can publish offerings or receive orders;
- a price change is an event (the history shows in search); a withdrawn offering takes no orders.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import singledispatch
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from contracts.marketplace import (
    QUALITY_CRITERIA,
    Language,
    OfferingPriceChanged,
    OfferingPublished,
    OfferingWithdrawn,
    ProviderKind,
    ProviderRegistered,
    ProviderSuspended,
    ProviderVerified,
)
from shared.kernel.errors import InvalidCommand, RuleViolation
from shared.kernel.events import DomainEvent
from shared.kernel.identifiers import InvalidIdentifier, validate_y_tunnus

ProviderStatus = Literal["none", "unverified", "verified", "suspended"]


@dataclass(frozen=True)
class Provider:
    provider_id: UUID | None = None
    status: ProviderStatus = "none"
    service_areas: tuple[str, ...] = ()

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


class VerifyProvider(Command):
    checklist: dict[str, bool]
    notes: str = ""


class SuspendProvider(Command):
    reason: str = Field(min_length=1)


class PublishOffering(Command):
    provider_status: ProviderStatus  # read from the provider's stream by the application
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
            _require_provider(provider)
            failing = [c for c in QUALITY_CRITERIA if not command.checklist.get(c)]
            unknown = sorted(set(command.checklist) - set(QUALITY_CRITERIA))
            if unknown:
                raise InvalidCommand(f"unknown quality criteria: {', '.join(unknown)}", field="checklist")
            if failing:
                raise InvalidCommand(f"quality criteria not met: {', '.join(failing)}", field="checklist")
            if provider.status == "verified":
                return []
            return [ProviderVerified(provider_id=provider.provider_id, checklist=command.checklist,
                                     notes=command.notes)]
        case SuspendProvider():
            _require_provider(provider)
            if provider.status == "suspended":
                return []
            return [ProviderSuspended(provider_id=provider.provider_id, reason=command.reason)]
    raise TypeError(f"unknown command {type(command).__name__}")


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
            return [OfferingPublished(**command.model_dump(exclude={"provider_status"}))]
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
    return replace(p, provider_id=e.provider_id, status="unverified", service_areas=tuple(e.service_areas))


@_provider.register
def _(e: ProviderVerified, p: Provider) -> Provider:
    return replace(p, status="verified")


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
