"""What the support-person pages need beyond the marketplace's answers: reading a support person, an agreement and a
claim as the worker types them into the bodies the marketplace takes (``POST /support-persons``, its
``PUT .../payment-details``, ``POST /agreements``, ``POST /agreements/{id}/claims``), each mistake named beside its
field before anything is sent; and what an agreement can cost at most, as the check page shows it.

The console decides nothing: the marketplace checks the hetu and the IBAN again, the person's consent and the
agreement's terms, budgeting the money left, and above the worker's delegation the agreement waits for a manager."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from services.console.intake_wizard import HETU_REASONS
from services.console.provider import cents_of
from shared.kernel.identifiers import InvalidIdentifier, validate_hetu, validate_iban

RELATIONSHIPS = ("relative", "friend", "peer_supporter", "volunteer")  # contracts/support_persons.Relationship
FEE_BASES = ("month", "hour")
CLAIM_KINDS = ("fee", "expenses")
NAME_MAX, CONTACT_MAX, TASKS_MAX, RECEIPT_MAX = 200, 200, 2000, 64  # the marketplace's bodies
MAX_FEE_CENTS, MAX_CAP_CENTS, MAX_HOURS, MAX_MONTHS = 1_000_000, 10_000_000, 2000, 12
_EARNINGS_TYPE = re.compile(r"^\d{3,4}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
Errors = list[tuple[str, str]]  # (the field's id, the catalogue key of the mistake)


def _day(typed: str) -> date | None:
    """A date as the browser's date field sends it (ISO), or as a Finn types it (30.11.2026)."""
    typed = typed.strip()
    try:
        if "." in typed:
            d, m, y = typed.split(".")
            return date(int(y), int(m), int(d))
        return date.fromisoformat(typed)
    except ValueError:
        return None


def months_touched(start: date, end: date) -> int:
    """The calendar months a period touches, both ends included (as the marketplace counts them)."""
    return (end.year - start.year) * 12 + end.month - start.month + 1


@dataclass
class PersonForm:
    name: str
    relationship: str
    tasks: str
    contact: str
    consent: bool
    hetu: str
    iban: str
    errors: Errors = field(default_factory=list)

    @classmethod
    def read(cls, name: str, relationship: str, tasks: str, contact: str, consent: str, hetu: str,
             iban: str) -> PersonForm:
        """The person with their own consent; their hetu and IBAN (both or neither: payroll needs both to pay a fee),
        each checked as typed."""
        form = cls(name.strip(), relationship if relationship in RELATIONSHIPS else "", tasks.strip(), contact.strip(),
                   consent == "yes", hetu.strip().upper(), re.sub(r"\s+", " ", iban.strip().upper()))
        if not form.name:
            form.errors.append(("name", "sp.error.name_missing"))
        elif len(form.name) > NAME_MAX:
            form.errors.append(("name", "sp.error.too_long"))
        if not form.relationship:
            form.errors.append(("relationship-0", "sp.error.relationship_missing"))
        if not form.tasks:
            form.errors.append(("tasks", "sp.error.tasks_missing"))
        elif len(form.tasks) > TASKS_MAX:
            form.errors.append(("tasks", "sp.error.too_long"))
        if len(form.contact) > CONTACT_MAX:
            form.errors.append(("contact", "sp.error.too_long"))
        if not form.consent:
            form.errors.append(("consent", "sp.error.consent_missing"))
        if form.hetu or form.iban:
            try:
                form.hetu = validate_hetu(form.hetu)
            except InvalidIdentifier as exc:
                form.errors.append(("hetu", HETU_REASONS.get(str(exc), "sp.error.hetu_invalid")))
            try:
                validate_iban(form.iban)
            except InvalidIdentifier:
                form.errors.append(("iban", "sp.error.iban_invalid"))
        return form

    @property
    def payable(self) -> bool:
        return bool(self.hetu and self.iban)

    def body(self, client_id: str, today: date) -> dict[str, Any]:
        return {"client_id": client_id, "relationship": self.relationship, "tasks": self.tasks, "name": self.name,
                "contact": self.contact or None, "consent_given": self.consent, "consent_on": today.isoformat()}


@dataclass
class AgreementForm:
    """The agreement as typed (kept as typed, so the form and the check page show the worker's own words)."""

    person_id: str = ""
    category: str = ""
    fee_basis: str = ""
    fee: str = ""
    max_hours: str = ""
    expenses_cap: str = ""
    period_start: str = ""
    period_end: str = ""
    earnings_type: str = ""
    errors: Errors = field(default_factory=list)

    def check(self, persons: set[str], categories: list[str]) -> AgreementForm:
        if self.person_id not in persons:
            self.errors.append(("person-0", "sa.error.person_missing"))
        if self.category not in categories:
            self.errors.append(("category", "sa.error.category_missing"))
        if self.fee_basis not in FEE_BASES:
            self.errors.append(("basis-0", "sa.error.basis_missing"))
        fee = cents_of(self.fee)
        if fee is None or not 0 < fee <= MAX_FEE_CENTS:
            self.errors.append(("fee", "sa.error.fee_invalid"))
        if self.fee_basis == "hour" and not (self.max_hours.isdigit() and 0 < int(self.max_hours) <= MAX_HOURS):
            self.errors.append(("max_hours", "sa.error.hours_invalid"))
        cap = cents_of(self.expenses_cap or "0")
        if cap is None or not 0 <= cap <= MAX_CAP_CENTS:
            self.errors.append(("expenses_cap", "sa.error.cap_invalid"))
        start, end = _day(self.period_start), _day(self.period_end)
        if start is None:
            self.errors.append(("period_start", "sa.error.date_invalid"))
        if end is None:
            self.errors.append(("period_end", "sa.error.date_invalid"))
        elif start is not None and (end < start or months_touched(start, end) > MAX_MONTHS):
            self.errors.append(("period_end", "sa.error.period_invalid"))
        if not _EARNINGS_TYPE.match(self.earnings_type.strip()):
            self.errors.append(("earnings_type", "sa.error.earnings_type_invalid"))
        return self

    def typed(self) -> dict[str, str]:
        """The answers as hidden fields of the check page (sent again, unchanged, to make the agreement)."""
        return {k: v for k, v in asdict(self).items() if k != "errors"}

    @property
    def cost_cents(self) -> int:
        """The most the agreement can cost: each month's fee (or the hours × the fee) plus the expenses cap."""
        fee, cap = cents_of(self.fee) or 0, cents_of(self.expenses_cap or "0") or 0
        if self.fee_basis == "hour":
            return fee * int(self.max_hours or 0) + cap
        start, end = _day(self.period_start), _day(self.period_end)
        return fee * (months_touched(start, end) if start and end else 0) + cap

    def body(self, client_id: str) -> dict[str, Any]:
        start, end = _day(self.period_start), _day(self.period_end)
        assert start is not None and end is not None
        return {"client_id": client_id, "person_id": self.person_id, "category": self.category,
                "fee_basis": self.fee_basis, "fee_cents": cents_of(self.fee),
                "max_hours": int(self.max_hours) if self.fee_basis == "hour" else None,
                "expenses_cap_cents": cents_of(self.expenses_cap or "0"), "period_start": start.isoformat(),
                "period_end": end.isoformat(), "earnings_type": self.earnings_type.strip()}


# The marketplace takes a receipt's reference as a code only (it goes on the log in clear, so never a name); said
# here as typed, in the person's words, before anything is sent.
RECEIPT_CODE = re.compile(r"^[A-Za-z0-9./#:_-]*[0-9][A-Za-z0-9./#:_-]*$")


@dataclass
class ClaimForm:
    kind: str = ""
    month: str = ""
    hours: str = ""
    amount: str = ""
    receipt: str = ""
    errors: Errors = field(default_factory=list)

    def check(self, fee_basis: str) -> ClaimForm:
        """A month's fee (its hours, per hour) or expenses against a receipt, for a month as the month field sends
        it (2026-11)."""
        if self.kind not in CLAIM_KINDS:
            self.errors.append(("kind-0", "claim.error.kind_missing"))
        match = _MONTH.match(self.month.strip())
        if match is None or not 1 <= int(match[2]) <= 12:
            self.errors.append(("month", "claim.error.month_invalid"))
        if self.kind == "fee" and fee_basis == "hour" and not (self.hours.isdigit() and 0 < int(self.hours) <= 744):
            self.errors.append(("hours", "claim.error.hours_invalid"))
        if self.kind == "expenses":
            amount = cents_of(self.amount)
            if amount is None or not 0 < amount <= MAX_CAP_CENTS:
                self.errors.append(("amount", "claim.error.amount_invalid"))
            if not self.receipt.strip():
                self.errors.append(("receipt", "claim.error.receipt_missing"))
            elif len(self.receipt.strip()) > RECEIPT_MAX:
                self.errors.append(("receipt", "sp.error.too_long"))
            elif not RECEIPT_CODE.match(self.receipt.strip()):
                self.errors.append(("receipt", "claim.error.receipt_code"))
        return self

    def body(self, fee_basis: str) -> dict[str, Any]:
        body: dict[str, Any] = {"kind": self.kind, "month": f"{self.month.strip()}-01"}
        if self.kind == "fee" and fee_basis == "hour":
            body["hours"] = int(self.hours)
        if self.kind == "expenses":
            body |= {"amount_cents": cents_of(self.amount), "receipt_reference": self.receipt.strip()}
        return body
