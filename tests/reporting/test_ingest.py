"""Insights ingestion against the simulator: async report runs, splits, bulk upserts."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db.models import Sum

from accounts.services.graph import graph_for_connection
from agency.tenancy import agency_scope
from reporting.models import Breakdown, InsightRow, Level
from reporting.money import to_minor
from reporting.services.ingest import insights_refresh
from tests.reporting.conftest import sim_get, sim_today

pytestmark = pytest.mark.django_db


def _graph_total(graph, account, since, until, **params):
    body = sim_get(graph, account, f"{account.act_id}/insights", fields="spend,impressions,clicks",
                   time_range=json.dumps({"since": since.isoformat(), "until": until.isoformat()}),
                   limit=500, **params)
    return body["data"]


def test_levels_and_breakdowns_add_up_to_graphs_totals(graph, usd_account, graph_client):
    # core-flows.md §4.1 "act_<AD_ACCOUNT_ID>/insights" with level and breakdowns; the store's
    # daily rows summed over the range equal Graph's own total for that range.
    until = sim_today(graph, usd_account) - timedelta(days=1)
    since = until - timedelta(days=13)
    with agency_scope(usd_account.agency_id):
        stats = insights_refresh(ad_account=usd_account, since=since, until=until,
                                 client=graph_client, window_days=7)
        assert stats.rows > 0 and stats.failed_runs == 0
        (total,) = _graph_total(graph, usd_account, since, until)
        rows = InsightRow.objects.filter(ad_account=usd_account, date__range=(since, until))
        for level in Level.values:
            sums = rows.filter(level=level, breakdown="").aggregate(
                spend=Sum("spend_minor"), impressions=Sum("impressions"), clicks=Sum("clicks"))
            assert sums["spend"] == to_minor(total["spend"], "USD"), level
            assert sums["impressions"] == int(total["impressions"]), level
            assert sums["clicks"] == int(total["clicks"]), level
        for breakdown in (Breakdown.AGE_GENDER, Breakdown.COUNTRY, Breakdown.PLACEMENT,
                          Breakdown.DEVICE):
            cells = _graph_total(graph, usd_account, since, until, breakdowns=breakdown.value)
            keys = breakdown.value.split(",")
            for cell in cells:
                value = "|".join(cell[k] for k in keys)
                stored = rows.filter(level=Level.ACCOUNT, breakdown=breakdown.value,
                                     breakdown_value=value).aggregate(
                    spend=Sum("spend_minor"), impressions=Sum("impressions"))
                assert stored["impressions"] == int(cell["impressions"]), (breakdown, value)
                assert stored["spend"] == to_minor(cell["spend"], "USD"), (breakdown, value)


def test_a_second_refresh_of_the_same_range_adds_no_rows(graph, usd_account, graph_client):
    until = sim_today(graph, usd_account) - timedelta(days=1)
    since = until - timedelta(days=2)
    with agency_scope(usd_account.agency_id):
        insights_refresh(ad_account=usd_account, since=since, until=until, client=graph_client,
                         breakdowns=())
        first = InsightRow.objects.count()
        insights_refresh(ad_account=usd_account, since=since, until=until, client=graph_client,
                         breakdowns=())
        assert first > 0 and InsightRow.objects.count() == first


def test_a_throttled_refresh_stops_cleanly_and_the_retry_stores_rows_once(graph, usd_account,
                                                                          settings):
    # core-flows.md §6: a throttled insights call (code 80000, ads_insights BUC). The Graph
    # client's shared throttle records the block and raises GraphThrottleError with a
    # retry_after (the job system retries then); nothing is half-written, and the retry (here
    # after the block, with a fresh throttle store) stores the day once.
    from agency.graph.errors import GraphThrottleError
    from agency.graph.factory import usage_store

    graph.sim.faults.add("throttle", code=80000, path="/act_*/insights", times=1)
    settings.GRAPH_THROTTLE_MAX_WAIT_SECONDS = 0  # do not wait in-process: raise
    until = sim_today(graph, usd_account) - timedelta(days=1)
    with agency_scope(usd_account.agency_id):
        client = graph_for_connection(connection=usd_account.connection, purpose="test")
        with pytest.raises(GraphThrottleError) as raised:
            insights_refresh(ad_account=usd_account, since=until, until=until, client=client,
                             levels=(Level.ACCOUNT,), breakdowns=())
        assert raised.value.retry_after
        assert not InsightRow.objects.exists()
        settings.GRAPH_THROTTLE_PREFIX = "adwright:test:after-the-block:"
        usage_store.cache_clear()
        client = graph_for_connection(connection=usd_account.connection, purpose="test")
        for _ in range(2):
            insights_refresh(ad_account=usd_account, since=until, until=until, client=client,
                             levels=(Level.ACCOUNT,), breakdowns=())
        assert InsightRow.objects.filter(level=Level.ACCOUNT).count() == 1
    assert len([c for c in graph.sim.calls if c.error_code == 80000]) == 1


def test_a_window_starts_its_reports_together_and_splits_only_the_failed_one(
        graph, usd_account, graph_client):
    # core-flows.md §4.4: async report runs run in parallel on Graph's side; the first run of
    # the window fails ("Job Failed", fault plan) and only that chunk is split and retried.
    until = sim_today(graph, usd_account) - timedelta(days=1)
    since = until - timedelta(days=3)
    graph.sim.faults.add("error", kind="insights_report_failed", times=1)
    with agency_scope(usd_account.agency_id):
        stats = insights_refresh(ad_account=usd_account, since=since, until=until,
                                 client=graph_client, levels=(Level.ACCOUNT, Level.CAMPAIGN),
                                 breakdowns=(), window_days=4)
        assert stats.failed_runs == 1 and stats.splits == 1
        assert stats.report_runs == 4  # two together, then the failed one as two halves
        posts = [c.time for c in graph.sim.calls if c.method == "POST"]
        assert posts[0] == posts[1]  # the window's runs started before any poll
        days = InsightRow.objects.filter(level=Level.ACCOUNT).values_list("date", flat=True)
        assert sorted(days) == [since + timedelta(days=i) for i in range(4)]
