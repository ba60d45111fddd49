"""Insights ingest: daily ad-level insight rows, as Graph returns them, stored through the
product's path (`reporting.services.ingest.insight_rows_upsert`, the bulk upsert every refresh
uses) into PostgreSQL; against a plain COPY of the same rows into the same table (the limit)."""

from __future__ import annotations

import resource
from datetime import date, timedelta
from typing import Any

from bench.env import Stopwatch, bench_database, django_setup, figure, say

ADS = 1000
BATCH = 10_000  # rows per upsert call: about one report run's pages


def graph_row(ad: int, day: date) -> dict[str, Any]:
    """One row of `GET <report_run_id>/insights` at level=ad with time_increment=1."""
    n = ad * 7 + day.toordinal() % 97
    clicks = n % 50 + 1
    return {
        "date_start": day.isoformat(), "date_stop": day.isoformat(),
        "campaign_id": str(120000000000 + ad // 100), "campaign_name": f"Campaign {ad // 100}",
        "adset_id": str(121000000000 + ad // 10), "adset_name": f"Ad set {ad // 10}",
        "ad_id": str(122000000000 + ad), "ad_name": f"Ad {ad}",
        "spend": f"{n % 900 + 10}.{n % 100:02d}", "impressions": str(n * 13 % 20000 + 100),
        "reach": str(n * 11 % 15000 + 80), "frequency": "1.31", "clicks": str(clicks),
        "inline_link_clicks": str(clicks - 1), "ctr": "1.2", "cpc": "0.41", "cpm": "7.9",
        "actions": [{"action_type": "link_click", "value": str(clicks - 1)},
                    {"action_type": "purchase", "value": str(n % 5)}],
        "action_values": [{"action_type": "purchase", "value": f"{(n % 5) * 31}.50"}],
        "purchase_roas": [{"action_type": "purchase", "value": "2.1"}],
        "video_play_actions": [{"action_type": "video_view", "value": str(n % 40)}],
    }


def cells(size: int):
    """(ad, day) for `size` rows: ADS ads (fewer at tiny sizes) over as many days as needed."""
    ads = min(ADS, size)
    first = date(2023, 1, 1)
    for i in range(size):
        yield i % ads, first + timedelta(days=i // ads)


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(*, size: int) -> None:
    with bench_database() as url:
        django_setup(database_url=url)
        _run(size=size, database_url=url)


def _run(*, size: int, database_url: str) -> None:

    from agency.tenancy import agency_scope
    from tests.factories.campaigns import AdAccountFactory

    account = AdAccountFactory()
    with agency_scope(account.agency):
        _measure(size=size, database_url=database_url, account=account)


def _measure(*, size: int, database_url: str, account) -> None:
    import psycopg
    from django.db import connection
    from django.utils import timezone

    from reporting.models import InsightRow
    from reporting.services.ingest import insight_rows_upsert, row_fields

    table = InsightRow._meta.db_table
    baseline = _peak_rss_mib()

    say(f"ingesting {size:,} rows through insight_rows_upsert")
    spent = 0.0
    batch: list[dict[str, Any]] = []
    for ad, day in cells(size):
        batch.append(graph_row(ad, day))
        if len(batch) == BATCH:
            clock = Stopwatch()
            insight_rows_upsert(ad_account=account, rows=batch, level="ad", breakdown="")
            spent += clock.seconds
            batch = []
    if batch:
        clock = Stopwatch()
        insight_rows_upsert(ad_account=account, rows=batch, level="ad", breakdown="")
        spent += clock.seconds
    peak = _peak_rss_mib()
    stored = InsightRow.objects.unscoped().count()

    # The limit: the same rows' column values streamed by COPY into the same (emptied) table.
    with connection.cursor() as cursor:
        cursor.execute(f'TRUNCATE "{table}"')
    columns = ["agency_id", "ad_account_id", "fetched_at", *row_fields(
        graph_row(0, date(2023, 1, 1)), level="ad", breakdown="", currency=account.currency,
        account_id=account.account_id)]
    say(f"copying the same {size:,} rows with COPY")
    now = timezone.now()
    copy_seconds = 0.0

    def values(ad, day):
        fields = row_fields(graph_row(ad, day), level="ad", breakdown="",
                            currency=account.currency, account_id=account.account_id)
        return [account.agency_id, account.pk, now, *(
            psycopg.types.json.Jsonb(v) if isinstance(v, dict) else v for v in fields.values())]

    with psycopg.connect(database_url) as conn, conn.cursor() as cursor:
        names = ", ".join(f'"{c}"' for c in columns)
        clock = Stopwatch()
        with cursor.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
            copy_seconds += clock.seconds
            batch = []
            for ad, day in cells(size):
                batch.append(values(ad, day))  # the rows' values are made outside the timing
                if len(batch) == BATCH:
                    clock = Stopwatch()
                    for row in batch:
                        copy.write_row(row)
                    copy_seconds += clock.seconds
                    batch = []
            clock = Stopwatch()
            for row in batch:
                copy.write_row(row)
        copy_seconds += clock.seconds  # the end of COPY (the server finishing) included
    copied = InsightRow.objects.unscoped().count()

    rate = size / spent if spent else 0.0
    copy_rate = size / copy_seconds if copy_seconds else 0.0
    figure("rows", f"{size:,} ad-level daily rows ({min(ADS, size)} ads); stored {stored:,}, "
                   f"copied {copied:,}")
    figure("ingest rows/s", f"{rate:,.0f} rows/s ({spent:.1f} s in insight_rows_upsert, "
                            f"batches of {BATCH:,})")
    figure("COPY rows/s (limit)", f"{copy_rate:,.0f} rows/s ({copy_seconds:.1f} s streaming "
                                  "the same rows' column values, made beforehand)")
    figure("ingest vs limit", f"{rate / copy_rate:.0%} of COPY" if copy_rate else "n/a")
    figure("peak memory", f"{peak:,.0f} MiB peak RSS of the process ({peak - baseline:+,.0f} "
                          "MiB during the ingest)")
