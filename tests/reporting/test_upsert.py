"""`insight_rows_upsert`: a re-read day replaces its row, a cell given twice in one call keeps its
last values; on PostgreSQL the COPY path stores exactly what the ORM path stores."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.db import connection
from django.forms.models import model_to_dict

from agency.tenancy import agency_scope
from reporting.models import InsightRow
from reporting.services import ingest
from tests.conftest import service_unavailable
from tests.factories.campaigns import AdAccountFactory

pytestmark = pytest.mark.django_db


def graph_row(ad: int, day: int, *, spend: str = "12.34", **extra: Any) -> dict[str, Any]:
    """A `GET <report_run_id>/insights` row at level=ad, time_increment=1."""
    start = date(2024, 3, day).isoformat()
    return {
        "date_start": start, "date_stop": start,
        "campaign_id": "120000000001", "campaign_name": "Spring \u2018sale\u2019 'q' \t tab\\slash",
        "adset_id": "121000000001", "adset_name": "Ad set\nnew line",
        "ad_id": str(122000000000 + ad), "ad_name": f"Ad {ad} ü",
        "spend": spend, "impressions": "1500", "reach": "1200", "frequency": "1.25",
        "clicks": "31", "inline_link_clicks": "30", "ctr": "2.0666", "cpc": "0.398",
        "cpm": "8.2266", "actions": [{"action_type": "link_click", "value": "30"},
                                     {"action_type": "purchase", "value": "2"}],
        "action_values": [{"action_type": "purchase", "value": "45.50"}],
        "purchase_roas": [{"action_type": "purchase", "value": "3.687"}],
        "video_play_actions": [{"action_type": "video_view", "value": "9"}],
        **extra,
    }


FIRST_READ = [graph_row(ad, day) for ad in range(3) for day in (1, 2, 3)] + [
    {"date_start": None, "spend": "1"},  # no date: not stored, not counted
    graph_row(7, 4, frequency=None, ctr="", actions=[], purchase_roas=None, ad_name="",
              action_values=[{"action_type": "purchase", "value": "0.01"}]),
    graph_row(1, 2, spend="99.00"),  # the same cell again in the same batch: the last wins
]
# Days 2-3 of ad 0 read again with other numbers, and a new day.
SECOND_READ = [graph_row(0, 2, spend="50.00", clicks="7"), graph_row(0, 3, spend="0"),
               graph_row(0, 5)]


def _stored() -> list[dict[str, Any]]:
    rows = InsightRow.objects.unscoped().order_by("object_id", "date")
    return [{k: v for k, v in model_to_dict(r).items() if k != "id"} for r in rows]


def _ingest(account, *, monkeypatch, batch: int) -> tuple[list[int], list[dict[str, Any]]]:
    monkeypatch.setattr(ingest.settings, "REPORTING_UPSERT_BATCH", batch, raising=False)
    with agency_scope(account.agency_id):
        counts = [ingest.insight_rows_upsert(ad_account=account, rows=iter(rows), level="ad",
                                             breakdown="") for rows in (FIRST_READ, SECOND_READ)]
    return counts, _stored()


def _check(counts, stored, account) -> None:
    assert counts == [11, 3]
    assert len(stored) == 11  # 9 + ad 7 + ad 0's day 5; no re-read or repeated cell added one
    by_cell = {(r["object_id"], r["date"].day): r for r in stored}
    assert by_cell[("122000000001", 2)]["spend_minor"] == 9900
    assert by_cell[("122000000000", 2)]["spend_minor"] == 5000
    assert by_cell[("122000000000", 2)]["clicks"] == 7
    assert by_cell[("122000000000", 3)]["spend_minor"] == 0
    lone = by_cell[("122000000007", 4)]
    assert lone["frequency"] is None and lone["ctr"] is None and lone["purchase_roas"] is None
    assert lone["actions"] == {} and lone["action_values_minor"] == {"purchase": 1}
    full = by_cell[("122000000002", 1)]
    assert full["actions"] == {"link_click": 30, "purchase": 2}
    assert full["conversion_value_minor"] == 4550 and full["purchase_roas"] == 3.687
    assert full["campaign_name"] == "Spring \u2018sale\u2019 'q' \t tab\\slash"
    assert full["adset_name"] == "Ad set\nnew line" and full["ad_name"] == "Ad 2 ü"
    assert {(r["agency"], r["ad_account"], r["currency"]) for r in stored} == {
        (account.agency_id, account.pk, account.currency)}


@pytest.mark.parametrize("batch", [1000, 2])
def test_a_reread_replaces_rows_and_a_repeated_cell_keeps_its_last_values(monkeypatch, batch):
    account = AdAccountFactory()
    counts, stored = _ingest(account, monkeypatch=monkeypatch, batch=batch)
    _check(counts, stored, account)


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        service_unavailable("PostgreSQL (DATABASE_URL=postgres://...): the COPY path")


@pytest.mark.postgres
@pytest.mark.parametrize("batch", [10_000, 4])
def test_the_copy_path_stores_what_the_orm_path_stores(on_postgres, monkeypatch, batch):
    account = AdAccountFactory()
    assert ingest.copy_upsert_available()
    counts, by_copy = _ingest(account, monkeypatch=monkeypatch, batch=batch)
    _check(counts, by_copy, account)
    fetched = {r.pop("fetched_at") for r in by_copy}

    InsightRow.objects.unscoped().delete()
    monkeypatch.setattr(ingest, "copy_upsert_available", lambda: False)
    # The ORM path on PostgreSQL, in batches small enough to be valid for it too.
    counts, by_orm = _ingest(account, monkeypatch=monkeypatch, batch=batch)
    _check(counts, by_orm, account)
    assert len(fetched) == 2  # one fetched_at per call, an aware datetime
    assert all(t.tzinfo is not None for t in fetched)
    for r in by_orm:
        r.pop("fetched_at")
    assert by_copy == by_orm
