"""Typed errors the domain and application raise; the HTTP layer maps each to one status code."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the HB model refused the command. Messages are shown to users: no personal data."""

    status_code = 409


class RuleViolation(DomainError):
    """The command does not fit the case's state (e.g. completing intake without consent): 409."""


class InvalidCommand(DomainError):
    """The command's content breaks a rule (e.g. an invalid hetu): 422."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    """The caller's role or relationship to the case does not allow this: 403."""

    status_code = 403
