"""Insights ingestion: async report runs, polled with backoff, split and retried on failure,
read page by page, and upserted in bulk into `InsightRow`.

core-flows.md §4.4: `POST act_<id>/insights` → `report_run_id`; poll `GET <id>` until
`async_status` is "Job Completed" and `async_percent_completion` 100; read `GET <id>/insights`.
A run that fails ("Job Failed", "Job Skipped") or outlives our timeout is split — the date range
in halves, then a single day by lists of campaign ids — and the parts are retried. Throttling
(`x-fb-ads-insights-throttle`, 4/17/80000…) is handled by the Graph client's shared throttle.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from agency.errors import ServiceError
from agency.graph.client import GraphClient
from reporting.models import Breakdown, InsightReach, InsightRow, Level
from reporting.money import to_minor

log = logging.getLogger("reporting.ingest")

# What the dashboards read. Identity fields appear only at or below their level.
METRIC_FIELDS = (
    "spend", "impressions", "reach", "frequency", "clicks", "inline_link_clicks", "ctr", "cpc",
    "cpm", "actions", "action_values", "purchase_roas", "video_play_actions",
)  # fmt: skip
IDENTITY_FIELDS = {
    Level.ACCOUNT: (),
    Level.CAMPAIGN: ("campaign_id", "campaign_name"),
    Level.ADSET: ("campaign_id", "campaign_name", "adset_id", "adset_name"),
    Level.AD: ("campaign_id", "campaign_name", "adset_id", "adset_name", "ad_id", "ad_name"),
}
# Every status, so that archived and deleted objects stay in the lower levels and the levels add
# up to the account (reference.md §7.4: below the queried node they are left out unless a
# status filter names them).
ALL_STATUSES = ("ACTIVE", "PAUSED", "ARCHIVED", "DELETED", "IN_PROCESS", "WITH_ISSUES",
                "CAMPAIGN_PAUSED", "ADSET_PAUSED", "DISAPPROVED", "PENDING_REVIEW",
                "PREAPPROVED", "PENDING_BILLING_INFO")
PURCHASE_TYPES = ("purchase", "omni_purchase", "offsite_conversion.fb_pixel_purchase")

JOB_COMPLETED = "Job Completed"
JOB_FAILED = ("Job Failed", "Job Skipped")

UPDATE_FIELDS = [
    "campaign_id", "campaign_name", "adset_id", "adset_name", "ad_id", "ad_name", "currency",
    "spend_minor", "impressions", "reach", "frequency", "clicks", "link_clicks", "ctr", "cpc",
    "cpm", "actions", "action_values_minor", "conversions", "conversion_value_minor",
    "purchase_roas", "video_plays", "fetched_at",
]  # fmt: skip
UNIQUE_FIELDS = ["agency", "ad_account", "level", "object_id", "date", "breakdown",
                 "breakdown_value"]


class ReportRunFailedError(ServiceError):
    code = "report_run_failed"
    http_status = 502


class ReportRunTimeoutError(ReportRunFailedError):
    code = "report_run_timeout"


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


# Tests swap this for one that moves the simulator's clock (never a real sleep).
poll_sleep: Callable[[float], None] = _sleep


@dataclass(frozen=True)
class Chunk:
    """One report: a level and a breakdown over a date range."""

    level: str
    breakdown: str
    since: date
    until: date

    @property
    def key(self) -> str:
        return f"{self.level}:{self.breakdown}:{self.since.isoformat()}:{self.until.isoformat()}"

    def days(self) -> int:
        return (self.until - self.since).days + 1


@dataclass
class RunStats:
    report_runs: int = 0
    failed_runs: int = 0
    splits: int = 0
    rows: int = 0
    chunks_done: list[str] = field(default_factory=list)


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def _params(chunk: Chunk, *, campaign_ids: Sequence[str] | None = None) -> dict[str, Any]:
    fields = [*IDENTITY_FIELDS[Level(chunk.level)], *METRIC_FIELDS]
    params: dict[str, Any] = {
        "level": chunk.level,
        "time_increment": 1,
        "time_range": {"since": chunk.since.isoformat(), "until": chunk.until.isoformat()},
        "fields": ",".join(fields),
    }
    if chunk.breakdown:
        params["breakdowns"] = chunk.breakdown
    filters: list[dict[str, Any]] = []
    if chunk.level != Level.ACCOUNT:
        filters.append({"field": "ad.effective_status", "operator": "IN",
                        "value": list(ALL_STATUSES)})
    if campaign_ids:
        filters.append({"field": "campaign.id", "operator": "IN", "value": list(campaign_ids)})
    if filters:
        params["filtering"] = json.dumps(filters, separators=(",", ":"))
    return params


def report_run_start(*, client: GraphClient, act_id: str, params: dict[str, Any]) -> str:
    """POST the async report; returns `report_run_id` (a numeric string)."""
    body = client.post(f"{act_id}/insights", data=params, account_id=act_id)
    run_id = str((body or {}).get("report_run_id") or "")
    if not run_id:
        raise ReportRunFailedError("Graph did not return a report_run_id.")
    return run_id


def report_run_wait(*, client: GraphClient, act_id: str, run_id: str,
                    timeout: float | None = None) -> None:
    """Poll `GET <run_id>` with exponential backoff until "Job Completed" at 100%."""
    timeout = float(_setting("REPORTING_REPORT_RUN_TIMEOUT", 900.0) if timeout is None
                    else timeout)
    delay = float(_setting("REPORTING_POLL_INITIAL", 1.0))
    max_delay = float(_setting("REPORTING_POLL_MAX", 30.0))
    waited = 0.0
    while True:
        run = client.get(run_id, fields="async_status,async_percent_completion",
                         account_id=act_id) or {}
        status = run.get("async_status")
        if status == JOB_COMPLETED and int(run.get("async_percent_completion") or 0) >= 100:
            return
        if status in JOB_FAILED:
            raise ReportRunFailedError(f"The report run ended with {status!r}.",
                                       extra={"report_run_id": run_id})
        if waited >= timeout:
            raise ReportRunTimeoutError(
                f"The report run was still {status!r} after {int(waited)} s.",
                extra={"report_run_id": run_id},
            )
        step = min(delay, max(0.1, timeout - waited))
        poll_sleep(step)
        waited += step
        delay = min(delay * 2, max_delay)


def report_run_rows(*, client: GraphClient, act_id: str, run_id: str) -> list[dict[str, Any]]:
    limit = int(_setting("REPORTING_PAGE_LIMIT", 500))
    return list(client.iterate(f"{run_id}/insights", limit=limit, account_id=act_id))


def _campaign_ids(client: GraphClient, act_id: str) -> list[str]:
    params = {"effective_status": json.dumps([s for s in ALL_STATUSES if s != "DELETED"])}
    return sorted(
        str(c["id"]) for c in client.iterate(f"{act_id}/campaigns", fields="id", params=params,
                                             limit=500, account_id=act_id)
    )


def chunk_rows(*, client: GraphClient, act_id: str, chunk: Chunk, stats: RunStats,
               campaign_ids: Sequence[str] | None = None, depth: int = 0) -> list[dict[str, Any]]:
    """The rows of one chunk, splitting a failed or timed-out run and retrying the parts."""
    stats.report_runs += 1
    try:
        run_id = report_run_start(client=client, act_id=act_id,
                                  params=_params(chunk, campaign_ids=campaign_ids))
        report_run_wait(client=client, act_id=act_id, run_id=run_id)
        return report_run_rows(client=client, act_id=act_id, run_id=run_id)
    except ReportRunFailedError as exc:
        stats.failed_runs += 1
        if depth >= int(_setting("REPORTING_MAX_SPLIT_DEPTH", 12)):
            raise
        log.info("insights report %s failed (%s): splitting", chunk.key, exc.message)
    return _split_rows(client=client, act_id=act_id, chunk=chunk, stats=stats,
                       campaign_ids=campaign_ids, depth=depth)


def _split_rows(*, client: GraphClient, act_id: str, chunk: Chunk, stats: RunStats,
                campaign_ids: Sequence[str] | None, depth: int) -> list[dict[str, Any]]:
    """A failed chunk in two: the date range in halves, or one day by halves of its campaigns."""
    stats.splits += 1
    parts: list[tuple[Chunk, Sequence[str] | None]]
    if chunk.since < chunk.until:
        middle = chunk.since + timedelta(days=chunk.days() // 2 - 1)
        parts = [
            (Chunk(chunk.level, chunk.breakdown, chunk.since, middle), campaign_ids),
            (Chunk(chunk.level, chunk.breakdown, middle + timedelta(days=1), chunk.until),
             campaign_ids),
        ]
    else:
        ids = list(campaign_ids) if campaign_ids is not None else (
            _campaign_ids(client, act_id) if chunk.level != Level.ACCOUNT else []
        )
        if len(ids) > 1:
            half = len(ids) // 2
            parts = [(chunk, ids[:half]), (chunk, ids[half:])]
        else:
            parts = [(chunk, campaign_ids)]  # one day, one campaign: try it again as it is
    rows: list[dict[str, Any]] = []
    for part, ids in parts:
        rows.extend(chunk_rows(client=client, act_id=act_id, chunk=part, stats=stats,
                               campaign_ids=ids, depth=depth + 1))
    return rows


def window_rows(*, client: GraphClient, act_id: str, chunks: Sequence[Chunk], stats: RunStats
                ) -> Iterable[tuple[Chunk, list[dict[str, Any]]]]:
    """The chunks of one date window, their report runs started together (Graph runs them in
    parallel) and polled together; yields each chunk's rows in order, splitting the failed."""
    started: dict[str, str | None] = {}
    for chunk in chunks:
        stats.report_runs += 1
        try:
            started[chunk.key] = report_run_start(client=client, act_id=act_id,
                                                  params=_params(chunk))
        except ReportRunFailedError:
            started[chunk.key] = None
    outcome = report_runs_wait(client=client, act_id=act_id,
                               run_ids=[r for r in started.values() if r])
    for chunk in chunks:
        run_id = started[chunk.key]
        if run_id and outcome.get(run_id) == JOB_COMPLETED:
            yield chunk, report_run_rows(client=client, act_id=act_id, run_id=run_id)
            continue
        stats.failed_runs += 1
        log.info("insights report %s ended %s: splitting", chunk.key, outcome.get(run_id or ""))
        yield chunk, _split_rows(client=client, act_id=act_id, chunk=chunk, stats=stats,
                                 campaign_ids=None, depth=0)


def report_runs_wait(*, client: GraphClient, act_id: str, run_ids: Sequence[str],
                     timeout: float | None = None) -> dict[str, str]:
    """Poll several runs with one backoff until each is completed, failed or timed out.
    Returns run id → "Job Completed" / "Job Failed" / "Job Skipped" / "timeout"."""
    timeout = float(_setting("REPORTING_REPORT_RUN_TIMEOUT", 900.0) if timeout is None
                    else timeout)
    delay = float(_setting("REPORTING_POLL_INITIAL", 1.0))
    max_delay = float(_setting("REPORTING_POLL_MAX", 30.0))
    waited = 0.0
    outcome: dict[str, str] = {}
    while True:
        for run_id in run_ids:
            if run_id in outcome:
                continue
            run = client.get(run_id, fields="async_status,async_percent_completion",
                             account_id=act_id) or {}
            status = run.get("async_status")
            if status == JOB_COMPLETED and int(run.get("async_percent_completion") or 0) >= 100:
                outcome[run_id] = JOB_COMPLETED
            elif status in JOB_FAILED:
                outcome[run_id] = str(status)
        if len(outcome) == len(run_ids):
            return outcome
        if waited >= timeout:
            return {**{r: "timeout" for r in run_ids}, **outcome}
        step = min(delay, max(0.1, timeout - waited))
        poll_sleep(step)
        waited += step
        delay = min(delay * 2, max_delay)


# --- rows → store -------------------------------------------------------------------------------


def _int(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _stats(items: Any) -> dict[str, str]:
    if not isinstance(items, list):
        return {}
    return {str(i.get("action_type")): str(i.get("value")) for i in items
            if isinstance(i, dict) and i.get("action_type")}


def _first_of(values: dict[str, Any], types: Iterable[str]) -> Any:
    for t in types:
        if t in values:
            return values[t]
    return None


def row_fields(row: dict[str, Any], *, level: str, breakdown: str, currency: str,
               account_id: str) -> dict[str, Any]:
    """One Graph insights row as `InsightRow` fields."""
    actions = {k: _int(v) for k, v in _stats(row.get("actions")).items()}
    values = {k: to_minor(v, currency) for k, v in _stats(row.get("action_values")).items()}
    roas = _first_of({k: _float(v) for k, v in _stats(row.get("purchase_roas")).items()},
                     PURCHASE_TYPES)
    keys = breakdown.split(",") if breakdown else []
    object_id = account_id if level == Level.ACCOUNT else str(row.get(f"{level}_id") or "")
    return {
        "level": level,
        "object_id": object_id,
        "date": date.fromisoformat(str(row["date_start"])[:10]),
        "breakdown": breakdown,
        "breakdown_value": "|".join(str(row.get(k, "")) for k in keys)[:200],
        "campaign_id": str(row.get("campaign_id") or ""),
        "campaign_name": str(row.get("campaign_name") or "")[:400],
        "adset_id": str(row.get("adset_id") or ""),
        "adset_name": str(row.get("adset_name") or "")[:400],
        "ad_id": str(row.get("ad_id") or ""),
        "ad_name": str(row.get("ad_name") or "")[:400],
        "currency": currency,
        "spend_minor": to_minor(row.get("spend"), currency),
        "impressions": _int(row.get("impressions")),
        "reach": _int(row.get("reach")),
        "frequency": _float(row.get("frequency")),
        "clicks": _int(row.get("clicks")),
        "link_clicks": _int(row.get("inline_link_clicks")),
        "ctr": _float(row.get("ctr")),
        "cpc": _float(row.get("cpc")),
        "cpm": _float(row.get("cpm")),
        "actions": actions,
        "action_values_minor": values,
        "conversions": _first_of(actions, PURCHASE_TYPES) or 0,
        "conversion_value_minor": _first_of(values, PURCHASE_TYPES) or 0,
        "purchase_roas": roas,
        "video_plays": sum(_int(v) for v in _stats(row.get("video_play_actions")).values()),
    }


def _field_rows(*, ad_account, rows: Iterable[dict[str, Any]], level: str,
                breakdown: str) -> Iterator[dict[str, Any]]:
    """The Graph rows with a date as `InsightRow` attribute values (attname → value)."""
    now = timezone.now()
    owner = {"agency_id": ad_account.agency_id, "ad_account_id": ad_account.pk,
             "fetched_at": now}
    for r in rows:
        if r.get("date_start"):
            yield {**owner, **row_fields(r, level=level, breakdown=breakdown,
                                         currency=ad_account.currency,
                                         account_id=ad_account.account_id)}


def _batches(items: Iterable[dict[str, Any]], size: int) -> Iterator[tuple[int, list]]:
    """(rows read, rows to store) per batch of `size`. A unique cell that comes twice in one batch
    is stored once, with its last values (as a later batch replaces an earlier one's)."""
    keys = [InsightRow._meta.get_field(name).attname for name in UNIQUE_FIELDS]
    items = iter(items)
    while batch := list(islice(items, size)):
        cells = {tuple(values[k] for k in keys): values for values in batch}
        yield len(batch), list(cells.values())


def insight_rows_upsert(*, ad_account, rows: Iterable[dict[str, Any]], level: str,
                        breakdown: str) -> int:
    """Bulk upsert of Graph insight rows (those with a `date_start`): a re-read day replaces its
    row, never adds one; a cell given twice keeps its last values. Returns the rows read.

    On PostgreSQL each batch is COPYed into a temporary table and moved with one INSERT … SELECT
    … ON CONFLICT DO UPDATE (2.4 times the ORM's rate in bench/insights_ingest); elsewhere
    (SQLite) the ORM's `bulk_create(update_conflicts=True)` does the same. Batches of
    REPORTING_UPSERT_BATCH rows (default 1,000 for the ORM, 10,000 for COPY) bound the memory."""
    values = _field_rows(ad_account=ad_account, rows=rows, level=level, breakdown=breakdown)
    count = 0
    with transaction.atomic():
        if copy_upsert_available():
            batch = int(_setting("REPORTING_UPSERT_BATCH", 10_000))
            with _CopyUpsert(InsightRow) as upsert:
                for read, cells in _batches(values, batch):
                    upsert.store(cells)
                    count += read
            return count
        batch = int(_setting("REPORTING_UPSERT_BATCH", 1000))
        for read, cells in _batches(values, batch):
            InsightRow.objects.bulk_create(
                [InsightRow(**c) for c in cells], update_conflicts=True,
                unique_fields=UNIQUE_FIELDS, update_fields=UPDATE_FIELDS,
            )
            count += read
    return count


def copy_upsert_available() -> bool:
    """Whether insight rows go in by COPY (PostgreSQL) rather than the ORM's bulk upsert."""
    return connection.vendor == "postgresql"


class _CopyUpsert:
    """PostgreSQL: rows COPYed into a temporary table shaped like the model's, then upserted in
    one statement (ON CONFLICT on UNIQUE_FIELDS, DO UPDATE of UPDATE_FIELDS). The columns come from
    the model's concrete fields (all but the primary key); JSON fields are adapted as the ORM
    adapts them (`adapt_json_value`, the field's encoder); dates, datetimes, decimals and numbers
    go to psycopg as Python values. Runs on Django's connection, inside the caller's transaction."""

    temp = "insight_row_ingest"

    def __init__(self, model) -> None:
        from django.db.models import JSONField

        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self.table = model._meta.db_table
        self.attnames = [f.attname for f in fields]
        self.fields = {f.attname: f for f in fields}
        self.json = {f.attname: f.encoder for f in fields if isinstance(f, JSONField)}
        self.columns = [f.column for f in fields]
        unique = [model._meta.get_field(n).column for n in UNIQUE_FIELDS]
        update = [model._meta.get_field(n).column for n in UPDATE_FIELDS]
        # Identifiers only, from the model's meta, quoted; no value is ever formatted in.
        qn = connection.ops.quote_name
        names = ", ".join(qn(c) for c in self.columns)
        table, temp = qn(self.table), qn(self.temp)
        conflict = ", ".join(qn(c) for c in unique)
        assign = ", ".join(f"{qn(c)} = EXCLUDED.{qn(c)}" for c in update)
        self.create_sql = f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {names} FROM {table} WITH NO DATA"  # noqa: E501, S608
        self.copy_sql = f"COPY {temp} ({names}) FROM STDIN"
        self.upsert_sql = f"INSERT INTO {table} ({names}) SELECT {names} FROM {temp} ON CONFLICT ({conflict}) DO UPDATE SET {assign}"  # noqa: E501, S608

    def __enter__(self) -> _CopyUpsert:
        self.cursor = connection.cursor()
        self.cursor.execute(self.create_sql)
        return self

    def __exit__(self, *exc) -> None:
        try:
            if exc[0] is None:
                self.cursor.execute(f"DROP TABLE {connection.ops.quote_name(self.temp)}")
        finally:
            self.cursor.close()

    def _row(self, cells: dict[str, Any]) -> list[Any]:
        row = []
        for name in self.attnames:
            value = cells[name] if name in cells else self.fields[name].get_default()
            if name in self.json:
                value = connection.ops.adapt_json_value(value, self.json[name])
            row.append(value)
        return row

    def store(self, cells: Sequence[dict[str, Any]]) -> None:
        if not cells:
            return
        raw = self.cursor.cursor  # psycopg's own cursor under Django's wrapper
        with raw.copy(self.copy_sql) as copy:
            for c in cells:
                copy.write_row(self._row(c))
        self.cursor.execute(self.upsert_sql)
        self.cursor.execute(f"TRUNCATE {connection.ops.quote_name(self.temp)}")


def plan_chunks(*, since: date, until: date, levels: Sequence[str], breakdowns: Sequence[str],
                breakdown_levels: Sequence[str], window_days: int) -> list[Chunk]:
    """Date windows from the newest back, each with every level and breakdown report."""
    chunks: list[Chunk] = []
    end = until
    while end >= since:
        start = max(since, end - timedelta(days=window_days - 1))
        for level in levels:
            chunks.append(Chunk(level, Breakdown.NONE, start, end))
        for b in breakdowns:
            for level in breakdown_levels:
                chunks.append(Chunk(level, b, start, end))
        end = start - timedelta(days=1)
    return chunks


DEFAULT_LEVELS = (Level.ACCOUNT, Level.CAMPAIGN, Level.ADSET, Level.AD)
DEFAULT_BREAKDOWNS = (Breakdown.AGE_GENDER, Breakdown.COUNTRY, Breakdown.PLACEMENT,
                      Breakdown.DEVICE)
DEFAULT_BREAKDOWN_LEVELS = (Level.ACCOUNT, Level.CAMPAIGN)


def insights_refresh(
    *,
    ad_account,
    since: date,
    until: date,
    client: GraphClient,
    levels: Sequence[str] | None = None,
    breakdowns: Sequence[str] | None = None,
    breakdown_levels: Sequence[str] | None = None,
    done: Iterable[str] = (),
    on_chunk: Callable[[Chunk, int, RunStats], None] | None = None,
    window_days: int | None = None,
) -> RunStats:
    """Read `since..until` of one ad account into the store, chunk by chunk.

    `done` holds the keys of chunks already stored (a job's checkpoint): they are skipped, so a
    killed worker resumes where it was; a chunk interrupted half-way is read again and upserted
    over itself. `on_chunk(chunk, rows, stats)` runs after each stored chunk (checkpointing).
    """
    window = window_days or int(_setting("REPORTING_WINDOW_DAYS", 31))
    chunks = plan_chunks(since=since, until=until, window_days=window, **_shape(
        levels=levels, breakdowns=breakdowns, breakdown_levels=breakdown_levels))
    skip = set(done)
    stats = RunStats()
    act_id = ad_account.act_id
    windows: dict[tuple[date, date], list[Chunk]] = {}
    for chunk in chunks:
        if chunk.key not in skip:
            windows.setdefault((chunk.since, chunk.until), []).append(chunk)
    for group in windows.values():
        for chunk, rows in window_rows(client=client, act_id=act_id, chunks=group,
                                       stats=stats):
            count = insight_rows_upsert(ad_account=ad_account, rows=rows, level=chunk.level,
                                        breakdown=chunk.breakdown)
            stats.rows += count
            stats.chunks_done.append(chunk.key)
            if on_chunk is not None:
                on_chunk(chunk, count, stats)
    # Range reach read before this refresh may be stale now.
    InsightReach.objects.filter(ad_account=ad_account, until__gte=since).delete()
    return stats


def _shape(*, levels=None, breakdowns=None, breakdown_levels=None) -> dict[str, Sequence[str]]:
    """The reports each window reads: settings REPORTING_LEVELS / _BREAKDOWNS /
    _BREAKDOWN_LEVELS unless given."""
    return {
        "levels": levels if levels is not None else _setting("REPORTING_LEVELS", DEFAULT_LEVELS),
        "breakdowns": breakdowns if breakdowns is not None else _setting(
            "REPORTING_BREAKDOWNS", DEFAULT_BREAKDOWNS),
        "breakdown_levels": breakdown_levels if breakdown_levels is not None else _setting(
            "REPORTING_BREAKDOWN_LEVELS", DEFAULT_BREAKDOWN_LEVELS),
    }


def ad_thumbnails_refresh(*, client: GraphClient, ad_account) -> int:
    """Store each ad's creative thumbnail (for the ads tables); one paged read."""
    from reporting.models import AdThumbnail

    params = {"effective_status": json.dumps([s for s in ALL_STATUSES if s != "DELETED"])}
    now = timezone.now()
    objs = []
    for ad in client.iterate(f"{ad_account.act_id}/ads", fields="id,creative{id,thumbnail_url}",
                             params=params, limit=500, account_id=ad_account.act_id):
        creative = ad.get("creative") or {}
        url = str(creative.get("thumbnail_url") or "")
        if not url.startswith(("https://", "http://")) or len(url) > 1000:
            url = ""
        objs.append(AdThumbnail(agency_id=ad_account.agency_id, ad_account_id=ad_account.pk,
                                ad_id=str(ad.get("id"))[:32],
                                creative_id=str(creative.get("id") or "")[:32],
                                thumbnail_url=url, updated_at=now))
    if objs:
        AdThumbnail.objects.bulk_create(
            objs, update_conflicts=True, unique_fields=["agency", "ad_account", "ad_id"],
            update_fields=["creative_id", "thumbnail_url", "updated_at"])
    return len(objs)


def chunk_count(*, since: date, until: date, window_days: int | None = None) -> int:
    window = window_days or int(_setting("REPORTING_WINDOW_DAYS", 31))
    return len(plan_chunks(since=since, until=until, window_days=window, **_shape()))
