"""What the service knows of people, from the events: its own copy, kept by the ``directory`` listener.

For each staff member the language they read in and their work address (the staff directory's, ADR 0020); for each
client their language, coordinating worker and sealed contact details, the latest that holds an e-mail (opened
only to send an e-mail, each time access-logged: docs/decisions, the notifications ADR); each order's client,
provider and whether it is still open (what a provider's suspension touches); each provider's own people and its
contact address. Nothing in it is in clear but ids, codes, languages and a provider's business address. Who
represents a client is not here: every service keeps that (shared/infra/representation.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from uuid import UUID

from contracts import history, intake, marketplace
from services.notifications.domain.audience import Client, Provider
from shared.infra.eventstore import Position, Session
from shared.infra.reactions import Listener
from shared.kernel.envelope import EventEnvelope
from shared.kernel.events import DomainEvent, EventRegistry
from shared.kernel.sealed import Sealed


class Directory(Protocol):
    async def client(self, client_id: UUID) -> Client | None: ...

    async def provider(self, provider_id: UUID) -> Provider | None: ...

    async def open_orders(self, provider_id: UUID) -> list[tuple[UUID, Client]]: ...

    async def languages(self, person_ids: Sequence[str]) -> dict[str, str]: ...

    async def contact(self, client_id: UUID) -> Sealed | None: ...

    async def provider_email(self, person_id: str) -> str | None: ...

    async def staff_email(self, staff_id: str) -> str | None: ...

    async def staff_roles(self) -> list[tuple[str, str]]: ...  # (staff id, role) of those active with a known role

    # Kept by the listener, in its inbox's transaction:
    async def note_client(self, session: Session, client_id: UUID, *, language: str | None = None,
                          coordinator_id: str | None = None, contact: Sealed | None = None) -> None: ...

    async def note_order(self, session: Session, order_id: UUID, client_id: UUID, provider_id: UUID) -> None: ...

    async def close_order(self, session: Session, order_id: UUID) -> None: ...

    async def note_provider(self, session: Session, provider_id: UUID, *, user_id: str | None, email: str | None,
                            language: str | None) -> None: ...

    async def forget_client(self, session: Session, client_id: UUID) -> None: ...

    async def note_staff(self, session: Session, staff_id: str, *, language: str | None, email: str | None,
                         active: bool, role: str | None = None) -> None: ...


@dataclass
class MemoryDirectory:
    """The same in memory, for application tests."""

    clients: dict[UUID, Client] = field(default_factory=dict)
    contacts: dict[UUID, Sealed] = field(default_factory=dict)
    orders: dict[UUID, tuple[UUID, UUID, bool]] = field(default_factory=dict)  # order → client, provider, open
    providers: dict[UUID, Provider] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)  # provider person → the provider's address
    staff_languages: dict[str, str] = field(default_factory=dict)
    staff_emails: dict[str, str] = field(default_factory=dict)  # only those still active
    roles: dict[str, str] = field(default_factory=dict)  # only those still active

    async def client(self, client_id: UUID) -> Client | None:
        return self.clients.get(client_id)

    async def provider(self, provider_id: UUID) -> Provider | None:
        return self.providers.get(provider_id)

    async def open_orders(self, provider_id: UUID) -> list[tuple[UUID, Client]]:
        return [(o, self.clients.get(c) or Client(c)) for o, (c, p, is_open) in self.orders.items()
                if p == provider_id and is_open]

    async def languages(self, person_ids: Sequence[str]) -> dict[str, str]:
        return {p: self.staff_languages[p] for p in person_ids if p in self.staff_languages}

    async def contact(self, client_id: UUID) -> Sealed | None:
        return self.contacts.get(client_id)

    async def provider_email(self, person_id: str) -> str | None:
        return self.emails.get(person_id)

    async def staff_email(self, staff_id: str) -> str | None:
        return self.staff_emails.get(staff_id)

    async def staff_roles(self) -> list[tuple[str, str]]:
        return sorted(self.roles.items())

    async def note_client(self, session: Session, client_id: UUID, *, language: str | None = None,
                          coordinator_id: str | None = None, contact: Sealed | None = None) -> None:
        known = self.clients.get(client_id) or Client(client_id)
        self.clients[client_id] = replace(known, language=language or known.language,
                                          coordinator_id=coordinator_id or known.coordinator_id)
        if contact is not None:
            self.contacts[client_id] = contact

    async def note_order(self, session: Session, order_id: UUID, client_id: UUID, provider_id: UUID) -> None:
        self.orders.setdefault(order_id, (client_id, provider_id, True))

    async def close_order(self, session: Session, order_id: UUID) -> None:
        if order_id in self.orders:
            client_id, provider_id, _ = self.orders[order_id]
            self.orders[order_id] = (client_id, provider_id, False)

    async def note_provider(self, session: Session, provider_id: UUID, *, user_id: str | None, email: str | None,
                            language: str | None) -> None:
        known = self.providers.get(provider_id) or Provider(provider_id)
        users = known.users + ((user_id,) if user_id and user_id not in known.users else ())
        self.providers[provider_id] = replace(known, users=users, language=language or known.language)
        for user in users:
            if email:
                self.emails[user] = email

    async def forget_client(self, session: Session, client_id: UUID) -> None:
        self.contacts.pop(client_id, None)

    async def note_staff(self, session: Session, staff_id: str, *, language: str | None, email: str | None,
                         active: bool, role: str | None = None) -> None:
        self.staff_languages.pop(staff_id, None)
        self.staff_emails.pop(staff_id, None)
        self.roles.pop(staff_id, None)
        if role and active:
            self.roles[staff_id] = role
        if language:
            self.staff_languages[staff_id] = language
        if email and active:
            self.staff_emails[staff_id] = email


# Orders no longer open to a provider's suspension: refused, declined, cancelled or delivered.
CLOSING = (marketplace.OrderRejected, marketplace.OrderDeclined, marketplace.OrderCancelled,
           marketplace.ServiceDelivered)
HEARD: list[type[DomainEvent]] = [
    intake.ClientRegistered, intake.IntakeCompleted, intake.CoordinatorAssigned, intake.PreferredLanguageChanged,
    intake.ContactDetailsChanged, intake.StaffProfileRecorded, marketplace.ProviderRegistered, marketplace.OrderPlaced, *CLOSING,
    history.ClientErased,
]
_REGISTRIES: tuple[EventRegistry, ...] = (intake.registry, marketplace.registry, history.registry)


def _load(envelope: EventEnvelope) -> DomainEvent:
    """Through the publisher's own registry, so its upcasters apply."""
    registry = next(r for r in _REGISTRIES if envelope.type in r)
    return registry.load(envelope.type, envelope.schema_version, envelope.data)


async def note(app: Any, session: Session, envelope: EventEnvelope, _: Position) -> None:
    """The listener's effect: what an event says about people, into the service's copy."""
    event = _load(envelope)
    directory: Directory = app.deps.directory
    match event:
        case intake.ClientRegistered():
            await directory.note_client(session, event.client_id, language=event.preferred_language,
                                        contact=event.personal_data)
        case intake.IntakeCompleted():
            await directory.note_client(session, event.client_id, language=event.preferred_language,
                                        coordinator_id=event.coordinator_id)
        case intake.CoordinatorAssigned():
            await directory.note_client(session, event.client_id, coordinator_id=event.worker_id)
        case intake.ContactDetailsChanged() if "email" in event.changed:
            # The new details are sealed with the client's key like the registration's: the e-mail is read from
            # the latest that holds one (a change of phone or address alone leaves the address as it was).
            await directory.note_client(session, event.client_id, contact=event.contact)
        case intake.PreferredLanguageChanged():
            # The client's own choice from any page (or what they told their worker): what they are told in from now.
            await directory.note_client(session, event.client_id, language=event.preferred_language)
        case marketplace.ProviderRegistered():
            # The provider's own person is who registered it: the event's actor, when a provider did.
            user = envelope.actor.id if envelope.actor.role == "provider" else None
            await directory.note_provider(session, event.provider_id, user_id=user, email=event.contact_email,
                                          language=event.languages[0])
        case marketplace.OrderPlaced():
            await directory.note_order(session, event.order_id, event.client_id, event.provider_id)
        case history.ClientErased():
            await directory.forget_client(session, event.client_id)
        case intake.StaffProfileRecorded():
            # Their own language is the first they serve in (the directory's order); none known: the county's.
            await directory.note_staff(session, event.staff_id, language=next(iter(event.languages), None),
                                       email=event.work_email, active=event.active, role=event.role)
        case _ if isinstance(event, CLOSING):
            await directory.close_order(session, event.order_id)


LISTENER = Listener.of("directory", HEARD, note)
