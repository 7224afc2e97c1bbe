"""What the county's payroll gets from the marketplace: one period's lines as CSV, and a payee's identity.

The period export (RFC 4180 CSV, UTF-8, comma-separated, a header row, dot as the decimal separator; layout in
docs/decisions/0028-support-persons-and-payroll.md) carries exactly the claims scheduled for payment in the
period, one row each, in a stable order:

  pay_period, payee_reference, claim_reference, earnings_type, work_month, gross_fee_eur, expenses_eur, pay_on

A fee claim fills gross_fee_eur and names the Incomes Register earnings type the agreement states; an expenses
claim (reimbursed against its receipt) fills expenses_eur and leaves the earnings type to payroll. The payee is
named only by reference (the support person's id): payroll holds their hetu, name and IBAN from the payee
registration, which travels encrypted to payroll's key. Withholding and Incomes Register reporting are payroll's.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

COLUMNS = ("pay_period", "payee_reference", "claim_reference", "earnings_type", "work_month", "gross_fee_eur",
           "expenses_eur", "pay_on")


def euros(cents: int) -> str:
    """Cents as euros with two decimals and a dot: 45000 → "450.00"."""
    return f"{cents // 100}.{cents % 100:02d}"


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def row(line: Mapping[str, Any]) -> tuple[str, ...]:
    fee = line["kind"] == "fee"
    return (period_of(line["pay_on"]), str(line["person_id"]), str(line["claim_id"]),
            line["earnings_type"] if fee else "", period_of(line["work_month"]),
            euros(line["amount_cents"] if fee else 0), euros(0 if fee else line["amount_cents"]),
            line["pay_on"].isoformat())


def period_csv(lines: Iterable[Mapping[str, Any]]) -> str:
    """The period's lines (as payroll_lines holds them) in the documented layout, each claim once."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    seen: set[Any] = set()
    for line in lines:
        if line["claim_id"] in seen:
            continue  # a claim is paid once, whatever reached the table twice
        seen.add(line["claim_id"])
        writer.writerow(row(line))
    return out.getvalue()
