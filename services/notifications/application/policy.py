"""Who may do what with a notice: the service itself tells people (on another service's event); a person reads and
marks read only their own items, whatever their role. Nobody reads another person's inbox: not a manager, not an
auditor (who was told what stays in the PersonNotified events on the service's topic)."""

from __future__ import annotations

from typing import Any

from services.notifications.application import commands as c
from services.notifications.domain.notice import Notice
from shared.kernel.errors import Forbidden, NotFound
from shared.kernel.principal import Principal
from shared.kernel.representation import refusal


def authorize(principal: Principal, request: Any, notice: Notice) -> None:
    """Raises Forbidden (or NotFound for an item this notice does not hold) unless ``principal`` may send
    ``request`` about ``notice``."""
    system = principal.role == "system"
    if isinstance(request, c.Tell):
        if not system:
            raise Forbidden("only the notifications service itself tells people, on another service's event")
        return
    if system:
        raise Forbidden("the service does not read people's inboxes for them")
    if isinstance(request, c.MarkRead):
        item = notice.item(request.item_id)
        if item is None:
            raise NotFound("no such item")
        if item.person_id != principal.user_id:
            raise Forbidden("an inbox item is read by its own person only")
        return
    raise Forbidden(f"{type(request).__name__} is not a request to the notifications service")


def inbox_of(principal: Principal) -> str:
    """Whose inbox a reader sees: their own. The service's own identity has none."""
    if principal.role in ("system", "auditor", "integration"):
        raise Forbidden(f"a {principal.role} has no inbox")
    return principal.user_id


def readable(principal: Principal) -> list[str] | None:
    """The clients whose items a representative may read today (a link in force that lets them read, and no
    prohibition by the client); None for anyone else, who reads every item of their own."""
    if principal.role != "representative":
        return None
    return [str(m.client_id) for m in principal.mandates if refusal(False, m, True, "read") is None]
