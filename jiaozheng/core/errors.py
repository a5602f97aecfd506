"""Domain errors, one format for the API: ``{"message": ..., "errors": [...]}``."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A request the domain rules refuse (HTTP 400/409/422): nothing was changed."""

    status_code = 400

    def __init__(
        self, message: str, errors: list[dict[str, Any]] | None = None, status_code: int | None = None
    ):
        super().__init__(message)
        self.message = message
        self.errors = errors or []
        if status_code is not None:
            self.status_code = status_code

    def as_dict(self) -> dict[str, Any]:
        return {"message": str(self.message), "errors": self.errors}


class Forbidden(ApplicationError):
    status_code = 403


class NotFound(ApplicationError):
    status_code = 404


class Conflict(ApplicationError):
    status_code = 409


def validation_errors_from_django(exc: Any) -> list[dict[str, Any]]:
    """Flatten a django.core.exceptions.ValidationError into [{"field": ..., "message": ...}]."""
    if hasattr(exc, "message_dict"):
        return [
            {"field": field, "message": str(msg)}
            for field, messages in exc.message_dict.items()
            for msg in messages
        ]
    return [{"field": None, "message": str(m)} for m in getattr(exc, "messages", [str(exc)])]
