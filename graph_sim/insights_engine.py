"""Insights numbers: deterministic per (ad, day), split exactly by hour and breakdown, aggregated.

The engine is pure (no world, no HTTP): it takes plain `AdRecord`s and a validated
`InsightsQuery` (see insights_params.py) and returns Graph-shaped rows. The decisions behind the
numbers are written down in graph_sim/DECISIONS.md ("Insights").

How a number is made:
1. `_day_totals` draws the full-day counters of one ad on one local day from the simulator seed
   (impressions, spend in minor units, clicks, action counts by attribution component, video).
   Every counter is drawn as a fraction (≤ 1) of a "base" counter, so children never exceed
   their base.
2. A day the ad delivered only partly (created mid-day, paused, today so far) keeps the hours it
   delivered: the day is split into 24 hours and the delivered hours are summed.
3. A breakdown splits the day's counters over the cells of its family (demographic, geo,
   placement, hour) with the largest-remainder method, so the cells add up exactly to the day.
   A counter is split in proportion to its base's cells, which keeps every cell's clicks under
   its impressions.
4. Groups (level object x time slice x breakdown value) sum counters. Ratios (ctr, cpc, cpm,
   frequency, cost per ...) are computed from the sums, never summed. Reach is deduplicated by
   a deterministic estimate (`_dedup`).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from graph_sim.errors import GraphError
from graph_sim.insights_params import (
    HOURLY_BREAKDOWNS,
    LEVEL_RANK,
    STATUS_FILTER_FIELDS,
    Filter,
    InsightsQuery,
    lookback_limit,
)

# --- inputs -----------------------------------------------------------------------------------

HIDDEN_STATUSES = frozenset({"ARCHIVED", "DELETED"})


@dataclass(frozen=True)
class AdRecord:
    """One ad as the engine sees it. `delivery` lists the intervals (UTC, end None = still
    running) during which the ad was eligible to deliver; the adapter derives them from the
    ad, ad set and campaign schedules and statuses."""

    ad_id: str
    adset_id: str
    campaign_id: str
    account_id: str  # numeric, without "act_"
    created_time: datetime
    delivery: tuple[tuple[datetime, datetime | None], ...]
    effective_status: str = "ACTIVE"
    adset_effective_status: str = "ACTIVE"
    campaign_effective_status: str = "ACTIVE"
    currency: str = "USD"
    timezone: str = "America/Los_Angeles"
    ad_name: str = ""
    adset_name: str = ""
    campaign_name: str = ""
    account_name: str = ""
    objective: str = "OUTCOME_TRAFFIC"
    optimization_goal: str = "LINK_CLICKS"
    buying_type: str = "AUCTION"
    daily_budget_minor: int | None = None  # the ad's share of its budget, scales volume
    countries: tuple[str, ...] = ("US",)
    labels: tuple[str, ...] = ()
    has_video: bool | None = None  # None: decided from the seed

    def level_id(self, level: str) -> str:
        return {
            "ad": self.ad_id,
            "adset": self.adset_id,
            "campaign": self.campaign_id,
            "account": self.account_id,
        }[level]

    def status_at(self, level: str) -> str:
        return {
            "ad": self.effective_status,
            "adset": self.adset_effective_status,
            "campaign": self.campaign_effective_status,
        }.get(level, "ACTIVE")


@dataclass
class EngineSettings:
    """Knobs tests may turn. Points = ad-days x breakdown cells a query touches."""

    sync_max_points: int = 400_000
    async_max_points: int = 4_000_000
    default_limit: int = 25


# --- currencies ---------------------------------------------------------------------------------

# Currencies whose basic unit is the major unit (reference.md §1 "basic unit for JPY/KRW").
ZERO_DECIMAL = frozenset({"JPY", "KRW", "CLP", "ISK", "VND", "PYG", "HUF", "TWD"})
# Rough units per US dollar, so a yen account spends a plausible number of yen.
_PER_USD = {
    "USD": 1.0, "EUR": 0.92, "GBP": 0.79, "CAD": 1.36, "AUD": 1.52, "NZD": 1.65, "CHF": 0.9,
    "SEK": 10.5, "NOK": 10.6, "DKK": 6.9, "PLN": 4.0, "JPY": 150.0, "KRW": 1350.0, "INR": 83.0,
    "BRL": 5.0, "MXN": 17.0, "SGD": 1.35, "HKD": 7.8, "ZAR": 18.5, "TRY": 32.0, "CLP": 930.0,
    "HUF": 360.0, "TWD": 32.0,
}  # fmt: skip


def currency_offset(currency: str) -> int:
    """Minor units per major unit."""
    return 1 if currency.upper() in ZERO_DECIMAL else 100


def format_money(minor: int, currency: str) -> str:
    """Minor units as Graph's numeric string in the account currency ("2352.45", "1200")."""
    if currency_offset(currency) == 1:
        return str(minor)
    sign = "-" if minor < 0 else ""
    q, r = divmod(abs(minor), 100)
    return f"{sign}{q}.{r:02d}"


def _ratio(value: float) -> str:
    return f"{value:.6f}"


# --- deterministic randomness -------------------------------------------------------------------


def _rng(*parts: Any) -> random.Random:
    digest = hashlib.blake2b(":".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def _round(x: float) -> int:
    return math.floor(x + 0.5)


def split_largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split an integer exactly: floor shares, then +1 to the largest remainders (ties: first).

    With integer weights the arithmetic is exact. When the weights are another counter's cells
    and `total` ≤ their sum, every share stays ≤ its weight (⌈total·w/W⌉ ≤ w).
    """
    n = len(weights)
    wsum = sum(weights)
    if total == 0 or n == 0:
        return [0] * n
    if wsum <= 0:
        raise ValueError("cannot split a positive total over zero weights")
    shares = [0] * n
    rems = []
    given = 0
    for i, w in enumerate(weights):
        q, r = divmod(total * w, wsum)
        shares[i] = q
        given += q
        rems.append((-r, i))
    left = total - given
    if left:
        rems.sort()
        for _, i in rems[:left]:
            shares[i] += 1
    return shares


# --- counters -----------------------------------------------------------------------------------

# Attribution components of one action count. Windows are sums of components, so every window
# is additive and 1d ≤ 7d ≤ 28d holds in every cell. `value` = 7d_click + 1d_view (the
# documented default window, reference L15819).
COMPONENTS = ("c1", "c7", "c28", "v1", "v7", "v28")
WINDOW_COMPONENTS = {
    "1d_click": ("c1",),
    "7d_click": ("c1", "c7"),
    "28d_click": ("c1", "c7", "c28"),
    "1d_view": ("v1",),
    "7d_view": ("v1", "v7"),
    "28d_view": ("v1", "v7", "v28"),
    "7d_view_first_conversion": ("v1", "v7"),
    "28d_view_first_conversion": ("v1", "v7", "v28"),
    "7d_view_all_conversions": ("v1", "v7"),
    "28d_view_all_conversions": ("v1", "v7", "v28"),
    "dda": ("c1", "c7", "v1"),
}
VALUE_COMPONENTS = ("c1", "c7", "v1")

# Base action types drawn per day; (base counter of c1, shares of the other components).
_ACTION_BASES: dict[str, tuple[str, tuple[float, float, float, float, float]]] = {
    "link_click": ("clicks", (0.010, 0.004, 0.013, 0.004, 0.002)),
    "landing_page_view": ("link_click|c1", (0.010, 0.004, 0.010, 0.003, 0.002)),
    "post_reaction": ("impressions", (0.0, 0.0, 0.02, 0.0, 0.0)),
    "comment": ("impressions", (0.0, 0.0, 0.0, 0.0, 0.0)),
    "post": ("impressions", (0.0, 0.0, 0.0, 0.0, 0.0)),
    "video_view": ("video_2s", (0.0, 0.0, 0.0, 0.0, 0.0)),
    "offsite_conversion.fb_pixel_purchase": ("link_click|c1", (0.35, 0.15, 0.20, 0.10, 0.05)),
}
ACTION_TYPES = tuple(_ACTION_BASES)
ENGAGEMENT_TYPES = ("link_click", "post_reaction", "comment", "post", "video_view")
PURCHASE = "offsite_conversion.fb_pixel_purchase"
# Derived action types: sums of base types (core-flows.md §4.5, actions are hierarchical).
DERIVED_ACTIONS = {
    "post_engagement": ENGAGEMENT_TYPES,
    "page_engagement": ENGAGEMENT_TYPES,
    "omni_purchase": (PURCHASE,),
    "purchase": (PURCHASE,),
}
OFFSITE_ACTIONS = frozenset({PURCHASE, "omni_purchase", "purchase"})
ACTION_ORDER = (
    "comment", "landing_page_view", "link_click", "offsite_conversion.fb_pixel_purchase",
    "omni_purchase", "page_engagement", "post", "post_engagement", "post_reaction", "purchase",
    "video_view",
)  # fmt: skip
VALUE_TYPES = (PURCHASE, "omni_purchase", "purchase")

VIDEO_COUNTERS = (
    "video_play", "video_2s", "video_thruplay", "video_p25", "video_p50", "video_p75",
    "video_p95", "video_p100", "video_30s",
)  # fmt: skip


def _counter_bases() -> dict[str, str]:
    """counter → the counter whose cells it is split by ("" = family weights)."""
    bases: dict[str, str] = {
        "impressions": "",
        "spend": "",  # split by impression cells x cost factor
        "social_spend": "spend",
        "reach": "impressions",
        "clicks": "impressions",
        "unique_clicks": "clicks",
        "video_play": "impressions",
        "video_2s": "video_play",
        "video_p25": "video_play",
        "video_p50": "video_p25",
        "video_p75": "video_p50",
        "video_p95": "video_p75",
        "video_p100": "video_p95",
    }
    for action, (base, _) in _ACTION_BASES.items():
        bases[f"{action}|c1"] = base
        for comp in COMPONENTS[1:]:
            bases[f"{action}|{comp}"] = f"{action}|c1"
    bases["outbound_clicks"] = "link_click|c1"
    bases["video_thruplay"] = "video_view|c1"
    bases["video_30s"] = "video_view|c1"
    for comp in COMPONENTS:
        bases[f"purchase_value|{comp}"] = f"{PURCHASE}|{comp}"
    return bases


COUNTER_BASES = _counter_bases()


def _topological(names: Iterable[str]) -> list[str]:
    order: list[str] = []
    seen: set[str] = set()

    def visit(n: str) -> None:
        if n in seen:
            return
        base = COUNTER_BASES[n]
        if base:
            visit(base)
        elif n == "spend":
            visit("impressions")
        seen.add(n)
        order.append(n)

    for n in names:
        visit(n)
    return order


ALL_COUNTERS = tuple(_topological(COUNTER_BASES))

_ACTION_COUNTERS = tuple(f"{a}|{c}" for a in ACTION_TYPES for c in COMPONENTS)
_VALUE_COUNTERS = tuple(f"purchase_value|{c}" for c in COMPONENTS)

# Which counters each metric field reads.
FIELD_COUNTERS: dict[str, tuple[str, ...]] = {
    "impressions": ("impressions",),
    "spend": ("spend",),
    "social_spend": ("social_spend",),
    "reach": ("reach",),
    "frequency": ("impressions", "reach"),
    "cpp": ("spend", "reach"),
    "clicks": ("clicks",),
    "unique_clicks": ("unique_clicks",),
    "ctr": ("clicks", "impressions"),
    "cpc": ("spend", "clicks"),
    "cpm": ("spend", "impressions"),
    "cost_per_unique_click": ("spend", "unique_clicks"),
    "inline_link_clicks": ("link_click|c1",),
    "inline_link_click_ctr": ("link_click|c1", "impressions"),
    "cost_per_inline_link_click": ("spend", "link_click|c1"),
    "inline_post_engagement": tuple(f"{a}|c1" for a in ENGAGEMENT_TYPES),
    "cost_per_inline_post_engagement": ("spend", *(f"{a}|c1" for a in ENGAGEMENT_TYPES)),
    "actions": _ACTION_COUNTERS,
    "total_actions": _ACTION_COUNTERS,
    "action_values": _VALUE_COUNTERS,
    "cost_per_action_type": ("spend", *_ACTION_COUNTERS),
    "outbound_clicks": ("outbound_clicks",),
    "outbound_clicks_ctr": ("outbound_clicks", "impressions"),
    "cost_per_outbound_click": ("spend", "outbound_clicks"),
    "website_ctr": ("impressions", *(f"link_click|{c}" for c in COMPONENTS)),
    "purchase_roas": ("spend", *_VALUE_COUNTERS),
    "website_purchase_roas": ("spend", *_VALUE_COUNTERS),
    "video_play_actions": ("video_play",),
    "video_continuous_2_sec_watched_actions": ("video_2s",),
    "video_thruplay_watched_actions": ("video_thruplay",),
    "video_p25_watched_actions": ("video_p25",),
    "video_p50_watched_actions": ("video_p50",),
    "video_p75_watched_actions": ("video_p75",),
    "video_p95_watched_actions": ("video_p95",),
    "video_p100_watched_actions": ("video_p100",),
    "video_30_sec_watched_actions": ("video_30s",),
    "cost_per_thruplay": ("spend", "video_thruplay"),
    "cost_per_2_sec_continuous_video_view": ("spend", "video_2s"),
}
MODELLED_FIELDS = frozenset(FIELD_COUNTERS) | {
    "account_id", "account_name", "account_currency", "campaign_id", "campaign_name",
    "adset_id", "adset_name", "ad_id", "ad_name", "objective", "optimization_goal",
    "buying_type", "attribution_setting", "date_start", "date_stop",
}  # fmt: skip


# --- per-ad profile and per-day totals ----------------------------------------------------------

_WEEKDAY = (1.0, 1.02, 1.03, 1.01, 0.97, 0.9, 0.92)
_SALES_OBJECTIVES = frozenset({"OUTCOME_SALES", "CONVERSIONS", "PRODUCT_CATALOG_SALES"})


@dataclass(frozen=True)
class _Profile:
    impressions: float
    cpm_usd: float
    ctr: float
    link_share: float
    frequency: float
    video: bool
    purchase_rate: float
    aov_usd: float
    phase: float


@lru_cache(maxsize=4096)
def _profile(seed: int, ad: AdRecord) -> _Profile:
    rng = _rng(seed, "profile", ad.ad_id)
    cpm = rng.uniform(4.0, 14.0)
    if ad.daily_budget_minor:
        budget_usd = ad.daily_budget_minor / currency_offset(ad.currency)
        budget_usd /= _PER_USD.get(ad.currency.upper(), 1.0)
        impressions = max(50.0, budget_usd / cpm * 1000 * rng.uniform(0.85, 0.98))
    else:
        impressions = math.exp(rng.uniform(math.log(400), math.log(20000)))
    video = ad.has_video if ad.has_video is not None else rng.random() < 0.4
    sales = ad.objective in _SALES_OBJECTIVES
    return _Profile(
        impressions=impressions,
        cpm_usd=cpm,
        ctr=rng.uniform(0.006, 0.025),
        link_share=rng.uniform(0.55, 0.85),
        frequency=rng.uniform(1.05, 1.5),
        video=video,
        purchase_rate=rng.uniform(0.01, 0.06) if sales else rng.uniform(0.0, 0.008),
        aov_usd=rng.uniform(25.0, 120.0),
        phase=rng.uniform(0, 2 * math.pi),
    )


@lru_cache(maxsize=65536)
def _day_totals(seed: int, ad: AdRecord, day: date) -> dict[str, int]:
    """The full-day counters of one ad (as if it delivered all 24 hours)."""
    p = _profile(seed, ad)
    rng = _rng(seed, "day", ad.ad_id, day.isoformat())
    u = rng.uniform
    wave = 1 + 0.12 * math.sin(day.toordinal() / 9.0 + p.phase)
    imps = _round(p.impressions * _WEEKDAY[day.weekday()] * wave * u(0.8, 1.2))
    out: dict[str, int] = {"impressions": imps}
    rate = _PER_USD.get(ad.currency.upper(), 1.0) * currency_offset(ad.currency)
    out["spend"] = _round(imps * p.cpm_usd * rate * u(0.9, 1.1) / 1000)
    out["social_spend"] = _round(out["spend"] * u(0.05, 0.2))
    out["reach"] = min(imps, _round(imps / (p.frequency * u(0.95, 1.05))))
    clicks = min(imps, _round(imps * p.ctr * u(0.8, 1.2)))
    out["clicks"] = clicks
    out["unique_clicks"] = _round(clicks * u(0.85, 0.97))
    plays = _round(imps * u(0.25, 0.5)) if p.video else 0
    out["video_play"] = plays
    out["video_2s"] = _round(plays * u(0.6, 0.8))
    for name, base, lo, hi in (
        ("video_p25", "video_play", 0.4, 0.6),
        ("video_p50", "video_p25", 0.6, 0.8),
        ("video_p75", "video_p50", 0.6, 0.8),
        ("video_p95", "video_p75", 0.7, 0.9),
        ("video_p100", "video_p95", 0.8, 0.95),
    ):
        out[name] = _round(out[base] * u(lo, hi))
    c1_share = {
        "link_click": p.link_share,
        "landing_page_view": u(0.6, 0.9),
        "post_reaction": u(0.001, 0.004),
        "comment": u(0.0001, 0.0006),
        "post": u(0.0001, 0.0004),
        "video_view": u(0.8, 0.95),
        PURCHASE: p.purchase_rate,
    }
    for action, (base, shares) in _ACTION_BASES.items():
        c1 = _round(out[base] * c1_share[action] * u(0.9, 1.1)) if action != "link_click" else 0
        if action == "link_click":
            c1 = min(clicks, _round(clicks * p.link_share))
        c1 = min(c1, out[base])
        out[f"{action}|c1"] = c1
        for comp, share in zip(COMPONENTS[1:], shares, strict=True):
            out[f"{action}|{comp}"] = _round(c1 * share * u(0.7, 1.3)) if share else 0
    out["outbound_clicks"] = _round(out["link_click|c1"] * u(0.85, 0.98))
    out["video_thruplay"] = _round(out["video_view|c1"] * u(0.3, 0.5))
    out["video_30s"] = _round(out["video_view|c1"] * u(0.1, 0.3))
    aov = p.aov_usd * rate
    for comp in COMPONENTS:
        out[f"purchase_value|{comp}"] = _round(out[f"{PURCHASE}|{comp}"] * aov * u(0.8, 1.2))
    return out


# --- families of breakdown cells ----------------------------------------------------------------

_AGES = (
    ("18-24", 14), ("25-34", 27), ("35-44", 22), ("45-54", 16), ("55-64", 12), ("65+", 9),
)  # fmt: skip
_GENDERS = (("female", 52), ("male", 46), ("unknown", 2))
_REGIONS = {
    "US": ("California", "Texas", "New York", "Florida", "Illinois", "Washington"),
    "GB": ("England", "Scotland", "Wales", "Northern Ireland"),
    "CA": ("Ontario", "Quebec", "British Columbia", "Alberta"),
    "DE": ("Bavaria", "Berlin", "Hamburg", "North Rhine-Westphalia"),
    "FR": ("Île-de-France", "Auvergne-Rhône-Alpes", "Occitanie"),
    "AU": ("New South Wales", "Victoria", "Queensland"),
    "JP": ("Tokyo", "Osaka", "Kanagawa"),
    "BR": ("São Paulo", "Rio de Janeiro", "Minas Gerais"),
}
_POSITIONS = (
    ("facebook", "feed", 30), ("facebook", "facebook_reels", 6),
    ("facebook", "facebook_stories", 5), ("facebook", "marketplace", 4),
    ("facebook", "video_feeds", 3), ("facebook", "right_hand_column", 2),
    ("facebook", "search", 1), ("instagram", "feed", 18),
    ("instagram", "instagram_stories", 10), ("instagram", "instagram_reels", 8),
    ("instagram", "instagram_explore", 3), ("audience_network", "an_classic", 4),
    ("audience_network", "rewarded_video", 2), ("messenger", "messenger_inbox", 2),
    ("messenger", "messenger_stories", 2),
)  # fmt: skip
_DEVICES = (
    ("mobile_app", "iphone", 28), ("mobile_app", "android_smartphone", 32),
    ("mobile_app", "ipad", 3), ("mobile_app", "android_tablet", 2),
    ("mobile_app", "other", 1), ("mobile_web", "iphone", 4),
    ("mobile_web", "android_smartphone", 5), ("desktop", "desktop", 20),
)  # fmt: skip
_MOBILE_APP_ONLY = frozenset({"instagram", "audience_network", "messenger"})
_HOUR_CURVE = (
    2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 7, 6, 6, 6, 6, 6, 7, 8, 8, 7, 5, 3,
)  # fmt: skip

FAMILY_DIMS = {
    "demographic": ("age", "gender"),
    "geo": ("country", "region"),
    "placement": (
        "publisher_platform",
        "platform_position",
        "device_platform",
        "impression_device",
    ),
    "hourly": ("hour",),
}
_FAMILY_OF = {
    "age": "demographic",
    "gender": "demographic",
    "country": "geo",
    "region": "geo",
    "publisher_platform": "placement",
    "platform_position": "placement",
    "device_platform": "placement",
    "impression_device": "placement",
    "hourly_stats_aggregated_by_advertiser_time_zone": "hourly",
    "hourly_stats_aggregated_by_audience_time_zone": "hourly",
}


@dataclass(frozen=True)
class _Family:
    keys: tuple[tuple[str, ...], ...]
    weights: tuple[int, ...]
    cost: tuple[int, ...]  # spend factor per cell (percent)


@lru_cache(maxsize=4096)
def _family(seed: int, ad_id: str, family: str, countries: tuple[str, ...]) -> _Family:
    """The cells of a breakdown family for one ad, with the ad's own jittered weights."""
    rng = _rng(seed, "family", family, ad_id)
    cells: list[tuple[tuple[str, ...], float]] = []
    if family == "demographic":
        cells = [((a, g), aw * gw) for a, aw in _AGES for g, gw in _GENDERS]
    elif family == "geo":
        for i, country in enumerate(countries or ("US",)):
            cw = 100.0 / (1 + i)
            regions = _REGIONS.get(country.upper(), ("Unknown",))
            for j, region in enumerate(regions):
                cells.append(((country.upper(), region), cw / (1 + 0.5 * j)))
    elif family == "placement":
        for platform, position, pw in _POSITIONS:
            for dplat, device, dw in _DEVICES:
                if platform in _MOBILE_APP_ONLY and dplat != "mobile_app":
                    continue
                if position in ("right_hand_column", "search") and dplat != "desktop":
                    continue
                if position.endswith(("_reels", "_stories")) and dplat == "desktop":
                    continue
                cells.append(((platform, position, dplat, device), float(pw * dw)))
    elif family == "hourly":
        cells = [((f"{h:02d}",), float(w)) for h, w in enumerate(_HOUR_CURVE)]
    else:  # pragma: no cover
        raise ValueError(family)
    keys = tuple(k for k, _ in cells)
    weights = tuple(max(1, _round(w * rng.uniform(0.7, 1.3) * 1000)) for _, w in cells)
    cost = tuple(_round(rng.uniform(80, 125)) for _ in cells)
    return _Family(keys, weights, cost)


def _split_counters(
    totals: dict[str, int], counters: Sequence[str], fam: _Family
) -> dict[str, list[int]]:
    """Split day counters over a family's cells; `counters` in topological order."""
    cells: dict[str, list[int]] = {}
    for name in counters:
        total = totals.get(name, 0)
        base = COUNTER_BASES[name]
        if name == "impressions":
            cells[name] = split_largest_remainder(total, fam.weights)
        elif name == "spend":
            weights = [i * c for i, c in zip(cells["impressions"], fam.cost, strict=True)]
            cells[name] = split_largest_remainder(total, weights)
        else:
            cells[name] = split_largest_remainder(total, cells[base])
    return cells


# --- delivery in local time ---------------------------------------------------------------------


def _local_day_hours(day: date, tz: ZoneInfo) -> list[tuple[datetime, datetime]]:
    out = []
    for h in range(24):
        start = datetime(day.year, day.month, day.day, h, tzinfo=tz).astimezone(UTC)
        out.append((start, start + timedelta(hours=1)))
    return out


def delivered_hours(ad: AdRecord, day: date, now: datetime) -> list[bool]:
    """Which local hours of `day` the ad delivered in (an hour counts once it has begun)."""
    tz = ZoneInfo(ad.timezone)
    day_start = datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
    nxt = day + timedelta(days=1)
    day_end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz).astimezone(UTC)
    if day_end <= now and any(
        a <= day_start and (b is None or b >= day_end) for a, b in ad.delivery
    ):
        return [True] * 24  # the common case: a whole past day inside one delivery interval
    mask = []
    for start, end in _local_day_hours(day, tz):
        on = False
        if start < now:
            for a, b in ad.delivery:
                b_eff = now if b is None or b > now else b
                if a < end and start < b_eff:
                    on = True
                    break
        mask.append(on)
    return mask


def delivery_days(ad: AdRecord, now: datetime) -> tuple[date, date] | None:
    """First and last local day on which the ad delivered."""
    if not ad.delivery:
        return None
    tz = ZoneInfo(ad.timezone)
    first = min(a for a, _ in ad.delivery)
    last = max((now if b is None or b > now else b) for _, b in ad.delivery)
    if last <= first or first >= now:
        return None
    return first.astimezone(tz).date(), (last - timedelta(microseconds=1)).astimezone(tz).date()


def ad_day(seed: int, ad: AdRecord, day: date, now: datetime, counters: Sequence[str]):
    """(day counters, hour cells or None): the ad's numbers for one local day, keeping only the
    hours it delivered. Hour cells are returned when the day had to be split."""
    mask = delivered_hours(ad, day, now)
    if not any(mask):
        return None, None
    totals = _day_totals(seed, ad, day)
    if all(mask):
        return totals, None
    fam = _family(seed, ad.ad_id, "hourly", ())
    cells = _split_counters(totals, ALL_COUNTERS, fam)
    kept = {name: sum(v for v, on in zip(cells[name], mask, strict=True) if on) for name in cells}
    masked = {
        name: [v if on else 0 for v, on in zip(cells[name], mask, strict=True)] for name in cells
    }
    return kept, masked


# --- aggregation --------------------------------------------------------------------------------


@dataclass
class _Group:
    record: AdRecord
    since: date
    until: date
    bkey: tuple[tuple[str, str], ...]
    sums: dict[str, int] = field(default_factory=dict)
    reach_sum: int = 0
    unique_sum: int = 0
    days: set[date] = field(default_factory=set)
    ads: set[str] = field(default_factory=set)

    def add(self, values: dict[str, int], counters: Sequence[str], ad_id: str, day: date):
        sums = self.sums
        for name in counters:
            sums[name] = sums.get(name, 0) + values.get(name, 0)
        self.reach_sum += values.get("reach", 0)
        self.unique_sum += values.get("unique_clicks", 0)
        self.days.add(day)
        self.ads.add(ad_id)


def _dedup(total: int, days: int, ads: int) -> int:
    """Deduplicated people from summed daily uniques: a deterministic estimate that is exact for
    one ad on one day, never above the sum, and shrinks as days and ads overlap."""
    if total <= 0:
        return 0
    if days <= 1 and ads <= 1:
        return total
    factor = (1 + 0.25 * math.log(max(days, 1))) * (1 + 0.1 * math.log(max(ads, 1)))
    return max(1, min(total, _round(total / factor)))


def slices(since: date, until: date, increment: str | int) -> list[tuple[date, date]]:
    """The time slices of a period: all_days, calendar months, or N-day slices from `since`."""
    if increment == "all_days":
        return [(since, until)]
    out = []
    start = since
    while start <= until:
        if increment == "monthly":
            nxt = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
            end = min(until, nxt - timedelta(days=1))
        else:
            end = min(until, start + timedelta(days=int(increment) - 1))
        out.append((start, end))
        start = end + timedelta(days=1)
    return out


def _matches(value: Any, flt: Filter) -> bool:
    op, target = flt.operator, flt.value
    values = value if isinstance(value, (list, tuple)) else [value]
    strs = [str(v) for v in values]
    targets = [str(t) for t in target] if isinstance(target, list) else [str(target)]
    if op == "IN":
        return any(s in targets for s in strs)
    if op == "NOT_IN":
        return not any(s in targets for s in strs)
    if op in ("EQUAL",):
        return strs == targets or (len(strs) == 1 and strs[0] == targets[0])
    if op == "NOT_EQUAL":
        return not (len(strs) == 1 and strs[0] == targets[0])
    if op == "ANY":
        return any(s in targets for s in strs)
    if op == "ALL":
        return all(t in strs for t in targets)
    if op == "NONE":
        return not any(s in targets for s in strs)
    if op == "CONTAIN":
        return any(targets[0].lower() in s.lower() for s in strs)
    if op == "NOT_CONTAIN":
        return not any(targets[0].lower() in s.lower() for s in strs)
    if op == "STARTS_WITH":
        return any(s.lower().startswith(targets[0].lower()) for s in strs)
    if op == "ENDS_WITH":
        return any(s.lower().endswith(targets[0].lower()) for s in strs)
    return True


def _object_value(ad: AdRecord, fld: str) -> Any:
    obj, _, attr = fld.partition(".")
    if attr == "effective_status":
        return ad.status_at(obj)
    if attr == "id":
        return ad.level_id(obj)
    if attr == "name":
        return {"ad": ad.ad_name, "adset": ad.adset_name, "campaign": ad.campaign_name}[obj]
    if attr == "adlabels":
        return list(ad.labels)
    if attr == "objective":
        return ad.objective
    return None


def _numeric_match(value: float | None, flt: Filter) -> bool:
    v = 0.0 if value is None else value
    op, t = flt.operator, flt.value
    if op in ("IN_RANGE", "NOT_IN_RANGE"):
        lo, hi = float(t[0]), float(t[1])
        inside = lo <= v <= hi
        return inside if op == "IN_RANGE" else not inside
    t = float(t)
    return {
        "EQUAL": v == t,
        "NOT_EQUAL": v != t,
        "GREATER_THAN": v > t,
        "GREATER_THAN_OR_EQUAL": v >= t,
        "LESS_THAN": v < t,
        "LESS_THAN_OR_EQUAL": v <= t,
    }[op]


@dataclass
class QueryResult:
    rows: list[dict[str, Any]]
    summary: dict[str, Any] | None
    points: int


def select_ads(
    records: Iterable[AdRecord], query: InsightsQuery, node_level: str
) -> list[AdRecord]:
    """The ads whose numbers feed the result (core-flows.md §2.6 and §4.8).

    Parent totals include archived and deleted ads. With `filtering` and no status filter, only
    live ads count ("status filtering will be applied by default"). At a level below the queried
    node, rows of archived or deleted objects are left out unless a status filter asks for them.
    """
    status_filtered = any(f.field in STATUS_FILTER_FIELDS for f in query.filters)
    object_filters = [f for f in query.filters if "." in f.field and _is_object_filter(f)]
    out = []
    for ad in records:
        if query.filtering_given and not status_filtered and ad.effective_status in HIDDEN_STATUSES:
            continue
        if not all(_matches(_object_value(ad, f.field), f) for f in object_filters):
            continue
        if (
            not status_filtered
            and LEVEL_RANK[query.level] > LEVEL_RANK[node_level]
            and ad.status_at(query.level) in HIDDEN_STATUSES
        ):
            continue
        out.append(ad)
    return out


def _is_object_filter(f: Filter) -> bool:
    obj, _, attr = f.field.partition(".")
    return obj in ("ad", "adset", "campaign") and attr in (
        "id", "name", "effective_status", "adlabels", "objective",
    )  # fmt: skip


def _needed_counters(query: InsightsQuery) -> list[str]:
    names: set[str] = {"impressions"}
    wanted = list(query.fields) + list(query.summary_fields)
    if query.sort:
        wanted.append("actions" if query.sort.key.startswith("actions:") else query.sort.key)
    for f in query.filters:
        metric = f.field.split(".", 1)[1] if f.field.startswith("ad.") else f.field
        wanted.append(metric)
    for name in wanted:
        names.update(FIELD_COUNTERS.get(name, ()))
    return _topological(names)


def run_query(
    records: Sequence[AdRecord],
    query: InsightsQuery,
    *,
    node_level: str,
    seed: int,
    now: datetime,
    is_async: bool = False,
    settings: EngineSettings | None = None,
) -> QueryResult:
    """Rows for one insights call over `records` (the ads under the queried node)."""
    settings = settings or EngineSettings()
    ads = select_ads(records, query, node_level)
    counters = _needed_counters(query)
    family_name = None
    dims: list[str] = []
    dim_index: list[int] = []
    if query.breakdowns:
        family_name = _FAMILY_OF[query.breakdowns[0]]
        famdims = FAMILY_DIMS[family_name]
        dims = list(query.breakdowns)
        dim_index = [0 if b in HOURLY_BREAKDOWNS else famdims.index(b) for b in dims]
    cell_filters = [f for f in query.filters if f.field in _FAMILY_OF]

    spans = {ad.ad_id: delivery_days(ad, now) for ad in ads}
    ranges = list(query.ranges)
    if query.is_maximum:
        firsts = [s[0] for s in spans.values() if s]
        if firsts:
            ranges = [(max(ranges[0][0], min(firsts)), ranges[0][1])]
    all_slices: list[tuple[date, date]] = []
    for since, until in ranges:
        if query.uses_time_ranges:
            all_slices.append((since, until))
        else:
            all_slices.extend(slices(since, until, query.time_increment))

    # Data-per-call limit (core-flows.md §4.6): ad-days x cells.
    cells_per_day = 1
    if family_name:
        first = ads[0] if ads else None
        if first is not None:
            cells_per_day = len(_family(seed, first.ad_id, family_name, first.countries).keys)
    points = 0
    for ad in ads:
        span = spans[ad.ad_id]
        if not span:
            continue
        for since, until in all_slices:
            lo, hi = max(since, span[0]), min(until, span[1])
            if lo <= hi:
                points += ((hi - lo).days + 1) * cells_per_day
    limit = settings.async_max_points if is_async else settings.sync_max_points
    if points > limit:
        raise GraphError(
            "Please reduce the amount of data you're asking for, then retry your request",
            code=100,
            subcode=1487534,
            type="OAuthException",
        )

    groups: dict[tuple[Any, ...], _Group] = {}
    order: dict[tuple[Any, ...], tuple[Any, ...]] = {}

    def accumulate(ad: AdRecord, day: date, si: int, since: date, until: date) -> None:
        values, hours = ad_day(seed, ad, day, now, counters)
        if values is None:
            return
        level_id = ad.level_id(query.level)
        base_order = (si, _id_order(level_id))
        if not family_name:
            key = (si, level_id, ())
            _group(groups, order, key, ad, since, until, (), base_order).add(
                values, counters, ad.ad_id, day
            )
            return
        fam = _family(seed, ad.ad_id, family_name, ad.countries)
        if family_name == "hourly" and hours is not None:
            cells = {name: hours[name] for name in counters}
        else:
            cells = _split_counters(values, counters, fam)
        for ci, cell_key in enumerate(fam.keys):
            if not cells["impressions"][ci]:
                continue
            bkey = tuple(
                (d, _hour_label(cell_key[0]) if d in HOURLY_BREAKDOWNS else cell_key[i])
                for d, i in zip(dims, dim_index, strict=True)
            )
            if cell_filters and not all(_matches(dict(bkey).get(f.field), f) for f in cell_filters):
                continue
            key = (si, level_id, bkey)
            g = _group(groups, order, key, ad, since, until, bkey, (*base_order, ci))
            g.add({name: cells[name][ci] for name in counters}, counters, ad.ad_id, day)

    for si, (since, until) in enumerate(all_slices):
        for ad in ads:
            span = spans[ad.ad_id]
            if not span:
                continue
            lo, hi = max(since, span[0]), min(until, span[1])
            day = lo
            while day <= hi:
                accumulate(ad, day, si, since, until)
                day += timedelta(days=1)

    keys = sorted(groups, key=lambda k: order[k])
    rows = []
    for key in keys:
        g = groups[key]
        if g.sums.get("impressions", 0) <= 0:
            continue
        metrics = compute_metrics(g, query)
        if not all(_row_filter(metrics, f) for f in query.filters if _is_metric_filter(f)):
            continue
        rows.append((metrics, render_row(g, metrics, query)))
    if query.sort:
        key_name, desc = query.sort.key, query.sort.descending
        rows.sort(key=lambda r: _sort_value(r[0], key_name), reverse=desc)
    summary = None
    if query.summary_fields:
        summary = _summary(groups, keys, query)
    return QueryResult(rows=[r for _, r in rows], summary=summary, points=points)


def _id_order(level_id: str) -> tuple[int, str]:
    return (len(level_id), level_id)


def _group(groups, order, key, ad, since, until, bkey, sort_key) -> _Group:
    g = groups.get(key)
    if g is None:
        g = groups[key] = _Group(record=ad, since=since, until=until, bkey=bkey)
        order[key] = sort_key
    return g


def _hour_label(hour: str) -> str:
    return f"{hour}:00:00 - {hour}:59:59"


def _is_metric_filter(f: Filter) -> bool:
    return not _is_object_filter(f) and f.field not in _FAMILY_OF


def _row_filter(metrics: dict[str, Any], f: Filter) -> bool:
    name = f.field.split(".", 1)[1] if f.field.startswith("ad.") else f.field
    value = metrics.get(name)
    if isinstance(value, list):
        value = None
    return _numeric_match(value, f)


def _sort_value(metrics: dict[str, Any], key: str) -> float:
    if key.startswith("actions:"):
        action = key[len("actions:") :]
        for item in metrics.get("actions") or []:
            if item["action_type"] == action:
                return float(item["value"])
        return 0.0
    value = metrics.get(key)
    return float(value) if isinstance(value, (int, float)) else 0.0


# --- metrics and rendering ----------------------------------------------------------------------


def _div(a: float, b: float) -> float | None:
    return a / b if b else None


def compute_metrics(g: _Group, query: InsightsQuery) -> dict[str, Any]:
    """Numeric metric values for a group (money in major units), before formatting."""
    s = g.sums
    cur = g.record.currency
    off = currency_offset(cur)
    spend = s.get("spend", 0) / off
    imps = s.get("impressions", 0)
    hourly = query.hourly
    reach = 0 if hourly else _dedup(g.reach_sum, len(g.days), len(g.ads))
    uniq = min(_dedup(g.unique_sum, len(g.days), len(g.ads)), reach) if not hourly else 0
    clicks = s.get("clicks", 0)
    link = s.get("link_click|c1", 0)
    engagement = sum(s.get(f"{a}|c1", 0) for a in ENGAGEMENT_TYPES)
    m: dict[str, Any] = {
        "impressions": imps,
        "spend": spend,
        "social_spend": s.get("social_spend", 0) / off,
        "reach": reach,
        "frequency": 0.0 if hourly else _div(imps, reach),
        "cpp": None if hourly else _div(spend * 1000, reach),
        "clicks": clicks,
        "unique_clicks": uniq,
        "ctr": _div(clicks * 100, imps),
        "cpc": _div(spend, clicks),
        "cpm": _div(spend * 1000, imps),
        "cost_per_unique_click": _div(spend, uniq),
        "inline_link_clicks": link,
        "inline_link_click_ctr": _div(link * 100, imps),
        "cost_per_inline_link_click": _div(spend, link),
        "inline_post_engagement": engagement,
        "cost_per_inline_post_engagement": _div(spend, engagement),
        "_spend_minor": s.get("spend", 0),
    }
    type1 = any(b in ("region", *HOURLY_BREAKDOWNS) for b in query.breakdowns)
    actions = _action_stats(s, query, drop_offsite=type1)
    m["actions"] = actions
    m["total_actions"] = sum(
        int(a["value"]) for a in actions if a["action_type"] not in DERIVED_ACTIONS
    )
    m["action_values"] = [] if type1 else _value_stats(s, query, cur)
    m["cost_per_action_type"] = _cost_per(actions, spend, query)
    outbound = s.get("outbound_clicks", 0)
    m["outbound_clicks"] = _stat_list("outbound_click", outbound)
    m["outbound_clicks_ctr"] = _stat_list("outbound_click", _div(outbound * 100, imps), ratio=True)
    m["cost_per_outbound_click"] = _stat_list("outbound_click", _div(spend, outbound), ratio=True)
    link_value = sum(s.get(f"link_click|{c}", 0) for c in VALUE_COMPONENTS)
    m["website_ctr"] = _stat_list("link_click", _div(link_value * 100, imps), ratio=True)
    purchase_value = sum(s.get(f"purchase_value|{c}", 0) for c in VALUE_COMPONENTS) / off
    roas = None if type1 else _div(purchase_value, spend)
    m["purchase_roas"] = _stat_list("omni_purchase", roas, ratio=True)
    m["website_purchase_roas"] = _stat_list(
        "offsite_conversion.fb_pixel_purchase", roas, ratio=True
    )
    video = {
        "video_play_actions": "video_play",
        "video_continuous_2_sec_watched_actions": "video_2s",
        "video_thruplay_watched_actions": "video_thruplay",
        "video_p25_watched_actions": "video_p25",
        "video_p50_watched_actions": "video_p50",
        "video_p75_watched_actions": "video_p75",
        "video_p95_watched_actions": "video_p95",
        "video_p100_watched_actions": "video_p100",
        "video_30_sec_watched_actions": "video_30s",
    }
    for name, counter in video.items():
        m[name] = _stat_list("video_view", s.get(counter, 0))
    m["cost_per_thruplay"] = _stat_list(
        "video_view", _div(spend, s.get("video_thruplay", 0)), ratio=True
    )
    m["cost_per_2_sec_continuous_video_view"] = _stat_list(
        "video_view", _div(spend, s.get("video_2s", 0)), ratio=True
    )
    return m


def _stat_list(action_type: str, value: float | None, *, ratio: bool = False) -> list[dict]:
    if value is None or value == 0:
        return []
    text = _ratio(value) if ratio else str(int(value))
    return [{"action_type": action_type, "value": text}]


def _type_components(s: dict[str, int], action: str) -> dict[str, int]:
    sources = DERIVED_ACTIONS.get(action, (action,))
    return {c: sum(s.get(f"{src}|{c}", 0) for src in sources) for c in COMPONENTS}


def _window_keys(query: InsightsQuery) -> list[str]:
    return [w for w in query.attribution_windows if w in WINDOW_COMPONENTS]


def _action_stats(
    s: dict[str, int], query: InsightsQuery, *, drop_offsite: bool
) -> list[dict[str, Any]]:
    windows = _window_keys(query)
    out = []
    for action in ACTION_ORDER:
        if drop_offsite and action in OFFSITE_ACTIONS:
            continue
        comps = _type_components(s, action)
        value = sum(comps[c] for c in VALUE_COMPONENTS)
        win = {w: sum(comps[c] for c in WINDOW_COMPONENTS[w]) for w in windows}
        if not value and not any(win.values()):
            continue
        item: dict[str, Any] = {"action_type": action, "value": str(value)}
        for w in windows:
            item[w] = str(win[w])
        out.append(item)
    return _action_breakdown(out, query, windows)


_REACTIONS = (("like", 70), ("love", 15), ("haha", 6), ("wow", 4), ("sorry", 3), ("anger", 2))
_ACTION_DEVICES = (
    ("iphone", 30), ("android_smartphone", 34), ("desktop", 24), ("ipad", 4),
    ("android_tablet", 3), ("other", 5),
)  # fmt: skip


def _action_breakdown(items: list[dict], query: InsightsQuery, windows: list[str]) -> list[dict]:
    """Split action items by action_device / action_reaction (largest remainder per item)."""
    extra = [b for b in query.action_breakdowns if b != "action_type"]
    if not extra:
        return items
    out = []
    for item in items:
        parts: list[tuple[dict[str, str], dict[str, Any]]] = [({}, item)]
        for dim in extra:
            if dim == "action_reaction" and item["action_type"] != "post_reaction":
                parts = []
                break
            table = _REACTIONS if dim == "action_reaction" else _ACTION_DEVICES
            weights = [w for _, w in table]
            nxt = []
            for keys, stat in parts:
                shares = {
                    k: split_largest_remainder(int(stat[k]), weights) for k in ("value", *windows)
                }
                for i, (label, _) in enumerate(table):
                    piece = {k: str(shares[k][i]) for k in shares}
                    if piece["value"] == "0" and all(piece[w] == "0" for w in windows):
                        continue
                    nxt.append(({**keys, dim: label}, piece))
            parts = nxt
        for keys, piece in parts:
            out.append({**keys, "action_type": item["action_type"], **piece})
    return out


def _value_stats(s: dict[str, int], query: InsightsQuery, currency: str) -> list[dict[str, Any]]:
    windows = _window_keys(query)
    comps = {c: s.get(f"purchase_value|{c}", 0) for c in COMPONENTS}
    value = sum(comps[c] for c in VALUE_COMPONENTS)
    if not value:
        return []
    out = []
    for action in VALUE_TYPES:
        item: dict[str, Any] = {"action_type": action, "value": format_money(value, currency)}
        for w in windows:
            item[w] = format_money(sum(comps[c] for c in WINDOW_COMPONENTS[w]), currency)
        out.append(item)
    return out


def _cost_per(actions: list[dict], spend: float, query: InsightsQuery) -> list[dict]:
    windows = _window_keys(query)
    out = []
    for item in actions:
        cost = _div(spend, float(item["value"]))
        if cost is None:
            continue
        new = {k: v for k, v in item.items() if k not in ("value", *windows)}
        new["value"] = _ratio(cost)
        for w in windows:
            c = _div(spend, float(item[w]))
            if c is not None:
                new[w] = _ratio(c)
        out.append(new)
    return out


_COUNT_FIELDS = frozenset(
    {"impressions", "reach", "clicks", "unique_clicks", "inline_link_clicks",
     "inline_post_engagement", "total_actions"}
)  # fmt: skip
_MONEY_FIELDS = frozenset({"spend", "social_spend"})


def format_metric(name: str, metrics: dict[str, Any], currency: str) -> Any:
    """A metric as Graph prints it: counts and money as numeric strings, ratios with 6 decimals,
    lists of AdsActionStats; None (= leave the field out) when the ratio has no denominator."""
    value = metrics.get(name)
    if value is None:
        return None
    if isinstance(value, list):
        return value or None
    if name in _COUNT_FIELDS:
        return str(int(value))
    if name in _MONEY_FIELDS:
        minor = (
            metrics["_spend_minor"]
            if name == "spend"
            else _round(value * currency_offset(currency))
        )
        return format_money(minor, currency)
    return _ratio(value)


def _identity(record: AdRecord, level: str, name: str) -> Any:
    rank = LEVEL_RANK[level]
    values = {
        "account_id": (0, record.account_id),
        "account_name": (0, record.account_name),
        "account_currency": (0, record.currency),
        "campaign_id": (1, record.campaign_id),
        "campaign_name": (1, record.campaign_name),
        "objective": (1, record.objective),
        "adset_id": (2, record.adset_id),
        "adset_name": (2, record.adset_name),
        "optimization_goal": (2, record.optimization_goal),
        "attribution_setting": (2, "7d_click_1d_view"),
        "ad_id": (3, record.ad_id),
        "ad_name": (3, record.ad_name),
    }
    if name == "buying_type":
        # reference L15878: "currently only visible at the campaign level".
        return record.buying_type if level == "campaign" else None
    need, value = values[name]
    return value if rank >= need else None


def render_row(g: _Group, metrics: dict[str, Any], query: InsightsQuery) -> dict[str, Any]:
    """One row in Graph's key order: requested fields, date_start, date_stop, breakdown keys."""
    row: dict[str, Any] = {}
    currency = g.record.currency
    for name in query.fields:
        if name in ("date_start", "date_stop"):
            continue
        if query.omit_reach and name in ("reach", "frequency", "cpp"):
            continue
        if name in FIELD_COUNTERS:
            value = format_metric(name, metrics, currency)
        elif name in MODELLED_FIELDS:
            value = _identity(g.record, query.level, name)
        else:
            value = None  # documented, not simulated: Graph leaves empty fields out
        if value is not None:
            row[name] = value
    if query.level_given:
        id_field = f"{query.level}_id"
        row.setdefault(id_field, g.record.level_id(query.level))
    row["date_start"] = g.since.isoformat()
    row["date_stop"] = g.until.isoformat()
    for dim, value in g.bkey:
        row[dim] = value
    return row


def _summary(groups: dict, keys: list, query: InsightsQuery) -> dict[str, Any]:
    """The `summary` block: the same metrics over every group, deduplicated reach included."""
    if not keys:
        return {}
    first = groups[keys[0]]
    total = _Group(record=first.record, since=first.since, until=first.until, bkey=())
    for key in keys:
        g = groups[key]
        for name, v in g.sums.items():
            total.sums[name] = total.sums.get(name, 0) + v
        total.reach_sum += g.reach_sum
        total.unique_sum += g.unique_sum
        total.days |= g.days
        total.ads |= g.ads
        total.since = min(total.since, g.since)
        total.until = max(total.until, g.until)
    sq = InsightsQuery(
        fields=query.summary_fields,
        level="account",
        ranges=query.ranges,
        time_increment="all_days",
        attribution_windows=query.attribution_windows,
        breakdowns=query.breakdowns,
    )
    metrics = compute_metrics(total, sq)
    out = render_row(total, metrics, sq)
    for dim, _ in total.bkey:
        out.pop(dim, None)
    return out


# --- async report runs --------------------------------------------------------------------------

JOB_NOT_STARTED = "Job Not Started"
JOB_STARTED = "Job Started"
JOB_RUNNING = "Job Running"
JOB_COMPLETED = "Job Completed"
JOB_FAILED = "Job Failed"
JOB_SKIPPED = "Job Skipped"
REPORT_RUN_TTL = 30 * 86400  # core-flows.md §4.4: "it expires after 30 days"


@dataclass
class ReportRun:
    """An AdReportRun. Its status is a pure function of the simulator clock (core-flows.md §4.4)."""

    id: str
    account_id: str  # numeric
    node_id: str
    node_level: str
    params: dict[str, str]
    query: InsightsQuery
    time_ref: int
    queue_seconds: float = 1.0  # Not Started → Started
    start_seconds: float = 1.0  # Started → Running
    run_seconds: float = 8.0  # Running → Completed
    outcome: str = "completed"  # "completed" | "failed" | "skipped" (fault hook)
    ttl: float = REPORT_RUN_TTL
    rows: list[dict[str, Any]] | None = None
    summary: dict[str, Any] | None = None
    error: GraphError | None = None
    date_start: str = ""
    date_stop: str = ""

    @property
    def t_started(self) -> float:
        return self.time_ref + self.queue_seconds

    @property
    def t_running(self) -> float:
        return self.t_started + self.start_seconds

    @property
    def t_done(self) -> float:
        return self.t_running + self.run_seconds

    def expired(self, now: float) -> bool:
        return now >= self.time_ref + self.ttl

    def status(self, now: float) -> tuple[str, int]:
        """(async_status, async_percent_completion) at `now`."""
        if now < self.t_started:
            return JOB_NOT_STARTED, 0
        if now < self.t_running:
            return JOB_STARTED, 0
        if now < self.t_done:
            pct = int((now - self.t_running) / self.run_seconds * 100)
            return JOB_RUNNING, max(1, min(99, pct))
        if self.outcome == "failed":
            return JOB_FAILED, 0
        if self.outcome == "skipped":
            return JOB_SKIPPED, 0
        return JOB_COMPLETED, 100

    def to_graph(self, now: float) -> dict[str, Any]:
        status, pct = self.status(now)
        done = status == JOB_COMPLETED
        body: dict[str, Any] = {
            "id": self.id,
            "account_id": self.account_id,
            "time_ref": self.time_ref,
            "time_completed": int(self.t_done) if done else 0,
            "async_status": status,
            "async_percent_completion": pct,
            "date_start": self.date_start,
            "date_stop": self.date_stop,
            "is_running": status in (JOB_STARTED, JOB_RUNNING),
        }
        return body


def period_of(query: InsightsQuery) -> tuple[str, str]:
    """The whole period a query covers, as date strings."""
    since = min(r[0] for r in query.ranges)
    until = max(r[1] for r in query.ranges)
    return since.isoformat(), until.isoformat()


def today_in(tz_name: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(tz_name)).date()


__all__ = [
    "AdRecord",
    "EngineSettings",
    "QueryResult",
    "ReportRun",
    "format_money",
    "lookback_limit",
    "period_of",
    "run_query",
    "slices",
    "split_largest_remainder",
    "today_in",
]
