"""Targeting search and browse, reach and delivery estimates (DECISIONS.md "Targeting search")."""

from __future__ import annotations

import itertools
import json

import pytest

from tests.graph_sim.test_objects_create import Api, error


@pytest.fixture
def api(http, token, demo) -> Api:
    return Api(http, token, demo["active_ad_account_id"])


def test_geolocation_search_finds_countries_regions_and_cities(api):
    # marketing-api-guide.txt L14249 `targetingsearch` "Unified search"; Graph's
    # /search?type=adgeolocation (DECISIONS.md "Targeting search and browse")
    data = api.get("/search", type="adgeolocation", q="ber").json()["data"]
    kinds = {(d["type"], d["name"]) for d in data}
    assert ("region", "Berlin") in kinds and ("city", "Berlin") in kinds
    city = next(d for d in data if d["type"] == "city")
    assert city["country_code"] == "DE" and city["region_id"] == 1173


def test_geolocation_search_location_types_and_country_code(api):
    # DECISIONS.md "Targeting search and browse": location_types as a JSON list, country_code
    countries = api.get("/search", type="adgeolocation", q="ger", location_types=["country"])
    assert [d["key"] for d in countries.json()["data"]] == ["DE"]
    cities = api.get(
        "/search", type="adgeolocation", q="", location_types=["city"], country_code="US"
    ).json()["data"]
    assert cities and {d["country_code"] for d in cities} == {"US"}
    bad = error(api.get("/search", type="adgeolocation", q="x", location_types=["planet"]))
    assert bad["code"] == 100


def test_eu_member_states_are_all_searchable(api):
    # ad-reference.txt "Targeting DSA Regulated Locations (European Union)"
    data = api.get("/search", type="adgeolocation", location_types=["country"], limit=100)
    keys = {d["key"] for d in data.json()["data"]}
    assert {"AT", "BE", "DE", "FR", "IE", "IT", "NL", "PL", "SE", "ES"} <= keys


def test_interest_search_suggestion_and_validation(api):
    # DECISIONS.md "Targeting search and browse": adinterest, adinterestsuggestion,
    # adinterestvalid
    found = api.get("/search", type="adinterest", q="coffee").json()["data"]
    coffee = next(i for i in found if i["name"] == "Coffee")
    assert coffee["audience_size_lower_bound"] < coffee["audience_size_upper_bound"]
    assert coffee["path"][0] == "Interests"
    suggested = api.get("/search", type="adinterestsuggestion", interest_list=["Coffee"])
    names = {i["name"] for i in suggested.json()["data"]}
    assert "Tea" in names and "Coffee" not in names
    valid = api.get("/search", type="adinterestvalid", interest_list=["Coffee", "Nope"])
    assert [(i["name"], i["valid"]) for i in valid.json()["data"]] == [
        ("Coffee", True),
        ("Nope", False),
    ]
    by_id = api.get("/search", type="adinterestvalid", interest_fbid_list=[coffee["id"], "1"])
    assert [i["valid"] for i in by_id.json()["data"]] == [True, False]
    assert error(api.get("/search", type="adinterest"))["code"] == 100


def test_targeting_category_browse_by_class(api):
    # marketing-api-guide.txt L14248 `targetingbrowse` "Unified browse"
    behaviors = api.get("/search", type="adTargetingCategory", **{"class": "behaviors"})
    assert {d["type"] for d in behaviors.json()["data"]} == {"behaviors"}
    demographics = api.get(f"/{api.act}/targetingbrowse", **{"class": "demographics"}).json()
    assert {"life_events", "family_statuses"} <= {d["type"] for d in demographics["data"]}
    unified = api.get(f"/{api.act}/targetingsearch", q="travel").json()["data"]
    assert {d["type"] for d in unified} >= {"behaviors", "interests"}


def test_unknown_search_type_is_code_100(api):
    assert error(api.get("/search", type="adplanet", q="x"))["code"] == 100


def test_reach_estimate_is_deterministic_and_narrows_with_targeting(api):
    # marketing-api-guide.txt L14246 `reachestimate`; async-and-batch-requests.txt L170
    # sends targeting_spec={'geo_locations': {'countries':['US']}} (single quotes)
    def bounds(spec) -> tuple[int, int]:
        body = api.get(f"/{api.act}/reachestimate", targeting_spec=spec).json()["data"]
        assert body["estimate_ready"] is True
        return body["users_lower_bound"], body["users_upper_bound"]

    us = bounds("{'geo_locations': {'countries':['US']}}")
    assert us == bounds({"geo_locations": {"countries": ["US"]}})
    assert us[0] < us[1]
    wider = bounds({"geo_locations": {"countries": ["US", "CA"]}})
    narrower = bounds(
        {
            "geo_locations": {"countries": ["US"]},
            "age_min": 25,
            "age_max": 34,
            "flexible_spec": [{"interests": [{"id": "6003107902433"}]}],
        }
    )
    assert wider[0] > us[0] > narrower[0]


def test_reach_estimate_in_a_batch_like_the_seed(api, http, token):
    # async-and-batch-requests.txt L170: two reachestimate calls in one batch
    batch = [
        {
            "method": "GET",
            "relative_url": f"v25.0/{api.act}/reachestimate?targeting_spec="
            + "{'geo_locations': {'countries':['"
            + c
            + "']}}",
        }
        for c in ("US", "FR")
    ]
    r = http.post("/", data={"access_token": token, "batch": json.dumps(batch)})
    assert [op["code"] for op in r.json()] == [200, 200]


def test_reach_estimate_checks_targeting_ids(api):
    # DECISIONS.md "Targeting ids": unknown keys → 100 blaming the list
    err = error(
        api.get(
            f"/{api.act}/reachestimate",
            targeting_spec={"geo_locations": {"cities": [{"key": "1"}]}},
        )
    )
    assert err["error_data"]["blame_field_specs"] == [["targeting_spec", "geo_locations", "cities"]]
    assert error(api.get(f"/{api.act}/reachestimate"))["code"] == 100


def test_delivery_estimate_returns_a_daily_outcomes_curve(api):
    # marketing-api-guide.txt L14237 `delivery_estimate`
    r = api.get(
        f"/{api.act}/delivery_estimate",
        targeting_spec={"geo_locations": {"countries": ["DE"]}},
        optimization_goal="LINK_CLICKS",
    )
    est = r.json()["data"][0]
    curve = est["daily_outcomes_curve"]
    assert curve[0] == {"spend": 0, "reach": 0, "impressions": 0, "actions": 0}
    assert all(a["reach"] <= b["reach"] for a, b in itertools.pairwise(curve))
    assert all(point["reach"] <= point["impressions"] for point in curve[1:])
    assert est["estimate_mau_lower_bound"] < est["estimate_mau_upper_bound"]
    missing = error(
        api.get(
            f"/{api.act}/delivery_estimate", targeting_spec={"geo_locations": {"countries": ["DE"]}}
        )
    )
    assert "optimization_goal" in missing["message"]
