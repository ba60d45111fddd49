"""The refresh policy of an ad account's insights: a first backfill as far back as Graph allows
(37 months, core-flows.md §4.6), then refreshes that re-read a lookback window (28 days by
default) in the account's time zone, because attributed conversions keep changing for days.
Also the on-demand refresh started from the pages, and the state each report shows."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.services.graph import ConnectionUnusableError, graph_for_connection
from agency.graph.errors import GraphError, GraphThrottleError, GraphTransientError
from agency.jobs.errors import JobCancelledError
from agency.services import audit_record
from reporting.models import InsightsRefresh, RefreshStatus
from reporting.services import ingest
from reporting.services.reach import reach_presets_refresh

log = logging.getLogger("reporting.refresh")
MAX_MONTHS_BACK = 37  # core-flows.md §4.6 / reference: "37 months" (3018 beyond)


def account_today(*, ad_account, now: datetime | None = None) -> date:
    """Today in the ad account's time zone (Graph's days are the account's days)."""
    try:
        tz = ZoneInfo(ad_account.timezone_name or "UTC")
    except (KeyError, ValueError):
        tz = ZoneInfo("UTC")
    return (now or timezone.now()).astimezone(tz).date()


def months_back(day: date, months: int) -> date:
    month_index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    for dd in (day.day, 30, 29, 28):
        try:
            return date(year, month, dd)
        except ValueError:
            continue
    return date(year, month, 28)


def earliest_day(*, today: date) -> date:
    """The oldest day Graph still answers for (since before today - 37 months → 3018)."""
    return months_back(today, MAX_MONTHS_BACK) + timedelta(days=1)


def insights_refresh_state(*, ad_account) -> InsightsRefresh:
    state = InsightsRefresh.objects.filter(ad_account=ad_account).first()
    if state is None:
        state, _ = InsightsRefresh.objects.get_or_create(
            ad_account=ad_account, defaults={"agency_id": ad_account.agency_id}
        )
    return state


def first_day_with_data(*, client, ad_account, today: date) -> date | None:
    """`date_preset=maximum` starts at the first day with data (at most 37 months back)."""
    body = client.get(f"{ad_account.act_id}/insights",
                      params={"date_preset": "maximum", "fields": "impressions"},
                      account_id=ad_account.act_id) or {}
    rows = body.get("data") or []
    if not rows:
        return None
    return max(date.fromisoformat(str(rows[0]["date_start"])[:10]), earliest_day(today=today))


def refresh_window(*, state: InsightsRefresh, today: date, first_day: date | None
                   ) -> tuple[str, date, date] | None:
    """(mode, since, until) of the next refresh, or None when there is nothing to read."""
    if not state.backfill_done:
        if first_day is None:
            return None
        return "backfill", max(first_day, earliest_day(today=today)), today
    since = today - timedelta(days=state.lookback_days or 28)
    if state.last_refreshed_until is not None and state.last_refreshed_until < since:
        since = state.last_refreshed_until  # a gap since the last refresh: read it too
    return "lookback", max(since, earliest_day(today=today)), today


def insights_refresh_account(
    *,
    ad_account,
    today: date | None = None,
    checkpoint: dict[str, Any] | None = None,
    on_plan: Callable[[dict[str, Any], int], None] | None = None,
    on_chunk: Callable[[dict[str, Any]], None] | None = None,
) -> ingest.RunStats | None:
    """Refresh one ad account by the policy; resumable from `checkpoint` (a job's checkpoint:
    the planned window and the chunks already stored)."""
    state = insights_refresh_state(ad_account=ad_account)
    checkpoint = dict(checkpoint or {})
    InsightsRefresh.objects.filter(pk=state.pk).update(
        status=RefreshStatus.RUNNING, started_at=timezone.now(), last_error="")
    try:
        with graph_for_connection(connection=ad_account.connection,
                                  purpose="insights_refresh") as client:
            if "since" not in checkpoint:
                today = today or account_today(ad_account=ad_account)
                first = None if state.backfill_done else first_day_with_data(
                    client=client, ad_account=ad_account, today=today)
                window = refresh_window(state=state, today=today, first_day=first)
                if window is None:
                    _finish(state=state, mode="backfill", until=today)
                    return None
                mode, since, until = window
                checkpoint.update(mode=mode, since=since.isoformat(), until=until.isoformat(),
                                  done=[])
                if on_plan is not None:
                    on_plan(checkpoint, ingest.chunk_count(since=since, until=until))
            since = date.fromisoformat(checkpoint["since"])
            until = date.fromisoformat(checkpoint["until"])
            done: list[str] = list(checkpoint.get("done") or [])

            def stored(chunk: ingest.Chunk, rows: int, stats: ingest.RunStats) -> None:
                done.append(chunk.key)
                checkpoint["done"] = done
                if checkpoint.get("mode") == "backfill":
                    InsightsRefresh.objects.filter(pk=state.pk).update(
                        backfill_cursor=chunk.since)
                if on_chunk is not None:
                    on_chunk(checkpoint)

            stats = ingest.insights_refresh(ad_account=ad_account, since=since, until=until,
                                            client=client, done=done, on_chunk=stored)
            today = today or date.fromisoformat(checkpoint["until"])
            reach_presets_refresh(client=client, ad_account=ad_account, today=today)
            try:
                ingest.ad_thumbnails_refresh(client=client, ad_account=ad_account)
            except GraphError as exc:  # thumbnails are a nicety: the numbers are stored
                if isinstance(exc, GraphThrottleError | GraphTransientError):
                    raise
                log.info("thumbnails of %s not refreshed: %s", ad_account.act_id, exc)
    except Exception as exc:
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        # Throttling, hiccups and a connection to reconnect are retried or resumed by the job
        # system: the refresh is still under way. Anything else failed it.
        waiting = isinstance(exc, GraphThrottleError | GraphTransientError
                             | ConnectionUnusableError)
        status = RefreshStatus.RUNNING if waiting else RefreshStatus.FAILED
        if isinstance(exc, JobCancelledError):
            status, message = RefreshStatus.IDLE, "The last refresh was cancelled."
        InsightsRefresh.objects.filter(pk=state.pk).update(status=status,
                                                           last_error=message[:2000])
        raise
    _finish(state=state, mode=checkpoint.get("mode", "lookback"), until=until)
    return stats


def _finish(*, state: InsightsRefresh, mode: str, until: date) -> None:
    fields: dict[str, Any] = {"status": RefreshStatus.IDLE, "last_refreshed_at": timezone.now(),
                              "last_refreshed_until": until, "last_error": ""}
    if mode == "backfill":
        fields["backfill_done"] = True
    InsightsRefresh.objects.filter(pk=state.pk).update(**fields)


def insights_refresh_start(*, ad_account, actor=None, reason: str = "on_demand"):
    """Start (or return the running) `insights.refresh` job of an ad account."""
    from agency.jobs import services as jobs
    from agency.jobs.models import ACTIVE_STATES, Job

    state = insights_refresh_state(ad_account=ad_account)
    with transaction.atomic():
        state = InsightsRefresh.objects.select_for_update().get(pk=state.pk)
        if state.job_id:
            running = Job.objects.filter(pk=state.job_id, state__in=ACTIVE_STATES).first()
            if running is not None:
                return running
        job = jobs.job_start(kind="insights.refresh", actor=actor, target=ad_account,
                             params={"ad_account_id": ad_account.pk, "reason": reason},
                             connection=ad_account.connection)
        state.job_id = job.pk
        state.status = RefreshStatus.RUNNING
        state.last_error = ""
        state.save(update_fields=["job_id", "status", "last_error"])
        audit_record(agency=ad_account.agency_id, actor=actor, verb="insights.refresh_started",
                     target=ad_account, data={"job_id": job.pk, "reason": reason})
    return job


def insights_lookback_set(*, ad_account, lookback_days: int, actor=None) -> InsightsRefresh:
    from agency.errors import ServiceError

    if not 1 <= int(lookback_days) <= 90:
        raise ServiceError("The lookback window is 1 to 90 days.", field="lookback_days")
    state = insights_refresh_state(ad_account=ad_account)
    state.lookback_days = int(lookback_days)
    state.save(update_fields=["lookback_days"])
    audit_record(agency=ad_account.agency_id, actor=actor, verb="insights.lookback_set",
                 target=ad_account, data={"lookback_days": state.lookback_days})
    return state


def refresh_states(*, ad_accounts: Iterable) -> dict[int, InsightsRefresh]:
    ids = [a.pk for a in ad_accounts]
    return {s.ad_account_id: s for s in InsightsRefresh.objects.filter(ad_account_id__in=ids)
            .select_related("ad_account")}


def default_lookback() -> int:
    return int(getattr(settings, "REPORTING_LOOKBACK_DAYS", 28))
