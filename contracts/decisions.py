"""The decisions service's events. Topic ``avain.decisions.events.v1``, key = client id.

The county's register of administrative decisions: dispatch, rectification deadlines and rectification requests
(issue 14) come with their aggregates.
"""

from __future__ import annotations

from shared.kernel.events import DomainEvent, EventRegistry

EVENTS: list[type[DomainEvent]] = []

registry = EventRegistry(EVENTS)
