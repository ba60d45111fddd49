"""The errors of exactly-once writes: retryable ones (the call reconciles first) and misuse."""

from __future__ import annotations

from typing import Any

from agency.graph import GraphTransientError


class GraphWriteUnresolvedError(GraphTransientError):
    """The write's outcome is not settled yet: recorded as `unknown` and the reconciling lookup
    failed (or was throttled: `retry_after`), or it stayed unknown after several posts.
    Retrying *this call* with the same key is safe (it reconciles first), hence a transient
    error that task retries handle. Not raised by the raw client: a raw POST is never safe to
    retry blindly (that is `GraphOutcomeUnknownError`)."""

    def __init__(self, message: str, *, key: str, state: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.key = key
        self.state = state


class GraphWriteInProgressError(GraphWriteUnresolvedError):
    """Another worker is sending this key right now (its lease runs until `lease_until`)."""


class GraphWriteKeyConflictError(ValueError):
    """The key is already used for another edge or kind: keys must name one intended write."""
