"""What a reader sees of the marketplace: providers and their verification answer, offerings with their price
history, search and price comparison, orders and one-off purchases. An order or a purchase is a client's data:
each read goes through the policy, as commands do, and tells its door whose data was asked for (``seen``) before
the policy decides, so refused reads are logged too. Texts a person reads come from the message catalogue, in
the reader's language."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from contracts.marketplace import (
    ApprovalRefused,
    DeliveryDetailsShared,
    InvoiceApproved,
    InvoiceSubmitted,
    OrderRejected,
    PaymentBlocked,
    PaymentScheduled,
    ProviderRated,
    PurchaseInvoiceApproved,
    PurchaseInvoiced,
    PurchasePaymentBlocked,
    PurchasePaymentScheduled,
    PurchaseRejected,
    PurchaseRequested,
)
from services.marketplace.application.handlers import ORDER, PROVIDER, PURCHASE, YEAR
from services.marketplace.application.policy import list_scope, may_list_providers, require_provider_user
from services.marketplace.application.ports import Ports
from services.marketplace.application.queries import (
    ListOfferings,
    ListOrders,
    ListProviders,
    ListPurchases,
    ReadDeliveryDetails,
    ReadOffering,
    ReadOrder,
    ReadOwnProvider,
    ReadOwnRatings,
    ReadProvider,
    ReadPurchase,
    ReadVerification,
    SearchOfferings,
)
from services.marketplace.domain.catalogue import Provider
from services.marketplace.domain.order import CANCELLABLE
from services.marketplace.domain.vendors import Condition, VendorFacts, answer, missing
from shared.i18n import Translator, catalogue
from shared.infra.pipeline import Application
from shared.kernel.envelope import EventEnvelope
from shared.kernel.errors import Forbidden, NotFound
from shared.kernel.principal import Principal

Seen = Callable[[list[UUID]], None]  # told the clients whose data a read asks for
REFUSALS = frozenset({OrderRejected.event_type, PurchaseRejected.event_type})


async def provider(app: Application[Ports], query: ReadProvider, principal: Principal) -> dict[str, Any]:
    found = await app.deps.tables.provider_view(query.provider_id)
    if found is None:
        raise NotFound("no such provider")
    return found


async def providers(app: Application[Ports], query: ListProviders, principal: Principal) -> list[dict[str, Any]]:
    """Providers and vendors by status, by name: business data (a firm's or association's register entry)."""
    may_list_providers(principal)
    return await app.deps.tables.list_providers(status=query.status, limit=query.limit, offset=query.offset)


async def own_provider(app: Application[Ports], query: ReadOwnProvider, principal: Principal) -> dict[str, Any]:
    """The provider the signed-in provider user acts for; 404 before they have registered one."""
    own = await app.deps.own_provider(principal)
    found = await app.deps.tables.provider_view(own) if own is not None else None
    if found is None:
        raise NotFound("this user acts for no provider yet", code="no-own-provider")
    return found


async def own_ratings(app: Application[Ports], query: ReadOwnRatings, principal: Principal) -> dict[str, Any]:
    """The signed-in provider user's own provider's ratings, as counts and averages only (no client, order, day
    or comment); 404 before they have registered a provider, 403 for anyone but a provider user."""
    if principal.role != "provider":
        raise Forbidden("a provider's ratings are read by its own users")
    own = await app.deps.own_provider(principal)
    if own is None:
        raise NotFound("this user acts for no provider yet", code="no-own-provider")
    return await app.deps.tables.ratings(own)


async def offerings(app: Application[Ports], query: ListOfferings, principal: Principal) -> list[dict[str, Any]]:
    """A provider's offerings with their price history, withdrawn ones too: its own users and the county's staff
    (the public catalogue is ``search``)."""
    if principal.role == "provider":
        require_provider_user(principal, await app.deps.own_provider(principal), query.provider_id)
    else:
        may_list_providers(principal)
    return await app.deps.tables.list_offerings(query.provider_id)


async def offering(app: Application[Ports], query: ReadOffering, principal: Principal) -> dict[str, Any]:
    """The offering with its price history (the view carries it)."""
    found = await app.deps.tables.offering_view(query.offering_id)
    if found is None:
        raise NotFound("no such offering")
    return found


async def search(app: Application[Ports], query: SearchOfferings, principal: Principal, seed: str) -> list[dict[str, Any]]:
    """Verified providers' live offerings; ``seed`` rotates the fair order (one a day)."""
    return await app.deps.tables.search(seed=seed, **query.model_dump())


async def order(app: Application[Ports], query: ReadOrder, principal: Principal, seen: Seen,
                language: str = "fi") -> tuple[int, dict[str, Any]]:
    """The order's version (its ETag) and what the reader sees of it: price and amounts, status, a refusal's reason
    in the reader's language, its history."""
    loaded = await app.read(ORDER, query, principal, seen=lambda o: seen([o.client_id] if o.client_id else []))
    o = loaded.state
    history = [{"type": e.type.rsplit(".", 1)[1], "time": e.time.isoformat(), "actor_role": e.actor.role}
               for e in loaded.events]
    placed = loaded.events[0].data
    return loaded.version, {
        "order_id": str(o.order_id), "client_id": str(o.client_id), "provider_id": str(o.provider_id),
        "offering_id": placed["offering_id"], "status": o.status, "quantity": placed["quantity"],
        "unit_price_cents": placed["unit_price_cents"], "amount_cents": o.amount_cents,
        "invoice_cents": o.invoice_cents or None, "refusal": refusal(loaded.events, language), "held": o.held,
        "payment": payment(loaded.events, ORDER_PAYMENT, language),
        "rating": None if principal.role == "provider" else rating(loaded.events),
        "version": loaded.version, "history": history,
    }


async def delivery_details(app: Application[Ports], query: ReadDeliveryDetails, principal: Principal,
                           seen: Seen) -> dict[str, Any]:
    """What the client shared for the order's delivery, as last shared, opened with the client's key. The provider
    reads it only for its own order, and only while it is accepted and not yet delivered; the client side always."""
    loaded = await app.read(ORDER, query, principal, seen=lambda o: seen([o.client_id] if o.client_id else []))
    o = loaded.state
    if principal.role == "provider" and (o.status != "accepted" or o.held):  # held: its provider was suspended
        raise Forbidden("the provider sees the delivery details of an order it has accepted, until it is delivered")
    last = next((e for e in reversed(loaded.events) if e.type == DeliveryDetailsShared.event_type), None)
    view: dict[str, Any] = {"order_id": str(o.order_id), "status": o.status, "shared": last is not None,
                            "address": None, "contact": None, "instructions": None, "shared_at": None}
    if last is None:
        return view
    shared = DeliveryDetailsShared.model_validate(last.data)
    address, contact, instructions = await app.keyring.open(str(o.client_id), shared.address, shared.contact,
                                                            shared.instructions)
    return view | {"address": address, "contact": contact, "instructions": instructions,
                   "shared_at": last.time.isoformat()}


async def orders(app: Application[Ports], query: ListOrders, principal: Principal, seen: Seen) -> list[dict[str, Any]]:
    """A provider user's provider's orders; a client's own; a named client's for their worker, managers, auditors."""
    tables = app.deps.tables
    own = await app.deps.own_provider(principal)
    client_id = UUID(principal.user_id) if principal.role == "client" else query.client_id
    if principal.role != "provider" and client_id is not None:
        seen([client_id])  # one client's orders: logged, also if refused
    known = await tables.client(client_id) if client_id is not None and principal.role == "worker" else None
    client_id, provider_id = list_scope(principal, client_id, own, known, query.provider_id)
    rows = await tables.list_orders(client_id=client_id, provider_id=provider_id, limit=query.limit,
                                    offset=query.offset, statuses=sorted(CANCELLABLE) if query.open else None)
    if provider_id is not None:
        seen([r["client_id"] for r in rows])  # each order names its client
    if principal.role == "provider":  # a row names its client: its stars would tie a rating to them
        rows = [{k: v for k, v in r.items() if k != "stars"} for r in rows]
    return rows


# --- after the invoice: the payment, and the client's rating -------------------------------------------------------

# The event types an order's (a purchase's) invoice passes through: submitted, approved, then scheduled or blocked.
ORDER_PAYMENT = (InvoiceSubmitted, InvoiceApproved, PaymentScheduled, PaymentBlocked)
PURCHASE_PAYMENT = (PurchaseInvoiced, PurchaseInvoiceApproved, PurchasePaymentScheduled, PurchasePaymentBlocked)


def payment(envelopes: list[EventEnvelope], kinds: tuple[type[Any], ...], language: str) -> dict[str, Any] | None:
    """What became of the invoice: submitted (when, how much), approved by the client side (when), then the
    payment scheduled (the day the county pays and the amount) or blocked (budgeting's reason by its code, in the
    reader's language). None before an invoice."""
    submitted, approved, scheduled, blocked = (k.event_type for k in kinds)
    view: dict[str, Any] | None = None
    for e in envelopes:
        if e.type == submitted:
            view = {"status": "invoiced", "submitted_at": e.time.isoformat(), "invoice_cents": e.data["amount_cents"],
                    "vat_cents": e.data["vat_cents"], "approved_at": None, "pay_on": None, "amount_cents": None,
                    "blocked": None}
        elif view is not None and e.type == approved:
            view |= {"status": "invoice_approved", "approved_at": e.time.isoformat()}
        elif view is not None and e.type == scheduled:
            view |= {"status": "payment_scheduled", "pay_on": e.data["pay_on"], "amount_cents": e.data["amount_cents"]}
        elif view is not None and e.type == blocked:
            view |= {"status": "payment_blocked", "blocked": payment_refusal(e.data.get("reason_code"), language)}
    return view


def payment_refusal(code: str | None, language: str) -> dict[str, Any]:
    """Budgeting's refusal of the spending in the reader's words, by its code (events recorded before codes, or a
    code the catalogue does not know yet, say that the payment is blocked and whom to ask)."""
    t = catalogue().translator("marketplace", language)
    key = f"payment_refusal.{code}"
    return {"code": code, "reason": t(key) if code and t.has(key) else t("payment_refusal.unknown"),
            "language": t.lang}


def rating(envelopes: list[EventEnvelope]) -> dict[str, Any] | None:
    """The client's rating of the order (its stars; the comment stays sealed): for the client side only."""
    rated = next((e for e in envelopes if e.type == ProviderRated.event_type), None)
    return {"stars": rated.data["stars"], "rated_at": rated.time.isoformat()} if rated is not None else None


# --- what a refusal says, in the reader's language ------------------------------------------------------------------

def refusal(envelopes: list[EventEnvelope], language: str) -> dict[str, Any] | None:
    """Budgeting's refusal of an order's or a purchase's funds: its code, its reason in the reader's language (from
    the catalogue), and budgeting's own words as it recorded them."""
    refused = next((e for e in envelopes if e.type in REFUSALS), None)
    if refused is None:
        return None
    code, said = refused.data["reason_code"], refused.data["reason"]
    t = catalogue().translator("marketplace", language)
    key = f"refusal.{code}"
    return {"code": code, "reason": t(key) if t.has(key) else said, "language": t.lang, "recorded_reason": said}


async def approval_refusal(app: Application[Ports], envelopes: list[EventEnvelope],
                           language: str) -> dict[str, Any] | None:
    """A manager's refusal of a purchase above its requester's delegated authority: what it means in the reader's
    language (the catalogue), and the manager's own words (opened with the client's key)."""
    refused = next((e for e in envelopes if e.type == ApprovalRefused.event_type), None)
    if refused is None:
        return None
    event = ApprovalRefused.model_validate(refused.data)
    [words] = await app.keyring.open(str(event.client_id), event.reasoning)
    t = catalogue().translator("marketplace", language)
    return {"code": "approval_refused", "reason": t("refusal.approval_refused"), "language": t.lang,
            "recorded_reason": words, "refused_by": event.refused_by}


def _for(principal: Principal, refused: dict[str, Any] | None) -> dict[str, Any] | None:
    """A refusal as this reader may read it: the vendor learns that and why in the catalogue's words, never the
    manager's or budgeting's own words about the client (those are for the client side and the county's staff)."""
    if refused is None or principal.role != "provider":
        return refused
    return {k: v for k, v in refused.items() if k not in ("recorded_reason", "refused_by")}


# --- vendors' verification -----------------------------------------------------------------------------------------

async def verification(app: Application[Ports], query: ReadVerification, principal: Principal,
                       language: str) -> dict[str, Any]:
    """Per criterion of the vendor's kind: met, missing, or not applicable, on what the county has bought from it in
    the last 12 months and what the region last stated of its work (a vendor not yet verified lacks every criterion
    that applies)."""
    loaded = await app.read(PROVIDER, query, principal)
    vendor: Provider = loaded.state
    table = app.deps.vendors
    bought = await app.deps.tables.bought_from(query.provider_id, datetime.now(UTC).date() - YEAR)
    facts = VendorFacts(purchases_12m_cents=bought, on_county_premises=vendor.on_county_premises)
    met = vendor.met if vendor.status != "unverified" else frozenset()
    answers = answer(table.criteria(vendor.vendor_kind), dict.fromkeys(met, True), facts)
    t = catalogue().translator("marketplace", language)
    return {
        "provider_id": str(query.provider_id), "vendor_kind": vendor.vendor_kind, "status": vendor.status,
        "criteria_version": table.version, "language": t.lang,
        "purchases_12m_cents": bought, "on_county_premises": vendor.on_county_premises,
        "criteria": [{"code": a.code, "result": a.result, "title": t(f"criterion.{a.code}"),
                      "condition": a.when.as_dict() if a.when else None,
                      "condition_text": condition_text(t, a.when)} for a in answers],
        "missing": missing(answers),
        "categories": sorted(c for c in table.categories if table.may_deliver(vendor.vendor_kind, c)),
    }


def condition_text(t: Translator, when: Condition | None) -> str | None:
    if when is None:
        return None
    parts = []
    if when.purchases_over_cents is not None:
        parts.append(t("condition.purchases_over", amount=t.money(when.purchases_over_cents)))
    if when.on_county_premises:
        parts.append(t("condition.on_county_premises"))
    return t("condition.joined", first=parts[0], second=parts[1]) if len(parts) == 2 else parts[0]


# --- one-off purchases ---------------------------------------------------------------------------------------------

async def purchase(app: Application[Ports], query: ReadPurchase, principal: Principal, seen: Seen,
                   language: str) -> tuple[int, dict[str, Any]]:
    """The purchase's version (its ETag) and what the reader sees of it: the item in the people's words (opened with
    the client's key), the vendor and its quote, the money, the status, a refusal's reason, its history."""
    loaded = await app.read(PURCHASE, query, principal, seen=lambda p: seen([p.client_id] if p.client_id else []))
    p = loaded.state
    requested = PurchaseRequested.model_validate(loaded.events[0].data)
    [description] = await app.keyring.open(str(p.client_id), requested.description)
    return loaded.version, {
        "purchase_id": str(p.purchase_id), "client_id": str(p.client_id), "vendor_id": str(p.vendor_id),
        "vendor_name": requested.vendor_name, "vendor_kind": requested.vendor_kind, "category": p.category,
        "description": description, "quantity": requested.quantity, "unit_price_cents": requested.unit_price_cents,
        "amount_cents": p.amount_cents, "quote_reference": requested.quote_reference, "link": requested.link,
        "requested_on": requested.requested_on.isoformat(), "status": p.status, "held": p.held,
        "waiting_for_approval": p.approval == "pending", "invoice_cents": p.invoice_cents or None,
        "refusal": _for(principal, await approval_refusal(app, loaded.events, language)
                        or refusal(loaded.events, language)),
        "payment": payment(loaded.events, PURCHASE_PAYMENT, language),
        "version": loaded.version,
        "history": [{"type": e.type.rsplit(".", 1)[1], "time": e.time.isoformat(), "actor_role": e.actor.role}
                    for e in loaded.events],
    }


async def purchases(app: Application[Ports], query: ListPurchases, principal: Principal,
                    seen: Seen) -> list[dict[str, Any]]:
    """As orders are listed: a vendor's users their vendor's, a client their own, a named client's for their worker,
    managers and auditors."""
    tables = app.deps.tables
    own = await app.deps.own_provider(principal)
    client_id = UUID(principal.user_id) if principal.role == "client" else query.client_id
    if principal.role != "provider" and client_id is not None:
        seen([client_id])
    known = await tables.client(client_id) if client_id is not None and principal.role == "worker" else None
    client_id, vendor_id = list_scope(principal, client_id, own, known)
    rows = await tables.list_purchases(client_id=client_id, vendor_id=vendor_id, limit=query.limit,
                                       offset=query.offset)
    if vendor_id is not None:
        seen([r["client_id"] for r in rows])
    return rows


def vendor_kinds(app: Application[Ports], language: str) -> dict[str, Any]:
    """The region's criteria table in words: each kind's criteria with their conditions, and the categories."""
    table = app.deps.vendors
    t = catalogue().translator("marketplace", language)
    return {
        "version": table.version, "language": t.lang,
        "kinds": [{"kind": kind, "title": t(f"vendor_kind.{kind}"),
                   "criteria": [{"code": c.code, "title": t(f"criterion.{c.code}"),
                                 "condition": c.when.as_dict() if c.when else None,
                                 "condition_text": condition_text(t, c.when)} for c in criteria],
                   "categories": sorted(cat for cat in table.categories if table.may_deliver(kind, cat))}
                  for kind, criteria in table.kinds.items()],
        "categories": {category: table.kinds_for(category) for category in sorted(table.categories)},
        "other_categories": sorted(table.default_kinds),
    }
