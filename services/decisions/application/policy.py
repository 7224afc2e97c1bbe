"""Who may see what in the decisions service.

- the approvals queue: managers and auditors see every request; a worker sees the requests they made; nobody
  else (clients see a refusal's reasoning on the matter itself, e.g. their budget);
"""

from __future__ import annotations

from shared.kernel.errors import Forbidden
from shared.kernel.principal import Principal


def queue_scope(principal: Principal) -> str | None:
    """Whose approval requests a reader sees: None for all (managers, auditors), or the worker's own."""
    if principal.role in ("manager", "auditor"):
        return None
    if principal.role == "worker":
        return principal.user_id
    raise Forbidden("the approvals queue is for managers, auditors and the workers who asked")
