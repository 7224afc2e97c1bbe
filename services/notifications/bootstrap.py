"""The notifications service, declared: whom other services' events tell what (its reactions), what it knows of
people to find them (its directory listener), its inbox API, and the mailer that sends the e-mail outbox over SMTP
(shared/infra/service.py builds the process from this)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from uuid import UUID

from fastapi import FastAPI
from faststream.specification import AsyncAPI
from pydantic import Field, SecretStr

from contracts.notifications import EVENTS
from services.notifications.adapters.mailer import Mailer
from services.notifications.adapters.postgres import MIGRATIONS, Inbox, PostgresDirectory, project_notice
from services.notifications.adapters.smtp import SmtpChannel
from services.notifications.application.addresses import AddressBook
from services.notifications.application.directory import LISTENER
from services.notifications.application.handlers import Ports, handlers
from services.notifications.application.reactions import REACTIONS
from services.notifications.entrypoints.http import router
from shared.infra import service, tables
from shared.infra.access import record_access
from shared.infra.runtime import ServiceRuntime
from shared.infra.settings import ServiceSettings
from shared.kernel.principal import Principal

HANDLERS = handlers(project_notice)


class NotificationsSettings(ServiceSettings):
    http_port: int = 8007
    delegations_file: Path | None = Field(None, description=tables.DELEGATIONS_FILE)
    smtp_host: str | None = Field(None, description=(
        "The SMTP server e-mail goes through; unset: no e-mail is sent (the inbox still gets every item)"))
    smtp_port: int = Field(587, description="The SMTP server's port (587 submission with STARTTLS, 465 TLS, 25)")
    smtp_security: Literal["starttls", "tls", "none"] = Field("starttls", description=(
        "starttls (upgrade the connection), tls (TLS from the start) or none (only for a server on the same host)"))
    smtp_username: str | None = Field(None, description="The SMTP login, if the server asks for one")
    smtp_password: SecretStr | None = Field(None, description="The SMTP password (a secret: .env in production)")
    mail_from: str = Field("Avain <no-reply@avain.invalid>", description="The From address of every e-mail")
    mail_domain: str = Field("avain.invalid", description=(
        "The right side of every Message-ID (<item id@domain>): the county's own mail domain"))
    inbox_url: str = Field("http://127.0.0.1:8000/inbox", description=(
        "Where an e-mail tells the person to read their inbox: the console's inbox page"))
    mail_retry_seconds: float = Field(30.0, gt=0, description=(
        "Wait before a failed e-mail is tried again; doubles with each failure, up to 64 times this"))


def _ports(runtime: ServiceRuntime, settings: Any) -> Ports:
    return Ports(directory=PostgresDirectory(runtime.pool), inbox=Inbox(runtime.pool),
                 delegations=tables.delegations(settings.delegations_file or tables.DELEGATIONS))


def _channel(s: NotificationsSettings) -> SmtpChannel | None:
    if not s.smtp_host:
        return None
    return SmtpChannel(host=s.smtp_host, port=s.smtp_port, security=s.smtp_security, username=s.smtp_username,
                       password=s.smtp_password.get_secret_value() if s.smtp_password else None, sender=s.mail_from)


async def _start_mailer(runtime: ServiceRuntime, settings: Any) -> None:
    system = Principal(user_id="notifications", role="system")

    async def log_access(client_id: UUID, item_id: UUID) -> None:
        await record_access(runtime.access_store, service=runtime.name, client_ids=[client_id], principal=system,
                            purpose="notification", resource="SMTP e-mail notification", status=200,
                            correlation_id=f"mail-{item_id}")

    addresses = AddressBook(PostgresDirectory(runtime.pool), runtime.keyring, log_access)
    mailer = Mailer(runtime.pool, _channel(settings), addresses, inbox_url=settings.inbox_url,
                    domain=settings.mail_domain, retry_seconds=settings.mail_retry_seconds)
    runtime.run_worker("mailer", mailer.run(), mailer.stop)


SPEC = service.ServiceSpec(
    name="notifications", title="Avain notifications", settings=NotificationsSettings, migrations=[MIGRATIONS],
    publishes=EVENTS, handlers=HANDLERS, reactions=REACTIONS, listeners=[LISTENER], deps=_ports, routers=[router],
    on_start=_start_mailer,
    description="Who is told: an inbox per person (client, representative, worker, manager, provider) with one item "
    "per event and person, texts in the person's language, and e-mail over SMTP that only says there is something "
    "new and where to read it. Every endpoint needs a bearer token; a person reads only their own inbox.",
)


def create_app(settings: ServiceSettings) -> FastAPI:
    return service.create_app(SPEC, settings)


def asyncapi(settings: ServiceSettings | None = None) -> AsyncAPI:
    return service.asyncapi(SPEC, settings)


def main() -> None:
    service.main(SPEC)
