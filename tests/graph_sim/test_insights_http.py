"""Insights over HTTP on the served simulator: sync reads, paging, errors, async report runs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from graph_sim.insights.endpoint import insights_state
from graph_sim.objects.model import AdObject

DAY = 86400.0
V = "/v25.0"


def _put(world: Any, node_type: str, account_id: str, name: str, created: float, **kw: Any):
    obj = AdObject(
        node_type=node_type,
        id=world.new_id(15),
        account_id=account_id,
        name=name,
        status=kw.pop("status", "ACTIVE"),
        created_time=created,
        updated_time=kw.pop("updated_time", created),
        data=kw.pop("data", {}),
        **kw,
    )
    world.put(obj, node_type)
    return obj


@pytest.fixture
def tree(sim, demo) -> dict[str, Any]:
    """An account of our own (the demo EUR account, emptied of nothing: we filter by campaign)
    with one campaign 120 days old: two ad sets, four live ads, one ad archived and one
    deleted ten days ago."""
    world = sim.world
    act = demo["ad_account_by_currency"]["USD"]
    account_id = act.removeprefix("act_")
    now = sim.clock.now()
    t0 = now - 120 * DAY
    campaign = _put(
        world, "campaign", account_id, "Summer Sale", t0, data={"objective": "OUTCOME_SALES"}
    )
    ids: dict[str, Any] = {"act": act, "campaign": campaign.id, "adsets": [], "ads": []}
    for i in range(2):
        adset = _put(
            world,
            "adset",
            account_id,
            f"Ad set {i}",
            t0,
            campaign_id=campaign.id,
            data={
                "daily_budget": 5000 + 2000 * i,
                "optimization_goal": "LINK_CLICKS",
                "targeting": {"geo_locations": {"countries": ["US", "CA"]}},
            },
        )
        ids["adsets"].append(adset.id)
        for j in range(2):
            ad = _put(
                world, "ad", account_id, f"Ad {i}.{j}", t0, campaign_id=campaign.id,
                adset_id=adset.id,
            )  # fmt: skip
            ids["ads"].append(ad.id)
    for key, status, adset_id in (
        ("archived_ad", "ARCHIVED", ids["adsets"][0]),
        ("deleted_ad", "DELETED", ids["adsets"][1]),
    ):
        ids[key] = _put(
            world, "ad", account_id, f"{status.title()} ad", t0, campaign_id=campaign.id,
            adset_id=adset_id, status=status, status_changed_time=now - 10 * DAY,
        ).id  # fmt: skip
    return ids


def get(http, token, path: str, **params) -> Any:
    return http.get(V + path, params={"access_token": token, **params})


def ints(rows: list[dict], name: str) -> int:
    return sum(int(r[name]) for r in rows)


# --- sync reads -------------------------------------------------------------------------------


def test_campaign_insights_default_to_impressions_and_spend_over_the_last_30_days(
    http, token, tree
):
    # core-flows.md §4.1 / §8 item 37: defaults date_preset=last_30d, fields impressions,spend.
    r = get(http, token, f"/{tree['campaign']}/insights")
    assert r.status_code == 200
    body = r.json()
    assert list(body["data"][0]) == ["impressions", "spend", "date_start", "date_stop"]
    # The clock starts 2026-06-01T00:00Z = May 31 in Los Angeles; last_30d ends yesterday.
    assert body["data"][0]["date_start"] == "2026-05-01"
    assert body["data"][0]["date_stop"] == "2026-05-30"
    assert "cursors" in body["paging"]


def test_every_insights_response_carries_the_insights_throttle_header(http, token, tree):
    # core-flows.md §6.2 item 4: x-fb-ads-insights-throttle "in every API response" to insights.
    ok = get(http, token, f"/{tree['campaign']}/insights")
    bad = get(http, token, f"/{tree['campaign']}/insights", fields="impressionz")
    for r in (ok, bad):
        header = json.loads(r.headers["x-fb-ads-insights-throttle"])
        assert set(header) == {"app_id_util_pct", "acc_id_util_pct", "ads_api_access_tier"}
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 100


def test_level_ad_lists_live_ads_while_the_campaign_total_includes_archived_and_deleted(
    http, token, tree
):
    # core-flows.md §2.6 table: rows at level=ad exclude archived/deleted; parent stats include.
    rows = get(http, token, f"/{tree['campaign']}/insights", level="ad").json()["data"]
    assert {r["ad_id"] for r in rows} == set(tree["ads"])
    whole = get(http, token, f"/{tree['campaign']}/insights").json()["data"][0]
    assert int(whole["impressions"]) > ints(rows, "impressions")
    every = get(
        http,
        token,
        f"/{tree['campaign']}/insights",
        level="ad",
        filtering=json.dumps(
            [
                {
                    "field": "ad.effective_status",
                    "operator": "IN",
                    "value": ["ACTIVE", "ARCHIVED", "DELETED"],
                }
            ]
        ),
    ).json()["data"]
    assert len(every) == 6
    assert ints(every, "impressions") == int(whole["impressions"])


def test_levels_add_up_from_ads_to_ad_sets_to_the_campaign(http, token, tree):
    # core-flows.md §4.2: "Aggregate results at a defined object level".
    path = f"/{tree['campaign']}/insights"
    statuses = (
        '[{"field":"ad.effective_status","operator":"IN","value":["ACTIVE","ARCHIVED","DELETED"]}]'
    )
    adsets = get(
        http, token, path, level="adset", fields="adset_id,clicks,impressions", filtering=statuses
    ).json()["data"]
    campaign = get(http, token, path, level="campaign", fields="clicks,impressions").json()["data"]
    assert [set(r) >= {"adset_id", "clicks"} for r in adsets] == [True, True]
    assert campaign[0]["campaign_id"] == tree["campaign"]
    assert ints(adsets, "clicks") == int(campaign[0]["clicks"])


def test_insights_on_a_deleted_ad_by_id_still_return_data(http, token, tree):
    # core-flows.md §8 item 47; reference.md §7.4 "/<AD_ID>/insights works".
    r = get(http, token, f"/{tree['deleted_ad']}/insights", date_preset="last_30d")
    assert r.status_code == 200
    assert int(r.json()["data"][0]["impressions"]) > 0


def test_breakdowns_over_http_split_the_campaign_total_exactly(http, token, tree):
    # core-flows.md §4.5: breakdown values are extra keys; splits sum to the unbroken number.
    path = f"/{tree['campaign']}/insights"
    whole = get(http, token, path, fields="impressions,spend").json()["data"][0]
    cells = get(
        http, token, path, fields="impressions,spend", breakdowns="age,gender", limit=100
    ).json()["data"]
    assert {"age", "gender"} <= set(cells[0])
    assert ints(cells, "impressions") == int(whole["impressions"])
    assert sum(round(float(c["spend"]) * 100) for c in cells) == round(float(whole["spend"]) * 100)


def test_rows_page_with_limit_and_cursors_and_a_bad_cursor_is_2642(http, token, tree):
    # core-flows.md §5.1 paging; §4.3 read errors: 2642 "Invalid cursors values".
    path = f"/{tree['campaign']}/insights"
    first = get(http, token, path, level="ad", limit=3, fields="ad_id").json()
    assert len(first["data"]) == 3 and "next" in first["paging"]
    second = http.get(first["paging"]["next"]).json()
    assert len(second["data"]) == 1 and "next" not in second["paging"]
    assert {r["ad_id"] for r in first["data"] + second["data"]} == set(tree["ads"])
    bad = get(http, token, path, after="not-a-cursor")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == 2642


def test_a_since_older_than_37_months_is_3018(http, token, tree):
    # reference L16051: 3018 "The start date of the time range cannot be beyond 37 months".
    r = get(
        http, token, f"/{tree['campaign']}/insights",
        time_range='{"since":"2023-04-01","until":"2023-04-30"}',
    )  # fmt: skip
    assert r.status_code == 400
    assert r.json()["error"]["code"] == 3018


def test_impression_device_alone_and_action_breakdowns_without_actions_are_100(http, token, tree):
    # core-flows.md §8 item 39.
    path = f"/{tree['campaign']}/insights"
    for params in ({"breakdowns": "impression_device"}, {"action_breakdowns": "action_device"}):
        r = get(http, token, path, **params)
        assert r.status_code == 400 and r.json()["error"]["code"] == 100


def test_an_oversized_query_is_100_with_subcode_1487534(http, token, tree, sim):
    # core-flows.md §4.6 / §8 item 43: data-per-call limit, here by the engine's limit...
    insights_state(sim.world).settings.sync_max_points = 100
    r = get(http, token, f"/{tree['campaign']}/insights", breakdowns="age,gender")
    assert r.status_code == 400
    assert (r.json()["error"]["code"], r.json()["error"]["error_subcode"]) == (100, 1487534)
    # ...and by a fault plan, on a query that would pass.
    insights_state(sim.world).settings.sync_max_points = 10**6
    sim.faults.add("error", path="/*/insights", code=100, subcode=1487534, times=1)
    r = get(http, token, f"/{tree['campaign']}/insights")
    assert r.json()["error"]["error_subcode"] == 1487534
    assert get(http, token, f"/{tree['campaign']}/insights").status_code == 200


def test_the_seeded_demo_campaign_has_months_of_history(http, token, demo):
    # core-flows.md §4.3 time_increment=monthly over the seeded demo world.
    r = get(
        http, token, f"/{demo['active_campaign_id']}/insights",
        date_preset="maximum", time_increment="monthly",
    )  # fmt: skip
    months = [row["date_start"][:7] for row in r.json()["data"]]
    assert len(months) >= 5 and months == sorted(months)


def test_a_yen_account_reports_spend_without_decimals(http, token, demo):
    # reference.md §1: money in the currency's basic unit (whole yen).
    act = demo["ad_account_by_currency"]["JPY"]
    rows = get(http, token, f"/{act}/insights", date_preset="last_90d").json()["data"]
    assert rows and "." not in rows[0]["spend"]


# --- async report runs ------------------------------------------------------------------------


def test_post_insights_returns_a_string_report_run_id_that_walks_to_completed(
    http, token, tree, sim
):
    # core-flows.md §4.4: POST → {"report_run_id"}; poll GET /<id> until "Job Completed" and 100.
    r = http.post(f"{V}/{tree['act']}/insights", data={"access_token": token, "level": "campaign"})
    assert r.status_code == 200
    run_id = r.json()["report_run_id"]
    assert isinstance(run_id, str) and run_id.isdigit()
    seen = []
    for _ in range(12):
        node = get(http, token, f"/{run_id}").json()
        seen.append((node["async_status"], node["async_percent_completion"]))
        sim.clock.advance(2)
    statuses = [s for s, _ in seen]
    assert statuses[0] == "Job Not Started"
    assert "Job Started" in statuses and "Job Running" in statuses
    assert seen[-1] == ("Job Completed", 100)
    percents = [p for _, p in seen]
    assert percents == sorted(percents)
    node = get(http, token, f"/{run_id}").json()
    assert set(node) >= {
        "id",
        "account_id",
        "time_ref",
        "time_completed",
        "date_start",
        "date_stop",
    }
    assert node["account_id"] == tree["act"].removeprefix("act_")
    assert node["time_completed"] >= node["time_ref"]


def test_report_run_insights_are_an_error_until_completed_then_match_the_sync_rows(
    http, token, tree, sim
):
    # core-flows.md §8 item 42: GET /<id>/insights before completion → error.
    params = {"level": "ad", "fields": "ad_id,impressions,spend,clicks"}
    run_id = http.post(
        f"{V}/{tree['campaign']}/insights", data={"access_token": token, **params}
    ).json()["report_run_id"]
    early = get(http, token, f"/{run_id}/insights")
    assert early.status_code == 400 and early.json()["error"]["code"] == 100
    sim.clock.advance(60)
    rows = get(http, token, f"/{run_id}/insights", limit=2).json()
    assert len(rows["data"]) == 2 and "next" in rows["paging"]
    everything = get(http, token, f"/{run_id}/insights", limit=50).json()["data"]
    sync = get(http, token, f"/{tree['campaign']}/insights", limit=50, **params).json()["data"]
    assert everything == sync


def test_a_fault_plan_makes_the_report_run_fail(http, token, tree, sim):
    # core-flows.md §4.4: "Job Failed — Review your query and try again."
    sim.faults.add("error", kind="insights_report_failed", times=1)
    run_id = http.post(f"{V}/{tree['campaign']}/insights", data={"access_token": token}).json()[
        "report_run_id"
    ]
    sim.clock.advance(60)
    assert get(http, token, f"/{run_id}").json()["async_status"] == "Job Failed"
    r = get(http, token, f"/{run_id}/insights")
    assert r.status_code == 400 and r.json()["error"]["code"] == 100


def test_a_report_run_expires_after_30_days(http, token, tree, sim):
    # core-flows.md §4.4: "it expires after 30 days".
    run_id = http.post(f"{V}/{tree['campaign']}/insights", data={"access_token": token}).json()[
        "report_run_id"
    ]
    sim.clock.advance(29 * DAY)
    assert get(http, token, f"/{run_id}/insights").status_code == 200
    sim.clock.advance(2 * DAY)
    for path in (f"/{run_id}", f"/{run_id}/insights"):
        r = get(http, token, path)
        assert r.status_code == 400 and r.json()["error"]["code"] == 100


def test_post_insights_validates_like_get(http, token, tree):
    # reference L16093-16103: POST errors 100, 3018.
    r = http.post(
        f"{V}/{tree['campaign']}/insights",
        data={"access_token": token, "time_range": '{"since":"2020-01-01","until":"2020-01-31"}'},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == 3018


def test_field_expansion_embeds_the_insights_edge_in_a_node_read(http, token, tree):
    # core-flows.md §4.2: GET /<AD_ID>?fields=insights{impressions} → {"id", "insights": {...}}.
    ad = tree["ads"][0]
    r = get(http, token, f"/{ad}", fields="name,insights{impressions,clicks}")
    assert r.status_code == 200
    body = r.json()
    assert body["id"] == ad and body["name"] == "Ad 0.0"
    rows = body["insights"]["data"]
    direct = get(http, token, f"/{ad}/insights", fields="impressions,clicks").json()["data"]
    assert rows == direct
    daily = get(
        http, token, f"/{tree['campaign']}",
        fields="insights.date_preset(last_7d).time_increment(1).limit(3){impressions}",
    ).json()["insights"]  # fmt: skip
    assert len(daily["data"]) == 3 and "next" in daily["paging"]
    assert daily["data"][0]["date_start"] == daily["data"][0]["date_stop"]


def test_the_insights_global_throttle_is_code_4_subcode_1504022(http, token, tree, sim):
    # core-flows.md §6.4: 4 / 1504022 "Too many API requests"; transient, retry later.
    sim.faults.add("error", kind="insights_global_throttle", times=1)
    r = get(http, token, f"/{tree['campaign']}/insights")
    error = r.json()["error"]
    assert (error["code"], error["error_subcode"]) == (4, 1504022)
    assert error["error_user_title"] == "Too many API requests"
    assert error["is_transient"] is True
    assert get(http, token, f"/{tree['campaign']}/insights").status_code == 200


def test_summary_param_adds_a_summary_section(http, token, tree):
    # reference L15840: "If this param is used, a summary section will be included".
    body = get(
        http, token, f"/{tree['campaign']}/insights", level="ad", fields="impressions",
        summary="impressions",
    ).json()  # fmt: skip
    assert int(body["summary"]["impressions"]) == ints(body["data"], "impressions")


def test_async_jobs_get_old_reach_with_breakdowns_up_to_ten_a_day(http, token, tree, sim):
    # core-flows.md §4.6: reach with breakdowns older than 13 months: async only, "up to 10
    # requests per Ad Account per day"; past that, rows omit reach, frequency and cpp.
    account_id = tree["act"].removeprefix("act_")
    t0 = sim.clock.now() - 500 * DAY
    campaign = _put(sim.world, "campaign", account_id, "Evergreen", t0)
    adset = _put(sim.world, "adset", account_id, "Evergreen", t0, campaign_id=campaign.id)
    _put(sim.world, "ad", account_id, "Evergreen", t0, campaign_id=campaign.id, adset_id=adset.id)
    old = {
        "fields": "impressions,reach",
        "breakdowns": "age",
        "time_range": '{"since":"2025-03-01","until":"2025-03-31"}',
    }
    sync = get(http, token, f"/{tree['act']}/insights", **old).json()["data"]
    assert sync and all("reach" not in r for r in sync)
    insights_state(sim.world).reach_jobs_per_day = 2
    runs, headers = [], []
    for _ in range(3):
        r = http.post(f"{V}/{tree['act']}/insights", data={"access_token": token, **old})
        runs.append(r.json()["report_run_id"])
        headers.append(json.loads(r.headers["x-fb-ads-insights-reach-throttle"]))
    assert [h["acc_id_util_pct"] for h in headers] == [50.0, 100.0, 100.0]
    sim.clock.advance(60)
    first = get(http, token, f"/{runs[0]}/insights").json()["data"]
    third = get(http, token, f"/{runs[2]}/insights").json()["data"]
    assert first and all("reach" in r for r in first)
    assert third and all("reach" not in r for r in third)


def test_adding_an_ad_later_does_not_rewrite_the_history_of_earlier_ads(http, token, tree, sim):
    # DECISIONS.md "Insights": numbers are a pure function of (seed, ad, day); budget shares
    # count only the siblings created no later than the ad.
    path = f"/{tree['ads'][0]}/insights"
    before = get(http, token, path, date_preset="last_90d").json()["data"]
    account_id = tree["act"].removeprefix("act_")
    _put(
        sim.world, "ad", account_id, "Late ad", sim.clock.now() - 5 * DAY,
        campaign_id=tree["campaign"], adset_id=tree["adsets"][0],
    )  # fmt: skip
    assert get(http, token, path, date_preset="last_90d").json()["data"] == before
