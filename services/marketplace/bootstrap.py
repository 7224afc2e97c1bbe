"""The marketplace, declared: its commands, its reactions to budgeting's answers, what it keeps of intake's
clients, its deadlines, what it publishes, and its HTTP API (shared/infra/service.py builds the process)."""

from __future__ import annotations

import tomllib
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from faststream.specification import AsyncAPI
from pydantic import Field, model_validator

from contracts.marketplace import EVENTS
from services.marketplace.adapters.payroll import PayrollKey
from services.marketplace.adapters.postgres import MIGRATIONS, PostgresTables
from services.marketplace.adapters.support import SupportTables
from services.marketplace.application.handlers import HANDLERS, TIMERS
from services.marketplace.application.ports import Ports, SagaSettings
from services.marketplace.application.reactions import CLIENTS, REACTIONS, SUSPENSIONS
from services.marketplace.domain.vendors import VendorTable
from services.marketplace.entrypoints.http import router
from services.marketplace.entrypoints.support import router as support_router
from shared.infra import service, tables
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
TEST_PAYROLL_KEY = Path("tests/keys/payroll-test-public.pem")
# The tests' payroll key by its key id (PayrollKey.kid, a SHA-256 of the key): production refuses it under any
# name and in any place it is copied to (the image has no tests/ to compare with).
TEST_PAYROLL_KID = "cb01f635fe00f13a"


class MarketplaceSettings(ServiceSettings):
    http_port: int = 8003
    reservation_timeout_seconds: float = Field(30.0, description=(
        "How long an order waits for budgeting's answer before the reservation is asked again (the order stays "
        "pending)"))
    provider_response_hours: float = Field(120.0, description=(
        "How long a confirmed order waits for the provider's answer before it is cancelled and the funds released"))
    payment_terms_days: int = Field(14, description="Days from an approved invoice to the day the provider is paid")
    vendor_criteria_file: Path = Field(Path("config/data/vendor_criteria.toml"), description=(
        "The region's vendor criteria (TOML): per kind of vendor the criteria of its verification, each perhaps "
        "under a condition (purchases from it above an amount in 12 months, work on the county's premises), and "
        "which kinds may deliver which support category. Default: config/data/vendor_criteria.toml, which describes "
        "the format; a relative path is read from the checkout's (the image's) root"))

    delegations_file: Path | None = Field(None, description=tables.DELEGATIONS_FILE)
    payroll_public_key_file: Path = Field(TEST_PAYROLL_KEY, description=(
        "The county payroll's public key (PEM, RSA of at least 3072 bits): payee registrations (hetu, name, IBAN) "
        "are encrypted to it. Default: the tests' key pair (tests/keys), whose private half is in the repository, "
        "so production refuses it"))

    @model_validator(mode="after")
    def _payrolls_own_key_in_production(self) -> MarketplaceSettings:
        # Hetus encrypted to a key whose private half anyone can read would be hetus in clear. The default is not
        # read (an image has no tests/); any other file is refused if it holds the tests' key, by its key id.
        default = self.payroll_public_key_file == TEST_PAYROLL_KEY
        if self.env == "production" and (default or self.payroll_key().kid == TEST_PAYROLL_KID):
            raise ValueError("production needs payroll's own public key: set AVAIN_PAYROLL_PUBLIC_KEY_FILE")
        return self

    def payroll_key(self) -> PayrollKey:
        return PayrollKey.from_file(ROOT / self.payroll_public_key_file)

    def vendors(self) -> VendorTable:
        with (ROOT / self.vendor_criteria_file).open("rb") as f:  # an absolute path stays itself
            return VendorTable.from_mapping(tomllib.load(f))

    def saga(self) -> SagaSettings:
        return SagaSettings(reservation_timeout=timedelta(seconds=self.reservation_timeout_seconds),
                            provider_response_timeout=timedelta(hours=self.provider_response_hours),
                            payment_terms=timedelta(days=self.payment_terms_days))


def _ports(runtime: ServiceRuntime, settings: Any) -> Ports:
    return Ports(settings.saga(), PostgresTables(runtime.pool), runtime.store, settings.vendors(),
                 tables.delegations(settings.delegations_file or tables.DELEGATIONS), SupportTables(runtime.pool),
                 settings.payroll_key())


SPEC = service.ServiceSpec(
    name="marketplace", title="Avain marketplace", settings=MarketplaceSettings, migrations=[MIGRATIONS],
    publishes=EVENTS, handlers=HANDLERS, reactions=REACTIONS, listeners=[CLIENTS, SUSPENSIONS], timers=TIMERS, deps=_ports,
    routers=[router, support_router],
    description="Vendors verified by what they sell (Y-tunnus, the region's criteria per kind of vendor), offerings "
    "and prices, search and price comparison, orders that reserve, deliver, invoice and pay through a saga with "
    "budgeting, one-off purchases of material help, tickets and equipment on a vendor's quote, and support persons "
    "(relatives, friends, peer supporters, volunteers) recorded with their own consent and paid under commissioning "
    "agreements through the county's payroll (ADR 0028). Every endpoint needs a bearer token.",
)


def create_app(settings: ServiceSettings) -> FastAPI:
    return service.create_app(SPEC, settings)


def asyncapi(settings: ServiceSettings | None = None) -> AsyncAPI:
    return service.asyncapi(SPEC, settings)


def main() -> None:
    service.main(SPEC)
