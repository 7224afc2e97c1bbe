"""What readers see of support persons, agreements and payroll's exports. Every read names the client whose plan
it is for the access log (``seen``); payroll's exports also name payroll as the recipient (the route does).

A support person's own data opens with their own keys: their contact reads as erased once they withdrew consent,
their name and the fact of payment stay (ADR 0028). hetu and IBAN are never shown here: only payroll's
registration file carries them, encrypted to payroll's key.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from contracts.support_persons import (
    SupportAgreementMade,
    SupportClaimFiled,
    SupportPersonCorrected,
    SupportPersonPaymentDetailsRecorded,
    SupportPersonRecorded,
    contact_key,
    person_key,
)
from services.marketplace.application.policy import require_client_side
from services.marketplace.application.ports import Ports
from services.marketplace.application.queries import (
    ExportPayee,
    ListAgreements,
    ListSupport,
    PayrollPeriod,
    ReadAgreement,
    ReadSupportPerson,
)
from services.marketplace.application.support import AGREEMENT, PERSON
from services.marketplace.application.views import Seen
from services.marketplace.domain import payroll
from shared.infra.pipeline import Application
from shared.kernel.errors import Forbidden, InvalidCommand, RuleViolation
from shared.kernel.principal import Principal

READERS = ("manager", "auditor")


async def person(app: Application[Ports], query: ReadSupportPerson, principal: Principal,
                 seen: Seen) -> tuple[int, dict[str, Any]]:
    """The person as recorded, with every correction (the newest first wins; the older stay readable)."""
    loaded = await app.read(PERSON, query, principal, seen=lambda p: seen([p.client_id] if p.client_id else []))
    p, keyring = loaded.state, app.keyring
    assert p.person_id is not None
    recorded = SupportPersonRecorded.model_validate(loaded.events[0].data)
    name, = await keyring.open(person_key(p.person_id), recorded.name)
    contact, = await keyring.open(contact_key(p.person_id), recorded.contact)
    tasks, = await keyring.open(str(p.client_id), recorded.tasks)
    corrections = []
    for e in loaded.events[1:]:
        if e.type == SupportPersonCorrected.event_type:
            fix = SupportPersonCorrected.model_validate(e.data)
            new_name, = await keyring.open(person_key(p.person_id), fix.name)
            new_contact, = await keyring.open(contact_key(p.person_id), fix.contact)
            corrections.append({"time": e.time.isoformat(), "by": fix.corrected_by, "name": new_name,
                                "contact": new_contact})
            name, contact = new_name or name, new_contact or contact
    return loaded.version, {
        "person_id": str(p.person_id), "client_id": str(p.client_id), "relationship": p.relationship,
        "status": p.status, "in_plan": p.status == "recorded", "name": name, "contact": contact, "tasks": tasks,
        "consent_on": recorded.consent_on.isoformat(), "payable": p.payable, "corrections": corrections,
        "version": loaded.version,
    }


async def payee_registration(app: Application[Ports], query: ExportPayee, principal: Principal,
                             seen: Seen) -> dict[str, Any]:
    """Payroll's copy of the payee's identity (hetu, name, IBAN), encrypted to payroll's public key: the reference
    is what the period exports name them by."""
    loaded = await app.read(PERSON, query, principal, seen=lambda p: seen([p.client_id] if p.client_id else []))
    p = loaded.state
    assert p.person_id is not None
    details = next((SupportPersonPaymentDetailsRecorded.model_validate(e.data) for e in reversed(loaded.events)
                    if e.type == SupportPersonPaymentDetailsRecorded.event_type), None)
    if details is None:
        raise RuleViolation("the person's payment details (hetu, IBAN) are not recorded",
                            code="support-person-not-payable")
    names = [SupportPersonRecorded.model_validate(loaded.events[0].data).name] + [
        fix.name for fix in (SupportPersonCorrected.model_validate(e.data) for e in loaded.events
                             if e.type == SupportPersonCorrected.event_type) if fix.name is not None]
    name, hetu, iban = await app.keyring.open(person_key(p.person_id), names[-1], details.hetu, details.iban)
    sealed = app.deps.payroll_key.encrypt({"payee_reference": str(p.person_id), "hetu": hetu, "name": name,
                                           "iban": iban})
    return {"payee_reference": str(p.person_id), "registration": sealed}


async def agreement(app: Application[Ports], query: ReadAgreement, principal: Principal,
                    seen: Seen) -> tuple[int, dict[str, Any]]:
    loaded = await app.read(AGREEMENT, query, principal, seen=lambda a: seen([a.client_id] if a.client_id else []))
    a = loaded.state
    made = SupportAgreementMade.model_validate(loaded.events[0].data)
    filed = {e.data["claim_id"]: SupportClaimFiled.model_validate(e.data) for e in loaded.events
             if e.type == SupportClaimFiled.event_type}
    return loaded.version, {
        **made.model_dump(mode="json"), "status": a.status, "waiting_for_approval": a.approval == "pending",
        "hours_claimed": a.hours_claimed(), "expenses_claimed_cents": a.expenses_claimed(),
        "claims": [{"claim_id": str(cid), "kind": k.kind, "month": k.month.isoformat(), "hours": k.hours or None,
                    "amount_cents": k.amount_cents, "status": k.status,
                    "receipt_reference": filed[str(cid)].receipt_reference} for cid, k in a.claims.items()],
        "version": loaded.version,
    }


async def plan_support(app: Application[Ports], query: ListSupport, principal: Principal,
                       seen: Seen) -> dict[str, Any]:
    """The support persons in a client's plan (not those who withdrew consent) and the agreements beside them."""
    seen([query.client_id])
    if principal.role not in READERS:
        client = await app.deps.tables.client(query.client_id)
        require_client_side(principal, query.client_id, client.coordinator_id if client else None, "read")
    support = app.deps.support
    return {"client_id": str(query.client_id), "support_persons": await support.persons(query.client_id),
            "agreements": await support.agreements(query.client_id)}


async def agreements(app: Application[Ports], query: ListAgreements, principal: Principal,
                     seen: Seen) -> tuple[list[dict[str, Any]], int]:
    """A page of a client's agreements, newest first, with the total: read as one agreement is (the client side and
    the coordinating worker, managers and auditors), the client named to the access log, refused reads too."""
    client_id = query.client_id or (UUID(principal.user_id) if principal.role == "client" else None)
    if client_id is None:
        raise Forbidden("name the client (client_id)")
    seen([client_id])
    if principal.role not in READERS:
        client = await app.deps.tables.client(client_id)
        require_client_side(principal, client_id, client.coordinator_id if client else None, "read")
    rows: list[dict[str, Any]]
    rows, total = await app.deps.support.agreement_page(client_id, limit=query.limit, offset=query.offset)
    return rows, int(total)


async def period_export(app: Application[Ports], query: PayrollPeriod, principal: Principal, seen: Seen) -> str:
    """The period's CSV: the claims scheduled for payment in it, each once (domain/payroll.py). The clients whose
    support it pays are named to the access log (the file names no client, but it is about their plans)."""
    if principal.role != "manager":
        raise Forbidden("the region's staff (managers) hand payments over to payroll")
    try:
        first = date.fromisoformat(f"{query.period}-01")
    except ValueError as exc:
        raise InvalidCommand("the period is a month: YYYY-MM", field="period") from exc
    last = date(first.year + first.month // 12, first.month % 12 + 1, 1).toordinal() - 1
    lines = await app.deps.support.payroll_lines(first, date.fromordinal(last))
    seen(list(dict.fromkeys(line["client_id"] for line in lines)))
    return payroll.period_csv(lines)
