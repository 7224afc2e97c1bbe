"""Building and serving a service process: FastAPI and the FastStream broker side by side (lifespan)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager

import uvicorn
from fastapi import APIRouter, FastAPI
from faststream.specification import AsyncAPI

from contracts.access import DataAccessed
from contracts.checkpoint import CheckpointSigned
from shared.infra import apidocs, http
from shared.infra.auth import verifier_for
from shared.infra.logging import configure_logging
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import ServiceSettings
from shared.kernel.events import DomainEvent


def declare_publications(runtime: ServiceRuntime, events: Sequence[type[DomainEvent]]) -> None:
    """The service's topics and event types for the AsyncAPI document (the outbox relay publishes): its events, and
    the access log it writes like every service."""
    runtime.broker.publisher(runtime.access_topic, title=f"{runtime.access_topic}:{DataAccessed.__name__}",
                             description=(DataAccessed.__doc__ or "").strip(), schema=DataAccessed)
    runtime.broker.publisher(runtime.checkpoint_topic, title=f"{runtime.checkpoint_topic}:{CheckpointSigned.__name__}",
                             description=(CheckpointSigned.__doc__ or "").strip(), schema=CheckpointSigned)
    for event in events:
        runtime.broker.publisher(
            runtime.events_topic,
            title=f"{runtime.events_topic}:{event.__name__}",
            description=(event.__doc__ or event.__name__).strip(),
            schema=event,
        )


def asyncapi_of(runtime: ServiceRuntime, title: str) -> AsyncAPI:
    return AsyncAPI(runtime.broker, title=title, version="1.0.0",
                    description="CloudEvents binary mode (ce_* headers); key = the pseudonymous client id.")


def http_app(runtime: ServiceRuntime, *, title: str, description: str, routers: Sequence[APIRouter],
             lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]]) -> FastAPI:
    """The service's FastAPI app around ``runtime``: doc pages, the request gate, health and readiness, its
    routers; ``lifespan`` starts and stops the runtime (shared/infra/service.py)."""
    app = FastAPI(title=title, version="1.0.0", description=description, lifespan=lifespan, docs_url=None,
                  redoc_url=None)
    apidocs.install(app)  # /docs and /redoc with their assets served here, not from a CDN
    app.state.runtime = runtime
    app.state.tokens = verifier_for(runtime.settings)
    http.install(app, runtime.readiness, runtime.consumer_state, max_body_bytes=runtime.settings.http_max_body_bytes)
    for router in routers:
        app.include_router(router)
    return app


def serve(service: str, settings: ServiceSettings, build: Callable[[ServiceSettings], FastAPI]) -> None:
    configure_logging(service, settings.log_level)
    uvicorn.run(build(settings), host=settings.http_host, port=settings.http_port, log_config=None,
                access_log=False, timeout_graceful_shutdown=10)
