"""A sealed value: personal data as it travels inside events and records, encrypted with the client's key.

Only the shape lives here, so that events and domain code can carry sealed text without touching keys or the
key vault; sealing and opening are infrastructure (shared/infra/crypto.py).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Sealed(BaseModel):
    """An encrypted string field inside an event or a record."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    alg: Literal["A256GCM"] = "A256GCM"
    kid: str  # the client id whose key sealed it
    nonce: str
    ct: str
