"""Image, video and carousel creatives from the media library: the builder's creative step
(cards added, moved and removed through HTMX), payloads per the docs, previews, and the media
push chained into the publish job, exactly once."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agency.jobs.runner import job_execute
from campaigns.media.models import AccountMedia, AccountMediaState
from campaigns.media.services import media_upload
from campaigns.models import AdCreative, AdSet, Campaign
from campaigns.services.drafts import campaign_draft_create, draft_update
from campaigns.services.payloads import creative_payload
from campaigns.services.publish import campaign_publish
from graph_sim.media.formats import build_mp4, build_png
from tests.conftest import login

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sim_sleeps(graph, monkeypatch):
    monkeypatch.setattr("campaigns.media.services.processing_sleep", graph.sim.clock.advance)


def _upload(client_a, owner, name, content):
    return media_upload(client=client_a, actor=owner.user,
                        file=SimpleUploadedFile(name, content, content_type="application/x"))


@pytest.fixture
def images(scoped, client_a, owner):
    return [_upload(client_a, owner, f"card-{i}.png", build_png(40 + i, 40)) for i in range(3)]


@pytest.fixture
def draft(scoped, sim_account, manager, demo):
    campaign = campaign_draft_create(ad_account=sim_account, actor=manager.user, name="Cards")
    adset = AdSet.objects.get(campaign=campaign)
    draft_update(obj=adset, actor=manager.user, source="api", changes={
        "optimization_goal": "LINK_CLICKS", "daily_budget_minor": 2500,
        "targeting": {"geo_locations": {"countries": ["US"]}, "age_min": 18, "age_max": 65}})
    return campaign


def _creative_post(creative, demo, **extra):
    data = {"name": "Carousel", "format": "carousel", "page_id": demo["page_ids"][0],
            "message": "Three looks", "link": "https://northwind.example/",
            "call_to_action": "SHOP_NOW", "contextual_multi_ads": "OPT_OUT"}
    data.update(extra)
    return data


def test_cards_are_added_moved_and_removed_through_the_creative_step(client, manager, draft,
                                                                     demo, images):
    creative = AdCreative.objects.get(campaign=draft)
    login(client, manager)
    url = reverse("campaigns:creative-save", args=[creative.pk])
    body = client.post(url, _creative_post(creative, demo), **HX).content.decode()
    creative.refresh_from_db()
    assert creative.spec["cards"] == [{}, {}]  # a new carousel starts with two cards
    assert 'data-testid="card-1"' in body and 'data-testid="card-add"' in body

    cards = {"card_count": "2",
             "card-0-asset": str(images[0].pk), "card-0-headline": "First",
             "card-1-asset": str(images[1].pk), "card-1-headline": "Second",
             "card-1-link": "https://northwind.example/2"}
    client.post(url, {**_creative_post(creative, demo), **cards, "card_op": "add"}, **HX)
    creative.refresh_from_db()
    assert len(creative.spec["cards"]) == 3 and creative.spec["cards"][2] == {}
    cards.update({"card_count": "3", "card-2-asset": str(images[2].pk),
                  "card-2-headline": "Third"})
    client.post(url, {**_creative_post(creative, demo), **cards, "card_op": "up:2"}, **HX)
    creative.refresh_from_db()
    assert [c.get("headline") for c in creative.spec["cards"]] == ["First", "Third", "Second"]
    assert creative.spec["cards"][2]["link"] == "https://northwind.example/2"
    cards = {"card_count": "3", **{f"card-{i}-{k}": v for i, c in
                                   enumerate(creative.spec["cards"])
                                   for k, v in {"asset": str(c["media_asset_id"]),
                                                "headline": c["headline"],
                                                "link": c.get("link", "")}.items()}}
    body = client.post(url, {**_creative_post(creative, demo), **cards, "card_op": "remove:0"},
                       **HX).content.decode()
    creative.refresh_from_db()
    assert [c.get("headline") for c in creative.spec["cards"]] == ["Third", "Second"]
    assert 'data-testid="card-2"' not in body
    # Hostile operations change nothing and are not a 500.
    for op in ("remove:99", "up:-1", "down:x", "explode"):
        response = client.post(url, {**_creative_post(creative, demo), "card_count": "2",
                                     "card_op": op}, **HX)
        assert response.status_code == 200


def test_a_card_asset_of_another_client_is_refused(client, manager, draft, demo, agency):
    from tests.factories.agency import ClientFactory
    from tests.factories.media import MediaAssetFactory

    other = MediaAssetFactory(agency=agency, client=ClientFactory(agency=agency))
    creative = AdCreative.objects.get(campaign=draft)
    login(client, manager)
    body = client.post(reverse("campaigns:creative-save", args=[creative.pk]),
                       {**_creative_post(creative, demo), "card_count": "2",
                        "card-0-asset": str(other.pk)}, **HX).content.decode()
    assert "Select a valid choice" in body
    creative.refresh_from_db()
    assert not creative.spec.get("cards")


def _carousel(creative, manager, demo, assets):
    draft_update(obj=creative, actor=manager.user, source="page", changes={
        "format": "carousel", "page_id": demo["page_ids"][0],
        "spec": {"message": "Looks", "link": "https://northwind.example/",
                 "call_to_action": "SHOP_NOW",
                 "cards": [{"media_asset_id": a.pk, "headline": f"Look {i}"}
                           for i, a in enumerate(assets)]}})


def test_publish_sends_library_images_to_the_account_first_exactly_once(
        scoped, graph, draft, manager, demo, images, sim_account):
    creative = AdCreative.objects.get(campaign=draft)
    _carousel(creative, manager, demo, images)
    assert not AccountMedia.objects.filter(ad_account=sim_account).exists()

    job = campaign_publish(campaign=draft, actor=manager.user)
    job_execute(job_id=job.pk)

    copies = AccountMedia.objects.filter(ad_account=sim_account)
    assert copies.count() == 3 and all(c.state == AccountMediaState.READY for c in copies)
    creative.refresh_from_db()
    cards = creative.last_sent["object_story_spec"]["link_data"]["child_attachments"]
    assert [c["image_hash"] for c in cards] == [
        copies.get(asset=a).image_hash for a in images]
    assert Campaign.objects.get(pk=draft.pk).publish_state == "published"
    uploads = [c for c in graph.sim.calls if c.path.endswith("/adimages") and c.method == "POST"]
    assert len(uploads) == 3

    # Publishing again sends nothing more: neither the images nor the creative.
    graph.sim.calls.clear()
    job = campaign_publish(campaign=Campaign.objects.get(pk=draft.pk), actor=manager.user)
    job_execute(job_id=job.pk)
    assert not [c for c in graph.sim.calls if c.method == "POST"
                and c.path.endswith(("/adimages", "/adcreatives"))]


def test_video_ad_and_video_card_from_the_library(scoped, graph, draft, manager, demo, images,
                                                  client_a, owner, sim_account, sim_sleeps):
    video = _upload(client_a, owner, "clip.mp4", build_mp4(padding=2000))
    creative = AdCreative.objects.get(campaign=draft)
    _carousel(creative, manager, demo, [images[0], video])

    job = campaign_publish(campaign=draft, actor=manager.user)
    job_execute(job_id=job.pk)

    copy = AccountMedia.objects.get(asset=video, ad_account=sim_account)
    assert copy.state == AccountMediaState.READY and copy.video_id
    creative.refresh_from_db()
    card = creative.last_sent["object_story_spec"]["link_data"]["child_attachments"][1]
    assert card["video_id"] == copy.video_id and card["picture"] == copy.thumbnail_url
    assert creative.graph_id

    # A single-video creative uses the same copy: video_data with its id and thumbnail.
    single = AdCreative.objects.create(agency=creative.agency, ad_account=sim_account,
                                       campaign=draft, name="Clip", format="video",
                                       page_id=demo["page_ids"][0],
                                       spec={"media_asset_id": video.pk, "message": "Watch",
                                             "link": "https://northwind.example/"})
    video_data = creative_payload(single)["object_story_spec"]["video_data"]
    assert video_data["video_id"] == copy.video_id
    assert video_data["image_url"] == copy.thumbnail_url


def test_preview_puts_library_images_on_the_account_then_shows_metas_preview(
        client, manager, draft, demo, images, sim_account):
    creative = AdCreative.objects.get(campaign=draft)
    _carousel(creative, manager, demo, images[:2])
    login(client, manager)
    response = client.get(reverse("campaigns:creative-preview", args=[creative.pk]),
                          {"format": ["feed"]}, **HX)
    body = response.content.decode()
    assert response.status_code == 200 and "<iframe" in body
    assert AccountMedia.objects.filter(ad_account=sim_account,
                                       state=AccountMediaState.READY).count() == 2


def test_creative_step_shows_the_library_and_whether_each_file_is_on_the_account(
        client, manager, draft, demo, images):
    creative = AdCreative.objects.get(campaign=draft)
    draft_update(obj=creative, actor=manager.user, source="page",
                 changes={"format": "image", "spec": {"media_asset_id": images[0].pk}})
    login(client, manager)
    body = client.get(reverse("campaigns:builder", args=[draft.pk]) + "?step=creative",
                      **HX).content.decode()
    for asset in images:
        assert f'data-testid="pick-image-{asset.pk}"' in body
    assert "sent to the ad account before publishing" in body
    assert reverse("media:file", args=[images[0].pk]) in body
