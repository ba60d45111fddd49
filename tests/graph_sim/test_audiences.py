"""Custom, lookalike and saved audiences, pixels, Instagram accounts (DECISIONS.md "Audiences")."""

from __future__ import annotations

import pytest

from tests.graph_sim.test_objects_create import Api, error


@pytest.fixture
def api(http, token, demo) -> Api:
    return Api(http, token, demo["active_ad_account_id"])


def test_seeded_custom_audiences_list_with_sizes(api, demo):
    # marketing-api-guide.txt L13866 `/customaudiences` "The custom audiences owned by/shared
    # with this ad account"; L14326 the subtype enum
    data = api.get(
        f"/{api.act}/customaudiences",
        fields="name,subtype,approximate_count_lower_bound,delivery_status",
        summary="total_count",
    ).json()
    ids = {a["id"] for a in data["data"]}
    assert set(demo["custom_audience_ids"][api.act]) <= ids
    assert demo["lookalike_audience_ids"][api.act] in ids
    small = next(a for a in data["data"] if a["name"] == "Newsletter (small)")
    assert small["approximate_count_lower_bound"] == -1
    assert small["delivery_status"]["code"] == 300
    assert data["summary"]["total_count"] == len(ids)


def test_create_custom_audience_as_in_the_guide(api):
    # marketing-api-guide.txt L946-L958: name + subtype=CUSTOM → {id}
    r = api.post(f"/{api.act}/customaudiences", name="My Custom Audience", subtype="CUSTOM")
    assert r.status_code == 200, r.text
    aid = r.json()["id"]
    got = api.get(f"/{aid}", fields="name,subtype,account_id").json()
    assert got == {
        "id": aid,
        "name": "My Custom Audience",
        "subtype": "CUSTOM",
        "account_id": api.act.removeprefix("act_"),
    }
    assert error(api.post(f"/{api.act}/customaudiences", subtype="CUSTOM"))["code"] == 100


def test_engagement_audience_with_rule_and_read_after_write(api):
    # marketing-api-guide.txt L1340-L1352 (ENGAGEMENT with prefill and rule); L14330
    # "supports read-after-write"
    r = api.post(
        f"/{api.act}/customaudiences",
        name="Video Ads Engagement Audience",
        subtype="ENGAGEMENT",
        prefill="1",
        rule=[{"object_id": "1", "event_name": "video_watched"}],
        fields="name,subtype,rule,approximate_count_lower_bound",
    )
    body = r.json()
    assert body["subtype"] == "ENGAGEMENT" and body["rule"][0]["event_name"] == "video_watched"
    assert body["approximate_count_lower_bound"] > 1000


def test_lookalike_from_a_seeded_source(api, demo):
    # marketing-api-guide.txt L60/L1015 "Lookalike Audiences"; DECISIONS.md "Audiences"
    source = demo["custom_audience_ids"][api.act][0]
    r = api.post(
        f"/{api.act}/customaudiences",
        name="LAL 2% US",
        subtype="LOOKALIKE",
        origin_audience_id=source,
        lookalike_spec={"country": "US", "ratio": 0.02, "type": "similarity"},
        fields="lookalike_spec,approximate_count_lower_bound",
    )
    assert r.status_code == 200, r.text
    assert r.json()["lookalike_spec"]["origin"][0]["id"] == source
    src = api.get(f"/{source}", fields="lookalike_audience_ids").json()
    assert r.json()["id"] in src["lookalike_audience_ids"]


@pytest.mark.parametrize(
    ("over", "code", "blame"),
    [
        ({"lookalike_spec": {"country": "US", "ratio": 0.5}}, 100, ["lookalike_spec", "ratio"]),
        ({"lookalike_spec": {"country": "XX", "ratio": 0.01}}, 100, ["lookalike_spec", "country"]),
        ({"origin_audience_id": "1"}, 100, ["origin_audience_id"]),
    ],
)
def test_lookalike_rules(api, demo, over, code, blame):
    # DECISIONS.md "Audiences": ratio 0.01-0.20, a known country, a source of this account
    data = {
        "name": "LAL",
        "subtype": "LOOKALIKE",
        "origin_audience_id": demo["custom_audience_ids"][api.act][0],
        "lookalike_spec": {"country": "US", "ratio": 0.01},
        **over,
    }
    err = error(api.post(f"/{api.act}/customaudiences", **data))
    assert err["code"] == code and err["error_data"]["blame_field_specs"] == [blame]


def test_lookalike_of_a_too_small_source_is_2654(api, demo):
    # marketing-api-guide.txt L14337: 2654 "Failed to create custom audience"
    small = demo["custom_audience_ids"][api.act][3]
    err = error(
        api.post(
            f"/{api.act}/customaudiences",
            name="LAL",
            subtype="LOOKALIKE",
            origin_audience_id=small,
            lookalike_spec={"country": "US", "ratio": 0.01},
        )
    )
    assert err["code"] == 2654


def test_custom_audience_of_another_account_is_not_readable(api, demo, mint, sim):
    # core: objects with an account_id go through the ad account access check (200)
    foreign = sim.world.demo["foreign_ad_account_id"]
    other = mint(user_id=sim.world.demo["second_user_id"])
    made = Api(api.http, other, foreign).post(f"/{foreign}/customaudiences", name="Sam's")
    assert made.status_code == 200, made.text
    assert error(api.get(f"/{made.json()['id']}", fields="name"))["code"] == 200


def test_delete_and_rename_custom_audience(api):
    aid = api.post(f"/{api.act}/customaudiences", name="Tmp", subtype="CUSTOM").json()["id"]
    assert api.post(f"/{aid}", name="Renamed").json() == {"success": True}
    assert api.get(f"/{aid}", fields="name").json()["name"] == "Renamed"
    assert api.delete(f"/{aid}").json() == {"success": True}
    listed = {a["id"] for a in api.get(f"/{api.act}/customaudiences").json()["data"]}
    assert aid not in listed


def test_saved_audiences_list_and_create(api, demo):
    # marketing-api-guide.txt L14247 `saved_audiences` "Saved audiences in the account"
    listed = api.get(f"/{api.act}/saved_audiences", fields="name,targeting").json()["data"]
    assert demo["saved_audience_ids"][api.act] in {s["id"] for s in listed}
    r = api.post(
        f"/{api.act}/saved_audiences",
        name="Berlin runners",
        targeting={
            "geo_locations": {"cities": [{"key": "484770"}]},
            "flexible_spec": [{"interests": [{"id": "6003277229527"}]}],
        },
        fields="name,approximate_count_lower_bound",
    )
    assert r.status_code == 200, r.text
    assert r.json()["approximate_count_lower_bound"] > 0
    bad = error(
        api.post(
            f"/{api.act}/saved_audiences",
            name="x",
            targeting={"geo_locations": {"countries": ["US"]}, "interests": [{"id": "1"}]},
        )
    )
    assert bad["error_data"]["blame_field_specs"] == [["targeting", "interests"]]


def test_pixels_list_read_and_create_once(api, demo):
    # marketing-api-guide.txt L15275 "Ad Account Adspixels": GET /<PIXEL_ID>/?fields=code;
    # POST name → {id}; 6200 "A pixel already exists for this account"
    pixel = demo["pixel_ids"][api.act]
    listed = api.get(f"/{api.act}/adspixels", fields="name").json()["data"]
    assert [p["id"] for p in listed] == [pixel]
    assert pixel in api.get(f"/{pixel}/", fields="code").json()["code"]
    assert error(api.post(f"/{api.act}/adspixels", name="Second"))["code"] == 6200
    # "Deleting: You can't perform this operation on this endpoint." → 100/33
    assert error(api.delete(f"/{pixel}"))["code"] == 100


def test_instagram_accounts_of_the_ad_account_and_the_page(api, demo):
    # marketing-api-guide.txt L16100 "Ad Account Instagram Accounts"; L10862
    # connected_instagram_accounts
    ig = demo["instagram_account_id"]
    for edge in ("instagram_accounts", "connected_instagram_accounts"):
        data = api.get(f"/{api.act}/{edge}", fields="username").json()["data"]
        assert [a["id"] for a in data] == [ig]
    page = api.get(f"/{demo['page_ids'][0]}/instagram_accounts", fields="username").json()
    assert page["data"][0]["username"] == "northwind.coffee"
