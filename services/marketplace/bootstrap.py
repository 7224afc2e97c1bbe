"""Wires the marketplace: runtime, the saga's consumers and timers, HTTP API."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from faststream.specification import AsyncAPI
from pydantic import Field

from contracts.marketplace import EVENTS
from services.marketplace.adapters.postgres import MIGRATIONS
from services.marketplace.application.handlers import (
    CONSUMED_TYPES,
    PROVIDER_TIMER,
    RESERVATION_TIMER,
    MarketplaceApplication,
    SagaSettings,
)
from services.marketplace.entrypoints.http import router
from shared.infra.app import asyncapi_of, create_service_app, declare_publications, serve
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import ServiceSettings

SERVICE = "marketplace"


class MarketplaceSettings(ServiceSettings):
    http_port: int = 8003
    reservation_timeout_seconds: float = Field(30.0, description=(
        "How long an order waits for budgeting's answer before the reservation is asked again (the order stays "
        "pending)"))
    provider_response_hours: float = Field(120.0, description=(
        "How long a confirmed order waits for the provider's answer before it is cancelled and the funds released"))
    payment_terms_days: int = Field(14, description="Days from an approved invoice to the day the provider is paid")


def build_runtime(settings: ServiceSettings) -> ServiceRuntime:
    runtime = ServiceRuntime(SERVICE, settings, [MIGRATIONS])
    runtime.build_broker()
    declare_publications(runtime, EVENTS)
    runtime.consume("saga", [runtime.topic_of("intake"), runtime.topic_of("budgeting")])
    return runtime


def asyncapi(settings: ServiceSettings | None = None) -> AsyncAPI:
    return asyncapi_of(build_runtime(settings or MarketplaceSettings()), "Avain marketplace")


def create_app(settings: ServiceSettings) -> FastAPI:
    s = settings if isinstance(settings, MarketplaceSettings) else MarketplaceSettings(**settings.model_dump())
    runtime = build_runtime(settings)
    saga = SagaSettings(reservation_timeout=timedelta(seconds=s.reservation_timeout_seconds),
                        provider_response_timeout=timedelta(hours=s.provider_response_hours),
                        payment_terms=timedelta(days=s.payment_terms_days))

    def started(app: FastAPI, rt: ServiceRuntime) -> None:
        application = MarketplaceApplication(rt.store, rt.keyring, saga)
        app.state.marketplace = application
        rt.bind("saga", application.on_event, accepts=CONSUMED_TYPES.__contains__)
        rt.timer_handlers[RESERVATION_TIMER] = application.on_reservation_timeout
        rt.timer_handlers[PROVIDER_TIMER] = application.on_provider_timeout

    return create_service_app(
        runtime, title="Avain marketplace", routers=[router], on_started=started,
        consumed_topics=[runtime.topic_of("intake"), runtime.topic_of("budgeting")],
        description="Verified providers (Y-tunnus, the region's quality criteria), offerings and prices, search "
        "and price comparison, and orders that reserve, deliver, invoice and pay through a saga with budgeting. "
        "Every endpoint needs a bearer token.",
    )


def main() -> None:
    serve(SERVICE, MarketplaceSettings(), create_app)
