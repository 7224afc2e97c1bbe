"""Tests for shared.kernel.identifiers (henkilötunnus and Y-tunnus validation)."""

from __future__ import annotations

import datetime
import pickle

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from shared.kernel.identifiers import (
    CENTURY_SIGNS,
    HETU_CHECK_CHARS,
    InvalidIdentifier,
    hetu_birth_date,
    is_temporary_hetu,
    make_hetu,
    validate_hetu,
    validate_y_tunnus,
)

SIGNS_BY_CENTURY: dict[int, list[str]] = {
    1800: ["+"],
    1900: ["-", "Y", "X", "W", "V", "U"],
    2000: ["A", "B", "C", "D", "E", "F"],
}
ALL_SIGNS = [s for signs in SIGNS_BY_CENTURY.values() for s in signs]


def _reject_hetu(value: str) -> InvalidIdentifier:
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_hetu(value)
    return excinfo.value


def _reject_y_tunnus(value: str) -> InvalidIdentifier:
    with pytest.raises(InvalidIdentifier) as excinfo:
        validate_y_tunnus(value)
    return excinfo.value


def _y_check_digit(body: str) -> int | None:
    r = sum(int(d) * w for d, w in zip(body, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    if r == 1:
        return None
    return 0 if r == 0 else 11 - r


# --------------------------------------------------------------------------
# Henkilötunnus: known-valid literals (check characters computed by hand)
# --------------------------------------------------------------------------

# 131052308 % 31 == 25 -> "T"; 100190999 % 31 == 22 -> "P";
# 010101123 % 31 == 21 -> "N"; 290200002 % 31 == 12 -> "C".
KNOWN_VALID_HETUS: list[tuple[str, datetime.date, bool]] = [
    ("131052-308T", datetime.date(1952, 10, 13), False),
    ("100190-999P", datetime.date(1990, 1, 10), True),
    ("100190Y999P", datetime.date(1990, 1, 10), True),
    ("010101-123N", datetime.date(1901, 1, 1), False),
    ("010101+123N", datetime.date(1801, 1, 1), False),
    ("010101A123N", datetime.date(2001, 1, 1), False),
    ("290200A002C", datetime.date(2000, 2, 29), False),
]


def test_constants_match_specification() -> None:
    assert HETU_CHECK_CHARS == "0123456789ABCDEFHJKLMNPRSTUVWXY"
    assert len(HETU_CHECK_CHARS) == 31
    assert {s: CENTURY_SIGNS[s] for s in ALL_SIGNS} == CENTURY_SIGNS
    for century, signs in SIGNS_BY_CENTURY.items():
        for sign in signs:
            assert CENTURY_SIGNS[sign] == century


@pytest.mark.parametrize(("hetu", "birth", "temporary"), KNOWN_VALID_HETUS)
def test_known_valid_hetus(hetu: str, birth: datetime.date, temporary: bool) -> None:
    assert validate_hetu(hetu) == hetu
    assert hetu_birth_date(hetu) == birth
    assert is_temporary_hetu(hetu) is temporary


def test_make_hetu_reproduces_known_examples() -> None:
    assert make_hetu(datetime.date(1952, 10, 13), 308) == "131052-308T"
    assert make_hetu(datetime.date(1990, 1, 10), 999) == "100190-999P"
    assert make_hetu(datetime.date(1990, 1, 10), 999, "Y") == "100190Y999P"
    assert make_hetu(datetime.date(1801, 1, 1), 123) == "010101+123N"
    assert make_hetu(datetime.date(2001, 1, 1), 123) == "010101A123N"


@pytest.mark.parametrize("sign", ALL_SIGNS)
def test_every_century_sign_is_accepted(sign: str) -> None:
    century = CENTURY_SIGNS[sign]
    birth = datetime.date(century + 85, 6, 15)
    hetu = make_hetu(birth, 345, sign)
    assert hetu[6] == sign
    assert validate_hetu(hetu) == hetu
    assert hetu_birth_date(hetu) == birth


def test_sign_is_part_of_identity_and_never_normalised() -> None:
    a = validate_hetu("100190-999P")
    b = validate_hetu("100190Y999P")
    assert a == "100190-999P"
    assert b == "100190Y999P"
    assert a != b
    assert hetu_birth_date(a) == hetu_birth_date(b)


@pytest.mark.parametrize("raw", [" 131052-308T", "131052-308T ", "\t131052-308T\n", "  131052-308T  "])
def test_surrounding_whitespace_is_stripped(raw: str) -> None:
    assert validate_hetu(raw) == "131052-308T"
    assert hetu_birth_date(raw) == datetime.date(1952, 10, 13)


def test_default_signs_per_century() -> None:
    assert make_hetu(datetime.date(1899, 12, 31), 2)[6] == "+"
    assert make_hetu(datetime.date(1900, 1, 1), 2)[6] == "-"
    assert make_hetu(datetime.date(2000, 1, 1), 2)[6] == "A"


# --------------------------------------------------------------------------
# Henkilötunnus: rejections
# --------------------------------------------------------------------------


@pytest.mark.parametrize("wrong", [c for c in HETU_CHECK_CHARS if c != "T"])
def test_wrong_check_character_rejected(wrong: str) -> None:
    exc = _reject_hetu("131052-308" + wrong)
    assert "check character does not match" in str(exc)


@pytest.mark.parametrize("bad", ["G", "I", "O", "Q", "Z", "*", "t", " ", "é"])
def test_non_alphabet_check_character_rejected(bad: str) -> None:
    _reject_hetu("131052-308" + bad)


@pytest.mark.parametrize(
    ("birth_part", "sign"),
    [
        ("310290", "-"),  # 31 Feb never exists
        ("300290", "A"),  # 30 Feb never exists
        ("290201", "A"),  # 2001 is not a leap year
        ("290200", "-"),  # 1900 is not a leap year (century rule)
        ("290200", "+"),  # 1800 is not a leap year
        ("310490", "-"),  # April has 30 days
        ("000190", "-"),  # day 0
        ("320190", "-"),  # day 32
        ("010090", "-"),  # month 0
        ("011390", "-"),  # month 13
    ],
)
def test_impossible_dates_rejected(birth_part: str, sign: str) -> None:
    # Use the check character that would be correct for these digits so that
    # only the date can be the reason for rejection.
    check = HETU_CHECK_CHARS[int(birth_part + "123") % 31]
    hetu = f"{birth_part}{sign}123{check}"
    exc = _reject_hetu(hetu)
    assert "impossible date" in str(exc)


@pytest.mark.parametrize("sign", SIGNS_BY_CENTURY[2000])
def test_leap_day_2000_accepted(sign: str) -> None:
    hetu = "290200" + sign + "002C"
    assert validate_hetu(hetu) == hetu
    assert hetu_birth_date(hetu) == datetime.date(2000, 2, 29)


def test_leap_days_in_other_centuries() -> None:
    assert hetu_birth_date(make_hetu(datetime.date(1896, 2, 29), 50)) == datetime.date(1896, 2, 29)
    assert hetu_birth_date(make_hetu(datetime.date(1904, 2, 29), 50)) == datetime.date(1904, 2, 29)
    assert hetu_birth_date(make_hetu(datetime.date(2024, 2, 29), 50)) == datetime.date(2024, 2, 29)


@pytest.mark.parametrize("bad_sign", ["Z", "*", "a", "y", "G", "/", " ", "Ä"])
def test_bad_century_sign_rejected(bad_sign: str) -> None:
    # "131052" + "308" -> check "T" regardless of the sign.
    exc = _reject_hetu(f"131052{bad_sign}308T")
    assert "century sign" in str(exc)


@pytest.mark.parametrize("individual", ["000", "001"])
def test_reserved_individual_numbers_rejected(individual: str) -> None:
    check = HETU_CHECK_CHARS[int("131052" + individual) % 31]
    exc = _reject_hetu(f"131052-{individual}{check}")
    assert "individual number" in str(exc)


@pytest.mark.parametrize("individual", [0, 1, 1000, -5])
def test_make_hetu_rejects_bad_individual(individual: int) -> None:
    with pytest.raises(InvalidIdentifier):
        make_hetu(datetime.date(1990, 1, 1), individual)


@pytest.mark.parametrize("individual", [2, 500, 899])
def test_ordinary_individual_numbers(individual: int) -> None:
    hetu = make_hetu(datetime.date(1985, 3, 4), individual)
    assert validate_hetu(hetu) == hetu
    assert is_temporary_hetu(hetu) is False


@pytest.mark.parametrize("individual", [900, 950, 999])
def test_temporary_individual_numbers(individual: int) -> None:
    hetu = make_hetu(datetime.date(1985, 3, 4), individual)
    assert validate_hetu(hetu) == hetu
    assert is_temporary_hetu(hetu) is True


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "131052-308",  # too short
        "131052-308TT",  # too long
        "13105-308T",
        "1310522-308T",
        "131052 308T",  # internal space instead of sign
        "131052--308T",
        "13105a-308T",  # non-digit in the date
        "1310 2-308T",
        "131052-3O8T",  # letter O in the individual number
        "131052-30 T",
        "131052-+08T",
        "１３１０５２-308T",  # fullwidth digits
        "١٣١٠٥٢-٣٠٨T",  # Arabic-Indic digits
        "131052-308t",  # lowercase check character
        "100190y999P",  # lowercase century sign
        "010101a123N",
    ],
)
def test_malformed_hetu_rejected(value: str) -> None:
    _reject_hetu(value)
    with pytest.raises(InvalidIdentifier):
        hetu_birth_date(value)
    with pytest.raises(InvalidIdentifier):
        is_temporary_hetu(value)


def test_non_string_hetu_rejected() -> None:
    with pytest.raises(InvalidIdentifier):
        validate_hetu(131052308)  # type: ignore[arg-type]
    with pytest.raises(InvalidIdentifier):
        validate_y_tunnus(None)  # type: ignore[arg-type]


def test_make_hetu_rejects_sign_of_wrong_century() -> None:
    with pytest.raises(InvalidIdentifier):
        make_hetu(datetime.date(1990, 1, 10), 999, "A")
    with pytest.raises(InvalidIdentifier):
        make_hetu(datetime.date(2005, 1, 10), 999, "-")
    with pytest.raises(InvalidIdentifier):
        make_hetu(datetime.date(1890, 1, 10), 999, "Y")
    with pytest.raises(InvalidIdentifier):
        make_hetu(datetime.date(1990, 1, 10), 999, "y")
    with pytest.raises(InvalidIdentifier):
        make_hetu(datetime.date(1990, 1, 10), 999, "Z")


@pytest.mark.parametrize("year", [1700, 1799, 2100, 2500])
def test_make_hetu_rejects_unsupported_centuries(year: int) -> None:
    with pytest.raises(InvalidIdentifier):
        make_hetu(datetime.date(year, 1, 1), 100)


# --------------------------------------------------------------------------
# Error messages never leak the identifier
# --------------------------------------------------------------------------

LEAK_CASES_HETU = [
    "131052-308U",  # wrong check character
    "310290-123X",  # impossible date
    "131052Z308T",  # unknown sign
    "131052a308T",  # lowercase sign
    "131052-000T",  # reserved individual number
    "131052-308t",  # lowercase check character
    "131052-308Z",  # invalid check character
    "13105A-308T",  # non-digit date
    "131052-3A8T",  # non-digit individual number
    "131052-308TX",  # wrong length
]


@pytest.mark.parametrize("value", LEAK_CASES_HETU)
def test_hetu_error_message_never_contains_input(value: str) -> None:
    exc = _reject_hetu(value)
    for text in (str(exc), repr(exc), exc.reason, *map(str, exc.args)):
        assert value not in text
        assert value[:6] not in text  # the date part alone is personal data too
        assert value[7:10] not in text
    # No chained exception (e.g. from int() or datetime) may carry the value.
    assert exc.__cause__ is None
    assert exc.__context__ is None


@pytest.mark.parametrize("value", ["0112038-8", "0000006-5", "011203A-9", "0112038-", "01120389"])
def test_y_tunnus_error_message_never_contains_input(value: str) -> None:
    exc = _reject_y_tunnus(value)
    for text in (str(exc), repr(exc), exc.reason):
        assert value not in text
        assert value[:7] not in text
    assert exc.__cause__ is None
    assert exc.__context__ is None


@given(st.text(alphabet="0123456789+-ABCDEFUVWXYZabcxyz* ", min_size=6, max_size=14))
def test_hetu_error_message_never_contains_input_property(value: str) -> None:
    try:
        validate_hetu(value)
    except InvalidIdentifier as exc:
        stripped = value.strip()
        if len(stripped) >= 6:
            assert stripped not in str(exc)
            assert stripped not in repr(exc)


def test_invalid_identifier_is_value_error_and_picklable() -> None:
    exc = _reject_hetu("131052-308U")
    assert isinstance(exc, ValueError)
    clone = pickle.loads(pickle.dumps(exc))
    assert isinstance(clone, InvalidIdentifier)
    assert str(clone) == str(exc)
    assert clone.reason == exc.reason


# --------------------------------------------------------------------------
# Henkilötunnus: property tests
# --------------------------------------------------------------------------


@st.composite
def hetu_parts(draw: st.DrawFn) -> tuple[datetime.date, int, str]:
    birth = draw(st.dates(min_value=datetime.date(1800, 1, 1), max_value=datetime.date(2099, 12, 31)))
    individual = draw(st.integers(min_value=2, max_value=999))
    sign = draw(st.sampled_from(SIGNS_BY_CENTURY[birth.year - birth.year % 100]))
    return birth, individual, sign


@given(hetu_parts())
def test_make_hetu_is_valid_and_round_trips(parts: tuple[datetime.date, int, str]) -> None:
    birth, individual, sign = parts
    hetu = make_hetu(birth, individual, sign)
    assert len(hetu) == 11
    assert hetu[6] == sign
    assert validate_hetu(hetu) == hetu
    assert validate_hetu(f"  {hetu}\n") == hetu
    assert hetu_birth_date(hetu) == birth
    assert is_temporary_hetu(hetu) is (individual >= 900)
    assert int(hetu[7:10]) == individual


@given(st.dates(min_value=datetime.date(1800, 1, 1), max_value=datetime.date(2099, 12, 31)))
def test_make_hetu_default_sign_is_valid(birth: datetime.date) -> None:
    hetu = make_hetu(birth, 123)
    assert hetu_birth_date(hetu) == birth


@given(hetu_parts())
def test_every_other_check_character_in_alphabet_fails(parts: tuple[datetime.date, int, str]) -> None:
    hetu = make_hetu(*parts)
    for other in HETU_CHECK_CHARS:
        if other == hetu[10]:
            continue
        with pytest.raises(InvalidIdentifier):
            validate_hetu(hetu[:10] + other)


@given(hetu_parts(), st.characters())
def test_any_other_check_character_fails(parts: tuple[datetime.date, int, str], other: str) -> None:
    hetu = make_hetu(*parts)
    assume(other != hetu[10])
    # Includes whitespace (stripped, leaving a too-short value), lowercase
    # variants, unused letters and arbitrary Unicode.
    with pytest.raises(InvalidIdentifier):
        validate_hetu(hetu[:10] + other)


# --------------------------------------------------------------------------
# Y-tunnus
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "0112038-9",  # r = 57 % 11 = 2 -> 9
        "1572860-0",  # Nokia Oyj; r = 220 % 11 = 0 -> 0
        "0737546-2",  # r = 9 -> 2
        "2617416-4",  # r = 7 -> 4
        "0000000-0",  # r = 0 -> 0
        "0000001-9",  # r = 2 -> 9
    ],
)
def test_valid_y_tunnus(value: str) -> None:
    assert validate_y_tunnus(value) == value
    assert validate_y_tunnus(f" {value}\t") == value


@pytest.mark.parametrize("wrong", [d for d in "0123456789" if d != "9"])
def test_y_tunnus_wrong_check_digit_rejected(wrong: str) -> None:
    exc = _reject_y_tunnus("0112038-" + wrong)
    assert "check digit does not match" in str(exc)


@pytest.mark.parametrize("body", ["0000006", "0000014", "0000022", "0000030", "0000049"])
@pytest.mark.parametrize("check", list("0123456789"))
def test_y_tunnus_remainder_one_always_rejected(body: str, check: str) -> None:
    assert _y_check_digit(body) is None
    exc = _reject_y_tunnus(f"{body}-{check}")
    assert "never issued" in str(exc)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "0112038",
        "0112038-",
        "112038-9",  # six digits (old-style ids must be zero-padded)
        "00112038-9",
        "01120389",
        "0112038_9",
        "0112038 9",
        "0112038–9",  # en dash
        "011203A-9",
        "0112038-X",
        "０112038-9",  # fullwidth zero
        "0112038-9-",
        "FI01120389",  # VAT-number form is not a Y-tunnus
        "0112 038-9",
    ],
)
def test_malformed_y_tunnus_rejected(value: str) -> None:
    _reject_y_tunnus(value)


@given(st.integers(min_value=0, max_value=9_999_999))
def test_y_tunnus_exactly_one_check_digit_or_none(number: int) -> None:
    body = f"{number:07d}"
    accepted = []
    for check in "0123456789":
        try:
            validate_y_tunnus(f"{body}-{check}")
        except InvalidIdentifier:
            continue
        accepted.append(check)
    r = sum(int(d) * w for d, w in zip(body, (7, 9, 10, 5, 8, 4, 2), strict=True)) % 11
    if r == 1:
        assert accepted == []
    else:
        assert len(accepted) == 1
        assert int(accepted[0]) == _y_check_digit(body)


@given(st.integers(min_value=0, max_value=9_999_999).filter(lambda n: _y_check_digit(f"{n:07d}") is not None))
def test_y_tunnus_valid_construction_round_trips(number: int) -> None:
    body = f"{number:07d}"
    value = f"{body}-{_y_check_digit(body)}"
    assert validate_y_tunnus(value) == value
