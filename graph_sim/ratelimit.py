"""Rolling-window rate limits per app, user, ad account and business use case; usage headers."""

from __future__ import annotations

import json
import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graph_sim.faults import throttle_error

if TYPE_CHECKING:
    from graph_sim.errors import GraphError
    from graph_sim.state import World

# core-flows.md §6.4: the error code for each BUC type once past 100%.
BUC_THROTTLE_CODE = {
    "ads_management": 80004,
    "ads_insights": 80000,
    "custom_audience": 80003,
    "instagram": 80002,
    "leadgen": 80005,
    "messenger": 80006,
    "pages": 80001,
}
TIERED_BUC = ("ads_management", "ads_insights")  # §6.2: only these carry ads_api_access_tier


@dataclass
class Limits:
    """Quotas per rolling window. `None` per-BUC overrides use the core-flows.md §6.3 formulas
    for `tier` ("development_access" = Standard Access, "standard_access" = Advanced Access)."""

    window_seconds: float = 3600.0
    tier: str = "standard_access"
    app_users: int = 1000  # Platform: 200 x daily active users per hour
    app_calls: int | None = None  # override for the app bucket
    user_calls: int | None = None  # per-user bucket; None: not enforced (Graph doesn't disclose it)
    ads_management: int | None = None
    ads_insights: int | None = None
    custom_audience: int | None = None
    other_buc: int = 4800  # instagram, leadgen, messenger, pages: no per-hour formula applies
    header_threshold: int = 0  # §6.1: headers appear "once enough calls have been made"
    time_share: float = 0.5  # total_time / total_cputime as a share of call_count


# Plug-ins (objects) register how many ads run in an account; §6.3 quotas grow with it.
_active_ads_counter: list[Callable[[World, str], int]] = []


def register_active_ads_counter(fn: Callable[[World, str], int]) -> Callable[[World, str], int]:
    """`fn(world, account_id_numeric) -> int`: ads currently running in the account."""
    _active_ads_counter[:] = [fn]
    return fn


def active_ads(world: World, account_id: str) -> int:
    return _active_ads_counter[0](world, account_id) if _active_ads_counter else 0


@dataclass
class Usage:
    """What one call did to the buckets: headers to send and, past 100%, the error to raise."""

    headers: dict[str, str] = field(default_factory=dict)
    error: GraphError | None = None


class _Bucket:
    def __init__(self) -> None:
        self.calls: deque[float] = deque()

    def trim(self, now: float, window: float) -> None:
        while self.calls and self.calls[0] <= now - window:
            self.calls.popleft()

    def seconds_until_below(self, limit: int, now: float, window: float) -> float:
        """How long until the count drops to `limit` (so the next call fits)."""
        excess = len(self.calls) - limit + 1
        if excess <= 0:
            return 0.0
        return max(0.0, self.calls[excess - 1] + window - now)


class RateLimiter:
    """`sim.ratelimit`. Buckets: ("app", app_id), ("user", user_id), ("buc", account, type).
    Each call is counted before it is checked, so calls made while blocked keep the block going
    (core-flows.md §6.1)."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self._buckets: dict[tuple[str, ...], _Bucket] = {}
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()

    def limit_for(self, world: World, buc: str, account_id: str, tier: str | None = None) -> int:
        """The quota of one (account, BUC) bucket; `tier` defaults to `limits.tier`."""
        lim = self.limits
        dev = (tier or lim.tier) == "development_access"
        if buc == "ads_management":
            if lim.ads_management is not None:
                return lim.ads_management
            return (300 if dev else 100000) + 40 * active_ads(world, account_id)
        if buc == "ads_insights":
            if lim.ads_insights is not None:
                return lim.ads_insights
            return (600 if dev else 190000) + 400 * active_ads(world, account_id)
        if buc == "custom_audience":
            if lim.custom_audience is not None:
                return lim.custom_audience
            return min(700000, 5000 if dev else 190000)
        return lim.other_buc

    def app_limit(self) -> int:
        return (
            self.limits.app_calls
            if self.limits.app_calls is not None
            else 200 * max(1, self.limits.app_users)
        )

    def _bucket(self, key: tuple[str, ...], now: float) -> _Bucket:
        bucket = self._buckets.setdefault(key, _Bucket())
        bucket.trim(now, self.limits.window_seconds)
        return bucket

    def count(
        self,
        *,
        world: World,
        now: float,
        app_id: str | None,
        user_id: str | None,
        account_id: str | None,
        buc: str | None,
        calls: int = 1,
        tier: str | None = None,
    ) -> Usage:
        """Count `calls` calls and report. `account_id` is numeric (no `act_`)."""
        lim = self.limits
        window = lim.window_seconds
        usage = Usage()
        tier = tier or lim.tier
        with self._lock:
            app_bucket = self._bucket(("app", app_id or "-"), now)
            app_bucket.calls.extend([now] * calls)
            app_limit = self.app_limit()
            app_pct = 100.0 * len(app_bucket.calls) / app_limit
            user_bucket = None
            if user_id and lim.user_calls is not None:
                user_bucket = self._bucket(("user", user_id), now)
                user_bucket.calls.extend([now] * calls)
            buc_bucket = None
            buc_limit = 0
            if account_id and buc:
                buc_bucket = self._bucket(("buc", account_id, buc), now)
                buc_bucket.calls.extend([now] * calls)
                buc_limit = self.limit_for(world, buc, account_id, tier)

            # Headers, only once enough calls were made (threshold configurable, default 0).
            if len(app_bucket.calls) > lim.header_threshold:
                usage.headers["x-app-usage"] = _dumps(
                    {
                        "call_count": int(app_pct),
                        "total_cputime": int(app_pct * lim.time_share),
                        "total_time": int(app_pct * lim.time_share),
                    }
                )
            if account_id:
                usage.headers.update(
                    self._account_headers(world, now, account_id, buc, tier, app_pct)
                )

            # Past 100% → throttled; BUC first (§6.1: BUC applies when both could).
            if buc_bucket is not None and len(buc_bucket.calls) > buc_limit:
                wait = buc_bucket.seconds_until_below(buc_limit, now, window)
                usage.error = throttle_error(
                    BUC_THROTTLE_CODE.get(buc or "", 613), eta_minutes=_minutes(wait)
                )
            elif len(app_bucket.calls) > app_limit:
                wait = app_bucket.seconds_until_below(app_limit, now, window)
                usage.error = throttle_error(4, eta_minutes=_minutes(wait))
            elif user_bucket is not None and len(user_bucket.calls) > (lim.user_calls or 0):
                wait = user_bucket.seconds_until_below(lim.user_calls or 0, now, window)
                usage.error = throttle_error(17, eta_minutes=_minutes(wait))
        return usage

    def _account_headers(
        self, world: World, now: float, account_id: str, buc: str | None, tier: str, app_pct: float
    ) -> dict[str, str]:
        window = self.limits.window_seconds
        share = self.limits.time_share
        entries: list[dict[str, Any]] = []
        for (kind, *rest), bucket in sorted(self._buckets.items()):
            if kind != "buc" or rest[0] != account_id:
                continue
            bucket.trim(now, window)
            if not bucket.calls and rest[1] != buc:
                continue
            limit = self.limit_for(world, rest[1], account_id, tier)
            pct = 100.0 * len(bucket.calls) / limit
            over = len(bucket.calls) > limit
            wait = bucket.seconds_until_below(limit, now, window) if over else 0.0
            entry: dict[str, Any] = {
                "type": rest[1],
                "call_count": int(pct),
                "total_cputime": int(pct * share),
                "total_time": int(pct * share),
                "estimated_time_to_regain_access": _minutes(wait) if wait else 0,
            }
            if rest[1] in TIERED_BUC:
                entry["ads_api_access_tier"] = tier
            entries.append(entry)
        headers: dict[str, str] = {}
        if entries:
            headers["x-business-use-case-usage"] = _dumps({account_id: entries})
        mgmt = self._buckets.get(("buc", account_id, "ads_management"))
        mgmt_limit = self.limit_for(world, "ads_management", account_id, tier)
        mgmt_calls = len(mgmt.calls) if mgmt else 0
        reset = math.ceil(mgmt.calls[-1] + window - now) if mgmt and mgmt.calls else 0
        headers["x-ad-account-usage"] = _dumps(
            {
                "acc_id_util_pct": round(100.0 * mgmt_calls / mgmt_limit, 2),
                "reset_time_duration": reset,
                "ads_api_access_tier": tier,
            }
        )
        if buc == "ads_insights":
            ins = self._buckets.get(("buc", account_id, "ads_insights"))
            ins_limit = self.limit_for(world, "ads_insights", account_id, tier)
            ins_pct = 100.0 * len(ins.calls) / ins_limit
            headers["x-fb-ads-insights-throttle"] = _dumps(
                {
                    "app_id_util_pct": round(app_pct, 2),
                    "acc_id_util_pct": round(ins_pct, 2),
                    "ads_api_access_tier": tier,
                }
            )
        return headers


def _minutes(seconds: float) -> int:
    # §6.5: estimated_time_to_regain_access is in minutes; never 0 while blocked.
    return max(1, math.ceil(seconds / 60.0))


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))
