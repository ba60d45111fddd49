"""What each Meta permission (scope) is for, in the words a new user needs: which one is missing
from a connection, what that stops, and a Graph refusal explained instead of shown raw."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings

from agency.graph.errors import (
    GraphAuthError,
    GraphError,
    GraphPermissionError,
    GraphThrottleError,
    GraphTransientError,
)

SCOPE_STOPS = {
    "ads_management": "creating, publishing, pausing and editing campaigns and ads",
    "ads_read": "reading ad accounts, campaigns and their reports",
    "business_management": "listing the ad accounts of your Business Managers (owned and client "
                           "accounts); only your personal ad accounts show",
}


@dataclass(frozen=True)
class MissingPermission:
    scope: str
    stops: str


def missing_permissions(scopes: list[str] | None) -> list[MissingPermission]:
    """The required permissions not in `scopes`, each with what its absence stops."""
    have = set(scopes or [])
    return [MissingPermission(scope=s, stops=SCOPE_STOPS.get(s, "part of Adwright's work"))
            for s in settings.META_REQUIRED_SCOPES if s not in have]


def graph_error_explained(*, error: GraphError, scopes: list[str] | None = None) -> str:
    """A sentence for the person, never Graph's raw message."""
    if isinstance(error, GraphPermissionError) or error.code in {10, 200} or (
        error.code is not None and 200 <= error.code < 300
    ):
        named = re.findall(r"\b(ads_management|ads_read|business_management)\b",
                           error.message or "")
        missing = [m for m in missing_permissions(scopes) if not named or m.scope in named]
        if missing:
            detail = "; ".join(f"{m.scope} (needed for {m.stops})" for m in missing)
            return (f"Meta refused: this connection is missing the permission {detail}. Ask "
                    "for it again from the connection's page.")
        return ("Meta refused: the Meta user of this connection has no access to this. Ask "
                "them to grant it in Business Manager, or use another connection.")
    if isinstance(error, GraphAuthError):
        return "Meta no longer accepts this connection's token: reconnect it."
    if isinstance(error, GraphThrottleError):
        return "Meta asks us to slow down: try again in a few minutes."
    if isinstance(error, GraphTransientError):
        return "Meta is unavailable right now: try again in a minute."
    return f"Meta could not do this (error {error.code or 'unknown'}). Try again, or reconnect."
