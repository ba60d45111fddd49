"""What a failure outside the user's input means to them: one table, used by the page middleware
(`agency.middleware.FailSafeMiddleware`) and the API's exception handler.

Meta being down, throttling us or refusing a connection's token, and a stored token no configured
key can read, are not bugs of the request: they become a 503/429/409/424 with a message a person
can act on, never a 500 and never Graph's raw error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from agency.crypto import SecretDecryptionError
from agency.errors import ServiceError
from agency.graph.errors import (
    GraphAuthError,
    GraphError,
    GraphOutcomeUnknownError,
    GraphPermissionError,
    GraphThrottleError,
    GraphTransientError,
)

# How long we suggest waiting when Meta is down and did not say.
DEFAULT_RETRY_AFTER = 60


@dataclass(frozen=True)
class Failure:
    status: int
    code: str
    title: str
    message: str
    retry_after: int | None = None
    # Set when the fix is to reconnect a Meta connection (None: the connections list).
    reconnect: bool = False
    connection_id: int | None = None
    extra: dict = field(default_factory=dict)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)} if self.retry_after else {}


def _seconds(value: float | None) -> int:
    if value is None or value != value or value <= 0:  # None, NaN, negative
        return DEFAULT_RETRY_AFTER
    return max(1, min(math.ceil(value), 24 * 3600))


def failure_for(exc: BaseException) -> Failure | None:
    """The failure to show for `exc`, or None when it is not one of ours to explain (a bug)."""
    if isinstance(exc, ServiceError):
        connection_id = exc.extra.get("connection_id")
        reconnect = exc.code == "connection_unusable"
        return Failure(
            status=exc.http_status, code=exc.code,
            title="Reconnect Meta" if reconnect else "This could not be done",
            message=exc.message, reconnect=reconnect,
            connection_id=connection_id if isinstance(connection_id, int) else None,
            extra=dict(exc.extra) | ({"field": exc.field} if exc.field else {}),
        )
    if isinstance(exc, SecretDecryptionError):
        return Failure(
            status=409, code="connection_unreadable", title="Reconnect Meta",
            message="A Meta connection's stored token cannot be read with the configured "
                    "encryption keys. Reconnect it (or restore the missing key) to continue.",
            reconnect=True,
        )
    if not isinstance(exc, GraphError):
        return None
    extra = {"graph_code": exc.code, "graph_subcode": exc.subcode,
             "fbtrace_id": exc.fbtrace_id}
    extra = {k: v for k, v in extra.items() if v is not None}
    if isinstance(exc, GraphThrottleError):
        seconds = _seconds(exc.retry_after)
        return Failure(
            status=429, code="graph_throttled", title="Meta asks us to slow down",
            message=f"Meta is limiting calls for this account right now. Try again in "
                    f"{_human(seconds)}.",
            retry_after=seconds, extra=extra | {"retry_after": seconds},
        )
    if isinstance(exc, GraphAuthError):
        return Failure(
            status=409, code="connection_refused", title="Meta refused this connection",
            message="Meta no longer accepts this connection's token (it expired, was revoked or "
                    "the password changed). Reconnect it to continue.",
            reconnect=True, extra=extra,
        )
    if isinstance(exc, GraphPermissionError):
        return Failure(
            status=409, code="graph_permission", title="Meta refused this connection",
            message=exc.user_msg or "Meta says this connection lacks a permission for this. "
                                    "Reconnect it and grant the permissions asked for.",
            reconnect=True, extra=extra,
        )
    if isinstance(exc, GraphOutcomeUnknownError):
        return Failure(
            status=503, code="graph_outcome_unknown", title="Meta did not confirm",
            message="Meta did not confirm whether this was saved. We check before trying again: "
                    "try again in a minute.",
            retry_after=DEFAULT_RETRY_AFTER, extra=extra,
        )
    if isinstance(exc, GraphTransientError):
        return Failure(
            status=503, code="graph_unavailable", title="Meta is unavailable",
            message="Meta is unavailable or did not answer. Try again in a minute.",
            retry_after=DEFAULT_RETRY_AFTER, extra=extra,
        )
    # Validation, not found and anything else Graph refused: our request depends on Meta's answer.
    return Failure(
        status=424, code="graph_rejected", title="Meta refused the request",
        message=exc.user_msg or exc.user_title or "Meta refused this request.", extra=extra,
    )


def _human(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} seconds" if seconds != 1 else "a second"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} minutes" if minutes < 90 else f"{math.ceil(minutes / 60)} hours"
