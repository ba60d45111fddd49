"""Creating campaigns, ad sets, creatives and ads over HTTP, with Graph's validation errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

FAR = 1780272000 + 30 * 86400  # thirty days after the simulator's start time


class Api:
    """A thin Graph client for these tests: form posts with JSON-encoded values."""

    def __init__(self, http: Any, token: str, act: str) -> None:
        self.http, self.token, self.act = http, token, act

    @staticmethod
    def _form(data: dict[str, Any]) -> dict[str, str]:
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}

    def get(self, path: str, **params: Any):
        return self.http.get(
            f"/v25.0{path}", params={"access_token": self.token, **self._form(params)}
        )

    def post(self, path: str, **data: Any):
        return self.http.post(
            f"/v25.0{path}", data={"access_token": self.token, **self._form(data)}
        )

    def delete(self, path: str, **params: Any):
        return self.http.delete(
            f"/v25.0{path}", params={"access_token": self.token, **self._form(params)}
        )

    def campaign(self, **over: Any) -> str:
        data = {
            "name": "C",
            "objective": "OUTCOME_TRAFFIC",
            "status": "PAUSED",
            "special_ad_categories": [],
            **over,
        }
        r = self.post(f"/{self.act}/campaigns", **data)
        assert r.status_code == 200, r.text
        return r.json()["id"]

    def adset(self, campaign_id: str, **over: Any) -> str:
        data = {
            "name": "S",
            "campaign_id": campaign_id,
            "daily_budget": 1000,
            "billing_event": "IMPRESSIONS",
            "optimization_goal": "LINK_CLICKS",
            "targeting": {"geo_locations": {"countries": ["US"]}},
            "status": "PAUSED",
            **over,
        }
        r = self.post(f"/{self.act}/adsets", **data)
        assert r.status_code == 200, r.text
        return r.json()["id"]

    def creative(self, page_id: str, **over: Any) -> str:
        data = {
            "name": "Cr",
            "object_story_spec": {
                "page_id": page_id,
                "link_data": {
                    "link": "https://shop.example.com/p",
                    "message": "Buy now",
                    "picture": "https://shop.example.com/i.jpg",
                    "call_to_action": {"type": "SHOP_NOW"},
                },
            },
            **over,
        }
        r = self.post(f"/{self.act}/adcreatives", **data)
        assert r.status_code == 200, r.text
        return r.json()["id"]

    def ad(self, adset_id: str, creative_id: str, **over: Any) -> str:
        data = {
            "name": "A",
            "adset_id": adset_id,
            "creative": {"creative_id": creative_id},
            "status": "PAUSED",
            **over,
        }
        r = self.post(f"/{self.act}/ads", **data)
        assert r.status_code == 200, r.text
        return r.json()["id"]


@pytest.fixture
def api(http, token, demo) -> Api:
    return Api(http, token, demo["active_ad_account_id"])


def error(r) -> dict[str, Any]:
    assert r.status_code >= 400, r.text
    return r.json()["error"]


# --- campaigns -----------------------------------------------------------------------------


def test_campaign_create_returns_numeric_string_id_and_reads_back(api):
    # core-flows.md §2.1; reference.md §3.1 example body; core-flows.md §8 item 7
    r = api.post(
        f"/{api.act}/campaigns",
        name="My campaign",
        objective="OUTCOME_TRAFFIC",
        status="PAUSED",
        special_ad_categories="[]",
        is_adset_budget_sharing_enabled="0",
    )
    assert r.status_code == 200
    body = r.json()
    assert list(body) == ["id"] and isinstance(body["id"], str) and body["id"].isdigit()
    got = api.get(
        f"/{body['id']}",
        fields="name,objective,status,configured_status,buying_type,"
        "special_ad_categories,account_id",
    ).json()
    assert got == {
        "id": body["id"],
        "name": "My campaign",
        "objective": "OUTCOME_TRAFFIC",
        "status": "PAUSED",
        "configured_status": "PAUSED",
        "buying_type": "AUCTION",
        "special_ad_categories": [],
        "account_id": api.act.removeprefix("act_"),
    }


def test_object_read_without_fields_returns_only_id(api):
    # core-flows.md §5.3 / §8 item 16: only id unless fields are asked for
    cid = api.campaign()
    assert api.get(f"/{cid}").json() == {"id": cid}


def test_campaign_without_special_ad_categories_is_code_100(api):
    # reference.md §10 item 12: special_ad_categories is Required
    r = api.post(f"/{api.act}/campaigns", name="x", objective="OUTCOME_TRAFFIC")
    e = error(r)
    assert e["code"] == 100 and "special_ad_categories" in e["message"]
    assert e["message"].startswith("(#100) ")


@pytest.mark.parametrize(
    "field,value",
    [
        ("objective", "MAKE_MONEY"),
        ("status", "RUNNING"),
        ("special_ad_categories", '["LOTTERY"]'),
        ("buying_type", "BARTER"),
    ],
)
def test_campaign_enum_outside_the_reference_is_code_100(api, field, value):
    # core-flows.md §8 item 8
    data = {
        "name": "x",
        "objective": "OUTCOME_TRAFFIC",
        "special_ad_categories": "[]",
        field: value,
    }
    assert error(api.post(f"/{api.act}/campaigns", **data))["code"] == 100


@pytest.mark.parametrize("status", ["ARCHIVED", "DELETED"])
def test_campaign_status_on_create_only_active_or_paused(api, status):
    # core-flows.md §8 item 9; reference.md §7.1
    e = error(
        api.post(
            f"/{api.act}/campaigns",
            name="x",
            objective="OUTCOME_TRAFFIC",
            special_ad_categories="[]",
            status=status,
        )
    )
    assert e["code"] == 100 and e["error_data"]["blame_field_specs"] == [["status"]]


def test_campaign_missing_name_is_code_100(api):
    # core-flows.md §8 item 8
    e = error(
        api.post(f"/{api.act}/campaigns", objective="OUTCOME_TRAFFIC", special_ad_categories="[]")
    )
    assert e["code"] == 100 and "name" in e["message"]


def test_quoted_scalars_in_form_fields_are_decoded_as_json_strings(api):
    # ad-reference.txt examples send -F 'status="PAUSED"' and -F 'name="My Ad"'
    r = api.post(
        f"/{api.act}/campaigns",
        name='"Quoted"',
        objective='"OUTCOME_SALES"',
        status='"PAUSED"',
        special_ad_categories="[]",
    )
    cid = r.json()["id"]
    got = api.get(f"/{cid}", fields="name,objective,status").json()
    assert (got["name"], got["objective"], got["status"]) == ("Quoted", "OUTCOME_SALES", "PAUSED")


def test_validate_only_returns_success_and_persists_nothing(api):
    # core-flows.md §2 "execution_options"; §8 item 15
    before = api.get(f"/{api.act}/campaigns", summary="total_count").json()["summary"]
    r = api.post(
        f"/{api.act}/campaigns",
        name="x",
        objective="OUTCOME_TRAFFIC",
        special_ad_categories="[]",
        execution_options='["validate_only"]',
    )
    assert r.json() == {"success": True}
    after = api.get(f"/{api.act}/campaigns", summary="total_count").json()["summary"]
    assert after == before


def test_validate_only_returns_the_same_error_as_a_real_create(api):
    # core-flows.md §8 item 15: "or the same error a real create would give"
    e = error(
        api.post(
            f"/{api.act}/campaigns",
            name="x",
            objective="NOPE",
            special_ad_categories="[]",
            execution_options='["validate_only"]',
        )
    )
    assert e["code"] == 100


def test_include_recommendations_by_itself_is_rejected(api):
    # reference.md §1 execution_options: "cannot be used by itself"
    e = error(
        api.post(
            f"/{api.act}/campaigns",
            name="x",
            objective="OUTCOME_TRAFFIC",
            special_ad_categories="[]",
            execution_options='["include_recommendations"]',
        )
    )
    assert e["code"] == 100


def test_campaign_bid_strategy_without_campaign_budget_is_rejected(api):
    # core-flows.md §2.1: campaign-level bid_strategy only with a campaign budget
    e = error(
        api.post(
            f"/{api.act}/campaigns",
            name="x",
            objective="OUTCOME_TRAFFIC",
            special_ad_categories="[]",
            bid_strategy="COST_CAP",
        )
    )
    assert e["error_data"]["blame_field_specs"] == [["bid_strategy"]]


def test_foreign_ad_account_is_a_permission_error(api, demo):
    # core-flows.md §8 item 6
    r = api.post(
        f"/{demo['foreign_ad_account_id']}/campaigns",
        name="x",
        objective="OUTCOME_TRAFFIC",
        special_ad_categories="[]",
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == 200


# --- ad sets -------------------------------------------------------------------------------


def test_adset_create_reads_back_money_as_numeric_strings(api):
    # core-flows.md §2.2 guide example; reference.md §1 "Money": budgets in minor units
    cid = api.campaign()
    sid = api.adset(cid, daily_budget=1000, bid_amount=150)
    got = api.get(
        f"/{sid}",
        fields="daily_budget,bid_amount,targeting,campaign_id,"
        "billing_event,optimization_goal,is_dynamic_creative,bid_strategy",
    ).json()
    assert got["daily_budget"] == "1000" and got["bid_amount"] == 150
    assert got["targeting"] == {"geo_locations": {"countries": ["US"]}}
    assert got["campaign_id"] == cid and got["is_dynamic_creative"] is False
    # reference.md §3.2: BID_CAP "is set if you provide bid_amount only"
    assert got["bid_strategy"] == "LOWEST_COST_WITH_BID_CAP"


def test_adset_reference_example_with_lifetime_budget_and_dates(api):
    # reference.md §3.2 example: lifetime_budget with start_time/end_time offsets
    cid = api.campaign()
    r = api.post(
        f"/{api.act}/adsets",
        name="My First Adset",
        lifetime_budget="20000",
        start_time="2026-06-10T11:21:33-0800",
        end_time="2026-06-20T11:21:33-0800",
        campaign_id=cid,
        bid_amount="100",
        billing_event="LINK_CLICKS",
        optimization_goal="LINK_CLICKS",
        status="PAUSED",
        targeting='{"facebook_positions":["feed"],"geo_locations":{"countries":["US"]},'
        '"publisher_platforms":["facebook","audience_network"]}',
    )
    assert r.status_code == 200, r.text
    got = api.get(f"/{r.json()['id']}", fields="start_time,end_time,lifetime_budget").json()
    # read back in the account's time zone (America/Los_Angeles for the demo USD account)
    assert got == {
        "id": r.json()["id"],
        "start_time": "2026-06-10T12:21:33-0700",
        "end_time": "2026-06-20T12:21:33-0700",
        "lifetime_budget": "20000",
    }


def test_adset_lifetime_budget_without_end_time_is_rejected(api):
    # core-flows.md §8 item 10
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="s",
            campaign_id=api.campaign(),
            lifetime_budget=20000,
            targeting={"geo_locations": {"countries": ["US"]}},
        )
    )
    assert e["code"] == 100 and e["error_data"]["blame_field_specs"] == [["end_time"]]


def test_adset_daily_budget_with_24_hours_or_less_is_rejected(api):
    # reference.md §3.2: daily_budget only if end_time - start_time > 24h
    start = 1780272000 + 3600
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="s",
            campaign_id=api.campaign(),
            daily_budget=1000,
            start_time=str(start),
            end_time=str(start + 86400),
            targeting={"geo_locations": {"countries": ["US"]}},
        )
    )
    assert e["code"] == 100 and e["error_data"]["blame_field_specs"] == [["end_time"]]


def test_adset_end_time_zero_with_daily_budget_means_ongoing(api):
    # core-flows.md §2.2: "With a daily budget, end_time=0 means ongoing"
    sid = api.adset(api.campaign(), end_time="0")
    assert "end_time" not in api.get(f"/{sid}", fields="end_time").json()


def test_adset_without_any_budget_is_rejected(api):
    # core-flows.md §8 item 10: neither budget and no campaign budget → 100
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="s",
            campaign_id=api.campaign(),
            targeting={"geo_locations": {"countries": ["US"]}},
        )
    )
    assert e["code"] == 100


def test_adset_budget_under_a_campaign_budget_is_1885621(api):
    # core-flows.md §2.1 / §8 item 10: campaign or ad set budget, not both
    cid = api.campaign(daily_budget=5000)
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="s",
            campaign_id=cid,
            daily_budget=1000,
            targeting={"geo_locations": {"countries": ["US"]}},
        )
    )
    assert e["code"] == 100 and e["error_subcode"] == 1885621
    assert e["error_user_msg"] == "You can only set an ad set budget or a campaign budget."
    # ...and an ad set without a budget is fine under a campaign budget
    assert api.adset(cid, daily_budget="")


@pytest.mark.parametrize("strategy", ["LOWEST_COST_WITH_BID_CAP", "COST_CAP"])
def test_adset_cap_bid_strategy_needs_bid_amount(api, strategy):
    # reference.md §3.2 bid_amount: "required if bid_strategy is ... BID_CAP or COST_CAP"
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="s",
            campaign_id=api.campaign(),
            daily_budget=1000,
            bid_strategy=strategy,
            targeting={"geo_locations": {"countries": ["US"]}},
        )
    )
    assert e["code"] == 100 and e["error_data"]["blame_field_specs"] == [["bid_amount"]]


def test_budget_too_low_error_has_the_documented_blame_shape(api):
    # core-flows.md §7.3 (seed L13783-13815) and §8 item 11
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="s",
            campaign_id=api.campaign(),
            daily_budget=50,
            targeting={"geo_locations": {"countries": ["US"]}},
        )
    )
    assert e["type"] == "Exception" and e["code"] == 1487901 and e["is_transient"] is False
    assert e["message"] == (
        "(#1487901) The budget for your Ad-Set is too low.  It must be at least $1.00 per day."
    )
    assert e["error_data"] == {"blame_field_specs": [["daily_budget"]]}
    assert e["error_user_title"] and e["error_user_msg"] and e["fbtrace_id"]


def test_budget_minimum_follows_the_account_currency(api, demo):
    # core-flows.md §2.2: "the basic unit for JPY"; seed.py: 150 JPY minimum
    jpy = Api(api.http, api.token, demo["ad_account_by_currency"]["JPY"])
    cid = jpy.campaign()
    e = error(
        jpy.post(
            f"/{jpy.act}/adsets",
            name="s",
            campaign_id=cid,
            daily_budget=100,
            targeting={"geo_locations": {"countries": ["JP"]}},
        )
    )
    assert e["code"] == 1487901 and "150 JPY" in e["message"]
    assert jpy.adset(cid, daily_budget=150, targeting={"geo_locations": {"countries": ["JP"]}})


@pytest.mark.parametrize("value", ["10.5", "ten", "-5"])
def test_budget_must_be_a_non_negative_integer(api, value):
    # core-flows.md §8 item 10: "Budgets are integers in minor units; non-integers → 100"
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="s",
            campaign_id=api.campaign(),
            daily_budget=value,
            targeting={"geo_locations": {"countries": ["US"]}},
        )
    )
    assert e["code"] == 100 and e["error_data"]["blame_field_specs"] == [["daily_budget"]]


@pytest.mark.parametrize(
    "targeting,blame",
    [
        ({"age_min": 18}, ["targeting", "geo_locations"]),
        ({"geo_locations": {}}, ["targeting", "geo_locations"]),
        ({"geo_locations": {"countries": ["usa"]}}, ["targeting", "geo_locations", "countries"]),
        ({"geo_locations": {"countries": ["US"]}, "age_min": 12}, ["targeting", "age_min"]),
        ({"geo_locations": {"countries": ["US"]}, "age_max": 70}, ["targeting", "age_max"]),
        (
            {"geo_locations": {"countries": ["US"]}, "age_min": 40, "age_max": 30},
            ["targeting", "age_min"],
        ),
        ({"geo_locations": {"countries": ["US"]}, "genders": [3]}, ["targeting", "genders"]),
        (
            {"geo_locations": {"countries": ["US"]}, "publisher_platforms": ["myspace"]},
            ["targeting", "publisher_platforms"],
        ),
        (
            {"geo_locations": {"countries": ["US"]}, "instagram_positions": ["feed"]},
            ["targeting", "instagram_positions"],
        ),
    ],
)
def test_adset_targeting_is_validated(api, targeting, blame):
    # reference.md §3.2 targeting ("countries is required"); creatives-and-media.md §3.2 enums
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="s",
            campaign_id=api.campaign(),
            daily_budget=1000,
            targeting=targeting,
        )
    )
    assert e["code"] == 100 and e["error_data"]["blame_field_specs"] == [blame]


def test_adset_radius_with_multiple_locations_is_1815946(api):
    # reference.md §3.4: radius with multiple locations → 100 / 1815946
    geo = {
        "custom_locations": [
            {"latitude": 1, "longitude": 2, "radius": 5},
            {"latitude": 3, "longitude": 4, "radius": 5},
        ]
    }
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="s",
            campaign_id=api.campaign(),
            daily_budget=1000,
            targeting={"geo_locations": geo},
        )
    )
    assert e["error_subcode"] == 1815946


def test_adset_unknown_campaign_is_code_100(api):
    # reference.md §10 item 21
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="s",
            campaign_id="123",
            daily_budget=1000,
            targeting={"geo_locations": {"countries": ["US"]}},
        )
    )
    assert e["code"] == 100 and e["error_data"]["blame_field_specs"] == [["campaign_id"]]


def test_adset_app_install_billing_with_app_install_goal_is_rejected(api):
    # reference.md §3.2: "The billing event cannot be App Install if the Optimization goal is"
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="s",
            campaign_id=api.campaign(),
            daily_budget=1000,
            billing_event="APP_INSTALLS",
            optimization_goal="APP_INSTALLS",
            targeting={"geo_locations": {"countries": ["US"]}},
        )
    )
    assert e["error_data"]["blame_field_specs"] == [["billing_event"]]


def test_adset_lead_generation_needs_promoted_page(api):
    # reference.md §10 item 26
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="s",
            campaign_id=api.campaign(objective="OUTCOME_LEADS"),
            daily_budget=1000,
            optimization_goal="LEAD_GENERATION",
            targeting={"geo_locations": {"countries": ["US"]}},
        )
    )
    assert e["error_data"]["blame_field_specs"] == [["promoted_object", "page_id"]]


def test_adset_end_time_in_the_past_is_1487033(api):
    # core-flows.md §2.2: "The end date must be in the future"; error 1487033
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="s",
            campaign_id=api.campaign(),
            lifetime_budget=20000,
            end_time="2020-01-01T00:00:00+0000",
            targeting={"geo_locations": {"countries": ["US"]}},
        )
    )
    assert e["error_subcode"] == 1487033


def test_adset_name_longer_than_400_is_rejected(api):
    # reference.md §3.2: name "max length of 400 characters"
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="x" * 401,
            campaign_id=api.campaign(),
            daily_budget=1000,
            targeting={"geo_locations": {"countries": ["US"]}},
        )
    )
    assert e["code"] == 100


# --- creatives -----------------------------------------------------------------------------


def test_creative_link_data_reads_back_spec_and_derived_fields(api, demo):
    # core-flows.md §2.3 guide example; creatives-and-media.md §2.1
    page = demo["page_ids"][0]
    crid = api.creative(page)
    got = api.get(
        f"/{crid}",
        fields="name,object_story_spec,body,title,object_type,"
        "call_to_action_type,effective_object_story_id,status",
    ).json()
    assert got["object_story_spec"]["link_data"]["link"] == "https://shop.example.com/p"
    assert got["body"] == "Buy now" and got["object_type"] == "SHARE"
    assert got["call_to_action_type"] == "SHOP_NOW"
    assert got["effective_object_story_id"].startswith(f"{page}_")


def test_creative_reusing_object_story_id_returns_the_existing_creative(api, demo):
    # reference.md §3.4 limitation; core-flows.md §8 item 13 (a seeded post of the Page)
    story = demo["page_post_ids"][demo["page_ids"][0]][0]
    first = api.post(f"/{api.act}/adcreatives", name="Boost", object_story_id=story).json()["id"]
    second = api.post(f"/{api.act}/adcreatives", name="Again", object_story_id=story).json()["id"]
    assert first == second
    listed = api.get(f"/{api.act}/adcreatives", fields="object_story_id").json()["data"]
    assert [c["id"] for c in listed if c.get("object_story_id") == story] == [first]


@pytest.mark.parametrize(
    "spec,code",
    [
        ({"link_data": {"link": "https://a.example"}}, 100),
        (
            {
                "page_id": "1",
                "link_data": {"link": "https://a.example"},
                "video_data": {"video_id": "2"},
            },
            100,
        ),
        ({"page_id": "1", "link_data": {"message": "no link"}}, 1500),
        (
            {
                "page_id": "1",
                "link_data": {
                    "link": "https://a.example",
                    "child_attachments": [
                        {"link": "https://a.example/1", "picture": "https://a.example/1.jpg"}
                    ],
                },
            },
            100,
        ),
        (
            {
                "page_id": "1",
                "link_data": {
                    "link": "https://a.example",
                    "child_attachments": [
                        {"link": "https://a.example/1", "picture": "https://a.example/1.jpg"},
                        {"link": "https://a.example/2"},
                    ],
                },
            },
            100,
        ),
        (
            {
                "page_id": "1",
                "link_data": {
                    "link": "https://a.example",
                    "call_to_action": {"type": "CLICK_HERE"},
                },
            },
            100,
        ),
        ({"page_id": "1", "video_data": {"message": "no video"}}, 100),
    ],
    ids=[
        "no-page",
        "two-contents",
        "no-link",
        "one-card",
        "card-no-image",
        "bad-cta",
        "no-video-id",
    ],
)
def test_creative_object_story_spec_is_validated(api, spec, code):
    # creatives-and-media.md §6.2 items 20-21; reference.md §3.4 errors (1500 invalid url)
    e = error(api.post(f"/{api.act}/adcreatives", name="x", object_story_spec=spec))
    assert e["code"] == code and e["error_data"]["blame_field_specs"]


def test_creative_unknown_image_hash_is_rejected(api, demo):
    # creatives-and-media.md §6.2 item 20: unknown image_hash for the account → 100
    spec = {
        "page_id": demo["page_ids"][0],
        "link_data": {"link": "https://a.example", "image_hash": "0" * 32},
    }
    e = error(api.post(f"/{api.act}/adcreatives", name="x", object_story_spec=spec))
    assert e["code"] == 100
    assert e["error_data"]["blame_field_specs"] == [
        ["object_story_spec", "link_data", "image_hash"]
    ]


def test_creative_uses_an_uploaded_image_hash(api, demo):
    # creatives-and-media.md §2.1: image_hash from /adimages
    import base64

    from graph_sim.media.formats import build_png

    r = api.post(f"/{api.act}/adimages", bytes=base64.b64encode(build_png(1200, 628)).decode())
    image_hash = next(iter(r.json()["images"].values()))["hash"]
    crid = api.post(
        f"/{api.act}/adcreatives",
        name="img",
        object_story_spec={
            "page_id": demo["page_ids"][0],
            "link_data": {"link": "https://a.example", "image_hash": image_hash},
        },
    ).json()["id"]
    got = api.get(f"/{crid}", fields="image_hash,image_url").json()
    assert got["image_hash"] == image_hash and "/_media/images/" in got["image_url"]


@pytest.mark.parametrize("options", ['["validate_only"]'])
def test_creative_validate_only(api, demo, options):
    # reference.md §3.4: execution_options {validate_only}
    spec = {"page_id": demo["page_ids"][0], "link_data": {"link": "https://a.example"}}
    r = api.post(
        f"/{api.act}/adcreatives", name="x", object_story_spec=spec, execution_options=options
    )
    assert r.json() == {"success": True}


def test_creative_degrees_of_freedom_enroll_status_is_validated(api, demo):
    # creatives-and-media.md §6.2 item 27
    spec = {"page_id": demo["page_ids"][0], "link_data": {"link": "https://a.example"}}
    dof = {"creative_features_spec": {"image_touchups": {"enroll_status": "MAYBE"}}}
    e = error(
        api.post(
            f"/{api.act}/adcreatives", name="x", object_story_spec=spec, degrees_of_freedom_spec=dof
        )
    )
    assert e["code"] == 100
    ok = {"creative_features_spec": {"standard_enhancements": {"enroll_status": "OPT_OUT"}}}
    crid = api.creative(demo["page_ids"][0], degrees_of_freedom_spec=ok)
    assert (
        api.get(f"/{crid}", fields="degrees_of_freedom_spec").json()["degrees_of_freedom_spec"]
        == ok
    )


def test_creative_is_immutable_except_name_and_status(api, demo):
    # core-flows.md §2.3 [004]; §8 item 14
    crid = api.creative(demo["page_ids"][0])
    e = error(
        api.post(
            f"/{crid}",
            object_story_spec={"page_id": "1", "link_data": {"link": "https://b.example"}},
        )
    )
    assert e["code"] == 100
    assert api.post(f"/{crid}", name="Renamed").json() == {"success": True}
    assert api.get(f"/{crid}", fields="name").json()["name"] == "Renamed"


# --- ads -----------------------------------------------------------------------------------


@pytest.fixture
def parents(api, demo):
    cid = api.campaign()
    sid = api.adset(cid)
    return cid, sid, api.creative(demo["page_ids"][0])


def test_ad_create_with_creative_id_and_links(api, parents):
    # core-flows.md §2.4 example; ad-reference.txt
    cid, sid, crid = parents
    r = api.post(
        f"/{api.act}/ads",
        name='"My Ad"',
        adset_id=f'"{sid}"',
        creative=f'{{"creative_id": "{crid}"}}',
        status='"PAUSED"',
    )
    assert r.status_code == 200, r.text
    aid = r.json()["id"]
    got = api.get(f"/{aid}", fields="name,adset_id,campaign_id,creative,status").json()
    assert got == {
        "id": aid,
        "name": "My Ad",
        "adset_id": sid,
        "campaign_id": cid,
        "creative": {"id": crid},
        "status": "PAUSED",
    }


@pytest.mark.parametrize("missing", ["name", "creative", "adset_id"])
def test_ad_missing_required_parameter_is_194(api, parents, missing):
    # ad-reference.txt error 194; core-flows.md §8 item 12
    _, sid, crid = parents
    data = {"name": "A", "adset_id": sid, "creative": {"creative_id": crid}}
    data.pop(missing)
    e = error(api.post(f"/{api.act}/ads", **data))
    assert e["code"] == 194 and missing in e["message"]


@pytest.mark.parametrize("field", ["adset_id", "creative"])
def test_ad_unknown_parent_or_creative_is_100(api, parents, field):
    # core-flows.md §8 item 12: a non-existent adset_id or creative_id → 100
    _, sid, crid = parents
    data = {"name": "A", "adset_id": sid, "creative": {"creative_id": crid}}
    data[field] = "999" if field == "adset_id" else {"creative_id": "999"}
    e = error(api.post(f"/{api.act}/ads", **data))
    assert e["code"] == 100 and e["error_data"]["blame_field_specs"] == [[field]]


def test_ad_bid_amount_is_deprecated(api, parents):
    # ad-reference.txt: bid_amount "Deprecated"; reference.md §10 item 34
    _, sid, crid = parents
    e = error(
        api.post(
            f"/{api.act}/ads",
            name="A",
            adset_id=sid,
            creative={"creative_id": crid},
            bid_amount=100,
        )
    )
    assert e["code"] == 100


def test_ad_with_inline_creative_spec_stores_a_new_creative(api, parents, demo):
    # ad-reference.txt creative: {"creative": {"name", "object_story_spec"}}
    _, sid, _ = parents
    inline = {
        "creative": {
            "name": "Inline",
            "object_story_spec": {
                "page_id": demo["page_ids"][0],
                "link_data": {"link": "https://x.example"},
            },
        }
    }
    aid = api.post(f"/{api.act}/ads", name="A", adset_id=sid, creative=inline).json()["id"]
    crid = api.get(f"/{aid}", fields="creative").json()["creative"]["id"]
    assert api.get(f"/{crid}", fields="name").json()["name"] == "Inline"


def test_synchronous_ad_review_needs_validate_only(api, parents):
    # ad-reference.txt execution_options; core-flows.md §8 item 15
    _, sid, crid = parents
    data = {"name": "A", "adset_id": sid, "creative": {"creative_id": crid}}
    e = error(api.post(f"/{api.act}/ads", **data, execution_options=["synchronous_ad_review"]))
    assert e["code"] == 100
    r = api.post(
        f"/{api.act}/ads", **data, execution_options=["validate_only", "synchronous_ad_review"]
    )
    assert r.json() == {"success": True}
    assert api.get(f"/{sid}/ads", summary="total_count").json()["summary"]["total_count"] == 0


def test_ads_per_adset_limit_is_configurable(api, parents, sim):
    # core-flows.md §2.4 limits (50 per ad set) and §8 item 23: configurable
    from graph_sim.objects.model import objects_state

    objects_state(sim.world).config.max_ads_per_adset = 2
    _, sid, crid = parents
    api.ad(sid, crid)
    api.ad(sid, crid)
    e = error(api.post(f"/{api.act}/ads", name="A3", adset_id=sid, creative={"creative_id": crid}))
    assert e["code"] == 100 and "at most 2" in e["message"]


def test_ads_cannot_be_added_to_an_archived_adset(api, parents):
    # reference.md §7.2: archived objects are out of the live set
    _, sid, crid = parents
    api.post(f"/{sid}", status="ARCHIVED")
    e = error(api.post(f"/{api.act}/ads", name="A", adset_id=sid, creative={"creative_id": crid}))
    assert e["code"] == 100


def test_adset_with_inline_campaign_spec_creates_the_campaign(api):
    # reference.md §3.2: campaign_spec = {name, objective, buying_type}
    r = api.post(
        f"/{api.act}/adsets",
        name="s",
        daily_budget=1000,
        campaign_spec={"name": "Inline", "objective": "OUTCOME_TRAFFIC", "buying_type": "AUCTION"},
        targeting={"geo_locations": {"countries": ["US"]}},
    )
    assert r.status_code == 200, r.text
    cid = api.get(f"/{r.json()['id']}", fields="campaign_id").json()["campaign_id"]
    assert api.get(f"/{cid}", fields="name,objective").json()["objective"] == "OUTCOME_TRAFFIC"


def test_ad_with_inline_adset_spec_creates_the_adset(api, demo):
    # ad-reference.txt adset_spec: "When the spec is provided, adset_id field is not required"
    crid = api.creative(demo["page_ids"][0])
    spec = {
        "name": "Inline set",
        "campaign_id": api.campaign(),
        "daily_budget": "1000",
        "targeting": '{"geo_locations":{"countries":["US"]}}',
    }
    r = api.post(f"/{api.act}/ads", name="A", adset_spec=spec, creative={"creative_id": crid})
    assert r.status_code == 200, r.text
    sid = api.get(f"/{r.json()['id']}", fields="adset_id").json()["adset_id"]
    assert api.get(f"/{sid}", fields="name").json()["name"] == "Inline set"


def test_read_only_token_cannot_create(api, mint, demo):
    # core-flows.md §8 item 3: ads_read reads, POST to object edges needs ads_management
    reader = Api(api.http, mint(scopes=["ads_read"]), api.act)
    r = reader.post(
        f"/{api.act}/campaigns", name="x", objective="OUTCOME_TRAFFIC", special_ad_categories="[]"
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == 200
    assert reader.get(f"/{demo['active_campaign_id']}").status_code == 200


def test_deleted_creative_cannot_be_used_by_a_new_ad(api, demo):
    # core-flows.md §2.3 creatives: run status ACTIVE/DELETED
    crid = api.creative(demo["page_ids"][0])
    assert api.delete(f"/{crid}").json() == {"success": True}
    assert api.get(f"/{crid}", fields="status").json()["status"] == "DELETED"
    sid = api.adset(api.campaign())
    e = error(api.post(f"/{api.act}/ads", name="A", adset_id=sid, creative={"creative_id": crid}))
    assert e["code"] == 100
    assert crid not in [c["id"] for c in api.get(f"/{api.act}/adcreatives").json()["data"]]


@pytest.mark.parametrize(
    "field,value",
    [
        ("destination_type", "MOON"),
        ("billing_event", "VIDEO_VIEWS"),
        ("optimization_goal", "SOCIAL_IMPRESSIONS"),
        ("bid_strategy", "TARGET_COST"),
    ],
)
def test_adset_enums_follow_the_reference_tables(api, field, value):
    # reference.md §3.2 enums; §9 item 8: VIDEO_VIEWS / SOCIAL_IMPRESSIONS are not in the enums,
    # TARGET_COST was deprecated in v9
    e = error(
        api.post(
            f"/{api.act}/adsets",
            name="s",
            campaign_id=api.campaign(),
            daily_budget=1000,
            targeting={"geo_locations": {"countries": ["US"]}},
            **{field: value},
        )
    )
    assert e["code"] == 100 and e["error_data"]["blame_field_specs"] == [[field]]


def test_update_with_validate_only_changes_nothing(api):
    # reference.md §1 execution_options apply to updates too
    cid = api.campaign(name="Before")
    r = api.post(f"/{cid}", name="After", execution_options='["validate_only"]')
    assert r.json() == {"success": True}
    assert api.get(f"/{cid}", fields="name").json()["name"] == "Before"


def test_another_users_token_cannot_read_or_edit_the_objects(api, mint, demo, sim):
    # core-flows.md §8 item 6: a token without access to the account → 200
    other = Api(api.http, mint(user_id=demo["second_user_id"]), api.act)
    cid = demo["active_campaign_id"]
    for r in (other.get(f"/{cid}"), other.post(f"/{cid}", name="mine"), other.delete(f"/{cid}")):
        assert r.status_code == 403 and r.json()["error"]["code"] == 200


def test_multi_id_read_returns_each_object(api, demo):
    # core-flows.md §5.2: GET /?ids=a,b keyed by id
    ids = [demo["active_campaign_id"], demo["active_ad_id"]]
    r = api.http.get(
        "/v25.0/", params={"access_token": api.token, "ids": ",".join(ids), "fields": "name"}
    )
    assert r.status_code == 200, r.text
    assert set(r.json()) == set(ids) and all("name" in v for v in r.json().values())


def test_creative_page_must_be_one_the_user_can_advertise_for(api, demo):
    # creatives-and-media.md §6.2 item 20: "a Page the token cannot advertise for → 100"
    spec = {"page_id": "123456789", "link_data": {"link": "https://a.example"}}
    e = error(api.post(f"/{api.act}/adcreatives", name="x", object_story_spec=spec))
    assert e["code"] == 100
    assert e["error_data"]["blame_field_specs"] == [["object_story_spec", "page_id"]]
    e = error(api.post(f"/{api.act}/adcreatives", name="x", object_story_id="123456789_1"))
    assert e["error_data"]["blame_field_specs"] == [["object_story_id"]]


def test_system_user_can_use_the_client_accounts_page(http, mint, demo):
    # the client business owns both the JPY account and the Sakura Tea page
    system = Api(http, mint(system_user=True), demo["ad_account_by_currency"]["JPY"])
    assert system.creative(demo["page_ids"][2])


def test_video_creative_needs_a_video_of_the_same_account(api, demo):
    # creatives-and-media.md §6.2 item 16 and §2.2 ("video_id must belong to the ad account")

    from graph_sim.media.formats import build_mp4

    data = build_mp4(duration_seconds=5, width=640, height=360)
    other = Api(api.http, api.token, demo["ad_account_by_currency"]["EUR"])
    r = other.http.post(
        f"/v25.0/{other.act}/advideos",
        data={"access_token": api.token},
        files={"source": ("clip.mp4", data, "video/mp4")},
    )
    assert r.status_code == 200, r.text
    foreign_video = r.json()["id"]
    r = api.http.post(
        f"/v25.0/{api.act}/advideos",
        data={"access_token": api.token},
        files={"source": ("clip.mp4", data, "video/mp4")},
    )
    own_video = r.json()["id"]

    def spec(video_id: str) -> dict:
        return {
            "page_id": demo["page_ids"][0],
            "video_data": {
                "video_id": video_id,
                "image_url": "https://a.example/t.jpg",
                "message": "Watch",
            },
        }

    e = error(api.post(f"/{api.act}/adcreatives", name="v", object_story_spec=spec(foreign_video)))
    assert e["code"] == 100 and "associated with the ad account" in e["message"]
    crid = api.post(f"/{api.act}/adcreatives", name="v", object_story_spec=spec(own_video))
    assert crid.status_code == 200, crid.text
    assert (
        api.get(f"/{crid.json()['id']}", fields="object_type,video_id").json()["object_type"]
        == "VIDEO"
    )


def test_contextual_multi_ads_defaults_to_opt_in(api, demo):
    # creatives-and-media.md §6.2 item 28: omitted → read-back {"enroll_status": "OPT_IN"}
    crid = api.creative(demo["page_ids"][0])
    got = api.get(f"/{crid}", fields="contextual_multi_ads").json()
    assert got["contextual_multi_ads"] == {"enroll_status": "OPT_IN"}
    out = api.creative(demo["page_ids"][0], contextual_multi_ads={"enroll_status": "OPT_OUT"})
    assert api.get(f"/{out}", fields="contextual_multi_ads").json()["contextual_multi_ads"] == {
        "enroll_status": "OPT_OUT"
    }
    e = error(
        api.post(
            f"/{api.act}/adcreatives",
            name="x",
            contextual_multi_ads={"x": 1},
            object_story_id=f"{demo['page_ids'][0]}_9",
        )
    )
    assert e["code"] == 100
