"""Fault plans: chosen calls fail (transient, throttled, bad token, HTTP 500), slow down or drop."""

from __future__ import annotations

import fnmatch
import random
import re
import threading
from dataclasses import asdict, dataclass, field
from typing import Any

from graph_sim.errors import GraphError

EFFECTS = (
    "transient",  # code 1/2 with is_transient (HTTP 500, see DECISIONS.md)
    "throttle",  # codes 4/17/32/613/80000-80014 with estimated_time_to_regain_access
    "token_expired",  # 190/463
    "token_invalidated",  # 190/460
    "error",  # any Graph error: give code/subcode/message/http_status
    "http_500",  # a bare HTTP 500 that is not Graph JSON (a proxy or load balancer failure)
    "delay",  # a slow response: sleep `delay` real seconds, then answer normally
    "drop",  # close the connection without an answer
    # Paging quirks (core-flows.md §5.1: "A page may be empty and still have `next`, and may
    # hold fewer than `limit` items"), applied by `paginate` to the matching edge calls.
    "short_page",  # fewer items than `limit`, `next` still continues correctly
    "empty_page",  # no items, `next` points at the same position
)
PAGING_EFFECTS = ("short_page", "empty_page")

# core-flows.md §6.4 and reference.md §8.2: throttling codes and their messages.
THROTTLE_MESSAGES: dict[int, str] = {
    4: "Application request limit reached",
    17: "User request limit reached",
    32: "Page request limit reached",
    341: "Application limit reached",
    613: "Calls to this api have exceeded the rate limit.",
    80000: "There have been too many calls from this ad-account. Wait a bit and try again. For "
    "more info, please refer to /docs/graph-api/overview/rate-limiting#ads-insights.",
    80001: "There have been too many calls to this Page account. Wait a bit and try again. For "
    "more info, please refer to https://developers.facebook.com/docs/graph-api/overview/"
    "rate-limiting.",
    80002: "There have been too many calls to this Instagram account. Wait a bit and try again.",
    80003: "There have been too many calls for this custom audience. Wait a bit and try again.",
    80004: "There have been too many calls to this ad-account. Wait a bit and try again. For "
    "more info, please refer to /docs/graph-api/overview/rate-limiting#ads-management.",
    80005: "There have been too many leadgen api calls to this Page. Wait a bit and try again.",
    80006: "There have been too many messaging api calls to this Page. Wait a bit and try again.",
    80008: "There have been too many calls to this WhatsApp Business account. Wait a bit and try "
    "again.",
    80009: "There have been too many calls to this Catalog account. Wait a bit and try again.",
    80014: "There have been too many calls to this Catalog account (batch). Wait a bit and try "
    "again.",
}

# BUC type of each BUC throttle code, for the X-Business-Use-Case-Usage header of the error.
THROTTLE_BUC_TYPE = {
    80000: "ads_insights",
    80001: "pages",
    80002: "instagram",
    80003: "custom_audience",
    80004: "ads_management",
    80005: "leadgen",
    80006: "messenger",
}


def throttle_error(
    code: int = 80004,
    subcode: int | None = None,
    *,
    eta_minutes: int = 5,
    message: str | None = None,
) -> GraphError:
    """A throttling error as Graph sends it (codes 80000/80003/80004 carry subcode 2446079)."""
    if subcode is None and code in (80000, 80003, 80004):
        subcode = 2446079
    err = GraphError(
        message or THROTTLE_MESSAGES.get(code, "Calls to this api have exceeded the rate limit."),
        code=code,
        subcode=subcode,
        is_transient=True,
        http_status=400,
    )
    err.eta_minutes = eta_minutes  # type: ignore[attr-defined]
    return err


@dataclass
class Fault:
    """One fault plan entry. Matching: `method` ("*" or a verb), `path` (a glob on the
    unversioned path such as `/act_*/campaigns`, or `re:<regex>`), `kind` (the route's kind,
    BUC type or node type, e.g. "campaign" or "ads_insights"). Firing: every matching call, or
    only the first `times`, every `every`-th, or with probability `rate` (seeded RNG); `times`
    caps the others. `after_apply`: the handler runs (the write happens), then the fault replaces
    the response — use it to test duplicate guards."""

    id: int
    effect: str
    method: str = "*"
    path: str = "*"
    kind: str | None = None
    times: int | None = None
    every: int | None = None
    rate: float | None = None
    after_apply: bool = False
    code: int | None = None
    subcode: int | None = None
    message: str | None = None
    http_status: int | None = None
    delay: float = 0.0
    eta_minutes: int = 5
    matched: int = 0
    fired: int = 0

    def matches(self, method: str, path: str, kinds: list[str]) -> bool:
        if self.method != "*" and self.method.upper() != method.upper():
            return False
        if self.path != "*":
            if self.path.startswith("re:"):
                if not re.search(self.path[3:], path):
                    return False
            elif not fnmatch.fnmatchcase(path, self.path):
                return False
        return self.kind is None or self.kind in kinds

    def error(self) -> GraphError:
        """The Graph error this fault produces (not for delay/drop/http_500)."""
        if self.effect == "transient":
            code = self.code or 2
            message = self.message or (
                "Service temporarily unavailable"
                if code == 2
                else "An unknown error occurred"
                if code == 1
                else "An unexpected error has occurred. Please retry your request later."
            )
            return GraphError(
                message,
                code=code,
                subcode=self.subcode,
                is_transient=True,
                http_status=self.http_status or 500,
                type="OAuthException",
            )
        if self.effect == "throttle":
            err = throttle_error(
                self.code or 80004, self.subcode, eta_minutes=self.eta_minutes, message=self.message
            )
            if self.http_status:
                err.http_status = self.http_status
            return err
        if self.effect == "token_expired":
            return GraphError(
                self.message
                or "Error validating access token: Session has expired on the simulator clock.",
                code=190,
                subcode=self.subcode or 463,
            )
        if self.effect == "token_invalidated":
            return GraphError(
                self.message
                or "Error validating access token: The session has been invalidated because the "
                "user changed their password or Facebook has changed the session for security "
                "reasons.",
                code=190,
                subcode=self.subcode or 460,
            )
        return GraphError(
            self.message or "An unexpected error has occurred.",
            code=self.code or 1,
            subcode=self.subcode,
            http_status=self.http_status or 400,
        )

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Faults:
    """`sim.faults`: add plans, and the core asks `pick()` on every call."""

    seed: int = 0
    plans: list[Fault] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._rng = random.Random(f"faults-{self.seed}")
        self._lock = threading.Lock()
        self._next_id = 1

    def add(self, effect: str = "transient", **options: Any) -> Fault:
        """Add a plan, e.g. `sim.faults.add("throttle", path="/act_*/campaigns", times=1)`."""
        if effect not in EFFECTS:
            raise ValueError(f"unknown fault effect {effect!r}; one of {EFFECTS}")
        with self._lock:
            fault = Fault(id=self._next_id, effect=effect, **options)
            self._next_id += 1
            self.plans.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self.plans.clear()

    def remove(self, fault_id: int) -> None:
        with self._lock:
            self.plans = [f for f in self.plans if f.id != fault_id]

    def pick(
        self, method: str, path: str, kinds: list[str], *, after_apply: bool, paging: bool = False
    ) -> Fault | None:
        """The first plan that fires for this call at this stage: before or after the handler,
        or (`paging=True`) inside `paginate` for the paging quirks."""
        with self._lock:
            for fault in self.plans:
                if (fault.effect in PAGING_EFFECTS) != paging:
                    continue
                if fault.after_apply != after_apply or not fault.matches(method, path, kinds):
                    continue
                if self._fires(fault):
                    return fault
        return None

    def take(self, kind: str, path: str) -> Fault | None:
        """The next plan of a plug-in's own kind (e.g. `video_processing`, `batch_timeout`) that
        fires for the object at `path` (a plan's path `*` fires for any object)."""
        with self._lock:
            for fault in self.plans:
                if fault.kind != kind or fault.path not in ("*", path):
                    continue
                if self._fires(fault):
                    return fault
        return None

    def _fires(self, fault: Fault) -> bool:
        """Count a match and say whether the plan fires now (times, every, rate); under the lock."""
        if fault.times is not None and fault.fired >= fault.times:
            return False
        fault.matched += 1
        if fault.every is not None and fault.matched % fault.every != 0:
            return False
        if fault.rate is not None and self._rng.random() >= fault.rate:
            return False
        fault.fired += 1
        return True
