"""Typed Graph errors from Graph's error JSON (core-flows.md §7) or a failed transport."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

# core-flows.md §6.4: platform and business-use-case throttling codes.
THROTTLE_CODES = frozenset({4, 17, 32, 341, 613, *range(80000, 80015)})
AUTH_CODES = frozenset({190, 102})
TRANSIENT_CODES = frozenset({1, 2})
PERMISSION_CODES = frozenset({3, 10, *range(200, 300)})
# 100/33 "Object with ID ... does not exist"; 803 "Some of the aliases you requested do not exist".
NOT_FOUND_SUBCODES = frozenset({33})
NOT_FOUND_CODES = frozenset({803})
# Video chunk sent at the wrong offset: error_data carries the offsets to resume from.
UPLOAD_OFFSET_SUBCODE = 1363037


class GraphError(Exception):
    """One failed Graph call. `code`/`subcode` drive handling (never the message text)."""

    def __init__(
        self,
        message: str,
        *,
        code: int | None = None,
        subcode: int | None = None,
        type: str | None = None,  # Graph's own key name
        http_status: int | None = None,
        fbtrace_id: str | None = None,
        user_title: str | None = None,
        user_msg: str | None = None,
        is_transient: bool | None = None,
        error_data: Mapping[str, Any] | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.subcode = subcode
        self.type = type
        self.http_status = http_status
        self.fbtrace_id = fbtrace_id
        self.user_title = user_title
        self.user_msg = user_msg
        self.is_transient = is_transient
        self.error_data = dict(error_data or {})
        self.retry_after = retry_after
        # False when Graph is known not to have acted on the call (throttled at the gate,
        # connection never made); None when the outcome is unknown (timeout, 5xx, dropped).
        self.applied: bool | None = False

    @property
    def blame_fields(self) -> list[list[str]]:
        """`error_data.blame_field_specs` (§7.3): paths to the form fields at fault."""
        specs = self.error_data.get("blame_field_specs") or []
        return [list(spec) for spec in specs if isinstance(spec, list | tuple)]

    def __str__(self) -> str:
        bits = [f"code={self.code}" if self.code is not None else None]
        if self.subcode is not None:
            bits.append(f"subcode={self.subcode}")
        if self.http_status is not None:
            bits.append(f"http={self.http_status}")
        if self.fbtrace_id:
            bits.append(f"fbtrace_id={self.fbtrace_id}")
        detail = ", ".join(b for b in bits if b)
        return f"{self.message} ({detail})" if detail else self.message


class GraphAuthError(GraphError):
    """Code 190 (and 102): the token is expired, revoked or invalid; the connection needs
    re-authorisation. The client calls its `on_auth_error` callback before raising this."""


class GraphPermissionError(GraphError):
    """Codes 3, 10, 200-299: the token lacks a permission or the user a task on the object."""


class GraphValidationError(GraphError):
    """The request was wrong (code 100 and most others). Show `user_title` / `user_msg` and map
    `blame_fields` onto form fields. Never retried."""


class GraphNotFoundError(GraphValidationError):
    """The object does not exist or cannot be seen with this token (100/33, 803, HTTP 404)."""


class GraphTransientError(GraphError):
    """Graph said try again (is_transient, codes 1 and 2, HTTP 5xx), or the call never got a
    clear answer. Retried for reads; writes only when safe (see client.py)."""

    def __init__(self, message: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.applied = None


class GraphConnectionError(GraphTransientError):
    """No HTTP answer: connection refused, timeout, connection dropped mid-call."""


class GraphOutcomeUnknownError(GraphError):
    """A write that may or may not have been applied: its answer was lost (timeout, dropped
    connection, 5xx, is_transient) and nothing has since proved either way (no guard, or the
    guard's own lookup failed or was throttled). Deliberately NOT a `GraphTransientError`: a
    blind retry could make a second object. Reconcile first (look the object up), or let
    `agency.writes.graph_create_once` do it. `retry_after` is set when the lookup was throttled
    (when a reconciling lookup may work again); `lookup_error` is the lookup's own failure."""

    def __init__(self, message: str, *, lookup_error: GraphError | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.applied = None
        self.lookup_error = lookup_error


class GraphThrottleError(GraphError):
    """Rate limited (codes 4, 17, 32, 341, 613, 80000-80014). `retry_after` is in seconds.
    `local` is true when our own throttle refused the call before it reached Graph."""

    def __init__(self, message: str, *, local: bool = False, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.local = local


def _int(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def error_class(
    code: int | None, subcode: int | None, http_status: int | None, is_transient: bool | None
) -> type[GraphError]:
    """Which typed error a Graph error body maps to. Order matters: throttling codes carry
    is_transient too, and 190 wins over everything."""
    if code in AUTH_CODES:
        return GraphAuthError
    if code in THROTTLE_CODES:
        return GraphThrottleError
    if is_transient or code in TRANSIENT_CODES or (http_status or 0) >= 500:
        return GraphTransientError
    if code in PERMISSION_CODES:
        return GraphPermissionError
    if (
        code in NOT_FOUND_CODES
        or (code == 100 and subcode in NOT_FOUND_SUBCODES)
        or http_status == 404
    ):
        return GraphNotFoundError
    return GraphValidationError


def error_from_body(
    body: Any,
    *,
    http_status: int | None,
    fbtrace_id: str | None = None,
    retry_after: float | None = None,
) -> GraphError:
    """The typed error for one response body (dict, JSON text or anything else)."""
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body) if body else None
        except ValueError:
            body = None
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        cls = GraphTransientError if (http_status or 0) >= 500 else GraphValidationError
        if http_status == 404:
            cls = GraphNotFoundError
        return cls(
            f"HTTP {http_status} without a Graph error body",
            http_status=http_status,
            fbtrace_id=fbtrace_id,
        )
    code, subcode = _int(err.get("code")), _int(err.get("error_subcode"))
    transient = err.get("is_transient")
    cls = error_class(
        code, subcode, http_status, transient if isinstance(transient, bool) else None
    )
    error = cls(
        str(err.get("message") or "Graph error"),
        code=code,
        subcode=subcode,
        type=err.get("type"),
        http_status=http_status,
        fbtrace_id=err.get("fbtrace_id") or fbtrace_id,
        user_title=err.get("error_user_title"),
        user_msg=err.get("error_user_msg"),
        is_transient=transient if isinstance(transient, bool) else None,
        error_data=err.get("error_data") if isinstance(err.get("error_data"), dict) else None,
        retry_after=retry_after if cls is GraphThrottleError else None,
    )
    if cls is GraphThrottleError:
        error.applied = False  # throttled calls are refused before they run (§6.1)
    return error
