"""A year (or `days`) of daily insight rows for an ad account's `ads` ads (10 ads per ad set, 10
ad sets per campaign) at every level, with the four breakdowns at account and campaign level, as
the refresh stores them; written with COPY (the ingest path is measured by insights_ingest)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

AGE_GENDER = [f"{a}|{g}" for a in ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
              for g in ("female", "male")]
BREAKDOWN_VALUES = {
    "age,gender": AGE_GENDER,
    "country": ["US", "CA", "GB", "DE", "FR"],
    "publisher_platform,platform_position": ["facebook|feed", "facebook|story",
                                             "instagram|feed", "instagram|story",
                                             "instagram|reels", "audience_network|classic"],
    "device_platform": ["mobile_app", "mobile_web", "desktop"],
}
COLUMNS = ["agency_id", "ad_account_id", "level", "object_id", "date", "breakdown",
           "breakdown_value", "campaign_id", "campaign_name", "adset_id", "adset_name", "ad_id",
           "ad_name", "currency", "spend_minor", "impressions", "reach", "frequency", "clicks",
           "link_clicks", "ctr", "cpc", "cpm", "actions", "action_values_minor", "conversions",
           "conversion_value_minor", "purchase_roas", "video_plays", "fetched_at"]


def campaign_graph_id(c: int) -> str:
    return str(120000000000 + c)


def _rows(account, *, ads: int, days: int, until: date):
    from django.utils import timezone
    from psycopg.types.json import Jsonb

    now = timezone.now()
    campaigns = max(1, (ads + 99) // 100)
    adsets = max(1, (ads + 9) // 10)

    def row(level, object_id, day, n, *, c=None, s=None, a=None, breakdown="", value=""
            ) -> list[Any]:
        clicks = n % 50 + 1
        spend = (n * 37) % 90000 + 1000
        buys = n % 5
        return [account.agency_id, account.pk, level, object_id, day, breakdown, value,
                "" if c is None else campaign_graph_id(c), "" if c is None else f"Campaign {c}",
                "" if s is None else str(121000000000 + s), "" if s is None else f"Ad set {s}",
                "" if a is None else str(122000000000 + a), "" if a is None else f"Ad {a}",
                account.currency, spend, n * 13 % 20000 + 100, n * 11 % 15000 + 80, 1.3,
                clicks, clicks - 1, 1.2, 0.41, 7.9,
                Jsonb({"link_click": clicks - 1, "purchase": buys}),
                Jsonb({"purchase": buys * 3150}), buys, buys * 3150, 2.1, n % 40, now]

    for d in range(days):
        day = until - timedelta(days=d)
        k = day.toordinal()
        yield row("account", account.account_id, day, k)
        for c in range(campaigns):
            yield row("campaign", campaign_graph_id(c), day, k + c, c=c)
        for s in range(adsets):
            yield row("adset", str(121000000000 + s), day, k + s, c=s // 10, s=s)
        for a in range(ads):
            yield row("ad", str(122000000000 + a), day, k + a, c=a // 100, s=a // 10, a=a)
        for breakdown, values in BREAKDOWN_VALUES.items():
            for i, value in enumerate(values):
                yield row("account", account.account_id, day, k + i, breakdown=breakdown,
                          value=value)
                for c in range(campaigns):
                    yield row("campaign", campaign_graph_id(c), day, k + c + i, c=c,
                              breakdown=breakdown, value=value)


def insights_seed(*, account, ads: int, days: int, until: date, database_url: str) -> int:
    """COPY the rows in; returns how many."""
    import psycopg

    from reporting.models import InsightRow

    names = ", ".join(f'"{c}"' for c in COLUMNS)
    count = 0
    with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
        with cursor.copy(f'COPY "{InsightRow._meta.db_table}" ({names}) FROM STDIN') as copy:
            for values in _rows(account, ads=ads, days=days, until=until):
                copy.write_row(values)
                count += 1
        cursor.execute(f'ANALYZE "{InsightRow._meta.db_table}"')
    return count
