"""The builder pages: roles, autosave through HTMX partials, errors on their fields, publish."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agency.jobs.runner import job_execute
from campaigns.models import AdCreative, AdSet, Campaign, ObjectVersion
from campaigns.services.drafts import campaign_draft_create
from tests.conftest import login

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def draft(scoped, sim_account, manager):
    return campaign_draft_create(ad_account=sim_account, actor=manager.user, name="Autumn")


def test_manager_starts_a_campaign_and_lands_in_the_builder(client, manager, sim_account):
    login(client, manager)
    response = client.post(reverse("campaigns:campaign-new", args=[sim_account.pk]),
                           {"name": "Spring push", "objective": "OUTCOME_TRAFFIC"})
    campaign = Campaign.objects.unscoped().get(name="Spring push")
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns:builder", args=[campaign.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"Spring push" in page.content
    for step in ("adset", "creative", "ad", "review"):
        partial = client.get(reverse("campaigns:builder", args=[campaign.pk]) + f"?step={step}",
                             **HX)
        assert partial.status_code == 200
        assert b"<html" not in partial.content  # a partial: no page reload between steps


def test_autosave_keeps_the_draft_and_shows_rule_errors_on_the_field(client, manager, draft):
    login(client, manager)
    adset = AdSet.objects.unscoped().get(campaign=draft)
    response = client.post(reverse("campaigns:adset-save", args=[adset.pk]), {
        "name": "Teens", "optimization_goal": "LINK_CLICKS", "billing_event": "IMPRESSIONS",
        "budget_type": "daily", "budget": "0.50", "countries": "US, FR", "age_min": "18",
        "age_max": "65", "placements": "automatic", "regions": "[]", "cities": "[]",
        "interests": "[]", "custom_audiences": "[]",
    }, **HX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="error-budget"' in body and "at least 1.00 USD" in body
    assert 'data-testid="error-dsa_beneficiary"' in body  # France is in the EU
    adset.refresh_from_db()
    assert adset.name == "Teens" and adset.daily_budget_minor == 50
    assert ObjectVersion.objects.unscoped().filter(object_kind="adset", object_id=adset.pk,
                                                   actor=manager.user).exists()


def test_hostile_input_gets_a_form_error_not_a_500(client, manager, draft):
    login(client, manager)
    creative = AdCreative.objects.unscoped().get(campaign=draft)
    response = client.post(reverse("campaigns:creative-save", args=[creative.pk]), {
        "name": "x" * 5000, "format": "image", "message": "y" * 10000, "cards": "{{{",
        "call_to_action": "LEARN_MORE", "contextual_multi_ads": "OPT_OUT",
    }, **HX)
    assert response.status_code == 200
    creative.refresh_from_db()
    assert creative.name != "x" * 5000  # nothing half-written


def test_analyst_reads_the_builder_but_cannot_change_it(client, analyst, draft):
    login(client, analyst)
    assert client.get(reverse("campaigns:builder", args=[draft.pk])).status_code == 200
    response = client.post(reverse("campaigns:campaign-save", args=[draft.pk]),
                           {"name": "Hijack", "objective": "OUTCOME_SALES",
                            "budget_mode": "adset"})
    assert response.status_code == 403
    assert client.post(reverse("campaigns:campaign-publish", args=[draft.pk])).status_code == 403


def test_client_viewer_sees_none_of_it(client, client_viewer, draft):
    login(client, client_viewer)
    assert client.get(reverse("campaigns:index")).status_code == 403
    assert client.get(reverse("campaigns:builder", args=[draft.pk])).status_code == 403


def test_publish_from_the_review_step_then_follow_the_status(client, manager, draft, demo,
                                                             graph):
    login(client, manager)
    creative = AdCreative.objects.unscoped().get(campaign=draft)
    client.post(reverse("campaigns:creative-save", args=[creative.pk]), {
        "name": "Autumn creative", "format": "image", "page_id": demo["page_ids"][0],
        "message": "Leaves are falling", "headline": "Autumn", "link": "https://example.com/",
        "call_to_action": "SHOP_NOW", "image_hash": demo["image_hashes"][0],
        "contextual_multi_ads": "OPT_OUT", "cards": "[]",
    }, **HX)
    check = client.post(reverse("campaigns:campaign-check", args=[draft.pk]), **HX)
    assert b'data-testid="check-ok"' in check.content
    response = client.post(reverse("campaigns:campaign-publish", args=[draft.pk]), **HX)
    assert response.status_code == 200 and b'data-testid="publish-status"' in response.content
    from agency.jobs.models import Job

    job = Job.objects.unscoped().get(kind="campaigns.publish")
    job_execute(job_id=job.pk)
    graph.sim.clock.advance(3600)
    status = client.get(reverse("campaigns:campaign-status", args=[draft.pk]) + "?refresh=1",
                        **HX)
    assert b"ACTIVE" in status.content
