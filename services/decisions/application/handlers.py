"""The decisions service's command handlers (the register's dispatch and deadlines and the rectification requests
come with their aggregates)."""

from __future__ import annotations

from shared.infra.pipeline import Handlers

HANDLERS: Handlers = {}
