"""Application commands and queries: what a caller asks a service to do (or to show), as one typed value.

A command is named in the imperative (DecideBudget, PlanSupport) and carries what the caller knows: ids,
amounts, texts in clear, and the version of the case the caller last saw. It is not the domain's command: the
service's handler turns it into one (sealing texts, minting ids, reading settings). HTTP routes, consumers,
timers and the console only build commands; shared.infra.pipeline runs them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Command(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    expected_version: int | None = Field(None, description="The stream version the caller last saw (If-Match)")


class Query(BaseModel):
    """A read: which case (or list) the caller asks to see. The policy decides who may, as for commands."""

    model_config = ConfigDict(frozen=True, extra="forbid")
