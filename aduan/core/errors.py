"""Domain errors: a stable machine code plus a message for people (Bahasa Indonesia by default)."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a service raises on purpose; interfaces map it to a response."""

    code = "domain_error"
    http_status = 400

    def __init__(
        self, message: str, *, code: str | None = None, field: str | None = None, **extra: Any
    ) -> None:
        super().__init__(message)
        self.message = str(message)
        if code:
            self.code = code
        self.field = field
        self.extra = extra

    def __str__(self) -> str:
        return self.message


class InvalidInput(DomainError):
    code = "invalid_input"
    http_status = 400


class NotFound(DomainError):
    code = "not_found"
    http_status = 404


class PermissionDenied(DomainError):
    """The actor may not see or touch this report (not theirs, or not their role)."""

    code = "forbidden"
    http_status = 403


class TransitionNotAllowed(DomainError):
    """The action does not apply to the report in its current state."""

    code = "transition_not_allowed"
    http_status = 409
