"""A throttle shared by every worker: usage headers in, waits out (core-flows.md §6).

Graph reports how much of each quota a call used (X-App-Usage, X-Ad-Account-Usage,
X-Business-Use-Case-Usage, X-FB-Ads-Insights-Throttle). `Throttle.observe` stores those figures
(with the time they were seen) in a `UsageStore`; `Throttle.wait` runs before every call and
slows the caller as usage nears 100%, or blocks it until `estimated_time_to_regain_access` has
passed after a throttling error. Two stores: Redis (shared by all processes) and in-process.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from agency.graph.errors import GraphThrottleError

Scope = tuple[str, ...]  # ("app", app_id) | ("account", act) | ("buc", act, type)

# core-flows.md §6.4: the business use case each BUC throttling code belongs to.
BUC_OF_CODE = {
    80000: "ads_insights",
    80001: "pages",
    80002: "instagram",
    80003: "custom_audience",
    80004: "ads_management",
    80005: "leadgen",
    80006: "messenger",
}


def account_key(act_id: str | int) -> str:
    """`act_123`, `123` and 123 name the same account; keys use the digits."""
    text = str(act_id)
    return text[4:] if text.startswith("act_") else text


# --- parsing the headers ------------------------------------------------------------------


def _loads(value: str | None) -> Any:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _num(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0


@dataclass(frozen=True)
class UsageFigures:
    """What the headers of one response said, by scope. Percentages are 0-100+."""

    app: dict[str, Any] | None = None
    ad_account: dict[str, Any] | None = None  # X-Ad-Account-Usage (for the call's account)
    insights: dict[str, Any] | None = None  # X-FB-Ads-Insights-Throttle
    bucs: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)  # id → type → entry

    def is_empty(self) -> bool:
        return not (self.app or self.ad_account or self.insights or self.bucs)

    def summary(self) -> dict[str, Any]:
        """Compact figures for the call log."""
        out: dict[str, Any] = {}
        if self.app:
            out["app"] = pct_of(self.app)
        if self.ad_account:
            out["ad_account"] = _num(self.ad_account.get("acc_id_util_pct"))
        for obj_id, entries in self.bucs.items():
            for kind, entry in entries.items():
                out[f"{kind}:{obj_id}"] = pct_of(entry)
        return out


def pct_of(entry: Mapping[str, Any]) -> float:
    """The highest of call_count / total_cputime / total_time (Graph throttles on any)."""
    return max(_num(entry.get(k)) for k in ("call_count", "total_cputime", "total_time"))


def parse_usage(headers: Mapping[str, str]) -> UsageFigures:
    """Read the usage headers (case-insensitive names); bad JSON is ignored, never raised."""
    lower = {k.lower(): v for k, v in headers.items()}
    app = _loads(lower.get("x-app-usage"))
    account = _loads(lower.get("x-ad-account-usage"))
    insights = _loads(lower.get("x-fb-ads-insights-throttle"))
    raw_bucs = _loads(lower.get("x-business-use-case-usage"))
    bucs: dict[str, dict[str, dict[str, Any]]] = {}
    if isinstance(raw_bucs, dict):
        for obj_id, entries in raw_bucs.items():
            if isinstance(entries, dict):
                entries = [entries]
            for entry in entries if isinstance(entries, list) else []:
                if isinstance(entry, dict) and entry.get("type"):
                    bucs.setdefault(account_key(obj_id), {})[str(entry["type"])] = entry
    return UsageFigures(
        app=app if isinstance(app, dict) else None,
        ad_account=account if isinstance(account, dict) else None,
        insights=insights if isinstance(insights, dict) else None,
        bucs=bucs,
    )


# --- stores --------------------------------------------------------------------------------


class UsageStore(Protocol):
    """Where figures and blocks live. Timestamps are Unix seconds from the throttle's clock."""

    def put_usage(self, scope: Scope, figures: Mapping[str, Any], now: float) -> None: ...

    def get_usage(self, scopes: Iterable[Scope]) -> dict[Scope, dict[str, Any]]: ...

    def account_usage(self, account: str) -> dict[Scope, dict[str, Any]]: ...

    def block(self, scope: Scope, until: float) -> None: ...

    def blocked_until(self, scopes: Iterable[Scope], now: float) -> float: ...


class InProcessUsageStore:
    """The embedded default: one process, a dict and a lock."""

    def __init__(self) -> None:
        self._usage: dict[Scope, dict[str, Any]] = {}
        self._blocks: dict[Scope, float] = {}
        self._lock = threading.Lock()

    def put_usage(self, scope: Scope, figures: Mapping[str, Any], now: float) -> None:
        with self._lock:
            self._usage[scope] = {**figures, "recorded_at": now}

    def get_usage(self, scopes: Iterable[Scope]) -> dict[Scope, dict[str, Any]]:
        with self._lock:
            return {s: dict(self._usage[s]) for s in scopes if s in self._usage}

    def account_usage(self, account: str) -> dict[Scope, dict[str, Any]]:
        with self._lock:
            return {
                s: dict(v)
                for s, v in self._usage.items()
                if len(s) > 1 and s[0] in ("account", "buc", "insights") and s[1] == account
            }

    def block(self, scope: Scope, until: float) -> None:
        with self._lock:
            self._blocks[scope] = max(until, self._blocks.get(scope, 0.0))

    def blocked_until(self, scopes: Iterable[Scope], now: float) -> float:
        with self._lock:
            return max((self._blocks.get(s, 0.0) for s in scopes), default=0.0)


# Keep the later of two block times, atomically (several workers may report at once).
_BLOCK_MAX = """
local old = tonumber(redis.call('GET', KEYS[1]) or '0')
local new = tonumber(ARGV[1])
if new > old then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
end
return 1
"""


class RedisUsageStore:
    """Shared by every worker process. Keys: `<prefix>usage:<scope>` (JSON, expiring) and
    `<prefix>block:<scope>` (Unix time), `<prefix>account:<act>` (the account's scopes)."""

    def __init__(self, redis: Any, *, prefix: str = "adwright:graph:", ttl: float = 7200.0):
        self.redis = redis
        self.prefix = prefix
        self.ttl_ms = int(ttl * 1000)
        self._block_max = redis.register_script(_BLOCK_MAX)

    @classmethod
    def from_url(cls, url: str, **kw: Any) -> RedisUsageStore:
        import redis

        return cls(redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2), **kw)

    def _key(self, kind: str, scope: Scope) -> str:
        return f"{self.prefix}{kind}:{':'.join(scope)}"

    def put_usage(self, scope: Scope, figures: Mapping[str, Any], now: float) -> None:
        value = json.dumps({**figures, "recorded_at": now}, separators=(",", ":"))
        pipe = self.redis.pipeline()
        pipe.set(self._key("usage", scope), value, px=self.ttl_ms)
        if len(scope) > 1 and scope[0] in ("account", "buc", "insights"):
            index = f"{self.prefix}account:{scope[1]}"
            pipe.sadd(index, ":".join(scope))
            pipe.pexpire(index, self.ttl_ms)
        pipe.execute()

    def get_usage(self, scopes: Iterable[Scope]) -> dict[Scope, dict[str, Any]]:
        scopes = list(scopes)
        if not scopes:
            return {}
        values = self.redis.mget([self._key("usage", s) for s in scopes])
        out = {}
        for scope, raw in zip(scopes, values, strict=True):
            parsed = _loads(raw.decode() if isinstance(raw, bytes) else raw)
            if isinstance(parsed, dict):
                out[scope] = parsed
        return out

    def account_usage(self, account: str) -> dict[Scope, dict[str, Any]]:
        members = self.redis.smembers(f"{self.prefix}account:{account}")
        scopes = [tuple((m.decode() if isinstance(m, bytes) else m).split(":")) for m in members]
        return self.get_usage(sorted(scopes))

    def block(self, scope: Scope, until: float) -> None:
        ttl = max(1000, int((until - time.time()) * 1000) + self.ttl_ms)
        self._block_max(keys=[self._key("block", scope)], args=[repr(until), ttl])

    def blocked_until(self, scopes: Iterable[Scope], now: float) -> float:
        scopes = list(scopes)
        if not scopes:
            return 0.0
        values = self.redis.mget([self._key("block", s) for s in scopes])
        return max(
            (_num(v.decode() if isinstance(v, bytes) else v) for v in values if v), default=0.0
        )


# --- the throttle -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CallScope:
    """Which quotas one call draws on."""

    app_id: str | None = None
    account: str | None = None  # digits, no act_
    buc: str | None = None

    def scopes(self) -> list[Scope]:
        out: list[Scope] = []
        if self.app_id:
            out.append(("app", self.app_id))
        if self.account:
            out.append(("account", self.account))
            if self.buc:
                out.append(("buc", self.account, self.buc))
            if self.buc == "ads_insights":
                out.append(("insights", self.account))
        return out


@dataclass
class ThrottlePolicy:
    """Below `slow_from` % no wait; from there to 100% a wait rising to `max_delay` seconds; at
    100% a block until the quota resets (`reset_time_duration`, `estimated_time_to_regain_access`
    or `default_block`). Figures older than `stale_after` seconds are ignored."""

    slow_from: float = 75.0
    max_delay: float = 10.0
    default_block: float = 60.0
    stale_after: float = 600.0
    max_wait: float = 60.0  # longer waits raise GraphThrottleError(local=True) instead


class Throttle:
    """`wait(scope)` before a call, `observe(scope, headers)` after it, `blocked(...)` on a
    throttling error. `clock` is Unix time (shared across processes), `sleep` blocks."""

    def __init__(
        self,
        store: UsageStore | None = None,
        *,
        policy: ThrottlePolicy | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.store: UsageStore = store or InProcessUsageStore()
        self.policy = policy or ThrottlePolicy()
        self.clock = clock
        self.sleep = sleep

    # before a call ----------------------------------------------------------------------------
    def delay_for(self, scope: CallScope) -> float:
        """Seconds to wait before this call may go out."""
        now = self.clock()
        scopes = scope.scopes()
        wait = max(0.0, self.store.blocked_until(scopes, now) - now)
        for key, figures in self.store.get_usage(scopes).items():
            age = now - _num(figures.get("recorded_at"))
            if age > self.policy.stale_after:
                continue
            pct = _figure_pct(key, figures)
            if pct >= 100.0:
                wait = max(wait, _reset_seconds(figures, self.policy.default_block) - age)
            elif pct >= self.policy.slow_from:
                share = (pct - self.policy.slow_from) / (100.0 - self.policy.slow_from)
                wait = max(wait, self.policy.max_delay * share)
        return max(0.0, wait)

    def wait(self, scope: CallScope, *, max_wait: float | None = None) -> float:
        """Sleep as long as the figures say; raise GraphThrottleError when that is too long."""
        delay = self.delay_for(scope)
        limit = self.policy.max_wait if max_wait is None else max_wait
        if delay > limit:
            raise GraphThrottleError(
                f"Throttled locally: quota for {scope} is used up; retry in {math.ceil(delay)} s",
                local=True,
                retry_after=delay,
            )
        if delay > 0:
            self.sleep(delay)
        return delay

    # after a call -----------------------------------------------------------------------------
    def observe(self, scope: CallScope, figures: UsageFigures) -> None:
        """Store what the response's headers said."""
        now = self.clock()
        if figures.app and scope.app_id:
            self.store.put_usage(("app", scope.app_id), figures.app, now)
        if figures.ad_account and scope.account:
            self.store.put_usage(("account", scope.account), figures.ad_account, now)
        if figures.insights and scope.account:
            self.store.put_usage(("insights", scope.account), figures.insights, now)
        for obj_id, entries in figures.bucs.items():
            for kind, entry in entries.items():
                self.store.put_usage(("buc", obj_id, kind), entry, now)
                eta = _num(entry.get("estimated_time_to_regain_access"))
                if eta > 0:
                    self.store.block(("buc", obj_id, kind), now + eta * 60.0)

    def blocked(self, scope: CallScope, error: GraphThrottleError) -> None:
        """After a throttling error: nobody calls this quota until it is regained."""
        if error.local:
            return
        now = self.clock()
        seconds = error.retry_after or self.policy.default_block
        code = error.code or 0
        if code >= 80000 and scope.account:
            buc = BUC_OF_CODE.get(code) or scope.buc or "ads_management"
            target: Scope = ("buc", scope.account, buc)
        elif code in (4, 613, 341) and scope.app_id:
            target = ("app", scope.app_id)
        elif scope.account:
            target = ("account", scope.account)
        else:
            target = ("app", scope.app_id or "-")
        self.store.block(target, now + seconds)


def _figure_pct(scope: Scope, figures: Mapping[str, Any]) -> float:
    if scope[0] == "account":
        return _num(figures.get("acc_id_util_pct"))
    if scope[0] == "insights":
        return max(_num(figures.get("acc_id_util_pct")), _num(figures.get("app_id_util_pct")))
    return pct_of(figures)


def _reset_seconds(figures: Mapping[str, Any], default: float) -> float:
    eta = _num(figures.get("estimated_time_to_regain_access"))
    if eta > 0:
        return eta * 60.0
    reset = _num(figures.get("reset_time_duration"))
    return reset if reset > 0 else default


def retry_after_from(figures: UsageFigures, scope: CallScope) -> float | None:
    """Seconds until access returns, from a throttling response's headers (§6.5: the BUC
    `estimated_time_to_regain_access` is in minutes, `reset_time_duration` in seconds)."""
    best = 0.0
    for entries in figures.bucs.values():
        for entry in entries.values():
            best = max(best, _num(entry.get("estimated_time_to_regain_access")) * 60.0)
    if not best and figures.ad_account:
        best = _num(figures.ad_account.get("reset_time_duration"))
    return best or None


# --- what the UI reads ------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountUsage:
    """The latest figures for one ad account, for a "budget of calls" display."""

    account_id: str
    ad_account: dict[str, Any] | None  # acc_id_util_pct, reset_time_duration, tier, recorded_at
    business_use_cases: dict[str, dict[str, Any]]  # type → call_count ... recorded_at
    insights: dict[str, Any] | None

    @property
    def highest_pct(self) -> float:
        values = [pct_of(v) for v in self.business_use_cases.values()]
        if self.ad_account:
            values.append(_num(self.ad_account.get("acc_id_util_pct")))
        return max(values, default=0.0)


def usage_for_account(act_id: str | int, *, store: UsageStore) -> AccountUsage:
    account = account_key(act_id)
    found = store.account_usage(account)
    return AccountUsage(
        account_id=f"act_{account}",
        ad_account=found.get(("account", account)),
        business_use_cases={s[2]: v for s, v in found.items() if s[0] == "buc"},
        insights=found.get(("insights", account)),
    )
