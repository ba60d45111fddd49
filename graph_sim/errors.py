"""Graph's error JSON as an exception: every handler raises GraphError, the app renders it."""

from __future__ import annotations

import secrets
from typing import Any


def new_fbtrace_id() -> str:
    """An opaque trace id like Graph's (11 URL-safe characters)."""
    return secrets.token_urlsafe(8)[:11]


class GraphError(Exception):
    """One Graph error response: `{"error": {message, type, code, error_subcode, ...}}`.

    `message` is given without the "(#code) " prefix; `as_json()` adds it as Graph does.
    """

    def __init__(
        self,
        message: str,
        *,
        code: int,
        type: str = "OAuthException",  # Graph's own key name
        subcode: int | None = None,
        user_title: str | None = None,
        user_msg: str | None = None,
        is_transient: bool | None = None,
        http_status: int = 400,
        error_data: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.type = type
        self.subcode = subcode
        self.user_title = user_title
        self.user_msg = user_msg
        self.is_transient = is_transient
        self.http_status = http_status
        self.error_data = error_data
        self.headers = headers or {}
        self.fbtrace_id = new_fbtrace_id()

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message": f"(#{self.code}) {self.message}",
            "type": self.type,
            "code": self.code,
        }
        if self.subcode is not None:
            body["error_subcode"] = self.subcode
        if self.is_transient is not None:
            body["is_transient"] = self.is_transient
        if self.user_title is not None:
            body["error_user_title"] = self.user_title
        if self.user_msg is not None:
            body["error_user_msg"] = self.user_msg
        if self.error_data is not None:
            body["error_data"] = self.error_data
        body["fbtrace_id"] = self.fbtrace_id
        return {"error": body}


def invalid_parameter(message: str, *, subcode: int | None = None, **kw: Any) -> GraphError:
    """Code 100, the most common validation error."""
    return GraphError(message, code=100, subcode=subcode, **kw)


def missing_parameter(name: str) -> GraphError:
    """Code 100 for a required parameter that was not sent."""
    return GraphError(f"The parameter {name} is required", code=100)


def permission_error(message: str = "Permissions error") -> GraphError:
    return GraphError(message, code=200, http_status=403)


def unknown_path(path: str) -> GraphError:
    return GraphError(
        f"Unsupported get request. Object with ID '{path}' does not exist, cannot be loaded due "
        "to missing permissions, or does not support this operation.",
        code=100,
        subcode=33,
        type="GraphMethodException",
    )
