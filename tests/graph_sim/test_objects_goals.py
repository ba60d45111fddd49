"""Optimisation goals per objective, billing events per goal, promoted objects, bid strategy."""

from __future__ import annotations

import pytest

from tests.graph_sim.test_objects_create import Api, error


@pytest.fixture
def api(http, token, demo) -> Api:
    return Api(http, token, demo["active_ad_account_id"])


def adset(api: Api, objective: str, **over):
    data = {
        "name": "S",
        "campaign_id": api.campaign(objective=objective),
        "daily_budget": 1000,
        "targeting": {"geo_locations": {"countries": ["US"]}},
        **over,
    }
    return api.post(f"/{api.act}/adsets", **data)


@pytest.mark.parametrize(
    ("objective", "goal"),
    [
        # marketing-api-guide.txt L10746 "Placement Targeting: Reels ... Compatible Objectives,
        # and Optimization Goals": rows the table gives
        ("OUTCOME_AWARENESS", "REACH"),
        ("OUTCOME_AWARENESS", "AD_RECALL_LIFT"),
        ("OUTCOME_TRAFFIC", "LANDING_PAGE_VIEWS"),
        ("OUTCOME_ENGAGEMENT", "THRUPLAY"),
        ("OUTCOME_SALES", "LINK_CLICKS"),
    ],
)
def test_goal_allowed_for_the_objective_is_accepted(api, objective, goal):
    r = adset(api, objective, optimization_goal=goal)
    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("objective", "goal"),
    [
        # marketing-api-guide.txt L10746: none of these pairs is in the table
        ("OUTCOME_AWARENESS", "LINK_CLICKS"),
        ("OUTCOME_TRAFFIC", "THRUPLAY"),
        ("OUTCOME_SALES", "POST_ENGAGEMENT"),
        ("OUTCOME_LEADS", "APP_INSTALLS"),
    ],
)
def test_goal_not_allowed_for_the_objective_blames_optimization_goal(api, objective, goal):
    err = error(adset(api, objective, optimization_goal=goal))
    assert err["code"] == 100
    assert err["error_data"]["blame_field_specs"] == [["optimization_goal"]]
    assert goal in err["message"] and objective in err["message"]
    assert err["error_user_title"] == "Invalid Optimization Goal"


def test_goal_change_on_update_is_checked_against_the_objective(api):
    # marketing-api-guide.txt L3112: "Your goal options depend on the objective set at the
    # campaign level"
    sid = adset(api, "OUTCOME_TRAFFIC", optimization_goal="LINK_CLICKS").json()["id"]
    err = error(api.post(f"/{sid}", optimization_goal="THRUPLAY"))
    assert err["error_data"]["blame_field_specs"] == [["optimization_goal"]]
    assert api.post(f"/{sid}", optimization_goal="LANDING_PAGE_VIEWS").json()["success"]


@pytest.mark.parametrize(
    ("goal", "billing", "ok"),
    [
        # L12130 oCPM: IMPRESSIONS billing with an action goal; L15111 LINK_CLICKS/LINK_CLICKS
        ("LINK_CLICKS", "IMPRESSIONS", True),
        ("LINK_CLICKS", "LINK_CLICKS", True),
        ("LANDING_PAGE_VIEWS", "LINK_CLICKS", False),
        ("REACH", "THRUPLAY", False),
    ],
)
def test_billing_event_must_suit_the_goal(api, goal, billing, ok):
    # marketing-api-guide.txt L3115: "The billing_event depends on which optimization_goal
    # you choose"
    r = adset(api, "OUTCOME_TRAFFIC", optimization_goal=goal, billing_event=billing)
    if ok:
        assert r.status_code == 200, r.text
    else:
        assert error(r)["error_data"]["blame_field_specs"] == [["billing_event"]]


def test_sales_conversions_need_a_pixel_in_the_promoted_object(api):
    # reference.md §3.2 "promoted_object by objective": CONVERSIONS → pixel_id
    err = error(adset(api, "OUTCOME_SALES", optimization_goal="OFFSITE_CONVERSIONS"))
    assert err["error_data"]["blame_field_specs"] == [["promoted_object", "pixel_id"]]


def test_default_goal_of_the_objective_is_checked_too(api):
    # DECISIONS.md "Defaults": OUTCOME_SALES → OFFSITE_CONVERSIONS when the goal is omitted,
    # which needs a promoted pixel (reference.md §3.2)
    err = error(adset(api, "OUTCOME_SALES"))
    assert err["error_data"]["blame_field_specs"] == [["promoted_object", "pixel_id"]]


def test_campaign_budget_without_bid_strategy_reads_lowest_cost_without_cap(api):
    # marketing-api-guide.txt L4904: "LOWEST_COST_WITHOUT_CAP (recommended)"; reference.md §9
    # item 7 (the documented defaults disagree; DECISIONS.md "Defaults")
    cbo = api.campaign(daily_budget=5000)
    plain = api.campaign()
    assert api.get(f"/{cbo}", fields="bid_strategy").json()["bid_strategy"] == (
        "LOWEST_COST_WITHOUT_CAP"
    )
    assert "bid_strategy" not in api.get(f"/{plain}", fields="bid_strategy").json()


def test_adset_bid_strategy_defaults(api):
    # reference.md §3.2: BID_CAP "is set if you provide bid_amount only"; otherwise automatic
    auto = adset(api, "OUTCOME_TRAFFIC").json()["id"]
    capped = adset(api, "OUTCOME_TRAFFIC", bid_amount=150).json()["id"]
    assert api.get(f"/{auto}", fields="bid_strategy").json()["bid_strategy"] == (
        "LOWEST_COST_WITHOUT_CAP"
    )
    assert api.get(f"/{capped}", fields="bid_strategy").json()["bid_strategy"] == (
        "LOWEST_COST_WITH_BID_CAP"
    )
