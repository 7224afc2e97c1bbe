"""Who calls: the authenticated user and their role, as every application and policy sees them.

How a caller is authenticated (bearer tokens) is infrastructure (shared/infra/auth.py); what a role may do
with a case is each service's policy.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from shared.kernel.envelope import Actor, Role


class Principal(BaseModel):
    """The caller. For a client, ``user_id`` is their pseudonymous client id; for a provider user,
    ``provider_id`` names the provider they act for."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    role: Role
    provider_id: str | None = None

    @property
    def actor(self) -> Actor:
        return Actor(id=self.user_id, role=self.role)
