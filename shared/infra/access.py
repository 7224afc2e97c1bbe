"""The access log: who read whose data, when, why, and with what result, recorded as events.

Every read of a client's data over any API is logged by the service that served it, before the data
leaves: when the log cannot be written, the reader gets 503 instead of the data (fail closed).
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID, uuid4

from contracts.access import PURPOSES, DataAccessed, Purpose
from shared.infra.eventstore import CommandContext
from shared.infra.postgres_store import PostgresEventStore
from shared.kernel.envelope import Actor
from shared.kernel.errors import InvalidCommand
from shared.kernel.principal import Principal

ACCESS = "access"  # the access topic's name part: <prefix>avain.access.events.v1 (ServiceRuntime.access_topic)
PURPOSE_HEADER = "X-Access-Purpose"
DEFAULT_PURPOSE: dict[str, Purpose] = {
    "client": "own_data", "worker": "care", "manager": "supervision", "provider": "service_delivery",
    "representative": "representation",
}


def purpose_of(principal: Principal, stated: str | None) -> Purpose:
    """The purpose of a read: stated in the header, or the role's usual one. Auditors always state it."""
    if stated is None:
        if principal.role in ("auditor", "integration"):
            raise InvalidCommand(f"an {principal.role} client states the purpose of every read ({PURPOSE_HEADER})"
                                 if principal.role == "integration" else
                                 f"an auditor states the purpose of every read ({PURPOSE_HEADER}: audit, ...)",
                                 field=PURPOSE_HEADER, code="purpose-required")
        return DEFAULT_PURPOSE.get(principal.role, "care")
    if stated not in PURPOSES:
        raise InvalidCommand(f"purpose must be one of {', '.join(PURPOSES)}", field=PURPOSE_HEADER)
    return stated


async def record_access(store: PostgresEventStore, *, service: str, client_ids: list[UUID], principal: Principal,
                        purpose: Purpose, resource: str, status: int, correlation_id: str,
                        recipient: str | None = None) -> None:
    """One DataAccessed per client whose data the response carried (a work list names many), each in a stream of
    its own (reads never contend with each other or with the case), all in one statement: a page that shows fifty
    clients waits for one round trip, not fifty (docs/performance.md, the console).

    ``store``: the service's access store (``ServiceRuntime.access_store``), whose outbox rows go to the access
    topic."""
    ctx = CommandContext(actor=Actor(id=principal.user_id, role=principal.role), correlation_id=correlation_id,
                         now=datetime.now(UTC))
    starts = [(f"access-{uuid4()}", str(client_id),
               DataAccessed(client_id=client_id, user_id=principal.user_id, role=principal.role, purpose=purpose,
                            service=service, resource=resource, status=status, recipient=recipient))
              for client_id in client_ids]
    async with store.pool.acquire() as conn, conn.transaction():
        await store.start_streams(conn, starts, ctx)
