"""Insights raw numbers: per (ad, local day) counters from the seed, and their exact splits.

How a number is made (graph_sim/DECISIONS.md "Insights"):
1. `_day_totals` draws the full-day counters of one ad on one local day from the simulator seed
   (impressions, spend in minor units, clicks, action counts by attribution component, video).
   Every counter is drawn as a fraction (<= 1) of a "base" counter, so children never exceed
   their base.
2. A day the ad delivered only partly (created mid-day, paused, today so far) keeps the hours it
   delivered: the day is split into 24 hours and the delivered hours are summed (`ad_day`).
3. A breakdown splits the day's counters over the cells of its family (demographic, geo,
   placement, hour) with the largest-remainder method, so the cells add up exactly to the day.
   A counter is split in proportion to its base's cells, which keeps every cell's clicks under
   its impressions (`split_counters`).
"""

from __future__ import annotations

import hashlib
import math
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from graph_sim import currency as currencies

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

    @classmethod
    def scheduled(
        cls,
        *,
        ad_id: str,
        adset_id: str,
        campaign_id: str,
        account_id: str,
        created_time: datetime,
        start_time: datetime | None = None,
        stop_time: datetime | None = None,
        **fields: Any,
    ) -> AdRecord:
        """A record that delivered from `start_time` (default: creation) until `stop_time`
        (None: still running) in one interval."""
        start = max(created_time, start_time or created_time)
        delivery = ((start, stop_time),) if stop_time is None or stop_time > start else ()
        return cls(
            ad_id=ad_id,
            adset_id=adset_id,
            campaign_id=campaign_id,
            account_id=account_id,
            created_time=created_time,
            delivery=delivery,
            **fields,
        )


# --- currencies ---------------------------------------------------------------------------------

ZERO_DECIMAL = currencies.ZERO_DECIMAL
_PER_USD = currencies.PER_USD


def currency_offset(code: str) -> int:
    """Minor units per major unit."""
    return currencies.minor_per_major(code)


def format_money(minor: int, currency: str) -> str:
    """Minor units as Graph's numeric string in the account currency ("2352.45", "1200")."""
    if currency_offset(currency) == 1:
        return str(minor)
    sign = "-" if minor < 0 else ""
    q, r = divmod(abs(minor), 100)
    return f"{sign}{q}.{r:02d}"


def ratio_text(value: float) -> str:
    return f"{value:.6f}"


# --- deterministic randomness -------------------------------------------------------------------


def _rng(*parts: Any) -> random.Random:
    digest = hashlib.blake2b(":".join(str(p) for p in parts).encode(), digest_size=8).digest()
    return random.Random(int.from_bytes(digest, "big"))


def round_half_up(x: float) -> int:
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
# documented default window, reference L15824).
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


def topological(names: Iterable[str]) -> list[str]:
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


ALL_COUNTERS = tuple(topological(COUNTER_BASES))

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
    imps = round_half_up(p.impressions * _WEEKDAY[day.weekday()] * wave * u(0.8, 1.2))
    out: dict[str, int] = {"impressions": imps}
    rate = _PER_USD.get(ad.currency.upper(), 1.0) * currency_offset(ad.currency)
    out["spend"] = round_half_up(imps * p.cpm_usd * rate * u(0.9, 1.1) / 1000)
    out["social_spend"] = round_half_up(out["spend"] * u(0.05, 0.2))
    out["reach"] = min(imps, round_half_up(imps / (p.frequency * u(0.95, 1.05))))
    clicks = min(imps, round_half_up(imps * p.ctr * u(0.8, 1.2)))
    out["clicks"] = clicks
    out["unique_clicks"] = round_half_up(clicks * u(0.85, 0.97))
    plays = round_half_up(imps * u(0.25, 0.5)) if p.video else 0
    out["video_play"] = plays
    out["video_2s"] = round_half_up(plays * u(0.6, 0.8))
    for name, base, lo, hi in (
        ("video_p25", "video_play", 0.4, 0.6),
        ("video_p50", "video_p25", 0.6, 0.8),
        ("video_p75", "video_p50", 0.6, 0.8),
        ("video_p95", "video_p75", 0.7, 0.9),
        ("video_p100", "video_p95", 0.8, 0.95),
    ):
        out[name] = round_half_up(out[base] * u(lo, hi))
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
        if action == "link_click":
            c1 = min(clicks, round_half_up(clicks * p.link_share))
        else:
            c1 = round_half_up(out[base] * c1_share[action] * u(0.9, 1.1))
        c1 = min(c1, out[base])
        out[f"{action}|c1"] = c1
        for comp, share in zip(COMPONENTS[1:], shares, strict=True):
            out[f"{action}|{comp}"] = round_half_up(c1 * share * u(0.7, 1.3)) if share else 0
    out["outbound_clicks"] = round_half_up(out["link_click|c1"] * u(0.85, 0.98))
    out["video_thruplay"] = round_half_up(out["video_view|c1"] * u(0.3, 0.5))
    out["video_30s"] = round_half_up(out["video_view|c1"] * u(0.1, 0.3))
    aov = p.aov_usd * rate
    for comp in COMPONENTS:
        out[f"purchase_value|{comp}"] = round_half_up(out[f"{PURCHASE}|{comp}"] * aov * u(0.8, 1.2))
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
FAMILY_OF = {
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
class Family:
    keys: tuple[tuple[str, ...], ...]
    weights: tuple[int, ...]
    cost: tuple[int, ...]  # spend factor per cell (percent)


@lru_cache(maxsize=4096)
def family_cells(seed: int, ad_id: str, family: str, countries: tuple[str, ...]) -> Family:
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
    weights = tuple(max(1, round_half_up(w * rng.uniform(0.7, 1.3) * 1000)) for _, w in cells)
    cost = tuple(round_half_up(rng.uniform(80, 125)) for _ in cells)
    return Family(keys, weights, cost)


def split_counters(
    totals: dict[str, int], counters: Sequence[str], fam: Family
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


# Attributed conversions arrive late (core-flows.md §4.7: a conversion is credited to the day of
# the click or view within the attribution window, so a day's 7-day and 28-day numbers keep
# growing for 7 and 28 days). The 1-day components are complete once the day is over; the later
# ones grow linearly with the days since the day ended until their window closes. So a re-read
# inside the window sees more conversions than the first read (the reason for a lookback).
LAG_WINDOWS = {"c7": 7, "v7": 7, "c28": 28, "v28": 28}


def maturity(component: str, day: date, now: datetime, tz_name: str) -> float:
    """The share of a day's late attribution component known at `now` (0..1)."""
    window = LAG_WINDOWS.get(component)
    if window is None:
        return 1.0
    tz = ZoneInfo(tz_name)
    nxt = day + timedelta(days=1)
    day_end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz).astimezone(UTC)
    days_since = (now - day_end).total_seconds() / 86400.0
    return max(0.0, min(1.0, (days_since + 1.0) / window))


def matured(totals: dict[str, int], ad: AdRecord, day: date, now: datetime) -> dict[str, int]:
    """`totals` as known at `now`: late attribution components scaled by their maturity;
    purchase values follow their purchases so a value never outlives its count."""
    shares = {c: maturity(c, day, now, ad.timezone) for c in LAG_WINDOWS}
    if all(f >= 1.0 for f in shares.values()):
        return totals
    out = dict(totals)
    for name, value in totals.items():
        action, _, comp = name.rpartition("|")
        if comp not in shares or action == "purchase_value":
            continue
        out[name] = math.floor(value * shares[comp])
    for comp in LAG_WINDOWS:
        full = totals.get(f"{PURCHASE}|{comp}", 0)
        key = f"purchase_value|{comp}"
        if key in totals:
            out[key] = round_half_up(totals[key] * out[f"{PURCHASE}|{comp}"] / full) if full else 0
    return out


def ad_day(seed: int, ad: AdRecord, day: date, now: datetime, counters: Sequence[str]):
    """(day counters, hour cells or None): the ad's numbers for one local day, keeping only the
    hours it delivered. Hour cells are returned when the day had to be split."""
    mask = delivered_hours(ad, day, now)
    if not any(mask):
        return None, None
    totals = matured(_day_totals(seed, ad, day), ad, day, now)
    if all(mask):
        return totals, None
    fam = family_cells(seed, ad.ad_id, "hourly", ())
    cells = split_counters(totals, ALL_COUNTERS, fam)
    kept = {name: sum(v for v, on in zip(cells[name], mask, strict=True) if on) for name in cells}
    masked = {
        name: [v if on else 0 for v, on in zip(cells[name], mask, strict=True)] for name in cells
    }
    return kept, masked
