"""Who is told: pure rules from what the events said and what the directory knows, never a guess.

The application gathers the facts (a client's language, coordinator and representatives; a provider's people; the
open orders a suspension touches) from the service's own copy of them, and these functions turn them into the
people to tell. A person named twice (a worker who coordinates two affected clients) is told once, and the person
whose act the event records is not told of it. Staff languages are the directory's, filled in afterwards
(``in_languages``); a representative without a known language of their own reads in the client's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from contracts.notifications import Audience
from services.notifications.domain.notice import Recipient
from shared.kernel.approvals import DelegationTable

DEFAULT_LANGUAGE = "fi"  # the county's first language, when a person never said theirs


@dataclass(frozen=True)
class Client:
    client_id: UUID
    language: str | None = None
    coordinator_id: str | None = None
    representatives: tuple[str, ...] = ()  # person ids of those who act for the client now


@dataclass(frozen=True)
class Provider:
    provider_id: UUID
    users: tuple[str, ...] = ()  # the provider's own people (who registered it)
    language: str | None = None


def client_side(client: Client, variant: str | None = None) -> list[Recipient]:
    """The client and everyone who represents them."""
    own = client.language or DEFAULT_LANGUAGE
    params = {"variant": variant} if variant else {}
    return [Recipient(person_id=str(client.client_id), audience="client", language=own, client_id=client.client_id,
                      params=params),
            *(Recipient(person_id=rep, audience="representative", language=own, client_id=client.client_id,
                        params=params) for rep in client.representatives)]


def staff(ids: Iterable[str | None], audience: Audience = "worker", *, client_id: UUID | None = None,
          variant: str | None = None) -> list[Recipient]:
    params = {"variant": variant} if variant else {}
    return [Recipient(person_id=i, audience=audience, language=DEFAULT_LANGUAGE, client_id=client_id, params=params)
            for i in dict.fromkeys(ids) if i]


def coordinator(client: Client) -> list[Recipient]:
    return staff([client.coordinator_id], client_id=client.client_id)


def provider_side(provider: Provider | None) -> list[Recipient]:
    if provider is None:
        return []
    own = provider.language or DEFAULT_LANGUAGE
    return [Recipient(person_id=u, audience="provider", language=own) for u in provider.users]


def suspension(provider: Provider | None, orders: Sequence[tuple[UUID, Client]]) -> list[Recipient]:
    """A provider's suspension: the provider's people, and for each open order its client (with whoever represents
    them) and their coordinator; each person once, with how many of the orders concern them."""
    per_client: dict[UUID, tuple[Client, int]] = {}
    for _order_id, client in orders:
        _, count = per_client.get(client.client_id, (client, 0))
        per_client[client.client_id] = (client, count + 1)
    told = [r.model_copy(update={"params": {"orders": len(orders)}}) for r in provider_side(provider)]
    workers: dict[str, int] = {}
    for client, count in per_client.values():
        told += [r.model_copy(update={"params": {"orders": count}}) for r in client_side(client)]
        if client.coordinator_id:
            workers[client.coordinator_id] = workers.get(client.coordinator_id, 0) + count
    told += [r.model_copy(update={"params": {"orders": workers[r.person_id]}}) for r in staff(workers)]
    return told


# Only a manager answers a request for approval (budgeting's and marketplace's policies): a worker whose own limit
# would cover the amount still cannot answer another worker's request, so is not told it waits for them.
ANSWERING_ROLES = frozenset({"manager"})


def approvers(staff_roles: Iterable[tuple[str, str]], table: DelegationTable, *, kind: str,
              municipality: str | None, amount_cents: int, on: date, requested_by: str | None,
              client_id: UUID | None = None) -> list[Recipient]:
    """Who may answer a request for approval: each active staff member whose own delegation for the matter's kind,
    where the client lives, on the day, covers its amount, but not the person who asked (shared/kernel/approvals.py
    is the rule; this only asks it for every known member). A kind the table does not know tells nobody."""
    if kind not in table.kinds:
        return []
    told: list[Recipient] = []
    for staff_id, role in staff_roles:
        if staff_id == requested_by or role not in ANSWERING_ROLES:
            continue
        authority = table.authority(staff_id, role, kind, municipality, on)
        if authority is not None and authority.covers(amount_cents):
            told.append(Recipient(person_id=staff_id, audience="manager",
                                  language=DEFAULT_LANGUAGE, client_id=client_id))
    return told


def without(recipients: Sequence[Recipient], actor_id: str | None) -> list[Recipient]:
    """Everyone but the person whose own act this was (a worker is not told of the decision they made)."""
    return [r for r in recipients if r.person_id != actor_id]


def in_languages(recipients: Sequence[Recipient], languages: Mapping[str, str]) -> list[Recipient]:
    """Each person in the language the directory knows for them, where it knows one."""
    return [r.model_copy(update={"language": languages[r.person_id]}) if r.person_id in languages else r
            for r in recipients]
