"""JSON Canonicalization Scheme (RFC 8785): the one byte form of a JSON value that hashes and signatures cover.

Object members sorted by their names' UTF-16 code units, no whitespace, strings escaped only where JSON must
(``"``, ``\\`` and the control characters, with the short escapes where JSON has them), numbers as ECMAScript
writes them (``1.0`` is ``1``, ``1e-07`` is ``1e-7``). Integers must be exact in a double (I-JSON): larger ones
are refused rather than silently rounded. docs/contracts/verification.md specifies it for outside verifiers.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_EXACT = 2**53 - 1
_string = json.JSONEncoder(ensure_ascii=False).encode  # the same escapes as RFC 8785 §3.2.2.2


def jcs(value: Any) -> str:
    """``value`` (from ``json.loads`` or pydantic's JSON mode) in RFC 8785 canonical form."""
    out: list[str] = []
    _write(value, out)
    return "".join(out)


def _write(value: Any, out: list[str]) -> None:
    if isinstance(value, str):
        out.append(_string(value))
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if abs(value) > MAX_EXACT:
            raise ValueError("an integer beyond 2**53 has no exact JSON number form (I-JSON, RFC 7493)")
        out.append(str(value))
    elif isinstance(value, float):
        out.append(es_number(value))
    elif isinstance(value, dict):
        out.append("{")
        for i, key in enumerate(sorted(value, key=_utf16)):
            if not isinstance(key, str):
                raise TypeError("JSON object names are strings")
            if i:
                out.append(",")
            out.append(_string(key))
            out.append(":")
            _write(value[key], out)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"not a JSON value: {type(value).__name__}")


def _utf16(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def es_number(x: float) -> str:
    """A double as ECMAScript's Number.prototype.toString writes it (RFC 8785 §3.2.2.3)."""
    if math.isnan(x) or math.isinf(x):
        raise ValueError("NaN and infinities are not JSON")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    mantissa, _, exponent = repr(abs(x)).partition("e")  # shortest digits that read back as x, as ECMAScript's
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    point = len(whole) + (int(exponent) if exponent else 0)  # x = 0.<digits> * 10**point
    stripped = digits.lstrip("0")
    point -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = f"{digits[:n]}.{digits[n:]}"
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        text = (digits if k == 1 else f"{digits[0]}.{digits[1:]}") + ("e+" if e >= 0 else "e-") + str(abs(e))
    return sign + text
