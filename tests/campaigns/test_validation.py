"""The builder's one rule set: each rule, with the field it blames (no database needed)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.validation import (
    AccountFacts,
    ad_errors,
    adset_errors,
    campaign_errors,
    creative_errors,
    reaches_eu,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
USD = AccountFacts(currency="USD", min_daily_budget_minor=100)
JPY = AccountFacts(currency="JPY", min_daily_budget_minor=150)


def campaign(**kw):
    return {"name": "Spring", "objective": "OUTCOME_TRAFFIC", "special_ad_categories": [], **kw}


def adset(**kw):
    return {
        "name": "US adults", "optimization_goal": "LINK_CLICKS", "billing_event": "IMPRESSIONS",
        "daily_budget_minor": 2000, "targeting": {"geo_locations": {"countries": ["US"]}},
        **kw,
    }


def creative(**kw):
    spec = {"message": "Hi", "headline": "Shoes", "link": "https://example.com/",
            "call_to_action": "SHOP_NOW", "image_hash": "abc"}
    spec.update(kw.pop("spec", {}))
    return {"name": "C", "format": "image", "page_id": "123", "contextual_multi_ads": "OPT_OUT",
            "spec": spec, **kw}


def check_adset(data=None, parent=None, account=USD, **kw):
    return adset_errors(data=data or adset(), campaign=parent or campaign(), account=account,
                        now=NOW, **kw)


# --- campaign -------------------------------------------------------------------------------

def test_valid_campaign_has_no_errors():
    assert campaign_errors(data=campaign(), account=USD) == {}


@pytest.mark.parametrize("name", ["", "   ", "x" * 401, None])
def test_campaign_name_is_required_and_at_most_400_characters(name):
    assert "name" in campaign_errors(data=campaign(name=name), account=USD)


@pytest.mark.parametrize("objective", ["LINK_CLICKS", "CONVERSIONS", "", None])
def test_only_the_six_outcome_objectives_are_offered(objective):
    assert "objective" in campaign_errors(data=campaign(objective=objective), account=USD)


def test_special_ad_category_needs_its_countries():
    errors = campaign_errors(data=campaign(special_ad_categories=["HOUSING"]), account=USD)
    assert "special_ad_category_country" in errors
    ok = campaign(special_ad_categories=["HOUSING"], special_ad_category_country=["US"])
    assert campaign_errors(data=ok, account=USD) == {}


def test_unknown_special_ad_category_or_bad_country_code_is_refused():
    assert "special_ad_categories" in campaign_errors(
        data=campaign(special_ad_categories=["GAMES"]), account=USD)
    assert "special_ad_category_country" in campaign_errors(
        data=campaign(special_ad_categories=["CREDIT"], special_ad_category_country=["usa"]),
        account=USD)


def test_campaign_budget_is_daily_or_lifetime_not_both():
    errors = campaign_errors(data=campaign(daily_budget_minor=1000, lifetime_budget_minor=9000),
                             account=USD)
    assert "lifetime_budget_minor" in errors


def test_campaign_daily_budget_respects_the_account_minimum():
    errors = campaign_errors(data=campaign(daily_budget_minor=99), account=USD)
    assert "1.00 USD" in errors["daily_budget_minor"]
    errors = campaign_errors(data=campaign(daily_budget_minor=149), account=JPY)
    assert "150 JPY" in errors["daily_budget_minor"]


def test_campaign_bid_strategy_needs_a_campaign_budget():
    assert "bid_strategy" in campaign_errors(data=campaign(bid_strategy="COST_CAP"), account=USD)
    assert campaign_errors(data=campaign(bid_strategy="COST_CAP", daily_budget_minor=5000),
                           account=USD) == {}


def test_spend_cap_minimum_is_100_dollars():
    assert "spend_cap_minor" in campaign_errors(data=campaign(spend_cap_minor=9999), account=USD)
    assert campaign_errors(data=campaign(spend_cap_minor=10000), account=USD) == {}


# --- ad set ---------------------------------------------------------------------------------

def test_valid_adset_has_no_errors():
    assert check_adset() == {}


@pytest.mark.parametrize(("objective", "goal", "ok"), [
    ("OUTCOME_TRAFFIC", "LINK_CLICKS", True),
    ("OUTCOME_TRAFFIC", "LEAD_GENERATION", False),
    ("OUTCOME_AWARENESS", "REACH", True),
    ("OUTCOME_AWARENESS", "LINK_CLICKS", False),
    ("OUTCOME_ENGAGEMENT", "POST_ENGAGEMENT", True),
    ("OUTCOME_APP_PROMOTION", "REACH", False),
])
def test_optimisation_goal_must_suit_the_objective(objective, goal, ok):
    errors = check_adset(adset(optimization_goal=goal), campaign(objective=objective))
    assert ("optimization_goal" not in errors) is ok


def test_billing_event_must_suit_the_goal():
    errors = check_adset(adset(optimization_goal="LANDING_PAGE_VIEWS", billing_event="LINK_CLICKS"))
    assert "billing_event" in errors
    assert check_adset(adset(billing_event="LINK_CLICKS")) == {}


def test_campaign_budget_xor_adset_budget():
    cbo = campaign(daily_budget_minor=5000)
    assert "daily_budget_minor" in check_adset(adset(), cbo)
    assert check_adset(adset(daily_budget_minor=None), cbo) == {}
    assert "daily_budget_minor" in check_adset(adset(daily_budget_minor=None))


def test_lifetime_budget_needs_an_end_time():
    errors = check_adset(adset(daily_budget_minor=None, lifetime_budget_minor=100000))
    assert "end_time" in errors


def test_adset_daily_budget_respects_the_account_minimum():
    assert "daily_budget_minor" in check_adset(adset(daily_budget_minor=50))


def test_lifetime_budget_respects_the_minimum_per_day_of_the_schedule():
    data = adset(daily_budget_minor=None, lifetime_budget_minor=500, start_time=NOW,
                 end_time=NOW + timedelta(days=10))
    assert "10.00 USD" in check_adset(data)["lifetime_budget_minor"]


def test_schedule_start_before_end_and_not_in_the_past():
    assert "end_time" in check_adset(adset(start_time=NOW + timedelta(days=3),
                                           end_time=NOW + timedelta(days=2)))
    assert "start_time" in check_adset(adset(start_time=NOW - timedelta(days=1)))
    assert "end_time" in check_adset(adset(end_time=NOW - timedelta(hours=1)))
    # a live ad set may have started long ago
    assert "start_time" not in check_adset(adset(start_time=NOW - timedelta(days=1)),
                                           creating=False)


def test_daily_budget_schedule_runs_more_than_a_day():
    assert "end_time" in check_adset(adset(start_time=NOW, end_time=NOW + timedelta(hours=20)))


@pytest.mark.parametrize(("strategy", "bid", "field"), [
    ("LOWEST_COST_WITH_BID_CAP", None, "bid_amount_minor"),
    ("COST_CAP", 1, "bid_amount_minor"),
    ("LOWEST_COST_WITHOUT_CAP", 500, "bid_amount_minor"),
    ("TARGET_COST", None, "bid_strategy"),
])
def test_bid_strategy_and_bid_amount_rules(strategy, bid, field):
    assert field in check_adset(adset(bid_strategy=strategy, bid_amount_minor=bid))


def test_bid_cap_with_an_amount_is_valid():
    assert check_adset(adset(bid_strategy="COST_CAP", bid_amount_minor=300)) == {}


def test_targeting_needs_a_location():
    errors = check_adset(adset(targeting={"geo_locations": {}}))
    assert "targeting.geo_locations" in errors


@pytest.mark.parametrize(("targeting", "field"), [
    ({"geo_locations": {"countries": ["usa"]}}, "targeting.geo_locations.countries"),
    ({"geo_locations": {"regions": [{"name": "x"}]}}, "targeting.geo_locations.regions"),
    ({"geo_locations": {"cities": [{"key": "abc"}]}}, "targeting.geo_locations.cities"),
    ({"geo_locations": {"countries": ["US"]}, "age_min": 13}, "targeting.age_min"),
    ({"geo_locations": {"countries": ["US"]}, "age_min": 40, "age_max": 30}, "targeting.age_max"),
    ({"geo_locations": {"countries": ["US"]}, "genders": [3]}, "targeting.genders"),
    ({"geo_locations": {"countries": ["US"]}, "interests": [{"name": "x"}]}, "targeting.interests"),
    ({"geo_locations": {"countries": ["US"]}, "custom_audiences": [{"id": "x"}]},
     "targeting.custom_audiences"),
])
def test_targeting_rules(targeting, field):
    assert field in check_adset(adset(targeting=targeting))


def test_targeting_found_through_search_is_valid():
    targeting = {
        "geo_locations": {"regions": [{"key": "3847"}], "cities": [{"key": "2420379",
                                                                     "radius": 10}]},
        "interests": [{"id": "6003139266461", "name": "Movies"}], "age_min": 25, "age_max": 45,
        "genders": [2], "custom_audiences": [{"id": "23842"}],
    }
    assert check_adset(adset(targeting=targeting)) == {}


def test_placements_are_automatic_when_none_is_chosen():
    assert check_adset(adset(targeting={"geo_locations": {"countries": ["US"]}})) == {}


@pytest.mark.parametrize(("placements", "field"), [
    ({"publisher_platforms": []}, "targeting.publisher_platforms"),
    ({"publisher_platforms": ["facebook"], "instagram_positions": ["stream"]},
     "targeting.instagram_positions"),
    ({"publisher_platforms": ["instagram"], "instagram_positions": ["explore"]},
     "targeting.instagram_positions"),
    ({"publisher_platforms": ["threads"]}, "targeting.publisher_platforms"),
    ({"publisher_platforms": ["facebook"], "facebook_positions": ["billboard"]},
     "targeting.facebook_positions"),
    ({"publisher_platforms": ["facebook"], "device_platforms": ["tv"]},
     "targeting.device_platforms"),
])
def test_chosen_placements_must_be_consistent(placements, field):
    targeting = {"geo_locations": {"countries": ["US"]}, **placements}
    assert field in check_adset(adset(targeting=targeting))


def test_consistent_manual_placements_are_valid():
    targeting = {"geo_locations": {"countries": ["US"]},
                 "publisher_platforms": ["facebook", "instagram"],
                 "facebook_positions": ["feed"], "instagram_positions": ["stream", "explore"]}
    assert check_adset(adset(targeting=targeting)) == {}


def test_housing_employment_credit_restrict_age_gender_and_zip_targeting():
    parent = campaign(special_ad_categories=["HOUSING"], special_ad_category_country=["US"])
    errors = check_adset(adset(targeting={"geo_locations": {"countries": ["US"],
                                                            "zips": [{"key": "US:94304"}]},
                                          "age_min": 25, "genders": [1]}), parent)
    assert {"targeting.age_min", "targeting.genders", "targeting.geo_locations"} <= set(errors)
    assert check_adset(adset(), parent) == {}


def test_restricted_categories_need_a_15_mile_radius():
    parent = campaign(special_ad_categories=["CREDIT"], special_ad_category_country=["US"])
    targeting = {"geo_locations": {"cities": [{"key": "2420379", "radius": 10,
                                               "distance_unit": "mile"}]}}
    assert "targeting.geo_locations.cities" in check_adset(adset(targeting=targeting), parent)


@pytest.mark.parametrize(("objective", "goal", "field"), [
    ("OUTCOME_SALES", "OFFSITE_CONVERSIONS", "promoted_object.pixel_id"),
    ("OUTCOME_LEADS", "LEAD_GENERATION", "promoted_object.page_id"),
    ("OUTCOME_APP_PROMOTION", "APP_INSTALLS", "promoted_object.application_id"),
])
def test_promoted_object_per_objective(objective, goal, field):
    assert field in check_adset(adset(optimization_goal=goal), campaign(objective=objective))


def test_sales_with_pixel_and_event_is_valid():
    data = adset(optimization_goal="OFFSITE_CONVERSIONS",
                 promoted_object={"pixel_id": "123", "custom_event_type": "PURCHASE"})
    assert check_adset(data, campaign(objective="OUTCOME_SALES")) == {}


def test_eu_audience_needs_dsa_beneficiary_and_payor():
    data = adset(targeting={"geo_locations": {"countries": ["FR"]}})
    errors = check_adset(data)
    assert {"dsa_beneficiary", "dsa_payor"} <= set(errors)
    assert check_adset({**data, "dsa_beneficiary": "Acme", "dsa_payor": "Acme"}) == {}
    with_defaults = AccountFacts(default_dsa_beneficiary="Acme", default_dsa_payor="Acme")
    assert check_adset(data, account=with_defaults) == {}


def test_eu_reach_through_regions_counts():
    assert reaches_eu({"geo_locations": {"regions": [{"key": "1", "country": "DE"}]}})
    assert not reaches_eu({"geo_locations": {"countries": ["US", "CH"]}})


# --- creative -------------------------------------------------------------------------------

def test_valid_image_creative_has_no_errors():
    assert creative_errors(data=creative()) == {}


@pytest.mark.parametrize(("key", "limit"), [("message", 4096), ("headline", 255),
                                            ("description", 255)])
def test_creative_text_limits(key, limit):
    assert creative_errors(data=creative(spec={key: "x" * limit})) == {}
    assert f"spec.{key}" in creative_errors(data=creative(spec={key: "x" * (limit + 1)}))


def test_carousel_has_2_to_10_cards():
    card = {"image_hash": "a", "link": "https://example.com/a", "headline": "A"}
    assert "spec.cards" in creative_errors(data=creative(format="carousel", spec={"cards": [card]}))
    assert "spec.cards" in creative_errors(
        data=creative(format="carousel", spec={"cards": [card] * 11}))
    assert creative_errors(data=creative(format="carousel", spec={"cards": [card] * 2})) == {}
    bad = creative(format="carousel", spec={"cards": [card, {"link": "nope"}]})
    assert {"spec.cards.1.image", "spec.cards.1.link"} <= set(creative_errors(data=bad))


def test_call_to_action_must_be_a_known_type():
    assert "spec.call_to_action" in creative_errors(data=creative(spec={"call_to_action": "WIN"}))


@pytest.mark.parametrize("link", ["example.com", "ftp://example.com", "https://", "javascript:x"])
def test_destination_url_must_be_valid(link):
    assert "spec.link" in creative_errors(data=creative(spec={"link": link}))


def test_contextual_multi_ads_is_declared_explicitly():
    assert "contextual_multi_ads" in creative_errors(data=creative(contextual_multi_ads=""))
    assert creative_errors(data=creative(contextual_multi_ads="OPT_IN")) == {}


def test_creative_needs_a_page_and_an_image():
    errors = creative_errors(data=creative(page_id="", spec={"image_hash": None}))
    assert {"page_id", "spec.image"} <= set(errors)


def test_url_tags_shape():
    assert "spec.url_tags" in creative_errors(data=creative(spec={"url_tags": "?utm=1"}))
    tags = "utm_source=meta&utm_medium=paid"
    assert creative_errors(data=creative(spec={"url_tags": tags})) == {}


def test_boosting_posts_needs_the_post():
    assert "spec.object_story_id" in creative_errors(data=creative(format="page_post",
                                                                   spec={}))
    assert creative_errors(data=creative(format="page_post",
                                         spec={"object_story_id": "123_456"})) == {}
    errors = creative_errors(data=creative(format="instagram_post", page_id=""))
    assert {"instagram_user_id", "spec.source_instagram_media_id"} <= set(errors)


# --- ad -------------------------------------------------------------------------------------

def test_ad_needs_a_name_and_a_creative():
    assert {"name", "creative"} <= set(ad_errors(data={"name": ""}))
    assert ad_errors(data={"name": "Ad", "creative_id": 3}) == {}
    assert "tracking_specs" in ad_errors(data={"name": "Ad", "creative_id": 3,
                                               "tracking_specs": "x"})
