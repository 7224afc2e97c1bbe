"""What callers ask of the marketplace, one command each: providers and the region over HTTP (and the console),
the service itself when budgeting answers an order or a deadline passes. Each carries what the caller knows;
texts are in clear until the handler seals them. Handlers: handlers.py; who may send which: policy.py.

A command that starts a stream carries its new id (minted when the command is made, so the caller can name it in
its answer and a retry of the same command lands on the same stream)."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from pydantic import Field

from contracts.marketplace import SOCIAL_CARE, Language, ProviderKind
from shared.kernel.commands import Command


class ProviderCommand(Command):
    provider_id: UUID  # the stream is provider-<provider_id>


class OfferingCommand(Command):
    offering_id: UUID  # the stream is offering-<offering_id>


class OrderCommand(Command):
    order_id: UUID  # the stream is order-<order_id>


class PurchaseCommand(Command):
    purchase_id: UUID  # the stream is purchase-<purchase_id>


# --- providers -----------------------------------------------------------------------------------------------

class RegisterProvider(Command):
    """A provider user registers their organisation and becomes its user (one provider per Y-tunnus)."""

    provider_id: UUID = Field(default_factory=uuid4)
    y_tunnus: str
    name: str
    kind: ProviderKind
    service_areas: list[str]
    languages: list[Language]
    accessibility: str
    evening_availability: bool = False
    weekend_availability: bool = False
    contact_email: str
    contact_phone: str | None = None
    vendor_kind: str = SOCIAL_CARE  # what it sells: a kind in the region's criteria table


class OpenProvider(RegisterProvider):
    """The registration's one command, once its Y-tunnus is claimed (sent by the registration workflow)."""


class VerifyProvider(ProviderCommand):
    checklist: dict[str, bool]
    notes: str = ""
    on_county_premises: bool = False  # the region states whether the vendor's people work on its premises


class SuspendProvider(ProviderCommand):
    reason: str


# --- offerings -----------------------------------------------------------------------------------------------

class PublishOffering(Command):
    offering_id: UUID = Field(default_factory=uuid4)
    provider_id: UUID
    category: str
    title: str
    description: str
    unit_price_cents: int
    vat_rate_bp: int
    unit: str
    availability: str = ""


class ChangePrice(OfferingCommand):
    unit_price_cents: int


class WithdrawOffering(OfferingCommand):
    reason: str


# --- orders: the client's side and the provider's side -------------------------------------------------------

class PlaceOrder(Command):
    order_id: UUID = Field(default_factory=uuid4)
    client_id: UUID
    offering_id: UUID
    quantity: int = 1


class CancelOrder(OrderCommand):
    """The client or their worker cancels before delivery."""


class ApproveInvoice(OrderCommand):
    pass


class RateProvider(OrderCommand):
    stars: int
    comment: str | None = None


class AcceptOrder(OrderCommand):
    pass


class DeclineOrder(OrderCommand):
    reason: str


class RecordDelivery(OrderCommand):
    delivered_on: date


class SubmitInvoice(OrderCommand):
    amount_cents: int
    vat_cents: int
    reference: str


class ContinueOrder(OrderCommand):
    """The coordinating worker continues an order held after its provider's suspension (or cancels it instead)."""


class ShareDeliveryDetails(OrderCommand):
    """What the client agrees to share with the provider to have the order delivered: each part only if given."""

    address: str | None = Field(None, min_length=1, max_length=500)
    contact: str | None = Field(None, min_length=1, max_length=200)
    instructions: str | None = Field(None, min_length=1, max_length=2000)


# --- the saga: budgeting's answers (reactions.py) and the deadlines (timers) ------------------------------------

class ConfirmOrder(OrderCommand):
    pass


class RejectOrder(OrderCommand):
    reason_code: str
    reason: str


class CancelOrderWithBudget(OrderCommand):
    """The budget closed and released the order's funds."""


class SchedulePayment(OrderCommand):
    invoice_id: UUID


class BlockPayment(OrderCommand):
    invoice_id: UUID
    reason: str
    reason_code: str | None = None


class RetryReservation(OrderCommand):
    """Budgeting did not answer in time: ask again."""


class ExpireOrder(OrderCommand):
    """The provider did not answer in time: the order is cancelled and its funds released."""


class ActOnSuspension(OrderCommand):
    """The order's provider was suspended: cancelled if not yet accepted, held for the coordinator if accepted."""


# --- one-off purchases -----------------------------------------------------------------------------------------

class RequestPurchase(Command):
    """An item from a vendor on its quote: what, how many, the price of one with VAT, the quote's reference."""

    purchase_id: UUID = Field(default_factory=uuid4)
    client_id: UUID
    vendor_id: UUID
    category: str
    description: str
    quantity: int = 1
    unit_price_cents: int
    quote_reference: str
    link: str | None = None


class CancelPurchase(PurchaseCommand):
    """The client or their worker cancels before the item arrives."""


class ConfirmReceipt(PurchaseCommand):
    """The client or their worker confirms the item (or tickets) arrived."""

    received_on: date


class ContinuePurchase(PurchaseCommand):
    """The coordinating worker continues a purchase held after its vendor's suspension (or cancels it instead)."""


class ActOnPurchaseSuspension(PurchaseCommand):
    """The purchase's vendor was suspended: cancelled if not yet confirmed, held for the coordinator if confirmed."""


class InvoicePurchase(PurchaseCommand):
    amount_cents: int
    vat_cents: int
    reference: str


class ApprovePurchaseInvoice(PurchaseCommand):
    pass


class ApprovePurchase(PurchaseCommand):
    """A manager approves a purchase above its requester's delegated authority, within their own."""

    reason: str | None = None


class RefusePurchase(PurchaseCommand):
    """A manager refuses it, with the reasoning shown to the worker and the client."""

    reason: str


# from budgeting's answers and the deadline (reactions.py, handlers.TIMERS)

class HoldPurchaseFunds(PurchaseCommand):
    pass


class RejectPurchase(PurchaseCommand):
    reason_code: str
    reason: str


class CancelPurchaseWithBudget(PurchaseCommand):
    """The budget closed and released the purchase's funds."""


class SchedulePurchasePayment(PurchaseCommand):
    invoice_id: UUID


class BlockPurchasePayment(PurchaseCommand):
    invoice_id: UUID
    reason: str
    reason_code: str | None = None


class RetryPurchaseReservation(PurchaseCommand):
    """Budgeting did not answer in time: ask again."""


# --- support persons and their agreements (application/support.py) -----------------------------------------------

class SupportPersonCommand(Command):
    person_id: UUID  # the stream is support-person-<person_id>


class AgreementCommand(Command):
    agreement_id: UUID  # the stream is agreement-<agreement_id>


class RecordSupportPerson(Command):
    """A person in the client's network, with their own consent to being recorded: their name and contact in clear
    here, sealed by the handler with keys of their own."""

    person_id: UUID = Field(default_factory=uuid4)
    client_id: UUID
    relationship: str
    tasks: str
    name: str
    contact: str | None = None
    consent_given: bool
    consent_on: date


class CorrectSupportPerson(SupportPersonCommand):
    name: str | None = None
    contact: str | None = None


class RecordPaymentDetails(SupportPersonCommand):
    hetu: str
    iban: str


class WithdrawSupportConsent(SupportPersonCommand):
    pass


class MakeAgreement(Command):
    agreement_id: UUID = Field(default_factory=uuid4)
    client_id: UUID
    person_id: UUID
    category: str
    fee_basis: str
    fee_cents: int
    max_hours: int | None = None
    expenses_cap_cents: int = 0
    period_start: date
    period_end: date
    earnings_type: str


class ApproveAgreement(AgreementCommand):
    reason: str | None = None


class RefuseAgreement(AgreementCommand):
    reason: str


class EndAgreement(AgreementCommand):
    pass


class FileClaim(AgreementCommand):
    claim_id: UUID = Field(default_factory=uuid4)
    kind: str
    month: date
    hours: int | None = None
    amount_cents: int | None = None
    receipt_reference: str | None = None


class ApproveClaim(AgreementCommand):
    claim_id: UUID


# from budgeting's answers (reactions.py)

class HoldAgreementFunds(AgreementCommand):
    pass


class RetryAgreementReservation(AgreementCommand):
    """Budgeting did not answer in time: ask again."""


class RejectAgreement(AgreementCommand):
    reason_code: str
    reason: str


class EndAgreementWithBudget(AgreementCommand):
    pass


class ScheduleClaimPayment(AgreementCommand):
    claim_id: UUID
