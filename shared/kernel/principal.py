"""Who calls: the authenticated user and their role, as every application and policy sees them.

How a caller is authenticated (bearer tokens) is infrastructure (shared/infra/auth.py); what a role may do
with a case is each service's policy. A representative's principal says for whom they act and within what
(``mandates``, from the representation records every service keeps); the rules are shared.kernel.representation.
"""

from __future__ import annotations

from uuid import UUID

from pydantic import BaseModel, ConfigDict

from shared.kernel.envelope import Actor, Role
from shared.kernel.errors import Forbidden
from shared.kernel.representation import Act, Mandate, refusal


class Principal(BaseModel):
    """The caller. For a client, ``user_id`` is their pseudonymous client id; for a provider user,
    ``provider_id`` names the provider they act for; for a representative, ``user_id`` is their own person id
    and ``mandates`` their links in force to the clients they represent."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    role: Role
    provider_id: str | None = None
    mandates: tuple[Mandate, ...] = ()
    acts_alone: bool = True  # a client under 15 acts through their guardian (434/2003, 14 §)

    @property
    def actor(self) -> Actor:
        return Actor(id=self.user_id, role=self.role)

    def mandate_for(self, client_id: UUID | str | None) -> Mandate | None:
        """This representative's link in force to ``client_id``: "R acting for client C"."""
        return next((m for m in self.mandates if str(m.client_id) == str(client_id)), None)

    def as_client(self, client_id: UUID | str | None, act: Act) -> bool:
        """Whether the caller takes ``act`` as the client ``client_id`` or for them: True for the client themself
        and for their representative within scope, False for anyone else (staff); Forbidden, with the reason, for
        a client or a representative who may not (another client's case, a child acting alone, a read the client
        forbade, an act outside the mandate)."""
        if self.role == "client":
            if self.user_id != str(client_id):
                raise Forbidden("a client can only see and act on their own case")
            why = refusal(self.acts_alone, None, False, act)
        elif self.role == "representative":
            why = refusal(False, self.mandate_for(client_id), True, act)
        else:
            return False
        if why is not None:
            code, reason = why
            raise Forbidden(reason, code=code)
        return True
