"""Support persons (lähituki) and their agreements (toimeksiantosopimus), version 1: published by the marketplace
on its topic ``avain.marketplace.events.v1``, keyed by the client id (the plan they support), listed in
contracts/marketplace.py's EVENTS. docs/decisions/0028-support-persons-and-payroll.md says why they live there.

Keys: a support person's own data (name, contact; for a paid one the hetu and the IBAN) is sealed with a key of
their own, named by ``person_key`` ("support-person-<id>"), never the client's: erasing the client leaves the
county's payment records readable. Their contact details have a second key ("support-person-<id>-contact"),
destroyed when they withdraw consent to being recorded; the identity payment law needs stays. What the person does
for the family is plan content about the client and is sealed with the client's key.

An agreement follows a purchase's path with budgeting (``matter`` "agreement"): SupportAgreementMade (the period's
fees at most + the expenses cap, reserved at once) → (budgeting: FundsReserved | FundsReservationRejected) →
AgreementFundsReserved and AgreementActivated | AgreementRejected (no answer in time:
AgreementReservationRetryRequested, as a purchase asks again). Above the worker's delegated authority (kind
``support_agreement``) it records the approval family's ApprovalRequested and waits for a manager. Each claim:
SupportClaimFiled → SupportClaimApproved (the worker) → (budgeting: SpendingRecorded, invoice_id = the claim) →
SupportClaimPaymentScheduled: paid by the county's payroll, which reports the fee to the Incomes Register.
"""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from shared.kernel.events import DomainEvent, EventRegistry
from shared.kernel.sealed import Sealed

Relationship = Literal["relative", "friend", "peer_supporter", "volunteer"]
FeeBasis = Literal["month", "hour"]
ClaimKind = Literal["fee", "expenses"]
EARNINGS_TYPE = ("The Incomes Register earnings type (tulolaji) payroll reports the fee under, as the county's "
                 "payroll names it for commissioning-agreement fees")
SEALED_OWN = "sealed with the support person's own key"


def person_key(person_id: UUID) -> str:
    """The key of a support person's identity: kept while payment and bookkeeping records need it."""
    return f"support-person-{person_id}"


def contact_key(person_id: UUID) -> str:
    """The key of a support person's contact details: destroyed when they withdraw consent."""
    return f"support-person-{person_id}-contact"


class SupportPersonRecorded(DomainEvent):
    """A person in the client's network is recorded in the plan, with their own consent to being recorded."""

    event_type = "fi.avain.marketplace.SupportPersonRecorded"

    client_id: UUID
    person_id: UUID
    relationship: Relationship
    tasks: Sealed = Field(description="What they do for the family, sealed with the client's key")
    name: Sealed = Field(description=f"Their name, {SEALED_OWN}")
    contact: Sealed | None = Field(None, description="Phone or e-mail, sealed with their contact key")
    consent_on: date = Field(description="The day they consented to being recorded")
    recorded_by: str


class SupportPersonCorrected(DomainEvent):
    """The person (or the worker on their word) corrects their data: the old entry stays readable (art. 16)."""

    event_type = "fi.avain.marketplace.SupportPersonCorrected"

    client_id: UUID
    person_id: UUID
    name: Sealed | None = None
    contact: Sealed | None = None
    corrected_by: str


class SupportPersonPaymentDetailsRecorded(DomainEvent):
    """A paid support person's hetu and IBAN, which payroll needs to pay and report the fee."""

    event_type = "fi.avain.marketplace.SupportPersonPaymentDetailsRecorded"

    client_id: UUID
    person_id: UUID
    hetu: Sealed = Field(description=f"The personal identity code, {SEALED_OWN}")
    iban: Sealed = Field(description=f"The account the fee is paid to, {SEALED_OWN}")
    recorded_by: str


class SupportPersonConsentWithdrawn(DomainEvent):
    """Hidden from the plan from now on; their contact key is destroyed, the identity payment law needs stays."""

    event_type = "fi.avain.marketplace.SupportPersonConsentWithdrawn"

    client_id: UUID
    person_id: UUID
    withdrawn_on: date


class SupportAgreementMade(DomainEvent):
    """A commissioning agreement with a support person for a period, from the client's budget: the most it can
    cost (fees + the expenses cap) is reserved at once."""

    event_type = "fi.avain.marketplace.SupportAgreementMade"

    client_id: UUID
    agreement_id: UUID
    person_id: UUID
    category: str = Field(min_length=1, max_length=64)
    fee_basis: FeeBasis
    fee_cents: int = Field(gt=0, description="Per month or per hour, gross")
    max_hours: int | None = Field(None, gt=0, description="Per hour: the most hours the period pays")
    expenses_cap_cents: int = Field(ge=0)
    period_start: date
    period_end: date
    amount_cents: int = Field(gt=0, description="The most the agreement can cost: reserved from the budget")
    earnings_type: str = Field(pattern=r"^\d{3,4}$", description=EARNINGS_TYPE)
    made_on: date
    made_by: str
    needs_approval: bool = False


class AgreementReservationRetryRequested(DomainEvent):
    """Budgeting did not answer in time: ask again (budgeting answers each agreement once)."""

    event_type = "fi.avain.marketplace.AgreementReservationRetryRequested"

    client_id: UUID
    agreement_id: UUID
    amount_cents: int = Field(gt=0)
    category: str
    attempt: int = Field(ge=2)
    made_on: date = Field(description="The day the agreement was made, not the day of the retry")


class AgreementFundsReserved(DomainEvent):
    event_type = "fi.avain.marketplace.AgreementFundsReserved"

    client_id: UUID
    agreement_id: UUID
    amount_cents: int


class AgreementActivated(DomainEvent):
    """Funds held (and approved, when it needed approval): claims may be filed."""

    event_type = "fi.avain.marketplace.AgreementActivated"

    client_id: UUID
    agreement_id: UUID
    person_id: UUID


class AgreementRejected(DomainEvent):
    """Budgeting refused the reservation."""

    event_type = "fi.avain.marketplace.AgreementRejected"

    client_id: UUID
    agreement_id: UUID
    reason_code: str
    reason: str


class AgreementEnded(DomainEvent):
    """Refused by the approver, or ended by the worker: budgeting releases what is left reserved."""

    event_type = "fi.avain.marketplace.AgreementEnded"

    client_id: UUID
    agreement_id: UUID
    reason: Literal["approval_refused", "ended_by_worker", "budget_closed"]


class SupportClaimFiled(DomainEvent):
    """A month's hours (or the month's fee), or expenses against a receipt."""

    event_type = "fi.avain.marketplace.SupportClaimFiled"

    client_id: UUID
    agreement_id: UUID
    claim_id: UUID
    kind: ClaimKind
    month: date = Field(description="The first day of the month the claim is for")
    hours: int | None = Field(None, gt=0, description="Hours claimed (fee per hour)")
    amount_cents: int = Field(gt=0)
    receipt_reference: str | None = Field(None, max_length=64, description="Expenses: the receipt's reference")
    filed_by: str


class SupportClaimApproved(DomainEvent):
    """The worker approves the claim: budgeting records it as spending."""

    event_type = "fi.avain.marketplace.SupportClaimApproved"

    client_id: UUID
    agreement_id: UUID
    claim_id: UUID
    amount_cents: int
    approved_by: str


class SupportClaimPaymentScheduled(DomainEvent):
    """Spending recorded: payroll pays it (its period export carries it, once)."""

    event_type = "fi.avain.marketplace.SupportClaimPaymentScheduled"

    client_id: UUID
    agreement_id: UUID
    claim_id: UUID
    person_id: UUID
    kind: ClaimKind
    month: date
    amount_cents: int
    earnings_type: str
    pay_on: date


PERSON_EVENTS: list[type[DomainEvent]] = [
    SupportPersonRecorded, SupportPersonCorrected, SupportPersonPaymentDetailsRecorded, SupportPersonConsentWithdrawn,
]
AGREEMENT_EVENTS: list[type[DomainEvent]] = [
    SupportAgreementMade, AgreementReservationRetryRequested, AgreementFundsReserved, AgreementActivated,
    AgreementRejected, AgreementEnded, SupportClaimFiled, SupportClaimApproved, SupportClaimPaymentScheduled,
]

# Consumers read these events through their defining module's registry (shared/infra/reactions.py); they are
# version 1 with no upcasters, so it reads them exactly as contracts/marketplace.py's does.
registry = EventRegistry([*PERSON_EVENTS, *AGREEMENT_EVENTS])
