"""Domain errors: each carries a stable code (API.md) and a Chinese message for people."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base of every refusal an operation can give. ``code`` is stable; ``message`` is for people."""

    code = "bad_request"
    http_status = 400

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class BadRequest(ServiceError):
    code = "bad_request"
    http_status = 400


class Unauthenticated(ServiceError):
    """No valid credentials (401); ``details`` may hold ``locked_until``."""

    code = "unauthenticated"
    http_status = 401


class Forbidden(ServiceError):
    """Role, scope or separation of duties; ``details['rule']`` names the rule."""

    code = "forbidden"
    http_status = 403

    def __init__(self, message: str, *, rule: str, **details: Any) -> None:
        super().__init__(message, rule=rule, **details)
        self.rule = rule


class NotFound(ServiceError):
    code = "not_found"
    http_status = 404


class Conflict(ServiceError):
    """The task was already completed, or the case moved on."""

    code = "conflict"
    http_status = 409


class NotCleared(ServiceError):
    """A decision attempted without an approving review of this exact draft."""

    code = "not_cleared"
    http_status = 409


class TooLarge(ServiceError):
    code = "too_large"
    http_status = 413


class Invalid(ServiceError):
    """Bad input; ``details['fields']`` maps each bad field to its reason (in Chinese)."""

    code = "invalid"
    http_status = 422

    def __init__(self, message: str, *, fields: dict[str, str] | None = None, **details: Any) -> None:
        super().__init__(message, fields=fields or {}, **details)
        self.fields = fields or {}
