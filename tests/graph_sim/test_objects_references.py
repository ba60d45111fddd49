"""Ids in ad set targeting and promoted objects are checked; DSA rules for EU targeting."""

from __future__ import annotations

import pytest

from tests.graph_sim.test_objects_create import Api, error


@pytest.fixture
def api(http, token, demo) -> Api:
    return Api(http, token, demo["active_ad_account_id"])


def _adset(api: Api, targeting, objective="OUTCOME_TRAFFIC", **over):
    return api.post(
        f"/{api.act}/adsets",
        name="S",
        campaign_id=api.campaign(objective=objective),
        daily_budget=1000,
        targeting=targeting,
        **over,
    )


def test_targeting_with_seeded_ids_is_accepted(api, demo):
    # DECISIONS.md "Targeting ids": keys from /search, interests, the account's audiences
    targeting = {
        "geo_locations": {
            "countries": ["US"],
            "regions": [{"key": "3847"}],
            "cities": [{"key": "2490299", "radius": 10, "distance_unit": "mile"}],
        },
        "flexible_spec": [{"interests": [{"id": "6003107902433", "name": "Coffee"}]}],
        "custom_audiences": [{"id": demo["custom_audience_ids"][api.act][0]}],
        "excluded_custom_audiences": [{"id": demo["custom_audience_ids"][api.act][1]}],
    }
    r = _adset(api, targeting)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("targeting", "blame"),
    [
        ({"geo_locations": {"countries": ["ZZ"]}}, ["targeting", "geo_locations", "countries"]),
        ({"geo_locations": {"regions": [{"key": "1"}]}}, ["targeting", "geo_locations", "regions"]),
        ({"geo_locations": {"cities": [{"key": "1"}]}}, ["targeting", "geo_locations", "cities"]),
        (
            {
                "geo_locations": {"countries": ["US"]},
                "flexible_spec": [{"interests": [{"id": "1"}]}],
            },
            ["targeting", "flexible_spec", "0", "interests"],
        ),
        (
            # a behaviour id given as an interest
            {
                "geo_locations": {"countries": ["US"]},
                "flexible_spec": [{"interests": [{"id": "6002714895372"}]}],
            },
            ["targeting", "flexible_spec", "0", "interests"],
        ),
        (
            {"geo_locations": {"countries": ["US"]}, "custom_audiences": [{"id": "42"}]},
            ["targeting", "custom_audiences"],
        ),
    ],
)
def test_unknown_targeting_ids_are_code_100(api, targeting, blame):
    # DECISIONS.md "Targeting ids"
    err = error(_adset(api, targeting))
    assert err["code"] == 100 and err["error_data"]["blame_field_specs"] == [blame]


def test_custom_audience_of_another_account_is_refused(api, demo):
    # DECISIONS.md "Targeting ids": audiences must belong to (be shared with) the ad account
    eur = demo["ad_account_by_currency"]["EUR"]
    other = demo["custom_audience_ids"][eur][0]
    err = error(_adset(api, {"geo_locations": {"countries": ["US"]}, "custom_audiences": [other]}))
    assert err["error_data"]["blame_field_specs"] == [["targeting", "custom_audiences"]]


def test_promoted_pixel_must_be_the_accounts(api, demo):
    # reference.md §3.2 "promoted_object by objective": CONVERSIONS → pixel_id
    geo = {"geo_locations": {"countries": ["US"]}}
    ok = _adset(
        api,
        geo,
        "OUTCOME_SALES",
        promoted_object={"pixel_id": demo["pixel_ids"][api.act], "custom_event_type": "PURCHASE"},
    )
    assert ok.status_code == 200, ok.text
    eur_pixel = demo["pixel_ids"][demo["ad_account_by_currency"]["EUR"]]
    err = error(_adset(api, geo, "OUTCOME_SALES", promoted_object={"pixel_id": eur_pixel}))
    assert err["error_data"]["blame_field_specs"] == [["promoted_object", "pixel_id"]]


def test_promoted_page_and_app_must_exist(api, demo):
    # reference.md §10 item 26 (LEAD_GENERATION → page_id); APP_INSTALLS → application_id
    geo = {"geo_locations": {"countries": ["US"]}}
    err = error(
        _adset(
            api,
            geo,
            "OUTCOME_LEADS",
            optimization_goal="LEAD_GENERATION",
            promoted_object={"page_id": "123"},
        )
    )
    assert err["error_data"]["blame_field_specs"] == [["promoted_object", "page_id"]]
    ok = _adset(
        api,
        geo,
        "OUTCOME_LEADS",
        optimization_goal="LEAD_GENERATION",
        promoted_object={"page_id": demo["page_ids"][0]},
    )
    assert ok.status_code == 200, ok.text
    err = error(
        _adset(
            api,
            geo,
            "OUTCOME_APP_PROMOTION",
            optimization_goal="APP_INSTALLS",
            promoted_object={"application_id": "1", "object_store_url": "https://x.example/app"},
        )
    )
    assert err["error_data"]["blame_field_specs"] == [["promoted_object", "application_id"]]
    ok = _adset(
        api,
        geo,
        "OUTCOME_APP_PROMOTION",
        optimization_goal="APP_INSTALLS",
        promoted_object={
            "application_id": demo["app_id"],
            "object_store_url": "https://apps.apple.com/app/id1",
        },
    )
    assert ok.status_code == 200, ok.text


def test_eu_targeting_needs_dsa_beneficiary_and_payor(api):
    # ad-reference.txt "Targeting DSA Regulated Locations (European Union)": "please set the
    # payor/beneficiary information first"; marketing-api-guide.txt L13765 3858152
    eu = {"geo_locations": {"countries": ["DE"]}}
    err = error(_adset(api, eu))
    assert err["error_subcode"] == 3858152
    assert err["error_data"]["blame_field_specs"] == [["dsa_beneficiary"]]
    err = error(_adset(api, eu, dsa_beneficiary="Northwind"))
    assert err["error_data"]["blame_field_specs"] == [["dsa_payor"]]
    ok = _adset(api, eu, dsa_beneficiary="Northwind", dsa_payor="Northwind Agency")
    assert ok.status_code == 200, ok.text
    city = {"geo_locations": {"cities": [{"key": "298429"}]}}  # Paris
    assert error(_adset(api, city))["error_subcode"] == 3858152
    assert _adset(api, {"geo_locations": {"countries": ["US"]}}).status_code == 200


def test_account_dsa_defaults_fill_eu_ad_sets(api):
    # reference.md §2.3 default_dsa_payor/default_dsa_beneficiary; ad-reference.txt: "it will be
    # filled with saved default values"
    r = api.post(f"/{api.act}", default_dsa_payor="Payor Co", default_dsa_beneficiary="Bene Co")
    assert r.json() == {"success": True}
    sid = _adset(api, {"geo_locations": {"countries": ["FR"]}}).json()["id"]
    got = api.get(f"/{sid}", fields="dsa_beneficiary,dsa_payor").json()
    assert (got["dsa_beneficiary"], got["dsa_payor"]) == ("Bene Co", "Payor Co")


def test_eu_youth_targeting_is_refused(api):
    # ad-reference.txt "Targeting Youth in European Union (EU), European Economic Area (EEA),
    # and Switzerland": such ad sets "will be prevented"
    err = error(
        _adset(
            api,
            {"geo_locations": {"countries": ["IE"]}, "age_min": 13},
            dsa_beneficiary="a",
            dsa_payor="b",
        )
    )
    assert err["error_data"]["blame_field_specs"] == [["targeting", "age_min"]]


def test_ad_in_a_seeded_eu_ad_set_without_dsa_is_3858152(api, demo, sim):
    # ad-reference.txt: "To create or copy an ad which is in an ad set targeted in the European
    # Union's DSA regulated locations, please set the payor/beneficiary information first"
    from graph_sim.objects.model import ADSET

    eur = demo["ad_account_by_currency"]["EUR"]
    eur_api = Api(api.http, api.token, eur)
    adset = next(a for a in sim.world.all(ADSET) if a.account_id == eur.removeprefix("act_"))
    adset.data.pop("dsa_beneficiary", None)
    adset.data.pop("dsa_payor", None)
    creative = eur_api.creative(demo["page_ids"][0])
    err = error(
        eur_api.post(f"/{eur}/ads", name="A", adset_id=adset.id, creative={"creative_id": creative})
    )
    assert err["error_subcode"] == 3858152
    assert err["error_data"]["blame_field_specs"] == [["adset_id"]]


@pytest.mark.parametrize(
    ("targeting", "subcode", "blame"),
    [
        # marketing-api-guide.txt L13732: 1870199 "Please remove all values from the
        # location_types field."
        (
            {"geo_locations": {"countries": ["US"], "location_types": ["recent"]}},
            1870199,
            ["targeting", "geo_locations", "location_types"],
        ),
        # L13728: 1870088 "Connection targeting is being deprecated."
        (
            {"geo_locations": {"countries": ["US"]}, "connections": [{"id": "1"}]},
            1870088,
            ["targeting", "connections"],
        ),
        # L13731: 1870165 detailed targeting for people under 18
        (
            {
                "geo_locations": {"countries": ["US"]},
                "age_min": 13,
                "flexible_spec": [{"interests": [{"id": "6003107902433"}]}],
            },
            1870165,
            ["targeting", "age_min"],
        ),
    ],
)
def test_troubleshooting_table_targeting_rules(api, targeting, subcode, blame):
    err = error(_adset(api, targeting))
    assert err["code"] == 100 and err["error_subcode"] == subcode
    assert err["error_data"]["blame_field_specs"] == [blame]


def test_default_location_types_and_teen_location_only_targeting_are_accepted(api):
    # DECISIONS.md "Targeting ids": home+recent is the default; location/age/gender stay
    # allowed for teens (L13731 "remove all targeting options apart from location, age...")
    both = {"geo_locations": {"countries": ["US"], "location_types": ["home", "recent"]}}
    assert _adset(api, both).status_code == 200
    teens = {"geo_locations": {"countries": ["US"]}, "age_min": 13, "genders": [1]}
    assert _adset(api, teens).status_code == 200
