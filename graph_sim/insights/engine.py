"""Insights rows: aggregate the per-day numbers by level, time slice and breakdown; render them.

The engine is pure (no world, no HTTP): it takes plain `AdRecord`s and a validated
`InsightsQuery` (params.py) and returns Graph-shaped rows; the raw numbers come from
numbers.py. Groups (level object x time slice x breakdown value) sum counters. Ratios
(ctr, cpc, cpm, frequency, cost per ...) are computed from the sums, never summed. Reach is
deduplicated by a deterministic estimate (`_dedup`). Report runs (async jobs) are here too: their
status is a function of the simulator clock. Decisions: graph_sim/DECISIONS.md ("Insights").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from graph_sim.errors import GraphError
from graph_sim.insights.numbers import (
    ACTION_ORDER,
    COMPONENTS,
    DERIVED_ACTIONS,
    ENGAGEMENT_TYPES,
    FAMILY_DIMS,
    FAMILY_OF,
    FIELD_COUNTERS,
    HIDDEN_STATUSES,
    MODELLED_FIELDS,
    OFFSITE_ACTIONS,
    VALUE_COMPONENTS,
    VALUE_TYPES,
    WINDOW_COMPONENTS,
    AdRecord,
    ad_day,
    currency_offset,
    delivery_days,
    family_cells,
    format_money,
    ratio_text,
    round_half_up,
    split_counters,
    split_largest_remainder,
    topological,
)
from graph_sim.insights.params import (
    HOURLY_BREAKDOWNS,
    LEVEL_RANK,
    STATUS_FILTER_FIELDS,
    Filter,
    InsightsQuery,
    lookback_limit,
)


@dataclass
class EngineSettings:
    """Knobs tests may turn. Points = ad-days x breakdown cells a query touches."""

    sync_max_points: int = 400_000
    async_max_points: int = 4_000_000
    default_limit: int = 25


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
    return max(1, min(total, round_half_up(total / factor)))


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
    return topological(names)


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
        family_name = FAMILY_OF[query.breakdowns[0]]
        famdims = FAMILY_DIMS[family_name]
        dims = list(query.breakdowns)
        dim_index = [0 if b in HOURLY_BREAKDOWNS else famdims.index(b) for b in dims]
    cell_filters = [f for f in query.filters if f.field in FAMILY_OF]

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
            cells_per_day = len(family_cells(seed, first.ad_id, family_name, first.countries).keys)
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
        fam = family_cells(seed, ad.ad_id, family_name, ad.countries)
        if family_name == "hourly" and hours is not None:
            cells = {name: hours[name] for name in counters}
        else:
            cells = split_counters(values, counters, fam)
        shift = _audience_shift(ad, day) if AUDIENCE_HOURLY in dims else 0
        for ci, cell_key in enumerate(fam.keys):
            if not cells["impressions"][ci]:
                continue
            position = (ci + shift) % 24 if shift else ci
            bkey = tuple(
                (d, _hour_label(position) if d in HOURLY_BREAKDOWNS else cell_key[i])
                for d, i in zip(dims, dim_index, strict=True)
            )
            if cell_filters and not all(_matches(dict(bkey).get(f.field), f) for f in cell_filters):
                continue
            key = (si, level_id, bkey)
            g = _group(groups, order, key, ad, since, until, bkey, (*base_order, position))
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


def _hour_label(hour: int) -> str:
    return f"{hour:02d}:00:00 - {hour:02d}:59:59"


AUDIENCE_HOURLY = "hourly_stats_aggregated_by_audience_time_zone"
# The time zone of an audience in each simulated country (its most populous one).
_COUNTRY_TZ = {
    "US": "America/Chicago",
    "GB": "Europe/London",
    "CA": "America/Toronto",
    "DE": "Europe/Berlin",
    "FR": "Europe/Paris",
    "AU": "Australia/Sydney",
    "JP": "Asia/Tokyo",
    "BR": "America/Sao_Paulo",
}


def _audience_shift(ad: AdRecord, day: date) -> int:
    """Hours to add to an advertiser-time hour to get the audience's local hour (the ad's first
    targeted country; seeds L11713: delivered 9-11 AM audience time may be 9 AM-1 PM for the
    advertiser)."""
    noon = datetime(day.year, day.month, day.day, 12)
    audience = ZoneInfo(_COUNTRY_TZ.get((ad.countries or ("US",))[0], ad.timezone))
    account = ZoneInfo(ad.timezone)
    delta = noon.replace(tzinfo=audience).utcoffset() - noon.replace(tzinfo=account).utcoffset()  # type: ignore[operator]
    return round(delta.total_seconds() / 3600)


def _is_metric_filter(f: Filter) -> bool:
    return not _is_object_filter(f) and f.field not in FAMILY_OF


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
        "frequency": 0 if hourly else _div(imps, reach),
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
    text = ratio_text(value) if ratio else str(int(value))
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
        new["value"] = ratio_text(cost)
        for w in windows:
            c = _div(spend, float(item[w]))
            if c is not None:
                new[w] = ratio_text(c)
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
    if name in _COUNT_FIELDS or isinstance(value, int):
        return str(int(value))
    if name in _MONEY_FIELDS:
        minor = (
            metrics["_spend_minor"]
            if name == "spend"
            else round_half_up(value * currency_offset(currency))
        )
        return format_money(minor, currency)
    return ratio_text(value)


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
    outcome: str = "completed"  # "completed" | "failed" | "skipped" | "stuck" (fault hooks)
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
        if now < self.t_done or self.outcome == "stuck":
            # A stuck run keeps "Job Running" (at most 99%) until it expires: the client's
            # timeout has to give up on it (core-flows.md §4.4 polls until "Job Completed").
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
