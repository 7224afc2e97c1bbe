"""Signed checkpoints, version 1: topic ``avain.<service>.checkpoints.v1``, key = the service's name.

Not an event of a stream: a statement by a service about its own log, signed by its checkpoint key (the public
keys are in contracts/keys/checkpoint-keys.json). How to verify one: docs/contracts/verification.md.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.kernel.checkpoint import CHECKPOINT_TYPE, FORMAT
from shared.kernel.events import DomainEvent, EventRegistry

HEX64 = r"^[0-9a-f]{64}$"


class StatedHead(BaseModel):
    """A stream's head as the checkpoint states it: its last published event's version and hash."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    stream_id: str = Field(min_length=1)
    stream_version: int = Field(ge=1)
    hash: str = Field(pattern=HEX64)


class Statement(BaseModel):
    """What the signature covers (in RFC 8785 form)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: Literal["avain.checkpoint.v1"] = FORMAT
    service: str = Field(description="The service whose log this states, e.g. intake")
    sequence: int = Field(ge=1, description="1 for the service's first checkpoint, then one more each time")
    previous: str | None = Field(pattern=HEX64, description="SHA-256 of the previous checkpoint's statement")
    time: str = Field(description="When it was stated (UTC, ISO 8601)")
    key_id: str = Field(description="The signing key: ed25519: and 16 hex digits of SHA-256 of the public key")
    tree_size: int = Field(ge=1, description="How many streams it states")
    root: str = Field(pattern=HEX64, description="The Merkle Tree Hash (RFC 9162 2.1) of the stated heads")
    streams: list[StatedHead] = Field(description="Every stream changed since the previous checkpoint, by stream id")


class CheckpointSigned(DomainEvent):
    """A service's signed checkpoint of its log: the heads of the streams that changed since its previous one."""

    event_type = CHECKPOINT_TYPE

    statement: Statement
    signature: str = Field(description="Ed25519 over the statement's RFC 8785 form, base64")


EVENTS: list[type[DomainEvent]] = [CheckpointSigned]
registry = EventRegistry(EVENTS)
