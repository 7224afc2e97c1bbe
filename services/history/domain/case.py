"""A client's case as the event log tells it: the timeline, the state derived from it, and the chains.

Pure functions over envelopes, shared by the live history service and the audit replay, so that the two
can be compared: whatever differs between them was lost, doubled or altered on the way.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from shared.kernel.envelope import EventEnvelope

ACCESS_EVENT = "fi.avain.access.DataAccessed"
ERASED = "[erased]"  # what an erased client's sealed text opens to (shared/infra/crypto.py)


def is_case_event(envelope: EventEnvelope) -> bool:
    """Events about one client's case (catalogue events carry no client; reads go to the access log)."""
    return "client_id" in envelope.data and envelope.type != ACCESS_EVENT


def case_order(envelopes: Iterable[EventEnvelope]) -> list[EventEnvelope]:
    """One order for everyone: by time, then stream and version (so a stream's own order always holds)."""
    return sorted(envelopes, key=lambda e: (e.time, e.stream_id, e.stream_version))


def as_of(envelopes: Iterable[EventEnvelope], instant: datetime | None) -> list[EventEnvelope]:
    return [e for e in envelopes if instant is None or e.time <= instant]


def short_type(envelope: EventEnvelope) -> str:
    return envelope.type.rsplit(".", 1)[-1]


def _blank_state() -> dict[str, Any]:
    return {
        "intake": {"status": "none", "consent": "none", "coordinator_id": None, "service_task": None},
        "budget": {"status": "none", "frozen": False, "decision_number": None, "decided_cents": 0,
                   "reserved_cents": 0, "spent_cents": 0},
        "orders": {},
        "purchases": {},
        "support_persons": {},  # person id → recorded | withdrawn (no name: those stay sealed in the events)
        "agreements": {},  # agreement id → {status, claims: {claim id → status}}
        "follow_up": {"scheduled": 0, "check_ins": 0, "overdue": 0, "plan_reviews": 0, "goal_levels": {}},
        "closed": None,
        "erased": False,
        # The data subject's rights (the history's own events): what stops erasure, restriction, corrections.
        "rights": {"erasure_pending": None, "erasure_refusals": 0, "holds": {}, "permanent_archiving": False,
                   "restriction": None, "corrected_entries": [], "copy_requests": {}},
    }


def derive_state(envelopes: Sequence[EventEnvelope]) -> dict[str, Any]:
    """The case state at the end of ``envelopes`` (in case order). Only ids, codes, amounts and dates."""
    state = _blank_state()
    reservations: dict[str, int] = {}
    for e in case_order(envelopes):
        _apply(state, reservations, short_type(e), e.source, e.data)
    state["budget"]["reserved_cents"] = sum(reservations.values())
    return state


def _apply(s: dict[str, Any], reservations: dict[str, int], kind: str, source: str, d: dict[str, Any]) -> None:
    intake, budget, follow = s["intake"], s["budget"], s["follow_up"]
    if source == "/avain/intake":
        match kind:
            case "ClientRegistered":
                intake["status"] = "open"
            case "ConsentGiven" | "ConsentWithdrawn":
                intake["consent"] = "given" if kind == "ConsentGiven" else "withdrawn"
            case "CoordinatorAssigned":
                intake["coordinator_id"] = d["worker_id"]
            case "NeedsAssessed":
                intake["service_task"] = d["service_task"]
            case "IntakeCompleted" | "IntakeDeclined":
                intake["status"] = "completed" if kind == "IntakeCompleted" else "declined"
    elif source == "/avain/budgeting":
        _apply_budget(budget, reservations, kind, d)
    elif source == "/avain/marketplace" and "order_id" in d:
        status = ORDER_STATUS.get(kind)
        if status:
            s["orders"][d["order_id"]] = status
    elif source == "/avain/marketplace" and "purchase_id" in d:
        status = PURCHASE_STATUS.get(kind)
        if kind == "PurchaseCancelled" and d.get("reason") == "approval_refused":
            status = "refused"  # as the marketplace shows it: a manager did not approve it
        if status:
            s["purchases"][d["purchase_id"]] = status
    elif source == "/avain/marketplace" and ("agreement_id" in d or "person_id" in d):
        _apply_support(s, kind, d)
    elif source == "/avain/followup":
        match kind:
            case "FollowUpScheduled":
                follow["scheduled"] += 1
            case "CheckInRecorded":
                follow["check_ins"] += 1
            case "FollowUpOverdue":
                follow["overdue"] += 1
            case "PlanReviewRequested":
                follow["plan_reviews"] += 1
            case "GoalAttainmentRecorded":
                follow["goal_levels"][d["goal_id"]] = d["level"]
            case "CaseClosed":
                s["closed"] = d.get("reason", "closed")
    elif source == "/avain/history":
        _apply_rights(s, kind, d)


def _apply_support(s: dict[str, Any], kind: str, d: dict[str, Any]) -> None:
    """Support persons in the plan and their agreements, by ids and statuses (as the marketplace shows them)."""
    if kind == "SupportPersonRecorded" or kind == "SupportPersonConsentWithdrawn":
        s["support_persons"][d["person_id"]] = "recorded" if kind == "SupportPersonRecorded" else "withdrawn"
        return
    if "agreement_id" not in d:
        return
    agreement = s["agreements"].setdefault(d["agreement_id"], {"status": "awaiting_funds", "claims": {}})
    if kind in AGREEMENT_STATUS:
        agreement["status"] = AGREEMENT_STATUS[kind]
    if kind == "AgreementEnded" and d.get("reason") == "approval_refused":
        agreement["status"] = "refused"
    if kind in CLAIM_STATUS:
        agreement["claims"][d["claim_id"]] = CLAIM_STATUS[kind]


def _apply_rights(s: dict[str, Any], kind: str, d: dict[str, Any]) -> None:
    r = s["rights"]
    match kind:
        case "ClientErased":
            s["erased"] = True
            r["erasure_pending"] = None
        case "ErasureRequested":
            r["erasure_pending"] = d["request_id"]
        case "ErasureApproved" | "ErasureRequestWithdrawn":
            r["erasure_pending"] = None
        case "ErasureRefused":
            r["erasure_refusals"] += 1
        case "LegalHoldPlaced":
            r["holds"][d["hold_id"]] = d["kind"]
        case "LegalHoldLifted":
            r["holds"].pop(d["hold_id"], None)
        case "PermanentArchivingDesignated":
            r["permanent_archiving"] = True
        case "ProcessingRestricted":
            r["restriction"] = {"ground": d["ground"], "purpose": d["purpose"]}
        case "RestrictionLifted":
            r["restriction"] = None
        case "EntryCorrected":
            r["corrected_entries"].append(d["entry_event_id"])
        case "CopyRequested":  # GDPR art. 15: staff see it is pending and when it is due
            r["copy_requests"][d["request_id"]] = {"due_on": d["due_on"], "delivered_on": None}
        case "CopyDelivered" if d["request_id"] in r["copy_requests"]:
            r["copy_requests"][d["request_id"]]["delivered_on"] = d["delivered_on"]


ORDER_STATUS = {
    "OrderPlaced": "awaiting_funds", "OrderConfirmed": "confirmed", "OrderRejected": "rejected",
    "OrderAccepted": "accepted", "OrderDeclined": "declined", "OrderCancelled": "cancelled",
    "ServiceDelivered": "delivered", "InvoiceSubmitted": "invoiced", "InvoiceApproved": "invoice_approved",
    "PaymentScheduled": "payment_scheduled", "PaymentBlocked": "payment_blocked",
}


# A purchase's status as its events leave it. With its funds reserved a purchase waits for approval, unless the
# PurchaseConfirmed recorded with them (the same command: the same time, the next version) confirms it at once.
PURCHASE_STATUS = {
    "PurchaseRequested": "awaiting_funds", "PurchaseFundsReserved": "awaiting_approval",
    "PurchaseConfirmed": "confirmed", "PurchaseRejected": "rejected",
    "PurchaseCancelled": "cancelled", "PurchaseDelivered": "delivered", "PurchaseInvoiced": "invoiced",
    "PurchaseInvoiceApproved": "invoice_approved", "PurchasePaymentScheduled": "payment_scheduled",
    "PurchasePaymentBlocked": "payment_blocked",
}


AGREEMENT_STATUS = {
    "SupportAgreementMade": "awaiting_funds", "AgreementFundsReserved": "awaiting_approval",
    "AgreementActivated": "active", "AgreementRejected": "rejected", "AgreementEnded": "ended",
}
CLAIM_STATUS = {"SupportClaimFiled": "filed", "SupportClaimApproved": "approved",
                "SupportClaimPaymentScheduled": "payment_scheduled"}


def in_words(e: EventEnvelope, money: Callable[[int], str], opened: Mapping[str, str | None]) -> str | None:
    """What the timeline says in words of an event that carries them: a purchase as "Lastenrattaat, Lastentarvike
    Oy, 1 190,00 €" (the item only when its words were opened with the client's key, never once erased)."""
    if e.source != "/avain/marketplace" or short_type(e) != "PurchaseRequested":
        return None
    item = opened.get("description")
    parts = [item if item and item != ERASED else None, e.data.get("vendor_name"), money(e.data["amount_cents"])]
    return ", ".join(p for p in parts if p)


def _apply_budget(b: dict[str, Any], reservations: dict[str, int], kind: str, d: dict[str, Any]) -> None:
    match kind:
        case "BudgetOpened" | "BudgetRejected":
            b["status"] = "draft"
        case "BudgetApprovalRequested":
            b["status"] = "awaiting_approval"
        case "ApprovalRequested" if d.get("kind") == "budget_decision":
            b["status"] = "awaiting_approval"
        case "ApprovalRefused" if d.get("kind") == "budget_decision":
            b["status"] = "draft"
        case "BudgetDecided":
            b.update(status="decided", decision_number=d["decision_number"], decided_cents=d["amount_cents"])
        case "BudgetRevised":
            b["decided_cents"] = d["amount_cents"]
            b["decision_number"] = d.get("decision_number") or b["decision_number"]
        case "FundsReserved":
            reservations[d["order_id"]] = d["amount_cents"]
        case "FundsReleased" if d["reason"] != "invoice_below_reservation":
            reservations.pop(d["order_id"], None)
        case "SpendingRecorded" if d.get("matter") == "agreement":
            # a claim spends part of its agreement's reservation; the rest stays reserved until it ends
            left = reservations.get(d["order_id"], 0) - d["amount_cents"]
            if left > 0:
                reservations[d["order_id"]] = left
            else:
                reservations.pop(d["order_id"], None)
            b["spent_cents"] += d["amount_cents"]
        case "SpendingRecorded":
            reservations.pop(d["order_id"], None)
            b["spent_cents"] += d["amount_cents"]
        case "BudgetFrozen" | "BudgetUnfrozen":
            b["frozen"] = kind == "BudgetFrozen"
        case "BudgetClosed":
            b["status"] = "closed"
            reservations.clear()


def timeline(events: Sequence[EventEnvelope]) -> list[dict[str, Any]]:
    """The entries in order; an entry corrected later (GDPR art. 16) stays as it was, marked with each correction:
    who corrected it, when, why, and the correction's own entry."""
    entries = [timeline_entry(e) for e in events]
    by_id = {entry["event_id"]: entry for entry in entries}
    for e in events:
        corrected = by_id.get(str(e.data.get("entry_event_id"))) if short_type(e) == "EntryCorrected" else None
        if corrected is not None:
            corrected.setdefault("corrected_by", []).append(
                {"event_id": str(e.id), "actor": {"id": e.actor.id, "role": e.actor.role}, "time": e.time.isoformat(),
                 "reason": e.data["reason"]})
    return entries


def timeline_entry(e: EventEnvelope) -> dict[str, Any]:
    """Who, when, what and why, with the event ids; sealed texts stay sealed here."""
    why = {k: e.data[k] for k in ("reason", "reason_code", "legal_basis", "basis", "ground", "kind")
           if isinstance(e.data.get(k), str)}
    if isinstance(e.data.get("reasons"), list):  # a refused erasure: every reason's code
        why["reasons"] = ", ".join(r["code"] for r in e.data["reasons"])
    if "entry_event_id" in e.data:
        why["corrects"] = str(e.data["entry_event_id"])
    return {
        "event_id": str(e.id), "type": short_type(e), "service": e.source.rsplit("/", 1)[-1], "time": e.time.isoformat(),
        "actor": {"id": e.actor.id, "role": e.actor.role}, "why": why or None, "stream_id": e.stream_id,
        "stream_version": e.stream_version, "correlation_id": e.correlation_id, "causation_id": e.causation_id,
        "amount_cents": e.data.get("amount_cents"),
    }


# --- tamper evidence --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BrokenLink:
    position: str  # where in the log: topic:partition:offset, or a line of an export
    stream_id: str
    stream_version: int
    problem: str


def verify_chains(records: Iterable[tuple[str, EventEnvelope]], hashed: Collection[UUID] = ()) -> list[BrokenLink]:
    """Check every stream's hash chain in log order: each event's hash covers its content and the previous
    hash, and versions follow one another. Returns the broken links, first one first.

    ``hashed``: events whose hash the caller has already checked against their content (the replay does, from
    the bytes as published)."""
    heads: dict[str, tuple[int, str | None]] = {}
    seen: set[UUID] = set()
    broken: list[BrokenLink] = []
    for position, e in records:
        if e.id in seen:
            continue  # a redelivered record (at-least-once publishing) is the same event, not a new link
        seen.add(e.id)
        problem = None
        if e.id not in hashed and e.content_hash() != e.hash:
            problem = "content does not match its hash (the event was altered)"
        else:
            version, last_hash = heads.get(e.stream_id, (0, None))
            if e.stream_version != version + 1:
                problem = f"version {e.stream_version} follows {version} (an event is missing or out of order)"
            elif e.prev_hash != last_hash:
                problem = "previous hash does not match the stream's last event (the chain is broken)"
        if problem:
            broken.append(BrokenLink(position, e.stream_id, e.stream_version, problem))
        heads[e.stream_id] = (e.stream_version, e.hash)
    return broken
