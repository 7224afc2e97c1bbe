"""Intake's command handlers: validate, seal personal data, authorise, run the aggregate. Short on purpose:
rules live in domain/client.py, access rules in application/policy.py."""

from __future__ import annotations

import json
from dataclasses import dataclass
from uuid import UUID, uuid4

import asyncpg

from contracts.intake import Language, SelfAssessmentScores, ServiceTask, registry
from services.intake.adapters import postgres
from services.intake.application.policy import Action, authorize, may_assign_to
from services.intake.domain import client as domain
from shared.infra.aggregate import Aggregate, CommandRunner, Executed, Loaded
from shared.infra.crypto import Keyring, keyed_hash
from shared.infra.eventstore import CommandContext
from shared.infra.postgres_store import PostgresEventStore
from shared.kernel.errors import InvalidCommand, NotFound
from shared.kernel.identifiers import InvalidIdentifier, validate_hetu
from shared.kernel.principal import Principal

AGGREGATE = Aggregate(domain.INITIAL, domain.evolve, domain.decide, registry)


@dataclass(frozen=True)
class PersonalData:
    hetu: str
    first_name: str
    last_name: str
    phone: str | None = None
    email: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Registration:
    client_id: UUID
    created: bool
    version: int


class IntakeApplication:
    def __init__(self, store: PostgresEventStore, keyring: Keyring, hetu_pepper: bytes) -> None:
        self.store = store
        self.keyring = keyring
        self._pepper = hetu_pepper
        self.runner = CommandRunner(store, AGGREGATE, postgres.project_case)

    # --- registration: the one step that creates a case ------------------------------------------------

    async def register(
        self, person: PersonalData, municipality: str, language: Language, principal: Principal, ctx: CommandContext
    ) -> Registration:
        authorize(principal, "register")
        try:
            hetu = validate_hetu(person.hetu)
        except InvalidIdentifier as exc:
            raise InvalidCommand(str(exc), field="hetu") from exc
        hetu_hash = keyed_hash(self._pepper, hetu)
        existing = await postgres.find_client_by_hetu_hash(self.store.pool, hetu_hash)
        if existing is not None:
            return Registration(existing, False, (await self.load(existing)).version)
        client_id = uuid4()
        await self.keyring.create(str(client_id))
        (sealed,) = await self.keyring.seal(
            str(client_id), json.dumps({**person.__dict__, "hetu": hetu}, ensure_ascii=False)
        )
        command = domain.RegisterClient(
            client_id=client_id, personal_data=sealed, municipality=municipality, preferred_language=language
        )
        async with self.store.pool.acquire() as conn, conn.transaction():
            owner = await postgres.claim_hetu(conn, hetu_hash, client_id)
            if owner == client_id:
                done = await self.runner.execute(str(client_id), command, ctx, subject=str(client_id), conn=conn)
                return Registration(client_id, True, done.version)
        # Lost a race with a concurrent registration of the same person: theirs stands, our key goes.
        await self.keyring.destroy(str(client_id), "duplicate registration discarded")
        return Registration(owner, False, (await self.load(owner)).version)

    # --- reading -----------------------------------------------------------------------------------------

    async def load(self, client_id: UUID, conn: asyncpg.Connection | None = None) -> Loaded[domain.IntakeCase]:
        loaded = await self.runner.load(str(client_id), conn)
        if not loaded.state.registered:
            raise NotFound("no such client")
        return loaded

    async def read(self, client_id: UUID, principal: Principal) -> Loaded[domain.IntakeCase]:
        loaded = await self.load(client_id)
        authorize(principal, "read", loaded.state)
        return loaded

    # --- the steps of intake -------------------------------------------------------------------------------

    async def _precheck(self, client_id: UUID, action: Action, principal: Principal) -> None:
        """404, then 403, before any work (such as sealing text with the client's key) is done."""
        _allowed(principal, action, (await self.runner.current(str(client_id))).state)

    async def _run(
        self,
        client_id: UUID,
        action: Action,
        command: domain.Command,
        principal: Principal,
        ctx: CommandContext,
        expected_version: int | None,
    ) -> Executed[domain.IntakeCase]:
        def check(case: domain.IntakeCase) -> None:
            _allowed(principal, action, case)

        return await self.runner.execute(
            str(client_id), command, ctx, subject=str(client_id), expected_version=expected_version, authorize=check
        )

    async def give_consent(self, client_id: UUID, given_by: str, principal: Principal, ctx: CommandContext,
                           expected_version: int | None = None) -> Executed[domain.IntakeCase]:
        command = domain.GiveConsent(given_by=given_by)
        return await self._run(client_id, "consent", command, principal, ctx, expected_version)

    async def withdraw_consent(self, client_id: UUID, reason: str | None, principal: Principal,
                               ctx: CommandContext, expected_version: int | None = None) -> Executed[domain.IntakeCase]:
        if reason:  # sealing it is work done only for someone allowed to (404, then 403, first)
            await self._precheck(client_id, "consent", principal)
        sealed = (await self.keyring.seal(str(client_id), reason))[0] if reason else None
        command = domain.WithdrawConsent(reason=sealed)
        return await self._run(client_id, "consent", command, principal, ctx, expected_version)

    async def record_self_assessment(
        self, client_id: UUID, scores: SelfAssessmentScores, own_words: str | None, wishes: str | None,
        principal: Principal, ctx: CommandContext, expected_version: int | None = None,
    ) -> Executed[domain.IntakeCase]:
        await self._precheck(client_id, "self_assess", principal)
        words, wished = await self._seal_optional(client_id, own_words, wishes)
        command = domain.RecordSelfAssessment(
            assessment_id=uuid4(), scores=scores, own_words=words, wishes=wished,
            filled_in_by="client" if principal.role == "client" else "worker_with_client",
        )
        return await self._run(client_id, "self_assess", command, principal, ctx, expected_version)

    async def assign_coordinator(self, client_id: UUID, worker_id: str, principal: Principal,
                                 ctx: CommandContext, expected_version: int | None = None) -> Executed[domain.IntakeCase]:
        may_assign_to(principal, worker_id)
        command = domain.AssignCoordinator(worker_id=worker_id)
        return await self._run(client_id, "assign_coordinator", command, principal, ctx, expected_version)

    async def assess_needs(self, client_id: UUID, service_task: ServiceTask, support_needs: list[str],
                           summary: str, principal: Principal, ctx: CommandContext,
                           expected_version: int | None = None) -> Executed[domain.IntakeCase]:
        await self._precheck(client_id, "assess_needs", principal)
        (sealed,) = await self.keyring.seal(str(client_id), summary)
        command = domain.AssessNeeds(service_task=service_task, support_needs=support_needs, summary=sealed)
        return await self._run(client_id, "assess_needs", command, principal, ctx, expected_version)

    async def complete(self, client_id: UUID, principal: Principal, ctx: CommandContext,
                       expected_version: int | None = None) -> Executed[domain.IntakeCase]:
        return await self._run(client_id, "complete", domain.CompleteIntake(), principal, ctx, expected_version)

    async def decline(self, client_id: UUID, reason: str, appeal_instructions: str, principal: Principal,
                      ctx: CommandContext, expected_version: int | None = None) -> Executed[domain.IntakeCase]:
        await self._precheck(client_id, "decline", principal)
        (sealed,) = await self.keyring.seal(str(client_id), reason)
        command = domain.DeclineIntake(reason=sealed, appeal_instructions=appeal_instructions)
        return await self._run(client_id, "decline", command, principal, ctx, expected_version)

    async def _seal_optional(self, client_id: UUID, *texts: str | None) -> list[object]:
        present = [t for t in texts if t]
        sealed = iter(await self.keyring.seal(str(client_id), *present)) if present else iter(())
        return [next(sealed) if t else None for t in texts]


def _allowed(principal: Principal, action: Action, case: domain.IntakeCase) -> None:
    """404 before 403: an unknown client is not a permission question."""
    if not case.registered:
        raise NotFound("no such client")
    authorize(principal, action, case)
