"""Build Graph clients from Django settings (the only module here that reads settings).

Settings read (with defaults): GRAPH_API_BASE_URL, GRAPH_API_VERSION ("v25.0"), META_APP_ID,
META_APP_SECRET, GRAPH_TIMEOUT_SECONDS (30), GRAPH_MAX_ATTEMPTS (5), GRAPH_THROTTLE_REDIS_URL
(falls back to REDIS_URL; empty → the in-process store), GRAPH_THROTTLE_PREFIX
("adwright:graph:"), GRAPH_THROTTLE_MAX_WAIT_SECONDS (60).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import httpx

from agency.graph.cache import InProcessETagCache
from agency.graph.client import GraphClient, RetryPolicy
from agency.graph.errors import GraphAuthError
from agency.graph.throttle import (
    AccountUsage,
    InProcessUsageStore,
    RedisUsageStore,
    Throttle,
    ThrottlePolicy,
    UsageStore,
)
from agency.graph.throttle import (
    usage_for_account as _usage_for_account,
)


def _setting(name: str, default: Any) -> Any:
    from django.conf import settings

    return getattr(settings, name, default)


@functools.cache
def usage_store() -> UsageStore:
    """One store per process: Redis when configured (shared by all workers), else in-process."""
    url = _setting("GRAPH_THROTTLE_REDIS_URL", "") or _setting("REDIS_URL", "")
    if url:
        return RedisUsageStore.from_url(
            url, prefix=_setting("GRAPH_THROTTLE_PREFIX", "adwright:graph:")
        )
    return InProcessUsageStore()


@functools.cache
def _etag_cache() -> InProcessETagCache:
    return InProcessETagCache()


@functools.cache
def _http() -> httpx.Client:
    """One connection pool per process. Safe to share: the token travels per request."""
    return httpx.Client(timeout=float(_setting("GRAPH_TIMEOUT_SECONDS", 30)))


def graph_client(
    *,
    access_token: str | Callable[[], str],
    on_auth_error: Callable[[GraphAuthError], None] | None = None,
) -> GraphClient:
    """A client for one connection's token (pass a callable that decrypts it on demand)."""
    throttle = Throttle(
        usage_store(),
        policy=ThrottlePolicy(max_wait=float(_setting("GRAPH_THROTTLE_MAX_WAIT_SECONDS", 60))),
    )
    return GraphClient(
        access_token=access_token,
        app_secret=_setting("META_APP_SECRET", ""),
        app_id=_setting("META_APP_ID", "") or None,
        version=_setting("GRAPH_API_VERSION", "v25.0"),
        base_url=_setting("GRAPH_API_BASE_URL", "https://graph.facebook.com"),
        timeout=float(_setting("GRAPH_TIMEOUT_SECONDS", 30)),
        retry=RetryPolicy(max_attempts=int(_setting("GRAPH_MAX_ATTEMPTS", 5))),
        throttle=throttle,
        cache=_etag_cache(),
        on_auth_error=on_auth_error,
        http=_http(),
    )


def usage_for_account(act_id: str) -> AccountUsage:
    """The latest usage figures Graph reported for an ad account (for the UI)."""
    return _usage_for_account(act_id, store=usage_store())
