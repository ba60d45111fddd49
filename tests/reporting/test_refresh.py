"""The refresh policy: backfill, lookback re-reads, failed report runs split, resumed refreshes."""

from __future__ import annotations

import json
from datetime import date, timedelta

import httpx
import pytest
from django.db.models import Count, Sum

from agency.tenancy import agency_scope
from reporting.models import InsightRow, InsightsRefresh, Level, RefreshStatus
from reporting.services import ingest
from reporting.services.ingest import Chunk, RunStats, chunk_rows, insights_refresh
from reporting.services.refresh import (
    earliest_day,
    insights_refresh_account,
    insights_refresh_state,
)
from tests.reporting.conftest import sim_today

pytestmark = pytest.mark.django_db


def test_a_failed_report_run_is_split_by_date_and_the_parts_retried(graph, usd_account,
                                                                    graph_client):
    # core-flows.md §4.4: poll until "Job Completed"; a run may end "Job Failed". The fault plan
    # makes the next report run fail; the 8-day chunk is split into two 4-day runs.
    until = sim_today(graph, usd_account) - timedelta(days=1)
    chunk = Chunk(Level.CAMPAIGN, "", until - timedelta(days=7), until)
    graph.sim.faults.add("error", kind="insights_report_failed", times=1)
    stats = RunStats()
    rows = chunk_rows(client=graph_client, act_id=usd_account.act_id, chunk=chunk, stats=stats)
    assert stats.failed_runs == 1 and stats.splits == 1 and stats.report_runs == 3
    posted = [c for c in graph.sim.calls if c.method == "POST" and c.path.endswith("/insights")]
    ranges = [json.loads(c.params["time_range"]) for c in posted]
    half = chunk.since + timedelta(days=3)
    assert ranges == [
        {"since": chunk.since.isoformat(), "until": until.isoformat()},
        {"since": chunk.since.isoformat(), "until": half.isoformat()},
        {"since": (half + timedelta(days=1)).isoformat(), "until": until.isoformat()},
    ]
    # every day arrives (the seeded USD account delivers on each of these days)
    assert {r["date_start"] for r in rows} == {
        (chunk.since + timedelta(days=i)).isoformat() for i in range(8)
    }


def test_a_report_run_that_stays_running_times_out_and_is_split(graph, usd_account,
                                                                 graph_client, settings):
    # A run stuck in "Job Running" (fault kind insights_report_stuck) is given up after the
    # timeout and its range split; the rows still arrive once.
    settings.REPORTING_REPORT_RUN_TIMEOUT = 120
    until = sim_today(graph, usd_account) - timedelta(days=1)
    chunk = Chunk(Level.ACCOUNT, "", until - timedelta(days=1), until)
    graph.sim.faults.add("error", kind="insights_report_stuck", times=1)
    stats = RunStats()
    rows = chunk_rows(client=graph_client, act_id=usd_account.act_id, chunk=chunk, stats=stats)
    assert stats.failed_runs == 1 and stats.splits == 1
    assert sorted(r["date_start"] for r in rows) == [chunk.since.isoformat(), until.isoformat()]


def _sales_campaign(graph, account) -> str:
    """An active OUTCOME_SALES campaign (purchases to attribute) on the simulator's account."""
    token = graph.sim.mint_token().value
    page_id = graph.sim.world.demo["page_ids"][0]

    def post(edge, **data):
        form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
        response = httpx.post(f"{graph.base_url}/v25.0/{account.act_id}/{edge}",
                              data={**form, "access_token": token})
        assert response.status_code == 200, response.text
        return response.json()["id"]

    campaign = post("campaigns", name="Lookback Sale", objective="OUTCOME_SALES",
                    status="ACTIVE", special_ad_categories=[])
    adset = post("adsets", name="Buyers", campaign_id=campaign, daily_budget=200000,
                 billing_event="IMPRESSIONS", optimization_goal="LINK_CLICKS", status="ACTIVE",
                 targeting={"geo_locations": {"countries": ["US"]}})
    creative = post("adcreatives", name="Shop", object_story_spec={"page_id": page_id,
                    "link_data": {"link": "https://shop.example.com/p", "message": "Buy",
                                  "call_to_action": {"type": "SHOP_NOW"}}})
    post("ads", name="Shop ad", adset_id=adset, creative={"creative_id": creative},
         status="ACTIVE")
    return campaign


def test_lookback_refresh_picks_up_conversions_that_changed(graph, usd_account, graph_client,
                                                            settings):
    # Attributed conversions of a day keep arriving within the 7-day/28-day click windows
    # (core-flows.md §4.7 attribution windows; graph_sim DECISIONS "late conversions"); a
    # re-read of the lookback window stores them.
    settings.REPORTING_LEVELS = [Level.ACCOUNT, Level.CAMPAIGN]
    settings.REPORTING_BREAKDOWNS = []
    _sales_campaign(graph, usd_account)
    graph.sim.clock.advance(4 * 86400)
    with agency_scope(usd_account.agency_id):
        today = sim_today(graph, usd_account)
        day = today - timedelta(days=2)
        insights_refresh(ad_account=usd_account, since=day, until=day, client=graph_client,
                         levels=(Level.ACCOUNT,), breakdowns=())
        before = InsightRow.objects.get(level=Level.ACCOUNT, date=day, breakdown="")
        graph.sim.clock.advance(10 * 86400)
        state = insights_refresh_state(ad_account=usd_account)
        state.backfill_done = True
        state.save()
        stats = insights_refresh_account(ad_account=usd_account,
                                         today=sim_today(graph, usd_account))
        after = InsightRow.objects.get(level=Level.ACCOUNT, date=day, breakdown="")
        assert stats is not None and after.pk == before.pk
        assert after.conversions > before.conversions > 0
        assert after.conversion_value_minor > before.conversion_value_minor
        assert after.fetched_at > before.fetched_at
        assert after.spend_minor == before.spend_minor  # spend does not change, conversions do
        state.refresh_from_db()
        assert state.status == RefreshStatus.IDLE and state.last_refreshed_at is not None


def test_first_refresh_backfills_from_the_first_day_with_data(graph, usd_account, settings):
    settings.REPORTING_WINDOW_DAYS = 120
    settings.REPORTING_LEVELS = [Level.ACCOUNT]
    settings.REPORTING_BREAKDOWNS = []  # the whole history, kept small: one level
    with agency_scope(usd_account.agency_id):
        today = sim_today(graph, usd_account)
        checkpoints = []
        insights_refresh_account(ad_account=usd_account, today=today,
                                 on_plan=lambda cp, n: checkpoints.append(dict(cp)))
        state = InsightsRefresh.objects.get(ad_account=usd_account)
        assert state.backfill_done and state.status == RefreshStatus.IDLE
        assert checkpoints[0]["mode"] == "backfill"
        since = date.fromisoformat(checkpoints[0]["since"])
        assert earliest_day(today=today) <= since < today - timedelta(days=60)
        first = InsightRow.objects.filter(level=Level.ACCOUNT, breakdown="").order_by("date")[0]
        assert first.date == since
        assert state.backfill_cursor == since


class WorkerKilled(BaseException):
    """Stands for the worker process dying (not an Exception: nothing catches it)."""


def test_refresh_killed_mid_way_resumes_without_duplicate_rows(graph, usd_account, settings):
    settings.REPORTING_WINDOW_DAYS = 5
    with agency_scope(usd_account.agency_id):
        today = sim_today(graph, usd_account)
        state = insights_refresh_state(ad_account=usd_account)
        state.backfill_done = True
        state.lookback_days = 14
        state.save()
        saved: dict = {}

        def die_after_five(checkpoint):
            saved.update(checkpoint, done=list(checkpoint["done"]))
            if len(checkpoint["done"]) == 5:
                raise WorkerKilled

        with pytest.raises(WorkerKilled):
            insights_refresh_account(ad_account=usd_account, today=today,
                                     on_chunk=die_after_five)
        assert len(saved["done"]) == 5
        insights_refresh_account(ad_account=usd_account, today=today, checkpoint=saved)
        dupes = (InsightRow.objects.values("level", "object_id", "date", "breakdown",
                                           "breakdown_value")
                 .annotate(n=Count("id")).filter(n__gt=1))
        assert not dupes.exists()
        past = InsightRow.objects.filter(level=Level.ACCOUNT, breakdown="", date__lt=today)
        resumed = past.aggregate(s=Sum("spend_minor"))["s"]
        InsightRow.objects.all().delete()
        insights_refresh(ad_account=usd_account, since=today - timedelta(days=14), until=today,
                         client=_client(usd_account), levels=(Level.ACCOUNT,), breakdowns=())
        fresh = past.aggregate(s=Sum("spend_minor"))["s"]
        assert resumed == fresh


def _client(account):
    from accounts.services.graph import graph_for_connection

    return graph_for_connection(connection=account.connection, purpose="test")


def test_failed_refresh_is_shown_as_failed(graph, usd_account):
    graph.sim.faults.add("error", path="/act_*/insights", code=100, subcode=1487534,
                         message="Please reduce the amount of data you're asking for")
    with agency_scope(usd_account.agency_id):
        with pytest.raises(Exception):  # noqa: B017 (a Graph validation error)
            insights_refresh_account(ad_account=usd_account)
        state = InsightsRefresh.objects.get(ad_account=usd_account)
        assert state.status == RefreshStatus.FAILED and "reduce the amount" in state.last_error


assert ingest  # the module tests swap poll_sleep on
