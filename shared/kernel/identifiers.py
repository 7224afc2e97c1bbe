"""Validation of Finnish personal and business identifiers.

Pure functions only: no I/O, no clock, no third-party dependencies.

Henkilötunnus (hetu, personal identity code)
--------------------------------------------
Format ``DDMMYYCNNNX`` (11 characters):

* ``DDMMYY`` -- date of birth; together with the century sign it must be a
  real calendar date (leap years included: 29 Feb 2000 exists, 29 Feb 1900
  does not).
* ``C`` -- century sign: ``+`` for the 1800s; ``-``, ``Y``, ``X``, ``W``,
  ``V``, ``U`` for the 1900s; ``A``, ``B``, ``C``, ``D``, ``E``, ``F`` for the
  2000s (the extra signs were introduced in 2023).  The sign is *part of the
  identity*: ``100190-999P`` and ``100190Y999P`` are two different, valid
  people, so the sign is never normalised.
* ``NNN`` -- individual number: 002-899 ordinary, 900-999 temporary
  identifiers; 000 and 001 are never issued.
* ``X`` -- check character: ``int(DDMMYYNNN) % 31`` used as an index into
  ``0123456789ABCDEFHJKLMNPRSTUVWXY`` (G, I, O, Q and Z are never used).

Surrounding whitespace is stripped; otherwise the value must match exactly
(letters must be uppercase, digits must be ASCII).  A birth date in the future
is *not* rejected -- that would need a clock, and this module is pure.

Y-tunnus (business ID)
----------------------
Format ``NNNNNNN-T``: seven digits, a hyphen and a check digit.  With weights
7, 9, 10, 5, 8, 4, 2 over the seven digits, ``r = sum % 11``; ``r == 0``
gives check digit 0, ``r == 1`` is never issued (no valid check digit
exists), otherwise the check digit is ``11 - r``.

Errors
------
Every failure raises :class:`InvalidIdentifier` (a ``ValueError``).  The
identifiers are personal data, so error messages state only *why* a value was
rejected and never echo the value, or any part of it, back.
"""

from __future__ import annotations

import calendar
import datetime
from typing import Final, NamedTuple

__all__ = [
    "CENTURY_SIGNS",
    "HETU_CHECK_CHARS",
    "InvalidIdentifier",
    "hetu_birth_date",
    "is_temporary_hetu",
    "make_hetu",
    "validate_hetu",
    "validate_y_tunnus",
]

HETU_CHECK_CHARS: Final = "0123456789ABCDEFHJKLMNPRSTUVWXY"
"""Check-character alphabet of the henkilötunnus (31 characters)."""

CENTURY_SIGNS: Final[dict[str, int]] = {
    "+": 1800,
    "-": 1900,
    "Y": 1900,
    "X": 1900,
    "W": 1900,
    "V": 1900,
    "U": 1900,
    "A": 2000,
    "B": 2000,
    "C": 2000,
    "D": 2000,
    "E": 2000,
    "F": 2000,
}
"""Century sign -> first year of the century it denotes."""

_DEFAULT_SIGN: Final[dict[int, str]] = {1800: "+", 1900: "-", 2000: "A"}

_Y_TUNNUS_WEIGHTS: Final = (7, 9, 10, 5, 8, 4, 2)

_ASCII_DIGITS: Final = frozenset("0123456789")

_HETU_LENGTH: Final = 11
_Y_TUNNUS_LENGTH: Final = 9


class InvalidIdentifier(ValueError):
    """An identifier failed validation.

    The message (also available as :attr:`reason`) explains why, and never
    contains the rejected value itself.
    """

    reason: str

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Hetu(NamedTuple):
    birth_date: datetime.date
    individual: int
    sign: str


def _is_ascii_digits(text: str) -> bool:
    # str.isdigit() also accepts e.g. Arabic-Indic or fullwidth digits.
    return bool(text) and all(ch in _ASCII_DIGITS for ch in text)


def _hetu_check_char(ddmmyy: str, individual: str) -> str:
    return HETU_CHECK_CHARS[int(ddmmyy + individual) % 31]


def _parse_hetu(value: str) -> _Hetu:
    if not isinstance(value, str):
        raise InvalidIdentifier("hetu: value must be a string")
    hetu = value.strip()
    if len(hetu) != _HETU_LENGTH:
        raise InvalidIdentifier("hetu: must be exactly 11 characters long")

    ddmmyy, sign, individual, check = hetu[0:6], hetu[6], hetu[7:10], hetu[10]

    if not _is_ascii_digits(ddmmyy):
        raise InvalidIdentifier("hetu: date part must consist of six digits")
    if sign not in CENTURY_SIGNS:
        if sign.upper() in CENTURY_SIGNS:
            raise InvalidIdentifier("hetu: century sign must be uppercase")
        raise InvalidIdentifier("hetu: unknown century sign")
    if not _is_ascii_digits(individual):
        raise InvalidIdentifier("hetu: individual number must consist of three digits")
    if check not in HETU_CHECK_CHARS:
        if check.upper() in HETU_CHECK_CHARS:
            raise InvalidIdentifier("hetu: check character must be uppercase")
        raise InvalidIdentifier("hetu: check character is not a valid check character")

    day, month = int(ddmmyy[0:2]), int(ddmmyy[2:4])
    year = CENTURY_SIGNS[sign] + int(ddmmyy[4:6])
    # Checked explicitly rather than via try/except around datetime.date so
    # that no chained exception can ever carry parts of the value.
    if not 1 <= month <= 12 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise InvalidIdentifier("hetu: impossible date")

    number = int(individual)
    if number < 2:
        raise InvalidIdentifier("hetu: individual number is reserved and never issued")

    if check != _hetu_check_char(ddmmyy, individual):
        raise InvalidIdentifier("hetu: check character does not match")

    return _Hetu(datetime.date(year, month, day), number, sign)


def validate_hetu(value: str) -> str:
    """Validate a henkilötunnus and return it with surrounding whitespace stripped.

    The century sign is returned exactly as given (never normalised).

    :raises InvalidIdentifier: if the value is not a valid henkilötunnus.
    """
    _parse_hetu(value)
    return value.strip()


def hetu_birth_date(value: str) -> datetime.date:
    """Return the date of birth encoded in a valid henkilötunnus.

    :raises InvalidIdentifier: if the value is not a valid henkilötunnus.
    """
    return _parse_hetu(value).birth_date


def is_temporary_hetu(value: str) -> bool:
    """Return whether a valid henkilötunnus is a temporary one (individual number 900-999).

    :raises InvalidIdentifier: if the value is not a valid henkilötunnus.
    """
    return _parse_hetu(value).individual >= 900


def make_hetu(birth: datetime.date, individual: int, sign: str | None = None) -> str:
    """Build a valid henkilötunnus -- intended for tests and demo data.

    ``individual`` must be in 2..999 (900-999 gives a temporary identifier).
    Without ``sign`` the traditional sign for the century is used (``+`` for
    the 1800s, ``-`` for the 1900s, ``A`` for the 2000s); a given ``sign`` must
    denote the century of ``birth``.

    :raises InvalidIdentifier: if the arguments cannot form a valid henkilötunnus.
    """
    century = birth.year - birth.year % 100
    if century not in _DEFAULT_SIGN:
        raise InvalidIdentifier("hetu: birth year must be between 1800 and 2099")
    if isinstance(individual, bool) or not isinstance(individual, int):
        raise InvalidIdentifier("hetu: individual number must be an integer")
    if not 2 <= individual <= 999:
        raise InvalidIdentifier("hetu: individual number must be between 002 and 999")
    if sign is None:
        sign = _DEFAULT_SIGN[century]
    elif sign not in CENTURY_SIGNS:
        raise InvalidIdentifier("hetu: unknown century sign")
    elif CENTURY_SIGNS[sign] != century:
        raise InvalidIdentifier("hetu: century sign does not match the birth year")

    ddmmyy = f"{birth.day:02d}{birth.month:02d}{birth.year % 100:02d}"
    number = f"{individual:03d}"
    return f"{ddmmyy}{sign}{number}{_hetu_check_char(ddmmyy, number)}"


def validate_y_tunnus(value: str) -> str:
    """Validate a Y-tunnus (business ID) and return it with surrounding whitespace stripped.

    :raises InvalidIdentifier: if the value is not a valid Y-tunnus.
    """
    if not isinstance(value, str):
        raise InvalidIdentifier("Y-tunnus: value must be a string")
    y_tunnus = value.strip()
    if len(y_tunnus) != _Y_TUNNUS_LENGTH:
        raise InvalidIdentifier("Y-tunnus: must be exactly 9 characters long (NNNNNNN-T)")
    body, hyphen, check = y_tunnus[:7], y_tunnus[7], y_tunnus[8]
    if not _is_ascii_digits(body):
        raise InvalidIdentifier("Y-tunnus: first seven characters must be digits")
    if hyphen != "-":
        raise InvalidIdentifier("Y-tunnus: eighth character must be a hyphen")
    if not _is_ascii_digits(check):
        raise InvalidIdentifier("Y-tunnus: check digit must be a digit")

    remainder = sum(int(d) * w for d, w in zip(body, _Y_TUNNUS_WEIGHTS, strict=True)) % 11
    if remainder == 1:
        raise InvalidIdentifier("Y-tunnus: number has no valid check digit and is never issued")
    expected = 0 if remainder == 0 else 11 - remainder
    if int(check) != expected:
        raise InvalidIdentifier("Y-tunnus: check digit does not match")
    return y_tunnus


# --- payment references (an invoice's viitenumero or RF creditor reference) ----------------------------------

_REFERENCE_WEIGHTS = (7, 3, 1)


def validate_payment_reference(value: str) -> str:
    """A Finnish reference number (4–20 digits, check digit by weights 7-3-1 from the right) or an
    international RF creditor reference (ISO 11649: mod 97 == 1). Spaces are allowed and dropped."""
    if not isinstance(value, str):
        raise InvalidIdentifier("reference: must be text")
    compact = value.replace(" ", "").upper()
    if compact.startswith("RF"):
        body = compact[4:] + compact[:4]
        if not 5 <= len(compact) <= 25 or not compact[2:4].isdigit() or not body.isalnum() or not body.isascii():
            raise InvalidIdentifier("reference: an RF reference is RF, two check digits and up to 21 letters or digits")
        if int("".join(str(int(ch, 36)) for ch in body)) % 97 != 1:
            raise InvalidIdentifier("reference: RF check digits do not match")
        return compact
    if not 4 <= len(compact) <= 20 or not all(ch in "0123456789" for ch in compact):
        raise InvalidIdentifier("reference: a reference number is 4 to 20 digits")
    digits = [int(ch) for ch in compact[:-1]]
    total = sum(d * _REFERENCE_WEIGHTS[i % 3] for i, d in enumerate(reversed(digits)))
    if (10 - total % 10) % 10 != int(compact[-1]):
        raise InvalidIdentifier("reference: check digit does not match")
    return compact


# --- bank accounts (IBAN, ISO 13616) ---------------------------------------------------------------------------


def validate_iban(value: str) -> str:
    """An IBAN: country code, two check digits and up to 30 letters or digits; mod 97 of the rearranged number is
    1. A Finnish one is 18 characters. Spaces are allowed and dropped; returned compact and upper-case."""
    if not isinstance(value, str):
        raise InvalidIdentifier("IBAN: must be text")
    compact = value.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34 or not compact.isascii() or not compact.isalnum() \
            or not compact[:2].isalpha() or not compact[2:4].isdigit():
        raise InvalidIdentifier("IBAN: a country code, two check digits and the account number")
    if compact.startswith("FI") and len(compact) != 18:
        raise InvalidIdentifier("IBAN: a Finnish IBAN is 18 characters")
    if int("".join(str(int(ch, 36)) for ch in compact[4:] + compact[:4])) % 97 != 1:
        raise InvalidIdentifier("IBAN: check digits do not match")
    return compact
