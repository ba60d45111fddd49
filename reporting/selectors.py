"""Reads of the dashboards: totals with the previous period, daily series, breakdowns and
sortable, paginated tables, all from the daily rows; reach from Graph per range (reach.py).

Every function runs a fixed number of queries whatever the number of days, objects or clients.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, FloatField, Max, Sum
from django.db.models.functions import Cast, NullIf

from campaigns.models import AdAccount
from reporting.models import AdThumbnail, InsightRow, Level
from reporting.money import minor_per_major
from reporting.ranges import DateRange

COUNTERS = ("spend_minor", "impressions", "clicks", "link_clicks", "conversions",
            "conversion_value_minor", "video_plays")
SORTS = {
    "name": "name", "spend": "spend_minor", "impressions": "impressions", "clicks": "clicks",
    "ctr": "ctr_sort", "cpc": "cpc_sort", "conversions": "conversions", "roas": "roas_sort",
}  # fmt: skip
PAGE_SIZE = 25
CHILD_LEVEL = {Level.ACCOUNT: Level.CAMPAIGN, Level.CAMPAIGN: Level.ADSET, Level.ADSET: Level.AD}


@dataclass
class Scope:
    """What a dashboard shows: some ad accounts, at the account level or one campaign."""

    ad_accounts: list[AdAccount]
    campaign_id: str | None = None

    @property
    def level(self) -> str:
        return Level.CAMPAIGN if self.campaign_id else Level.ACCOUNT

    def rows(self, date_range: DateRange, *, breakdown: str = "", level: str | None = None):
        level = level or self.level
        qs = InsightRow.objects.filter(
            ad_account_id__in=[a.pk for a in self.ad_accounts], level=level,
            breakdown=breakdown, date__gte=date_range.since, date__lte=date_range.until)
        if self.campaign_id:
            qs = qs.filter(campaign_id=self.campaign_id) if level != Level.CAMPAIGN else (
                qs.filter(object_id=self.campaign_id))
        return qs


def _sums() -> dict[str, Sum]:
    return {name: Sum(name) for name in COUNTERS}


def derive(values: dict[str, Any], currency: str) -> dict[str, Any]:
    """Ratios from summed counters (never averaged): CTR, CPC, CPM, ROAS, cost per result."""
    out = {name: int(values.get(name) or 0) for name in COUNTERS}
    out["currency"] = currency
    unit = minor_per_major(currency)
    spend = out["spend_minor"] / unit
    out["spend"] = spend
    out["ctr"] = out["clicks"] * 100.0 / out["impressions"] if out["impressions"] else None
    out["cpc"] = spend / out["clicks"] if out["clicks"] else None
    out["cpm"] = spend * 1000.0 / out["impressions"] if out["impressions"] else None
    out["roas"] = (out["conversion_value_minor"] / out["spend_minor"]
                   if out["spend_minor"] else None)
    out["cost_per_conversion"] = spend / out["conversions"] if out["conversions"] else None
    return out


def _change(now: Any, before: Any) -> float | None:
    if now is None or before in (None, 0):
        return None
    return (now - before) * 100.0 / before


@dataclass
class Kpis:
    currency: str
    current: dict[str, Any]
    previous: dict[str, Any]
    changes: dict[str, float | None] = field(default_factory=dict)
    reach: int | None = None
    frequency: float | None = None


def insights_kpis(*, scope: Scope, date_range: DateRange) -> list[Kpis]:
    """Totals per currency for the range and the previous period (two queries)."""
    previous = date_range.previous()
    now_rows = {r["currency"]: r for r in scope.rows(date_range).values("currency")
                .annotate(**_sums()).order_by("currency")}
    before_rows = {r["currency"]: r for r in scope.rows(previous).values("currency")
                   .annotate(**_sums()).order_by("currency")}
    currencies = sorted(set(now_rows) | set(before_rows)) or sorted(
        {a.currency for a in scope.ad_accounts})
    out = []
    for currency in currencies:
        cur = derive(now_rows.get(currency, {}), currency)
        prev = derive(before_rows.get(currency, {}), currency)
        changes = {k: _change(cur[k], prev[k]) for k in
                   ("spend", "impressions", "clicks", "ctr", "cpc", "cpm", "conversions",
                    "roas", "cost_per_conversion")}
        out.append(Kpis(currency=currency, current=cur, previous=prev, changes=changes))
    return out


def insights_series(*, scope: Scope, date_range: DateRange) -> dict[str, list]:
    """Daily spend, impressions, clicks and conversions (one query), every day present."""
    by_day = {r["date"]: r for r in scope.rows(date_range).values("date").annotate(**_sums())
              .order_by("date")}
    unit = minor_per_major(scope.ad_accounts[0].currency) if scope.ad_accounts else 100
    labels, spend, impressions, clicks, conversions = [], [], [], [], []
    day = date_range.since
    while day <= date_range.until:
        row = by_day.get(day, {})
        labels.append(day.isoformat())
        spend.append(round((row.get("spend_minor") or 0) / unit, 2))
        impressions.append(row.get("impressions") or 0)
        clicks.append(row.get("clicks") or 0)
        conversions.append(row.get("conversions") or 0)
        day += timedelta(days=1)
    return {"labels": labels, "spend": spend, "impressions": impressions, "clicks": clicks,
            "conversions": conversions}


def insights_breakdown(*, scope: Scope, date_range: DateRange, breakdown: str
                       ) -> list[dict[str, Any]]:
    """Counters per breakdown cell over the range (one query), largest spend first."""
    rows = (scope.rows(date_range, breakdown=breakdown).values("breakdown_value", "currency")
            .annotate(**_sums()).order_by("-spend_minor", "breakdown_value"))
    return [{**derive(r, r["currency"]), "label": r["breakdown_value"].replace("|", " · ")}
            for r in rows]


def _annotated(qs, level: str):
    name_field = "ad_account__name" if level == Level.ACCOUNT else f"{level}_name"
    impressions = NullIf(F("impressions"), 0)
    clicks = NullIf(F("clicks"), 0)
    spend = NullIf(F("spend_minor"), 0)
    return (qs.values("ad_account_id", "object_id", "currency")
            .annotate(name=Max(name_field), campaign_name=Max("campaign_name"),
                      campaign_ref=Max("campaign_id"), adset_name=Max("adset_name"), **_sums())
            .annotate(
                ctr_sort=Cast(F("clicks"), FloatField()) * 100.0 / Cast(impressions,
                                                                         FloatField()),
                cpc_sort=Cast(F("spend_minor"), FloatField()) / Cast(clicks, FloatField()),
                roas_sort=Cast(F("conversion_value_minor"), FloatField()) / Cast(
                    spend, FloatField()),
            ))


def insights_table(*, scope: Scope, date_range: DateRange, level: str, sort: str = "-spend",
                   page: int | str = 1, page_size: int = PAGE_SIZE) -> tuple[Page, str]:
    """One page of objects at `level` under the scope, summed over the range, sorted by a
    known column (`-spend` default). Returns (page of rows, the sort applied)."""
    key = sort.lstrip("-")
    if key not in SORTS:
        sort, key = "-spend", "spend"
    field_name = SORTS[key]
    descending = sort.startswith("-")
    order = F(field_name).desc(nulls_last=True) if descending else F(field_name).asc(
        nulls_last=True)
    qs = _annotated(scope.rows(date_range, level=level), level).order_by(order, "object_id")
    paginator = Paginator(qs, page_size)
    current = paginator.get_page(page)
    rows = [{**r, **derive(r, r["currency"])} for r in current.object_list]
    current.object_list = rows
    return current, sort


def table_csv_rows(*, scope: Scope, date_range: DateRange, level: str, sort: str = "-spend"
                   ) -> Iterable[dict[str, Any]]:
    """Every row of a table (for CSV), streamed from the database in chunks."""
    key = sort.lstrip("-")
    field_name = SORTS.get(key, "spend_minor")
    order = F(field_name).desc(nulls_last=True) if sort.startswith("-") else F(
        field_name).asc(nulls_last=True)
    qs = _annotated(scope.rows(date_range, level=level), level).order_by(order, "object_id")
    for r in qs.iterator(chunk_size=2000):
        yield {**r, **derive(r, r["currency"])}


def thumbnails(*, ad_accounts: Sequence[AdAccount], ad_ids: Iterable[str]) -> dict[str, str]:
    ids = list(ad_ids)
    if not ids:
        return {}
    return dict(AdThumbnail.objects.filter(ad_account_id__in=[a.pk for a in ad_accounts],
                                           ad_id__in=ids)
                .exclude(thumbnail_url="").values_list("ad_id", "thumbnail_url"))


def clients_overview(*, clients: Sequence, date_range: DateRange) -> list[dict[str, Any]]:
    """The agency overview: each client's totals per currency, with the previous period (two
    queries over account-level rows, whatever the number of clients)."""
    previous = date_range.previous()
    client_ids = [c.pk for c in clients]

    def totals(rng: DateRange):
        rows = (InsightRow.objects.filter(
            ad_account__client_id__in=client_ids, level=Level.ACCOUNT, breakdown="",
            date__gte=rng.since, date__lte=rng.until)
            .values("ad_account__client_id", "currency").annotate(**_sums())
            .order_by("ad_account__client_id", "currency"))
        out: dict[int, dict[str, dict]] = defaultdict(dict)
        for r in rows:
            out[r["ad_account__client_id"]][r["currency"]] = derive(r, r["currency"])
        return out

    now, before = totals(date_range), totals(previous)
    result = []
    for client in clients:
        currencies = sorted(set(now.get(client.pk, {})) | set(before.get(client.pk, {})))
        lines = []
        for currency in currencies:
            cur = now.get(client.pk, {}).get(currency) or derive({}, currency)
            prev = before.get(client.pk, {}).get(currency) or derive({}, currency)
            lines.append({"currency": currency, "current": cur, "previous": prev,
                          "spend_change": _change(cur["spend"], prev["spend"]),
                          "conversions_change": _change(cur["conversions"],
                                                        prev["conversions"])})
        result.append({"client": client, "lines": lines})
    return result


def ad_accounts_of(*, clients: Sequence) -> list[AdAccount]:
    return list(AdAccount.objects.filter(client_id__in=[c.pk for c in clients])
                .select_related("client").order_by("name"))


def has_rows(*, ad_accounts: Sequence[AdAccount]) -> bool:
    return InsightRow.objects.filter(ad_account_id__in=[a.pk for a in ad_accounts]).exists()

