"""What an authorised reader sees of a budget: the plan in the client's words, the decision, the money; and
the work lists. Each read goes through the policy, as commands do."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from contracts.budgeting import (
    ApprovalRefused,
    BudgetDecided,
    BudgetRejected,
    BudgetRevised,
    ClientWishRecorded,
    DecisionRecorded,
    GasLevels,
    GoalSet,
    SupportPlanned,
    registry,
)
from services.budgeting.application.handlers import BUDGET, Ports
from services.budgeting.application.policy import list_scope
from services.budgeting.application.queries import AdviseOnBudget, ListBudgets, ReadBudget
from services.budgeting.domain.advice import Advice, advise
from services.budgeting.domain.budget import Budget, Pending
from shared.i18n import DEFAULT_LANGUAGE
from shared.infra.aggregate import Loaded
from shared.infra.crypto import Keyring
from shared.infra.law_texts import instructions_text, legal_bases_text
from shared.infra.people import People, Person, name_of
from shared.infra.pipeline import Application
from shared.kernel.errors import Forbidden, NotFound
from shared.kernel.principal import Principal
from shared.kernel.sealed import Sealed


async def budget(app: Application[Ports], query: ReadBudget, principal: Principal) -> tuple[int, dict[str, Any]]:
    """The budget's version (its ETag) and what the reader sees of it."""
    loaded = await app.read(BUDGET, query, principal)
    view = await budget_view(loaded, app.keyring, query.language or DEFAULT_LANGUAGE)
    return loaded.version, await with_names(view, app.deps.people)


async def budgets(app: Application[Ports], client_ids: Iterable[UUID], language: str,
                  principal: Principal) -> list[dict[str, Any]]:
    """The budgets of those clients the reader may see, each as :func:`budget` shows it, in the order asked; the
    others (refused by the policy, or none) left out. Each still goes through the policy on its own; the people
    are looked up once for all of them, not once per budget (the manager's queue shows 20)."""
    async def visible(client_id: UUID) -> dict[str, Any] | None:
        try:
            loaded = await app.read(BUDGET, ReadBudget(client_id=client_id, language=language), principal)
        except (Forbidden, NotFound):
            return None
        return await budget_view(loaded, app.keyring, language)

    found = await asyncio.gather(*(visible(client_id) for client_id in dict.fromkeys(client_ids)))
    shown = [view for view in found if view is not None]
    known = await app.deps.people.people(i for view in shown for i in _named_ids(view))
    return [_name(view, known) for view in shown]


_NAMED = [("decision", ("decided_by", "approved_by", "prepared_by")), ("revision", ("decided_by", "prepared_by")),
          ("awaiting_approval", ("requested_by",)), ("approval_refused", ("refused_by",))]


async def with_names(view: dict[str, Any], people: People) -> dict[str, Any]:
    """People by name beside their ids (the staff directory's copy): who coordinates, decided, prepared, asked
    and refused. An id the directory does not know yet keeps a name of None."""
    return _name(view, await people.people(_named_ids(view)))


def _named_ids(view: dict[str, Any]) -> list[str | None]:
    return [view["coordinator_id"], *(view[part][f] for part, fields in _NAMED if view[part] for f in fields)]


def _name(view: dict[str, Any], known: dict[str, Person]) -> dict[str, Any]:
    coordinator = known.get(view["coordinator_id"] or "")
    view["coordinator"] = coordinator.card() if coordinator else (
        {"staff_id": view["coordinator_id"], "name": None} if view["coordinator_id"] else None)
    for part, fields in _NAMED:
        for field in fields if view[part] else ():
            view[part][f"{field}_name"] = name_of(known, view[part][field])
    return view


async def advice(app: Application[Ports], query: AdviseOnBudget, principal: Principal) -> dict[str, Any]:
    loaded = await app.read(BUDGET, query, principal)
    return advice_view(advise(loaded.state, query.today or datetime.now(UTC).date()))


async def work_list(app: Application[Ports], query: ListBudgets,
                    principal: Principal) -> tuple[list[dict[str, Any]], int]:
    """A page of the work list and the total of the whole list."""
    coordinator = list_scope(principal)
    rows = await app.deps.list_budgets(coordinator_id=coordinator, status=query.status, limit=query.limit,
                                       offset=query.offset)
    if app.deps.count_budgets is None:
        return rows, query.offset + len(rows)
    return rows, await app.deps.count_budgets(coordinator_id=coordinator, status=query.status)


async def budget_view(loaded: Loaded[Budget], keyring: Keyring, language: str = DEFAULT_LANGUAGE) -> dict[str, Any]:
    """The budget as a reader sees it; a decision's legal bases and instructions in ``language``, from its record
    (a decision made before issue 14 keeps the texts it was made with)."""
    b = loaded.state
    goals: list[GoalSet] = []
    supports: list[SupportPlanned] = []
    wishes: list[ClientWishRecorded] = []
    decision: BudgetDecided | None = None
    revision: BudgetRevised | None = None
    refusal: ApprovalRefused | BudgetRejected | None = None
    records: dict[str, DecisionRecorded] = {}
    for envelope in loaded.events:
        if envelope.type not in registry:
            continue
        event = registry.load(envelope.type, envelope.schema_version, envelope.data)
        if isinstance(event, GoalSet):
            goals.append(event)
        elif isinstance(event, SupportPlanned):
            supports.append(event)
        elif isinstance(event, ClientWishRecorded):
            wishes.append(event)
        elif isinstance(event, BudgetDecided):  # a refusal stays shown until a decision answers it
            decision, revision, refusal = event, None, None
        elif isinstance(event, BudgetRevised):
            revision, refusal = event, None
        elif isinstance(event, ApprovalRefused | BudgetRejected):
            refusal = event
        elif isinstance(event, DecisionRecorded):
            records[event.decision_number] = event
    level_names = list(GasLevels.model_fields)
    sealed: list[Sealed | None] = [
        *(s for g in goals for s in (g.title, *(getattr(g.levels, n) for n in level_names))),
        *(s.description for s in supports),
        *(w.text for w in wishes),
        decision.reasoning if decision else None,
        revision.reason if revision else None,
        b.pending.reasoning if b.pending else None,
        (refusal.reasoning if isinstance(refusal, ApprovalRefused) else refusal.reason) if refusal else None,
    ]
    *plan_texts, decision_reasoning, revision_reasoning, pending_reasoning, refusal_reasoning = await keyring.open(
        str(b.client_id), *sealed)
    opened = iter(plan_texts)
    return {
        "client_id": str(b.client_id),
        "version": loaded.version,
        "status": b.status,
        "frozen": b.frozen,
        "review_requested": b.review_requested,
        "coordinator_id": b.coordinator_id,
        "goals": [{"goal_id": str(g.goal_id), "title": next(opened),
                   "levels": {n: next(opened) for n in level_names},
                   "baseline_level": g.baseline_level, "weight": g.weight} for g in goals],
        "supports": [{"support_id": str(s.support_id), "category": s.category, "description": next(opened),
                      "estimated_cost_cents": s.estimated_cost_cents, "provider_type": s.provider_type.value,
                      "goal_ids": [str(g) for g in s.goal_ids]} for s in supports],
        "wishes": [{"wish_id": str(w.wish_id), "text": next(opened)} for w in wishes],
        "proposal": None if b.proposal is None else {
            "amount_cents": b.proposal.amount_cents, "period": b.proposal.period.model_dump(mode="json"),
            "breakdown": b.proposal.breakdown},
        "decision": None if decision is None else {
            "decision_number": decision.decision_number, "decided_by": decision.decided_by,
            "approved_by": decision.approved_by, "prepared_by": decision.prepared_by, "reasoning": decision_reasoning,
            "legal_basis": decision.legal_basis, "appeal_instructions": decision.appeal_instructions,
            **_law(records.get(decision.decision_number), language)},
        "revision": None if revision is None else {
            "revision_number": revision.revision_number, "decision_number": revision.decision_number,
            "decided_by": revision.decided_by, "prepared_by": revision.prepared_by,
            "previous_amount_cents": revision.previous_amount_cents, "amount_cents": revision.amount_cents,
            "reasoning": revision_reasoning, **_law(records.get(revision.decision_number or ""), language)},
        "awaiting_approval": _pending(b.pending, pending_reasoning),
        # A manager's refusal is shown to the worker and to the client: the proposal returned to the plan, and why.
        "approval_refused": None if refusal is None else {
            "refused_by": refusal.refused_by if isinstance(refusal, ApprovalRefused) else refusal.rejected_by,
            "kind": refusal.kind if isinstance(refusal, ApprovalRefused) else "budget_decision",
            "reasoning": refusal_reasoning},
        "funds": {"decided_cents": b.amount_cents, "reserved_cents": b.reserved_cents, "spent_cents": b.spent_cents,
                  "remaining_cents": b.remaining_cents,
                  "period": b.period.model_dump(mode="json") if b.period else None,
                  "breakdown": b.breakdown,
                  "reservations": [{"order_id": str(k), "amount_cents": r.amount_cents, "category": r.category,
                                    "matter": r.matter} for k, r in b.reservations.items()],
                  "by_category": by_category(b)},
    }


def _law(record: DecisionRecorded | None, language: str) -> dict[str, Any]:
    """A decision's date, language, legal bases and instructions, written in the reader's language."""
    if record is None:
        return {}
    return {"decision_id": str(record.decision_id), "decided_on": record.decided_on.isoformat(),
            "language": record.language, "legal_bases": [b.model_dump() for b in record.legal_bases],
            "legal_basis": legal_bases_text(record.legal_bases, language),
            "appeal_instructions": instructions_text(record.instructions, language),
            "instructions": record.instructions.model_dump(), "replaces": record.replaces}


def _pending(pending: Pending | None, reasoning: str | None) -> dict[str, Any] | None:
    if pending is None:
        return None
    limit = pending.authority.limit_cents if pending.authority else None
    return {"approval_id": str(pending.approval_id), "kind": pending.kind, "amount_cents": pending.amount_cents,
            "authority_limit_cents": limit, "requested_by": pending.requested_by, "reasoning": reasoning}


def by_category(b: Budget) -> list[dict[str, Any]]:
    """Orders, one-off purchases and support-person agreements side by side, in each category of the plan (and any
    used without a plan)."""
    reserved, purchases = b.reserved_by_category(), b.reserved_by_category("purchase")
    agreements = b.reserved_by_category("agreement")
    names = sorted(set(b.breakdown) | set(reserved) | set(b.spent_by_category))
    return [_split(name, b.breakdown.get(name, 0), reserved.get(name, 0), b.spent_by_category.get(name, 0),
                   (purchases.get(name, 0), b.purchases_spent_by_category.get(name, 0)),
                   (agreements.get(name, 0), b.agreements_spent_by_category.get(name, 0))) for name in names]


def _split(category: str, planned: int, reserved: int, spent: int, purchases: tuple[int, int],
           agreements: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    """Each matter's (reserved, spent); orders are what the others leave of the totals."""
    return {"category": category, "planned_cents": planned,
            "orders": {"reserved_cents": reserved - purchases[0] - agreements[0],
                       "spent_cents": spent - purchases[1] - agreements[1]},
            "purchases": {"reserved_cents": purchases[0], "spent_cents": purchases[1]},
            "agreements": {"reserved_cents": agreements[0], "spent_cents": agreements[1]}}


def advice_view(advice: Advice) -> dict[str, Any]:
    body = asdict(advice)
    for c in body["categories"]:
        c["used_cents"] = c["reserved_cents"] + c["spent_cents"]
        side_by_side = _split(c["category"], c["planned_cents"], c["reserved_cents"], c["spent_cents"],
                              (c.pop("purchases_reserved_cents"), c.pop("purchases_spent_cents")),
                              (c.pop("agreements_reserved_cents"), c.pop("agreements_spent_cents")))
        c["orders"], c["purchases"] = side_by_side["orders"], side_by_side["purchases"]
        c["agreements"] = side_by_side["agreements"]
    return body
