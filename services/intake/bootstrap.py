"""Wires the intake service: settings → runtime (database, key vault, outbox relay, Kafka) → HTTP API."""

from __future__ import annotations

from fastapi import FastAPI
from faststream.specification import AsyncAPI

from contracts.intake import EVENTS
from services.intake.adapters.postgres import MIGRATIONS
from services.intake.application.handlers import IntakeApplication
from services.intake.entrypoints.http import router
from shared.app import asyncapi_of, create_service_app, declare_publications, serve
from shared.runtime import ServiceRuntime
from shared.settings import ServiceSettings

SERVICE = "intake"


class IntakeSettings(ServiceSettings):
    http_port: int = 8001


def build_runtime(settings: ServiceSettings) -> ServiceRuntime:
    runtime = ServiceRuntime(SERVICE, settings, [MIGRATIONS])
    runtime.build_broker()
    declare_publications(runtime, EVENTS)
    return runtime


def asyncapi(settings: ServiceSettings | None = None) -> AsyncAPI:
    return asyncapi_of(build_runtime(settings or IntakeSettings()), "Avain intake")


def create_app(settings: ServiceSettings) -> FastAPI:
    def started(app: FastAPI, runtime: ServiceRuntime) -> None:
        app.state.intake = IntakeApplication(runtime.store, runtime.keyring,
                                             settings.hetu_pepper.get_secret_value().encode())

    return create_service_app(
        build_runtime(settings), title="Avain intake", routers=[router], on_started=started,
        description="One-door intake for personal budgeting: registration, consent, self-assessment, "
        "coordinating worker, needs assessment, completion. Every endpoint needs a bearer token.",
    )


def main() -> None:
    serve(SERVICE, IntakeSettings(), create_app)
