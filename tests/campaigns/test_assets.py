"""Asset pickers: what the ad account can use, listed from Graph (the simulator), cached briefly;
chosen ids checked against those listings by the rule set; Graph down is a friendly message."""

from __future__ import annotations

import pytest
from django.urls import reverse

from campaigns.assets import AssetsUnavailableError, account_assets
from campaigns.models import AdCreative, AdSet, Campaign
from campaigns.services.drafts import campaign_draft_create, draft_update
from campaigns.validation import asset_listings_needed, listed_asset_errors
from campaigns.validation.checks import adset_errors
from tests.campaigns.conftest import graph_calls
from tests.conftest import login

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def _ids(items):
    return {i["id"] for i in items}


def test_listings_come_from_graph_for_each_kind(scoped, graph, sim_account, demo):
    act = demo["active_ad_account_id"]
    assert _ids(account_assets(ad_account=sim_account, kind="pixels")) == {
        demo["pixel_ids"][act]}
    audiences = account_assets(ad_account=sim_account, kind="custom_audiences")
    assert set(demo["custom_audience_ids"][act]) <= _ids(audiences)
    assert all(a["name"] for a in audiences)
    pages = account_assets(ad_account=sim_account, kind="pages")
    assert demo["page_ids"][0] in _ids(pages)
    ig = account_assets(ad_account=sim_account, kind="instagram_accounts")
    assert _ids(ig) == {demo["instagram_account_id"]} and ig[0]["name"].startswith("@")
    assert account_assets(ad_account=sim_account, kind="apps")
    page = demo["page_ids"][0]
    posts = account_assets(ad_account=sim_account, kind="page_posts", parent_id=page)
    assert set(demo["page_post_ids"][page]) <= _ids(posts)
    media = account_assets(ad_account=sim_account, kind="instagram_media",
                           parent_id=demo["instagram_account_id"])
    assert _ids(media) == set(demo["instagram_media_ids"])
    assert [m for m in media if not m["eligible"]]  # the seed's one not eligible to boost


def test_listings_are_cached_briefly(scoped, graph, sim_account):
    account_assets(ad_account=sim_account, kind="pixels")
    graph.sim.calls.clear()
    account_assets(ad_account=sim_account, kind="pixels")
    assert not graph_calls(graph, method="GET")


def test_a_hostile_parent_id_asks_graph_nothing(scoped, graph, sim_account):
    graph.sim.calls.clear()
    assert account_assets(ad_account=sim_account, kind="page_posts", parent_id="1/../me") == []
    assert not graph.sim.calls


@pytest.mark.parametrize("fault", ["transient", "throttle", "token"])
def test_graph_down_is_a_readable_error(scoped, graph, sim_account, fault):
    if fault == "token":
        graph.sim.faults.add("error", code=190, subcode=458, http_status=400,
                             message="Error validating access token")
    elif fault == "throttle":
        graph.sim.faults.add("throttle", code=80004, eta_minutes=5)
    else:
        graph.sim.faults.add("transient")
    with pytest.raises(AssetsUnavailableError) as caught:
        account_assets(ad_account=sim_account, kind="pixels")
    assert caught.value.message


# --- the rule ----------------------------------------------------------------------------------

def test_rule_flags_ids_graph_did_not_list_and_skips_unknown_listings():
    data = {"targeting": {"custom_audiences": [{"id": "11"}, {"id": "99"}]},
            "promoted_object": {"pixel_id": "5", "custom_event_type": "PURCHASE"}}
    assert asset_listings_needed(kind="adset", data=data) == [("custom_audiences", ""),
                                                              ("pixels", "")]
    errors = listed_asset_errors(kind="adset", data=data,
                                 listed={"custom_audiences": {"11"}, "pixels": {"6"}})
    assert set(errors) == {"targeting.custom_audiences", "promoted_object.pixel_id"}
    assert listed_asset_errors(kind="adset", data=data,
                               listed={"custom_audiences": None, "pixels": None}) == {}
    creative = {"format": "page_post", "page_id": "7",
                "spec": {"object_story_id": "7_70"}}
    assert asset_listings_needed(kind="creative", data=creative) == [("pages", ""),
                                                                     ("page_posts", "7")]
    assert listed_asset_errors(kind="creative", data=creative,
                               listed={"pages": {"7"}, "page_posts:7": {"7_71"}}) == {
        "spec.object_story_id": "This post is not one of the Page's posts that can be boosted."}


def test_conversion_event_must_be_a_documented_pixel_event():
    data = {"name": "A", "optimization_goal": "OFFSITE_CONVERSIONS",
            "billing_event": "IMPRESSIONS", "daily_budget_minor": 1000,
            "targeting": {"geo_locations": {"countries": ["US"]}},
            "promoted_object": {"pixel_id": "1", "custom_event_type": "BUY_EVERYTHING"}}
    from django.utils import timezone

    from campaigns.validation import AccountFacts

    errors = adset_errors(data=data, campaign={"objective": "OUTCOME_SALES"},
                          account=AccountFacts(), now=timezone.now(), creating=True)
    assert errors.get("promoted_object.custom_event_type") == (
        "Choose a conversion event from the list.")


# --- the builder -------------------------------------------------------------------------------

@pytest.fixture
def draft(scoped, sim_account, manager):
    return campaign_draft_create(ad_account=sim_account, actor=manager.user, name="Pickers",
                                 objective="OUTCOME_SALES")


def test_adset_step_offers_the_accounts_pixels_pages_and_audiences(client, manager, draft, demo):
    login(client, manager)
    body = client.get(reverse("campaigns:builder", args=[draft.pk]) + "?step=adset",
                      **HX).content.decode()
    act = demo["active_ad_account_id"]
    assert 'data-testid="pick-pixel_id"' in body and demo["pixel_ids"][act] in body
    assert 'data-testid="pick-page_id"' in body and demo["page_ids"][0] in body
    assert 'data-testid="audience-choices"' in body
    assert demo["custom_audience_ids"][act][0] in body
    assert '<option value="ADD_TO_CART"' in body


def test_saving_an_unlisted_pixel_shows_the_error_on_its_field(client, manager, draft, demo):
    adset = AdSet.objects.get(campaign=draft)
    login(client, manager)
    response = client.post(reverse("campaigns:adset-save", args=[adset.pk]), {
        "name": "Buyers", "optimization_goal": "OFFSITE_CONVERSIONS",
        "billing_event": "IMPRESSIONS", "budget_type": "daily", "budget": "20",
        "countries": "US", "age_min": "18", "age_max": "65", "placements": "automatic",
        "regions": "[]", "cities": "[]", "interests": "[]", "custom_audiences": "[]",
        "pixel_id": "123456789", "custom_event_type": "PURCHASE",
    }, **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="error-pixel_id"' in body and "not one the ad account can use" in body
    assert "123456789 (not listed by Meta)" in body
    adset.refresh_from_db()
    assert adset.promoted_object["pixel_id"] == "123456789"  # the draft autosaves anyway


def test_creative_step_lists_page_posts_and_instagram_media_to_boost(client, manager, draft,
                                                                     demo):
    creative = AdCreative.objects.get(campaign=draft)
    page = demo["page_ids"][0]
    draft_update(obj=creative, actor=manager.user, source="page",
                 changes={"format": "page_post", "page_id": page})
    login(client, manager)
    body = client.get(reverse("campaigns:builder", args=[draft.pk]) + "?step=creative",
                      **HX).content.decode()
    assert 'data-testid="pick-object_story_id"' in body
    assert demo["page_post_ids"][page][0] in body
    assert 'data-testid="pick-instagram_user_id"' in body
    draft_update(obj=creative, actor=manager.user, source="page",
                 changes={"format": "instagram_post",
                          "instagram_user_id": demo["instagram_account_id"]})
    body = client.get(reverse("campaigns:builder", args=[draft.pk]) + "?step=creative",
                      **HX).content.decode()
    assert demo["instagram_media_ids"][0] in body


def test_graph_down_keeps_the_step_usable_with_a_message(client, manager, draft, graph):
    graph.sim.faults.add("throttle", code=80004, eta_minutes=5)
    login(client, manager)
    response = client.get(reverse("campaigns:builder", args=[draft.pk]) + "?step=adset", **HX)
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="picker-trouble"' in body and "Try again in a minute" in body
    assert 'name="pixel_id"' in body and 'data-testid="pick-pixel_id"' not in body


def test_publish_refuses_an_id_the_listing_does_not_have(scoped, graph, draft, manager, demo):
    from campaigns.selectors import campaign_tree_errors

    adset = AdSet.objects.get(campaign=draft)
    draft_update(obj=adset, actor=manager.user, source="api", changes={
        "promoted_object": {"pixel_id": "42", "custom_event_type": "PURCHASE"}})
    errors = campaign_tree_errors(campaign=Campaign.objects.get(pk=draft.pk), assets="fetch")
    assert errors[f"adset:{adset.pk}"]["promoted_object.pixel_id"]
    # The publish path reads the listing from the cache only: no Graph call of its own.
    graph.sim.calls.clear()
    errors = campaign_tree_errors(campaign=draft)
    assert errors[f"adset:{adset.pk}"]["promoted_object.pixel_id"]
    assert not graph.sim.calls


# --- the API -----------------------------------------------------------------------------------

def test_assets_api_lists_and_refuses_politely(client, analyst, sim_account, demo, graph):
    login(client, analyst)
    url = reverse("api:ad-account-assets", args=[sim_account.pk])
    response = client.get(url, {"kind": "instagram_media",
                                "parent_id": demo["instagram_account_id"]})
    assert response.status_code == 200
    assert {m["id"] for m in response.json()} == set(demo["instagram_media_ids"])
    assert client.get(url, {"kind": "everything"}).status_code == 400
    graph.sim.faults.add("throttle", code=80004, eta_minutes=5)
    down = client.get(url, {"kind": "pixels"})
    assert down.status_code == 503 and "Try again in a minute" in down.json()["message"]


def test_ad_step_tracks_conversions_with_a_listed_pixel(client, manager, draft, demo, graph):
    from campaigns.models import Ad

    ad = Ad.objects.get(adset__campaign=draft)
    pixel = demo["pixel_ids"][demo["active_ad_account_id"]]
    login(client, manager)
    body = client.get(reverse("campaigns:builder", args=[draft.pk]) + "?step=ad",
                      **HX).content.decode()
    assert 'data-testid="pick-tracking_pixel"' in body and pixel in body
    url = reverse("campaigns:ad-save", args=[ad.pk])
    fields = {"name": "Ad", "creative": str(ad.creative_id), "desired_status": "ACTIVE"}
    client.post(url, {**fields, "tracking_pixel": pixel}, **HX)
    ad.refresh_from_db()
    assert ad.tracking_specs == [{"action.type": ["offsite_conversion"], "fb_pixel": [pixel]}]
    body = client.post(url, {**fields, "tracking_pixel": "987654321"}, **HX).content.decode()
    assert 'data-testid="error-tracking_pixel"' in body
    client.post(url, {**fields, "tracking_pixel": ""}, **HX)
    ad.refresh_from_db()
    assert ad.tracking_specs == []


def test_publish_sends_the_ads_tracking_specs(scoped, graph, sim_account, manager, demo,
                                              behind):
    from agency.jobs.runner import job_execute
    from campaigns.models import Ad
    from campaigns.services.publish import campaign_publish

    campaign = campaign_draft_create(ad_account=sim_account, actor=manager.user, name="Tracked")
    draft_update(obj=AdSet.objects.get(campaign=campaign), actor=manager.user, source="api",
                 changes={"daily_budget_minor": 2500,
                          "targeting": {"geo_locations": {"countries": ["US"]}}})
    draft_update(obj=AdCreative.objects.get(campaign=campaign), actor=manager.user,
                 source="api", changes={"page_id": demo["page_ids"][0], "spec": {
                     "message": "Hi", "link": "https://example.com/",
                     "call_to_action": "LEARN_MORE", "image_hash": demo["image_hashes"][0]}})
    pixel = demo["pixel_ids"][demo["active_ad_account_id"]]
    ad = Ad.objects.get(adset__campaign=campaign)
    specs = [{"action.type": ["offsite_conversion"], "fb_pixel": [pixel]}]
    draft_update(obj=ad, actor=manager.user, source="api", changes={"tracking_specs": specs})
    job = campaign_publish(campaign=campaign, actor=manager.user)
    job_execute(job_id=job.pk)
    ad.refresh_from_db()
    assert ad.graph_id and ad.last_sent["tracking_specs"] == specs
    on_graph = behind.http.get(f"/{ad.graph_id}", params={"fields": "tracking_specs"}).json()
    assert on_graph.get("tracking_specs")
