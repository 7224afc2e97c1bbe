"""Who may do what in the marketplace.

- a provider user registers their organisation and then acts only for their own provider (offerings,
  answering orders, delivery, invoices);
- the region (a manager) verifies and suspends providers;
- a client orders, buys, cancels, confirms receipt and approves invoices for themself; their coordinating
  worker may do the same on the client's behalf; only the client rates;
- the client side shares the delivery details of an order; the order's provider reads them (and the client side);
- only the client's coordinating worker continues an order or a purchase held after its vendor's suspension;
- a manager approves or refuses a purchase above its requester's delegated authority (the delegation table then
  decides whether their own authority covers it, and the purchase that they took no part in it);
- a vendor's verification answer is read by its own users and the county's staff;
- everyone signed in may search; managers and auditors read orders;
- a support person is recorded, corrected and withdrawn by the client or their coordinating worker (on the
  person's word); an agreement is made or ended, and its claims approved, by the coordinating worker alone; a claim
  is filed by the client or that worker; a manager answers an agreement above the worker's delegation;
- payroll's exports (a payee's identity, a period's lines) are the region's staff's (managers);
- the service itself ("system") answers budgeting's replies and its own deadlines, and nobody else may.

The policy decides on ``Seen``: the case as its stream has it and who stands where to it (the facts are read by
handlers.py through the ports, since a client's coordinator and a user's provider live in tables).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

from services.marketplace.application import commands as c
from services.marketplace.application.queries import (
    ExportPayee,
    ListAgreements,
    ListSupport,
    PayrollPeriod,
    ReadAgreement,
    ReadDeliveryDetails,
    ReadOrder,
    ReadPurchase,
    ReadSupportPerson,
    ReadVerification,
)
from services.marketplace.domain.order import KnownClient
from shared.kernel.errors import Forbidden
from shared.kernel.principal import Principal
from shared.kernel.representation import Act

Action = Literal["register", "verify", "offer", "order", "serve", "rate", "read", "vendor", "approve", "coordinate",
                 "deliver", "agree", "payroll"]

# What each command or query asks to do: one line per command.
ACTIONS: dict[type, Action] = {
    c.OpenProvider: "register",
    c.RegisterProvider: "register",
    c.VerifyProvider: "verify",
    c.SuspendProvider: "verify",
    c.PublishOffering: "offer",
    c.ChangePrice: "offer",
    c.WithdrawOffering: "offer",
    c.PlaceOrder: "order",
    c.CancelOrder: "order",
    c.ApproveInvoice: "order",
    c.RateProvider: "rate",
    c.AcceptOrder: "serve",
    c.DeclineOrder: "serve",
    c.RecordDelivery: "serve",
    c.SubmitInvoice: "serve",
    c.ContinueOrder: "coordinate",
    c.ContinuePurchase: "coordinate",
    c.ShareDeliveryDetails: "order",
    ReadDeliveryDetails: "deliver",
    c.RequestPurchase: "order",
    c.CancelPurchase: "order",
    c.ConfirmReceipt: "order",
    c.ApprovePurchaseInvoice: "order",
    c.InvoicePurchase: "serve",
    c.ApprovePurchase: "approve",
    c.RefusePurchase: "approve",
    ReadOrder: "read",
    ReadPurchase: "read",
    ReadVerification: "vendor",
    c.RecordSupportPerson: "order",
    c.CorrectSupportPerson: "order",
    c.RecordPaymentDetails: "agree",  # where the county pays: the coordinating worker's act, never the client's
    c.WithdrawSupportConsent: "order",
    c.FileClaim: "order",
    c.MakeAgreement: "agree",
    c.EndAgreement: "agree",
    c.ApproveClaim: "agree",
    c.ApproveAgreement: "approve",
    c.RefuseAgreement: "approve",
    ReadSupportPerson: "read",
    ReadAgreement: "read",
    ListSupport: "read",
    ListAgreements: "read",
    ExportPayee: "payroll",
    PayrollPeriod: "payroll",
}

# What the service does of itself, on budgeting's answers and its own deadlines: nobody else may.
REACTIONS: frozenset[type] = frozenset({
    c.ConfirmOrder, c.RejectOrder, c.CancelOrderWithBudget, c.SchedulePayment, c.BlockPayment, c.RetryReservation,
    c.ExpireOrder, c.HoldPurchaseFunds, c.RejectPurchase, c.CancelPurchaseWithBudget, c.SchedulePurchasePayment,
    c.BlockPurchasePayment, c.RetryPurchaseReservation, c.ActOnSuspension,
    c.ActOnPurchaseSuspension,
    c.HoldAgreementFunds, c.RejectAgreement,
    c.RetryAgreementReservation,
    c.EndAgreementWithBudget, c.ScheduleClaimPayment,
})
STAFF = ("manager", "worker", "auditor")

READERS = ("manager", "auditor")


@dataclass(frozen=True)
class Seen:
    """A case and who stands where to it, as the policy decides on it."""

    state: Any  # the provider, offering or order as its stream has it
    own_provider: UUID | None = None  # the provider the caller acts for (provider users)
    provider_id: UUID | None = None  # the provider the case belongs to
    provider: Any = None  # that provider's state, when a new offering is published for it
    client_id: UUID | None = None  # the client the case concerns
    client: KnownClient | None = None  # what intake told of them (None: nothing yet)

    @property
    def coordinator_id(self) -> str | None:
        return self.client.coordinator_id if self.client else None


def authorize(principal: Principal, request: Any, seen: Seen) -> None:
    """Raises Forbidden unless ``principal`` may send ``request`` (a command or a query) about the case."""
    reaction, system = type(request) in REACTIONS, principal.role == "system"
    if reaction or system:
        if not (reaction and system):
            raise Forbidden("only the marketplace itself does this, on budgeting's answer or a deadline")
        return
    match ACTIONS[type(request)]:
        case "register":
            if principal.role != "provider":
                raise Forbidden("providers register themselves with a provider account")
        case "verify":
            require_region(principal)
        case "offer" | "serve":
            require_provider_user(principal, seen.own_provider, seen.provider_id)
        case "order":
            assert seen.client_id is not None
            require_client_side(principal, seen.client_id, seen.coordinator_id, "orders")
        case "rate":
            if principal.role != "client" or principal.user_id != str(seen.client_id):
                raise Forbidden("the client rates the providers they used")
        case "read":
            may_read(principal, seen)
        case "coordinate":
            if principal.role != "worker" or seen.coordinator_id is None or principal.user_id != seen.coordinator_id:
                raise Forbidden("only the client's coordinating worker decides whether a held order continues")
        case "deliver":
            if principal.role == "provider":
                require_provider_user(principal, seen.own_provider, seen.provider_id)
            else:
                assert seen.client_id is not None
                require_client_side(principal, seen.client_id, seen.coordinator_id, "read")
        case "approve":
            if principal.role != "manager":
                raise Forbidden("managers answer purchases and agreements waiting for approval")
        case "agree":
            if principal.role != "worker" or seen.coordinator_id != principal.user_id:
                raise Forbidden("the client's coordinating worker makes support agreements and approves claims")
        case "payroll":
            if principal.role != "manager":
                raise Forbidden("the region's staff (managers) hand payments over to payroll")
        case "vendor":
            if principal.role not in STAFF:
                require_provider_user(principal, seen.own_provider, seen.provider_id)


def require_region(principal: Principal) -> None:
    if principal.role != "manager":
        raise Forbidden("the region's staff (managers) verify and suspend providers")


def require_provider_user(principal: Principal, own_provider: UUID | None, provider_id: UUID | None) -> None:
    if principal.role != "provider" or own_provider is None or own_provider != provider_id:
        raise Forbidden("only the provider's own users act for it")


def require_client_side(principal: Principal, client_id: UUID, coordinator_id: str | None, act: Act) -> None:
    """The client themself (a child under 15 through their guardian) or their representative within the mandate,
    or the worker who coordinates their case."""
    if principal.as_client(client_id, act):  # Forbidden, with its reason, for a client or representative who may not
        return
    if principal.role == "worker" and coordinator_id is not None and principal.user_id == coordinator_id:
        return
    raise Forbidden("only the client or their coordinating worker acts on the client's orders and purchases")


def may_list_providers(principal: Principal) -> None:
    """The register of providers and vendors, every status: the county's staff (a provider sees its own)."""
    if principal.role not in (*READERS, "worker"):
        raise Forbidden("the list of providers is for the county's staff")


def may_read(principal: Principal, seen: Seen) -> None:
    if principal.role in READERS:
        return
    if principal.role == "provider":
        require_provider_user(principal, seen.own_provider, seen.provider_id)
        return
    assert seen.client_id is not None
    require_client_side(principal, seen.client_id, seen.coordinator_id, "read")


def list_scope(principal: Principal, client_id: UUID | None, own_provider: UUID | None,
               client: KnownClient | None, provider_id: UUID | None = None) -> tuple[UUID | None, UUID | None]:
    """Whose orders a list shows, as (client, provider): a provider user their provider's, a client their own,
    the coordinating worker a named client's; managers and auditors any named client's or any named provider's."""
    if principal.role == "provider":
        if own_provider is None:
            raise Forbidden("this user acts for no provider")
        return None, own_provider
    if provider_id is not None and client_id is None:
        if principal.role not in READERS:
            raise Forbidden("a provider's orders are listed for managers and auditors")
        return None, provider_id
    if client_id is None:
        raise Forbidden("name the client (client_id)")
    if principal.role == "worker":
        if client is None or client.coordinator_id != principal.user_id:
            raise Forbidden("only the client's coordinating worker sees their orders")
    elif principal.role not in (*READERS, "client"):
        raise Forbidden("not allowed")
    return client_id, None
