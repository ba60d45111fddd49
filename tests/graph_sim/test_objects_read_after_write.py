"""`fields=` on a POST: read-after-write answers carry the fields of the node written."""

from __future__ import annotations

import pytest

from tests.graph_sim.test_objects_create import Api


@pytest.fixture
def api(http, token, demo) -> Api:
    return Api(http, token, demo["active_ad_account_id"])


def test_campaign_create_with_fields_returns_the_new_node(api):
    # marketing-api-guide.txt L14417 (Ad Account Campaigns): "This endpoint supports
    # read-after-write and will read the node represented by `id` in the return type."
    r = api.post(
        f"/{api.act}/campaigns",
        name="RAW",
        objective="OUTCOME_TRAFFIC",
        status="PAUSED",
        special_ad_categories=[],
        fields="name,status,effective_status,objective",
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == {
        "id": body["id"],
        "name": "RAW",
        "status": "PAUSED",
        "effective_status": "IN_PROCESS",
        "objective": "OUTCOME_TRAFFIC",
    }


def test_create_without_fields_still_answers_only_the_id(api):
    # DECISIONS.md "Defaults": creates answer {"id"} (core-flows.md §8 item 7)
    r = api.post(
        f"/{api.act}/campaigns", name="C", objective="OUTCOME_TRAFFIC", special_ad_categories=[]
    )
    assert set(r.json()) == {"id"}


def test_adset_and_ad_creates_read_back_requested_fields(api, demo):
    # marketing-api-guide.txt L15249 (Ad Account Adsets) and L15024 (Ad Account Ads):
    # read-after-write on `id`
    cid = api.campaign()
    r = api.post(
        f"/{api.act}/adsets",
        name="S",
        campaign_id=cid,
        daily_budget=1000,
        billing_event="IMPRESSIONS",
        optimization_goal="LINK_CLICKS",
        targeting={"geo_locations": {"countries": ["US"]}},
        fields="daily_budget,bid_strategy,campaign{name}",
    )
    assert r.status_code == 200, r.text
    adset = r.json()
    assert adset["daily_budget"] == "1000"
    assert adset["bid_strategy"] == "LOWEST_COST_WITHOUT_CAP"
    assert adset["campaign"] == {"id": cid, "name": "C"}
    crid = api.creative(demo["page_ids"][0])
    r = api.post(
        f"/{api.act}/ads",
        name="A",
        adset_id=adset["id"],
        creative={"creative_id": crid},
        status="PAUSED",
        fields="name,creative{id},configured_status",
    )
    assert r.json() == {
        "id": r.json()["id"],
        "name": "A",
        "creative": {"id": crid},
        "configured_status": "PAUSED",
    }


def test_update_with_fields_reads_the_node_posted_to(api):
    # marketing-api-guide.txt L14353: "will read the node to which you POSTed"
    cid = api.campaign()
    r = api.post(f"/{cid}", name="Renamed", fields="name,status")
    assert r.json() == {"success": True, "id": cid, "name": "Renamed", "status": "PAUSED"}


def test_ad_copy_with_fields_reads_the_copy(api, demo):
    # ad-reference.txt L317: "will read the node represented by copied_ad_id"
    r = api.post(f"/{demo['active_ad_id']}/copies", fields="name,status")
    body = r.json()
    assert body["id"] == body["copied_ad_id"] != demo["active_ad_id"]
    assert body["status"] == "PAUSED" and body["name"].endswith(" - Copy")


def test_validate_only_with_fields_reads_nothing(api):
    # reference.md §3.1 execution_options: validate_only creates nothing to read
    r = api.post(
        f"/{api.act}/campaigns",
        name="C",
        objective="OUTCOME_TRAFFIC",
        special_ad_categories=[],
        execution_options=["validate_only"],
        fields="name",
    )
    assert r.json() == {"success": True}
