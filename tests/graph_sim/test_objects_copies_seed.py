"""Copies of ads, ad sets and campaigns; the seeded demo objects and the account tree walk."""

from __future__ import annotations

import pytest

from graph_sim import Simulator
from graph_sim.objects.reading import account_tree
from tests.graph_sim.test_objects_create import Api, error

DAY = 86400


@pytest.fixture
def api(http, token, demo) -> Api:
    return Api(http, token, demo["active_ad_account_id"])


@pytest.fixture
def tree(api, demo):
    cid = api.campaign(status="ACTIVE", name="Summer")
    sid = api.adset(cid, status="ACTIVE", name="Summer set")
    crid = api.creative(demo["page_ids"][0])
    aid = api.ad(sid, crid, status="ACTIVE", name="Summer ad")
    return cid, sid, crid, aid


def read(api: Api, obj_id: str, fields: str) -> dict:
    return api.get(f"/{obj_id}", fields=fields).json()


def test_ad_copy_defaults_to_paused_with_copy_suffix(api, tree):
    # ad-reference.txt /{ad_id}/copies: status_option default PAUSED, suffix " - Copy"
    _, sid, crid, aid = tree
    r = api.post(f"/{aid}/copies")
    assert list(r.json()) == ["copied_ad_id"] and r.json()["copied_ad_id"].isdigit()
    got = read(api, r.json()["copied_ad_id"], "name,status,adset_id,creative,source_ad_id")
    assert got["name"] == "Summer ad - Copy" and got["status"] == "PAUSED"
    assert got["adset_id"] == sid and got["creative"] == {"id": crid}
    assert got["source_ad_id"] == aid


@pytest.mark.parametrize(
    "options,expected",
    [
        ({"rename_strategy": "NO_RENAME"}, "Summer ad"),
        ({"rename_prefix": "[B] ", "rename_suffix": " v2"}, "[B] Summer ad v2"),
        ({"rename_prefix": "Test: "}, "Test: Summer ad - Copy"),
    ],
)
def test_ad_copy_rename_options(api, tree, options, expected):
    # ad-reference.txt rename_options: rename_strategy, rename_prefix, rename_suffix
    copied = api.post(f"/{tree[3]}/copies", rename_options=options).json()["copied_ad_id"]
    assert read(api, copied, "name")["name"] == expected


def test_ad_copy_status_option_inherited_and_target_adset(api, tree):
    # ad-reference.txt: INHERITED_FROM_SOURCE; adset_id makes another ad set the parent
    cid, _, _, aid = tree
    other = api.adset(cid)
    r = api.post(f"/{aid}/copies", status_option="INHERITED_FROM_SOURCE", adset_id=other)
    got = read(api, r.json()["copied_ad_id"], "status,adset_id")
    assert got == {"id": r.json()["copied_ad_id"], "status": "ACTIVE", "adset_id": other}
    assert error(api.post(f"/{aid}/copies", status_option="SOMETIMES"))["code"] == 100


def test_ad_copy_with_creative_parameters_makes_a_new_creative(api, tree):
    # ad-reference.txt creative_parameters: "Overwrites happen at the top level"
    _, _, crid, aid = tree
    r = api.post(
        f"/{aid}/copies",
        creative_parameters={"name": "Copied creative", "url_tags": "utm_source=fb"},
    )
    new = read(api, r.json()["copied_ad_id"], "creative")["creative"]["id"]
    assert new != crid
    got = read(api, new, "name,url_tags,object_story_spec")
    assert got["name"] == "Copied creative" and got["url_tags"] == "utm_source=fb"
    assert got["object_story_spec"] == read(api, crid, "object_story_spec")["object_story_spec"]


def test_archived_ad_can_be_duplicated_but_deleted_cannot(api, tree):
    # core-flows.md §7.2: for 1885088 "duplicate instead"
    aid = tree[3]
    api.post(f"/{aid}", status="ARCHIVED")
    assert api.post(f"/{aid}/copies").status_code == 200
    api.delete(f"/{aid}")
    assert error(api.post(f"/{aid}/copies"))["code"] == 100


def test_campaign_deep_copy_reports_every_copied_object(api, tree):
    # marketing-api-guide.txt L4978-4993: {"copied_campaign_id", "ad_object_ids": [...]}
    cid, sid, _, aid = tree
    body = api.post(f"/{cid}/copies", deep_copy="true").json()
    new = body["copied_campaign_id"]
    types = [(o["ad_object_type"], o["source_id"]) for o in body["ad_object_ids"]]
    assert types == [("campaign", cid), ("ad_set", sid), ("ad", aid)]
    assert read(api, new, "name,status")["name"] == "Summer - Copy"
    copied_sets = [row["id"] for row in api.get(f"/{new}/adsets").json()["data"]]
    assert len(copied_sets) == 1 and copied_sets[0] != sid
    # DEEP_RENAME is not the default: children keep their names
    assert read(api, copied_sets[0], "name")["name"] == "Summer set"


def test_campaign_shallow_copy_and_migrate_flag(api, tree):
    # marketing-api-guide.txt: migrate_to_advantage_plus → smart_promotion_type GUIDED_CREATION
    body = api.post(f"/{tree[0]}/copies", migrate_to_advantage_plus="true").json()
    assert [o["ad_object_type"] for o in body["ad_object_ids"]] == ["campaign"]
    got = read(api, body["copied_campaign_id"], "smart_promotion_type")
    assert got["smart_promotion_type"] == "GUIDED_CREATION"


def test_adset_copy_into_another_campaign(api, tree):
    # [EXT] /<adset>/copies, shaped like the campaign copy
    _, sid, _, _ = tree
    target = api.campaign(name="Target")
    body = api.post(f"/{sid}/copies", campaign_id=target, deep_copy="1").json()
    got = read(api, body["copied_adset_id"], "campaign_id,name")
    assert got["campaign_id"] == target and got["name"] == "Summer set - Copy"
    assert [o["ad_object_type"] for o in body["ad_object_ids"]] == ["ad_set", "ad"]


# --- seed ----------------------------------------------------------------------------------


def test_seeded_account_has_campaigns_in_every_status(api, demo):
    # brief: demo campaigns ACTIVE, PAUSED, ARCHIVED, one WITH_ISSUES, one IN_PROCESS
    live = api.get(f"/{api.act}/campaigns", fields="name,effective_status").json()["data"]
    statuses = {c["effective_status"] for c in live}
    assert {"ACTIVE", "PAUSED", "IN_PROCESS"} <= statuses
    archived = api.get(f"/{api.act}/campaigns", effective_status='["ARCHIVED"]').json()["data"]
    assert [c["id"] for c in archived] == [demo["archived_campaign_id"]]
    ad = read(api, demo["with_issues_ad_id"], "effective_status,issues_info")
    assert ad["effective_status"] == "WITH_ISSUES" and ad["issues_info"][0]["error_code"]
    assert read(api, demo["deleted_campaign_id"], "status")["status"] == "DELETED"


def test_seeded_objects_have_months_of_history(api, demo, sim):
    # brief: created_time months back so insights history has objects to report on
    got = read(api, demo["active_campaign_id"], "created_time,start_time")
    created = got["created_time"]
    assert created[-5:] in ("-0800", "-0700") and created < "2026-02-01"
    ads = api.get(f"/{demo['active_campaign_id']}/ads", fields="effective_status").json()["data"]
    assert {"ACTIVE", "PAUSED", "ADSET_PAUSED"} <= {a["effective_status"] for a in ads}


def test_seeded_in_process_objects_finish_on_the_clock(api, demo, sim):
    # core-flows.md §2.5 with the seeded "New Launch" campaign
    cid = demo["in_process_campaign_id"]
    assert read(api, cid, "effective_status")["effective_status"] == "IN_PROCESS"
    sim.clock.advance(30)
    assert read(api, cid, "effective_status")["effective_status"] == "ACTIVE"
    assert (
        read(api, demo["in_process_ad_id"], "effective_status")["effective_status"]
        == "PENDING_REVIEW"
    )


def test_every_demo_account_is_seeded_and_the_seed_is_deterministic(demo):
    again = Simulator(seed=0).world.demo
    assert again["campaign_ids"] == demo["campaign_ids"]
    assert all(demo["campaign_ids"][act] for act in demo["ad_account_ids"])
    assert Simulator(seed=1).world.demo["campaign_ids"] != demo["campaign_ids"]


def test_account_tree_walks_campaigns_adsets_ads_with_times(sim, demo):
    # the walk the insights engine uses (graph_sim.objects.reading.account_tree)
    tree = account_tree(sim.world, demo["active_ad_account_id"])
    by_name = {c["name"]: c for c in tree}
    holiday = by_name["Holiday 2025"]
    assert holiday["status"] == "ARCHIVED" and holiday["stop_time"] is not None
    assert holiday["status_changed_time"] <= sim.clock.now()
    spring = by_name["Spring Sale - Traffic"]
    adset = spring["adsets"][0]
    assert adset["start_time"] >= spring["created_time"] and adset["daily_budget"] > 0
    ad = adset["ads"][0]
    assert {"id", "status", "effective_status", "created_time", "creative_id"} <= set(ad)
    assert by_name["Old Test Campaign"]["adsets"][0]["ads"][0]["effective_status"] == "DELETED"
    assert account_tree(sim.world, demo["active_ad_account_id"].removeprefix("act_")) == tree


def test_running_ads_feed_the_rate_limit_quota(sim, demo):
    # CONTRACT.md §7: register_active_ads_counter
    from graph_sim.ratelimit import active_ads

    account = demo["active_ad_account_id"].removeprefix("act_")
    assert active_ads(sim.world, account) >= 2


def test_seeded_yen_ad_sets_have_daily_budgets_of_a_few_thousand_whole_yen(api, http, token, demo):
    # reference.md §1 (L81): budgets are "in the account currency's basic unit (cents for USD;
    # basic unit for JPY/KRW)" — a yen budget is whole yen, so the seed's 10-50 dollar plan is
    # 1,500-7,500 yen a day, not cents times 150.
    jpy = Api(http, token, demo["ad_account_by_currency"]["JPY"])
    yen = jpy.get(f"/{jpy.act}/adsets", fields="daily_budget").json()["data"]
    assert yen and all(1_000 <= int(a["daily_budget"]) <= 10_000 for a in yen)
    week = jpy.get(f"/{jpy.act}/insights", date_preset="last_7d", fields="spend").json()["data"]
    assert 0 < int(week[0]["spend"]) <= 7 * sum(int(a["daily_budget"]) for a in yen)
    usd = api.get(f"/{api.act}/adsets", fields="daily_budget").json()["data"]
    assert usd and all(1_000 <= int(a["daily_budget"]) <= 5_000 for a in usd)  # 10-50 dollars
