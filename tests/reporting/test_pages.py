"""Dashboards for staff and the client portal: totals equal Graph's, reach read per range,
query counts bounded, CSV exports, and a client viewer kept to its own clients."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse

from agency.roles import Role
from agency.tenancy import agency_scope
from reporting.models import InsightReach, Level
from reporting.services.ingest import ad_thumbnails_refresh, insights_refresh
from reporting.services.refresh import account_today, insights_refresh_state
from tests.conftest import login
from tests.factories.agency import ClientFactory, MembershipFactory, UserFactory
from tests.factories.reporting import sim_ad_account
from tests.reporting.conftest import sim_get

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(graph, usd_account, graph_client, settings):
    """The last 35 days of the USD account in the store (Django's today and the simulator's
    are the same day: the simulator's clock starts at the wall time)."""
    settings.REPORTING_BREAKDOWNS = ["age,gender", "country"]
    today = account_today(ad_account=usd_account)
    with agency_scope(usd_account.agency_id):
        insights_refresh(ad_account=usd_account, since=today - timedelta(days=35),
                         until=today, client=graph_client, window_days=40)
        ad_thumbnails_refresh(client=graph_client, ad_account=usd_account)
        state = insights_refresh_state(ad_account=usd_account)
        state.backfill_done = True
        state.save()
    return usd_account


def _graph_range(graph, account, since, until, **params):
    return sim_get(graph, account, f"{account.act_id}/insights",
                   fields="spend,impressions,clicks,reach,frequency",
                   time_range=json.dumps({"since": since.isoformat(),
                                          "until": until.isoformat()}), **params)["data"]


def test_account_dashboard_totals_and_reach_equal_graphs(owner_client, graph, stored,
                                                         django_assert_max_num_queries):
    url = reverse("reporting:ad-account", args=[stored.pk]) + "?preset=last_7d"
    response = owner_client.get(url)  # the first view reads reach for the range from Graph
    assert response.status_code == 200
    with django_assert_max_num_queries(20):
        response = owner_client.get(url)
    assert response.status_code == 200
    kpis = response.context["kpis"][0]
    rng = response.context["date_range"]
    (total,) = _graph_range(graph, stored, rng.since, rng.until)
    assert f"{kpis.current['spend']:.2f}" == total["spend"]
    assert kpis.current["impressions"] == int(total["impressions"])
    assert kpis.current["clicks"] == int(total["clicks"])
    assert kpis.reach == int(total["reach"])  # Graph's deduplicated reach, never a sum
    with agency_scope(stored.agency_id):
        assert InsightReach.objects.filter(level=Level.ACCOUNT, since=rng.since).exists()
    html = response.content.decode()
    assert 'data-testid="chart-series"' in html and 'id="series-data"' in html
    assert "<script>" not in html  # data rides in json_script blocks, code in static files
    assert 'data-testid="refresh-now"' in html


def test_campaign_table_sorts_pages_and_totals_match(owner_client, graph, stored,
                                                     django_assert_max_num_queries):
    url = reverse("reporting:ad-account", args=[stored.pk])
    owner_client.get(url + "?preset=last_28d")
    with django_assert_max_num_queries(20):
        response = owner_client.get(url + "?preset=last_28d&campaign_sort=name")
    table = response.context["tables"][0]
    names = [r["name"] for r in table["page"].object_list]
    assert names == sorted(names) and table["sort"] == "name"
    rng = response.context["date_range"]
    graph_rows = _graph_range(graph, stored, rng.since, rng.until, level="campaign",
                              filtering=json.dumps([{"field": "ad.effective_status",
                                                     "operator": "IN", "value": [
                                                         "ACTIVE", "PAUSED", "ARCHIVED",
                                                         "DELETED"]}]), limit=100)
    by_id = {r["object_id"]: r for r in table["page"].object_list}
    assert graph_rows
    for row in graph_rows:
        ours = by_id[row["campaign_id"]] if "campaign_id" in row else None
        if ours is None:
            continue
        assert f"{ours['spend']:.2f}" == row["spend"]
        assert ours["reach"] == int(row["reach"])


def test_client_and_campaign_dashboards_render_with_bounded_queries(
        owner_client, stored, client_a, django_assert_max_num_queries):
    client_url = reverse("reporting:client", args=[client_a.pk]) + "?preset=last_28d"
    owner_client.get(client_url)
    with django_assert_max_num_queries(22):
        response = owner_client.get(client_url)
    assert response.status_code == 200
    campaign = response.context["tables"][1]["page"].object_list[0]
    campaign_url = reverse("reporting:campaign", args=[stored.pk, campaign["object_id"]])
    owner_client.get(campaign_url)
    with django_assert_max_num_queries(22):
        response = owner_client.get(campaign_url + "?breakdown=country")
    assert response.status_code == 200
    assert [t["level"] for t in response.context["tables"]] == [Level.ADSET, Level.AD]
    ads = response.context["tables"][1]["page"].object_list
    assert ads and all(a["thumbnail"].startswith("https://") for a in ads)
    assert 'class="thumb"' in response.content.decode()
    assert response.context["breakdown_rows"][0]["label"]
    with django_assert_max_num_queries(8):
        overview = owner_client.get(reverse("reporting:home") + "?preset=this_month")
    assert client_a.name in overview.content.decode()


def test_bad_range_and_unknown_sort_fall_back_without_error(owner_client, stored):
    url = reverse("reporting:ad-account", args=[stored.pk])
    for query in ("?since=2026-13-01&until=x", "?since=2020-01-01&until=2020-01-02",
                  "?since=" + "9" * 5000, "?campaign_sort=__class__&campaign_page=-1",
                  "?breakdown=" + "age," * 100):
        response = owner_client.get(url + query)
        assert response.status_code == 200, query
    assert "37 months" in owner_client.get(
        url + "?since=2001-01-01&until=2001-01-02").content.decode()


def test_csv_of_a_table_streams_every_row_and_neutralises_formulas(owner_client, stored):
    url = reverse("reporting:ad-account-csv", args=[stored.pk]) + "?preset=last_28d&table=ad"
    response = owner_client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Name", "Object id", "Campaign"] and len(rows) > 2
    base = reverse("reporting:ad-account-csv", args=[stored.pk]) + "?preset=last_7d"
    daily = list(csv.reader(io.StringIO(b"".join(
        owner_client.get(base + "&table=daily").streaming_content).decode())))
    assert daily[0][0] == "Date" and len(daily) == 8  # a header and seven days
    cells = list(csv.reader(io.StringIO(b"".join(owner_client.get(
        base + "&table=breakdown&breakdown=country").streaming_content).decode())))
    assert cells[0][0] == "Breakdown value" and cells[1][0] == "US"


def test_client_viewer_sees_its_dashboard_without_staff_controls(client, stored, client_a,
                                                                  client_viewer):
    login(client, client_viewer)
    home = client.get(reverse("reporting:home"))
    assert home.status_code == 200 and client_a.name in home.content.decode()
    page = client.get(reverse("reporting:client", args=[client_a.pk]) + "?preset=last_7d"
                      ).content.decode()
    assert 'data-testid="portal-brand"' in page and "Alpha Agency" in page
    assert 'data-testid="refresh-now"' not in page and "Scheduled reports" not in page
    account_page = client.get(reverse("reporting:ad-account", args=[stored.pk]))
    assert account_page.status_code == 200
    assert 'data-testid="refresh-now"' not in account_page.content.decode()
    assert client.post(reverse("reporting:ad-account-refresh", args=[stored.pk])
                       ).status_code == 403


def test_client_viewer_is_refused_every_other_clients_data(client, graph, stored, agency,
                                                           client_a, sim_clock):
    other = ClientFactory(agency=agency, name="Other Client Zeta")
    other_account = sim_ad_account(graph=graph, client=other, currency="EUR")
    viewer = MembershipFactory(agency=agency, role=Role.CLIENT_VIEWER, clients=[client_a],
                               user=UserFactory())
    login(client, viewer)
    denied = [
        reverse("reporting:client", args=[other.pk]),
        reverse("reporting:client-csv", args=[other.pk]),
        reverse("reporting:ad-account", args=[other_account.pk]),
        reverse("reporting:ad-account-csv", args=[other_account.pk]),
        reverse("reporting:campaign", args=[other_account.pk, "1"]),
        reverse("reporting:schedules", args=[client_a.pk]),
    ]
    for url in denied:
        assert client.get(url).status_code in (403, 404), url
    home = client.get(reverse("reporting:client", args=[client_a.pk])).content.decode()
    assert "Other Client Zeta" not in home


def test_manager_sets_the_lookback_window_and_an_analyst_cannot(client, manager, analyst,
                                                               stored):
    from agency.models import AuditEvent
    from reporting.models import InsightsRefresh

    url = reverse("reporting:ad-account-lookback", args=[stored.pk])
    login(client, analyst)
    assert client.post(url, {"lookback_days": "7"}).status_code == 403
    login(client, manager)
    assert client.post(url, {"lookback_days": "14"}).status_code == 302
    assert client.post(url, {"lookback_days": "9" * 50}).status_code == 302  # refused, kept
    state = InsightsRefresh.objects.unscoped().get(ad_account=stored)
    assert state.lookback_days == 14
    assert AuditEvent.objects.unscoped().filter(verb="insights.lookback_set").count() == 1
