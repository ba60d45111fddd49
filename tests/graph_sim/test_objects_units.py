"""Parameter decoding and validation rules of graph_sim.objects, without a server; plus the
objects endpoints inside a synchronous batch and the per-account ad limit."""

from __future__ import annotations

import json

import pytest

from graph_sim.errors import GraphError
from graph_sim.objects import params as p
from graph_sim.objects import validation as v
from graph_sim.objects.tables import AssetChecks
from tests.graph_sim.test_objects_create import Api, error


def test_json_inside_form_fields_is_decoded_and_bad_json_is_100():
    # core-flows.md §2: JSON-valued parameters are sent as JSON strings
    assert p.decode_json('{"geo_locations":{"countries":["US"]}}', "targeting") == {
        "geo_locations": {"countries": ["US"]}
    }
    with pytest.raises(GraphError) as err:
        p.decode_json("{countries:", "targeting")
    assert err.value.code == 100


@pytest.mark.parametrize(
    "raw,expected", [("1000", 1000), ('"1000"', 1000), (1000, 1000), (" 25 ", 25)]
)
def test_integers_accept_strings_and_quoted_strings(raw, expected):
    assert p.integer(raw, "daily_budget") == expected


@pytest.mark.parametrize("raw", ["10.5", "1e3", "true", True, "", "-1"])
def test_integers_reject_fractions_words_and_negatives(raw):
    with pytest.raises(GraphError) as err:
        p.integer(raw, "daily_budget")
    assert err.value.code == 100
    assert err.value.error_data == {"blame_field_specs": [["daily_budget"]]}


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("2015-03-12 23:59:59-07:00", 1426229999.0),  # reference.md §3.2 formats
        ("2015-03-12 23:59:59 PDT", 1426229999.0),
        ("2025-12-10T11:21:33-0800", 1765394493.0),
        ("2026-06-01T00:00:00Z", 1780272000.0),
        ("1780272000", 1780272000.0),  # "a UTC UNIX timestamp"
        ("0", None),  # end_time=0: ongoing
    ],
)
def test_datetimes_in_the_reference_formats(raw, expected):
    assert p.timestamp(raw, "end_time") == expected


def test_datetime_without_offset_is_read_in_the_account_zone():
    # DECISIONS.md "Parameter encodings": Graph reads a bare datetime in the account's zone
    assert p.timestamp("2026-06-01 09:00:00", "start_time", "Asia/Tokyo") == 1780272000.0
    assert p.timestamp("2026-06-01T00:00", "start_time") == 1780272000.0


def test_bad_datetime_is_100_blaming_the_field():
    with pytest.raises(GraphError) as err:
        p.timestamp("next tuesday", "end_time")
    assert err.value.code == 100 and err.value.error_data["blame_field_specs"] == [["end_time"]]


def test_lists_accept_json_arrays_and_comma_lists():
    # reference.md §3.1 example: effective_status=["ACTIVE","PAUSED"]
    assert p.string_list('["ACTIVE","PAUSED"]', "effective_status") == ["ACTIVE", "PAUSED"]
    assert p.string_list("ACTIVE, PAUSED", "effective_status") == ["ACTIVE", "PAUSED"]
    with pytest.raises(GraphError):
        p.enum_list('["ACTIVE","NOPE"]', {"ACTIVE"}, "effective_status")


def test_output_datetimes_use_graphs_offset_format_in_the_account_zone():
    assert p.iso(1780272000.0) == "2026-06-01T00:00:00+0000"
    assert p.iso(1780272000.0, "Asia/Tokyo") == "2026-06-01T09:00:00+0900"
    assert p.iso(1780272000.0, "America/Los_Angeles") == "2026-05-31T17:00:00-0700"
    assert p.iso(1780272000.0, "Not/AZone") == "2026-06-01T00:00:00+0000"


def test_execution_option_combinations():
    # core-flows.md §2 execution_options
    assert v.execution_options('["validate_only"]', frozenset({"validate_only"})) == [
        "validate_only"
    ]
    allowed = frozenset({"validate_only", "synchronous_ad_review", "include_recommendations"})
    for bad in ('["include_recommendations"]', '["synchronous_ad_review"]', '["dry_run"]'):
        with pytest.raises(GraphError):
            v.execution_options(bad, allowed)


def test_money_is_formatted_in_the_account_currency():
    assert v.money(100, "USD") == "$1.00"
    assert v.money(250, "EUR") == "2.50 EUR"
    assert v.money(150, "JPY") == "150 JPY"


def test_targeting_accepts_the_reference_example():
    # reference.md §3.2 example targeting
    spec = (
        '{"facebook_positions":["feed"],"geo_locations":{"countries":["US"]},'
        '"publisher_platforms":["facebook","audience_network"]}'
    )
    assert v.targeting(spec)["publisher_platforms"] == ["facebook", "audience_network"]


def test_object_story_spec_checks_image_hashes_with_the_given_lookup():
    spec = {"page_id": "1", "link_data": {"link": "https://a.example", "image_hash": "abc"}}
    assert v.object_story_spec(json.dumps(spec), assets=AssetChecks(lambda h: h == "abc"))
    with pytest.raises(GraphError):
        v.object_story_spec(json.dumps(spec), assets=AssetChecks(image_exists=lambda h: False))
    with pytest.raises(GraphError) as err:
        v.object_story_spec(json.dumps(spec), assets=AssetChecks(page_allowed=lambda p: False))
    assert err.value.error_data["blame_field_specs"] == [["object_story_spec", "page_id"]]


# --- inside the pipeline -------------------------------------------------------------------


@pytest.fixture
def api(http, token, demo) -> Api:
    return Api(http, token, demo["active_ad_account_id"])


def test_campaign_and_adset_created_in_one_sync_batch(api):
    # core-flows.md §3.3 / §8 item 32: {result=<name>:$.id} feeds the next operation
    act = api.act
    batch = [
        {
            "method": "POST",
            "name": "create-campaign",
            "relative_url": f"{act}/campaigns",
            "omit_response_on_success": False,
            "body": "name=Batch&objective=OUTCOME_TRAFFIC&status=PAUSED&special_ad_categories=[]",
        },
        {
            "method": "POST",
            "relative_url": f"{act}/adsets",
            "body": "name=Set&daily_budget=5000&campaign_id={result=create-campaign:$.id}"
            '&targeting={"geo_locations":{"countries":["US"]}}&billing_event=IMPRESSIONS',
        },
    ]
    r = api.http.post("/v25.0/", data={"access_token": api.token, "batch": json.dumps(batch)})
    assert r.status_code == 200, r.text
    results = r.json()
    assert [item["code"] for item in results] == [200, 200]
    campaign_id = json.loads(results[0]["body"])["id"]
    adset_id = json.loads(results[1]["body"])["id"]
    assert api.get(f"/{adset_id}", fields="campaign_id").json()["campaign_id"] == campaign_id


def test_ads_per_account_limit_is_configurable(api, demo, http):
    # core-flows.md §2.4: 5000 (or 6000) non-deleted ads per regular account, configurable
    live = api.get(
        f"/{api.act}/ads",
        summary="total_count",
        effective_status='["ACTIVE","PAUSED","ARCHIVED","IN_PROCESS","WITH_ISSUES",'
        '"CAMPAIGN_PAUSED","ADSET_PAUSED","PENDING_REVIEW"]',
    ).json()
    count = live["summary"]["total_count"]
    http.post("/_sim/objects/config", data={"max_ads_per_account": str(count)})
    sid = api.adset(api.campaign())
    e = error(
        api.post(
            f"/{api.act}/ads",
            name="A",
            adset_id=sid,
            creative={"creative_id": api.creative(demo["page_ids"][0])},
        )
    )
    assert e["code"] == 100 and f"at most {count}" in e["message"]


def test_unknown_config_knob_is_rejected(http):
    r = http.post("/_sim/objects/config", data={"max_unicorns": "3"})
    assert r.status_code == 400
