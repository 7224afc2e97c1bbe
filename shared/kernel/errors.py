"""Typed errors the domain and application raise; the HTTP layer answers each as an RFC 9457 problem.

Each error carries a stable ``code`` (``shared/infra/problems.py`` registers every code with its status and
title; the message catalogue translates titles by code). The class gives the default code; a rule that a
caller may want to tell apart raises with its own: ``RuleViolation("...", code="erasure-refused")``. The message
is the problem's ``detail``: shown to users, so never personal data. ``params`` carry the values a translated
detail needs (codes, numbers, dates: no personal data either).
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the HB model refused the command. Messages are shown to users: no personal data."""

    status_code = 409
    code = "rule"

    def __init__(self, message: str, *, code: str | None = None, **params: Any) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code
        self.params = params


class RuleViolation(DomainError):
    """The command does not fit the case's state (e.g. completing intake without consent): 409."""


class InvalidCommand(DomainError):
    """The command's content breaks a rule (e.g. an invalid hetu): 422."""

    status_code = 422
    code = "validation"

    def __init__(self, message: str, field: str | None = None, *, code: str | None = None, **params: Any) -> None:
        super().__init__(message, code=code, **params)
        self.field = field


class NotFound(DomainError):
    status_code = 404
    code = "not-found"


class Forbidden(DomainError):
    """The caller's role or relationship to the case does not allow this: 403."""

    status_code = 403
    code = "forbidden"
