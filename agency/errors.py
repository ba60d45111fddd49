"""Errors our services raise for people to read; views and the API handler render them."""

from __future__ import annotations


class ServiceError(Exception):
    """A business rule said no. `code` is stable for API clients; `field` points at the input."""

    code = "invalid"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}


class ConflictError(ServiceError):
    code = "conflict"
    http_status = 409


class PermissionDeniedError(ServiceError):
    code = "permission_denied"
    http_status = 403


class InvitationInvalidError(ServiceError):
    code = "invitation_invalid"
    http_status = 400
