"""The builder's REST API: the same operations as the pages, with the one error shape."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agency.jobs.runner import job_execute
from tests.conftest import login

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_build_check_publish_and_follow_a_campaign_through_the_api(client, manager,
                                                                   sim_account, demo, graph):
    login(client, manager)
    created = client.post(reverse("api:campaign-list"), {
        "ad_account_id": sim_account.pk, "name": "API launch", "objective": "OUTCOME_TRAFFIC",
    }, content_type=JSON)
    assert created.status_code == 201, created.json()
    body = created.json()
    creative_id = body["creatives"][0]["id"]
    patched = client.patch(reverse("api:creative-detail", args=[creative_id]), {
        "page_id": demo["page_ids"][0],
        "spec": {"message": "Hello", "headline": "Launch", "link": "https://example.com/",
                 "call_to_action": "LEARN_MORE", "image_hash": demo["image_hashes"][0]},
    }, content_type=JSON)
    assert patched.status_code == 200, patched.json()

    check = client.post(reverse("api:campaign-check", args=[body["id"]]))
    assert check.status_code == 200 and check.json()["ok"], check.json()

    published = client.post(reverse("api:campaign-publish", args=[body["id"]]), {},
                            content_type=JSON)
    assert published.status_code == 202
    job_execute(job_id=published.json()["id"])
    detail = client.get(reverse("api:campaign-detail", args=[body["id"]])).json()
    assert detail["publish_state"] == "published" and detail["graph_id"]
    assert all(ad["graph_id"] for ad in detail["ads"])

    paused = client.post(reverse("api:ad-action", args=[detail["ads"][0]["id"]]),
                         {"action": "pause"}, content_type=JSON)
    assert paused.status_code == 200 and paused.json()["status"] == "PAUSED"


def test_rule_errors_are_listed_per_object_and_publish_is_refused(client, manager,
                                                                  sim_account):
    login(client, manager)
    body = client.post(reverse("api:campaign-list"), {
        "ad_account_id": sim_account.pk, "name": "Broken", "objective": "OUTCOME_SALES",
    }, content_type=JSON).json()
    adset_id = body["adsets"][0]["id"]
    assert f"adset:{adset_id}" in body["errors"]  # the pixel is missing for sales
    refused = client.post(reverse("api:campaign-publish", args=[body["id"]]), {},
                          content_type=JSON)
    assert refused.status_code == 400
    error = refused.json()
    assert error["code"] == "campaign_invalid"
    assert "promoted_object.pixel_id" in error["extra"]["errors"][f"adset:{adset_id}"]


def test_hostile_input_gets_the_one_error_shape(client, manager, sim_account):
    login(client, manager)
    response = client.post(reverse("api:campaign-list"), {
        "ad_account_id": sim_account.pk, "name": "x" * 10000,
    }, content_type=JSON)
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    body = client.post(reverse("api:campaign-list"), {"ad_account_id": sim_account.pk,
                                                      "name": "Ok"}, content_type=JSON).json()
    deep = {"a": {"b": ["c" * 30000]}}
    response = client.patch(reverse("api:adset-detail", args=[body["adsets"][0]["id"]]),
                            {"targeting": deep}, content_type=JSON)
    assert response.status_code == 400 and "targeting" in response.json()["extra"]["fields"]


def test_analyst_reads_but_cannot_build_through_the_api(client, analyst, manager, sim_account):
    from agency.tenancy import agency_scope
    from campaigns.services.drafts import campaign_draft_create

    with agency_scope(sim_account.agency_id):
        campaign = campaign_draft_create(ad_account=sim_account, actor=manager.user, name="R")
    login(client, analyst)
    assert client.get(reverse("api:campaign-detail", args=[campaign.pk])).status_code == 200
    assert client.patch(reverse("api:campaign-detail", args=[campaign.pk]), {"name": "W"},
                        content_type=JSON).status_code == 403
    assert client.post(reverse("api:campaign-list"), {"ad_account_id": sim_account.pk,
                                                      "name": "W"},
                       content_type=JSON).status_code == 403
