"""The notifications service's command handlers: each turns an application command into the domain's, after the
pipeline has found the notice (404), asked the policy (403) and checked the version the caller saw (409).

A notice is the stream ``notice-<event id>`` of the event that told people something: everything that event told
anyone is decided in one command, in the transaction of the consumer's inbox row, and the inbox items and e-mail
outbox rows it records are projected in that same transaction (adapters/postgres.py). So a redelivered event finds
its inbox row and does nothing, and even a second ``Tell`` of the same event finds everyone told already.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from contracts.notifications import registry
from services.notifications.application import commands as c
from services.notifications.application.directory import Directory
from services.notifications.application.policy import authorize
from services.notifications.domain import audience
from services.notifications.domain import notice as domain
from services.notifications.domain.notice import Recipient
from shared.infra.aggregate import Aggregate, Projector
from shared.infra.pipeline import AggregateSpec, Given, Handlers, Route
from shared.kernel.approvals import DelegationTable
from shared.kernel.calendar import county_day

AGGREGATE = Aggregate(domain.INITIAL, domain.evolve, domain.decide, registry)


def stream_of(notice_id: UUID) -> str:
    return f"notice-{notice_id}"


def _notice_id(command: Any) -> UUID:
    return command.source_event_id if isinstance(command, c.Tell) else command.notice_id


def notice_spec(projector: Projector[domain.Notice] | None) -> AggregateSpec[domain.Notice]:
    return AggregateSpec(
        AGGREGATE, stream_of=lambda cmd: stream_of(_notice_id(cmd)),
        subject_of=lambda cmd: cmd.subject if isinstance(cmd, c.Tell) else str(cmd.notice_id),
        exists=lambda notice: bool(notice.items), not_found="no such item", policy=authorize, projector=projector)


@dataclass(frozen=True)
class Ports:
    """What the handlers and views need beyond the store and the keyring."""

    directory: Directory
    inbox: Any = None  # the inbox read model (adapters/postgres.Inbox); application tests have none
    item_notice: Callable[[UUID], Awaitable[UUID | None]] | None = None  # an item → its notice (the stream)
    delegations: DelegationTable | None = None  # who may approve what (none: nobody is told of approvals)


Given_ = Given[domain.Notice, Ports]


async def approvers(cmd: c.Tell, ports: Ports) -> list[Recipient]:
    """Whoever may answer the request (the matter's kind, place and amount are the Tell's), as of today: a
    request waits for someone who holds the authority now."""
    kind, amount = cmd.params.get("matter_kind"), cmd.params.get("amount_cents")
    if ports.delegations is None or not isinstance(kind, str) or not isinstance(amount, int):
        return []
    municipality = cmd.params.get("municipality")
    client = cmd.params.get("client_id")
    return audience.approvers(await ports.directory.staff_roles(), ports.delegations, kind=kind,
                              municipality=municipality if isinstance(municipality, str) else None,
                              amount_cents=amount, on=county_day(datetime.now(UTC)), requested_by=cmd.actor_id,
                              client_id=UUID(client) if isinstance(client, str) else None)


async def people(party: c.Party, directory: Directory) -> list[Recipient]:
    """The people a party stands for, from the directory's copy (a client it never heard of is still told)."""
    if party.role == "client_side":
        client_id = UUID(party.id)
        side = audience.client_side(await directory.client(client_id) or audience.Client(client_id), party.variant)
        # One of them only: a representative the directory does not name today (an ended link, a guardian the
        # client forbade) is nobody on the client side, so is not told.
        return side if party.only is None else [r for r in side if r.person_id == party.only]
    if party.role == "coordinator":
        client_id = UUID(party.id)
        return audience.coordinator(await directory.client(client_id) or audience.Client(client_id))
    if party.role == "staff":
        return audience.staff([party.id], party.audience, variant=party.variant)
    provider_id = UUID(party.id)
    if party.role == "provider":
        return audience.provider_side(await directory.provider(provider_id))
    return audience.suspension(await directory.provider(provider_id), await directory.open_orders(provider_id))


async def tell(cmd: c.Tell, given: Given_) -> domain.Notify:
    directory = given.deps.directory
    found = [r for party in cmd.parties
             for r in (await approvers(cmd, given.deps) if party.role == "approvers" else await people(party, directory))]
    found = audience.without(found, cmd.actor_id)
    found = audience.in_languages(found, await directory.languages([r.person_id for r in found
                                                                   if r.audience not in ("client",)]))
    return domain.Notify(source_event_id=cmd.source_event_id, source_event_type=cmd.source_event_type,
                         kind=cmd.kind, recipients=tuple(found), params=cmd.params)


async def mark_read(cmd: c.MarkRead, given: Given_) -> domain.MarkRead:
    return domain.MarkRead(item_id=cmd.item_id, person_id=given.principal.user_id)


def handlers(projector: Projector[domain.Notice] | None = None) -> Handlers:
    """The table, on an aggregate with the PostgreSQL projection (the service's) or without (application tests)."""
    notice = notice_spec(projector)
    # Tell decides on an empty stream (it creates the notice); MarkRead is a person's: 404 without the notice.
    return {c.Tell: Route(notice, tell, missing="decide"), c.MarkRead: Route(notice, mark_read)}
