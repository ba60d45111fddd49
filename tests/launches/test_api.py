"""Templates, variants, CSV import and batches through the REST API: the pages' operations,
with the one error shape and the role checks."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agency.jobs.runner import job_execute
from agency.tenancy import agency_scope
from campaigns.launches.models import LaunchTemplate
from campaigns.models import Ad, Campaign
from campaigns.services.drafts import campaign_draft_create, draft_update
from tests.conftest import login

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _valid_draft(account, actor, demo, name="Base"):
    with agency_scope(account.agency_id):
        campaign = campaign_draft_create(ad_account=account, actor=actor, name=name)
        draft_update(obj=campaign.creatives.get(), actor=actor, changes={
            "name": "Boots", "page_id": demo["page_ids"][0],
            "spec": {"message": "Warm boots", "link": "https://shop.example.com/",
                     "call_to_action": "SHOP_NOW", "image_hash": demo["image_hashes"][0]}})
        campaign.creative_id = campaign.creatives.get().pk
        campaign.adset_budget = campaign.adsets.get().daily_budget_minor
    return campaign


def test_templates_then_variants_then_publish_all_through_the_api(client, manager, sim_account,
                                                                 demo, graph):
    base = _valid_draft(sim_account, manager.user, demo)
    login(client, manager)
    audience_ids = []
    for age in (25, 35):
        created = client.post(reverse("api:template-list"), {
            "kind": "audience", "name": f"US {age}+",
            "payload": {"targeting": {"geo_locations": {"countries": ["US"]}, "age_min": age,
                                      "age_max": 65}}}, content_type=JSON)
        assert created.status_code == 201, created.json()
        audience_ids.append(created.json()["id"])
    creative = client.post(reverse("api:template-list"), {
        "kind": "creatives", "name": "Boots", "creative_id": base.creative_id},
        content_type=JSON)
    assert creative.status_code == 201, creative.json()

    body = {"audiences": [{"template_id": pk} for pk in audience_ids],
            "creatives": [{"template_id": creative.json()["id"]},
                          {"creative_id": base.creative_id}],
            "ad_pattern": "{campaign} - {audience} - {creative} {n}"}
    preview = client.post(reverse("api:variant-preview", args=[base.pk]), body,
                          content_type=JSON)
    assert preview.status_code == 200, preview.json()
    plan = preview.json()
    assert plan["counts"] == {"campaigns": 1, "adsets": 2, "ads": 4}
    assert plan["errors"] == {} and plan["currency"] == sim_account.currency
    assert plan["daily_total_minor"] == 2 * base.adset_budget
    assert Campaign.objects.unscoped().count() == 1

    generated = client.post(reverse("api:variant-generate", args=[base.pk]), body,
                            content_type=JSON)
    assert generated.status_code == 201, generated.json()
    batch = generated.json()
    assert batch["counts"] == plan["counts"] and len(batch["campaigns"]) == 1

    published = client.post(reverse("api:batch-publish", args=[batch["id"]]), {},
                            content_type=JSON)
    assert published.status_code == 202, published.json()
    job_execute(job_id=published.json()["id"])
    campaign_id = batch["campaigns"][0]["id"]
    detail = client.get(reverse("api:campaign-detail", args=[campaign_id])).json()
    assert detail["publish_state"] == "published"
    assert len(detail["ads"]) == 4 and all(ad["graph_id"] for ad in detail["ads"])
    again = client.post(reverse("api:batch-publish", args=[batch["id"]]), {}, content_type=JSON)
    assert again.status_code == 409 and again.json()["code"] == "batch_published"


def test_template_errors_rename_apply_and_delete(client, manager, sim_account, demo):
    base = _valid_draft(sim_account, manager.user, demo)
    login(client, manager)
    bad = client.post(reverse("api:template-list"), {
        "kind": "audience", "name": "Kids", "payload": {"targeting": {
            "geo_locations": {"countries": ["US"]}, "age_min": 13}}}, content_type=JSON)
    assert bad.status_code == 400
    assert bad.json()["extra"]["errors"] == {"targeting.age_min": "Ages are 18 to 65."}

    saved = client.post(reverse("api:template-list"), {
        "kind": "campaign", "name": "Whole", "campaign_id": base.pk}, content_type=JSON)
    assert saved.status_code == 201, saved.json()
    template_id = saved.json()["id"]
    renamed = client.patch(reverse("api:template-detail", args=[template_id]),
                           {"name": "Whole tree"}, content_type=JSON)
    assert renamed.json()["name"] == "Whole tree"
    applied = client.post(reverse("api:template-apply", args=[template_id]),
                          {"ad_account_id": sim_account.pk, "name": "From template"},
                          content_type=JSON)
    assert applied.status_code == 201, applied.json()
    assert applied.json()["campaign"]["name"] == "From template"
    assert len(applied.json()["campaign"]["ads"]) == 1
    listed = client.get(reverse("api:template-list") + "?kind=campaign").json()
    assert [t["name"] for t in listed] == ["Whole tree"]
    assert client.delete(reverse("api:template-detail", args=[template_id])).status_code == 204
    assert not LaunchTemplate.objects.unscoped().exists()


def test_csv_import_through_the_api_reports_row_errors_and_creates_nothing(client, manager,
                                                                          sim_account):
    login(client, manager)
    header = "campaign_name,adset_name,ad_name,daily_budget,countries,page_id,link,image_hash\n"
    bad = SimpleUploadedFile("ads.csv", (header + "C,S,A,20,US,1,https://x.example/,h\n"
                                         "C,S,B,20,US,1,ftp://nope,h\n").encode())
    answer = client.post(reverse("api:csv-import", args=[sim_account.pk]), {"file": bad})
    assert answer.status_code == 400
    assert answer.json()["extra"]["rows"] == [
        {"row": 3, "column": "link",
         "message": "Enter a valid URL starting with https:// or http://."}]
    assert not Campaign.objects.unscoped().exists()
    rows = (header + "C,S,A,20,US,1,https://x.example/,h\n"
            "C,S,B,20,US,1,https://y.example/,h\n").encode()
    checked = client.post(reverse("api:csv-import", args=[sim_account.pk]),
                          {"file": SimpleUploadedFile("ads.csv", rows), "dry_run": "true"})
    assert checked.status_code == 200
    assert checked.json() == {"counts": {"campaigns": 1, "adsets": 1, "ads": 2}}
    assert not Campaign.objects.unscoped().exists()
    good = SimpleUploadedFile("ads.csv", rows)
    answer = client.post(reverse("api:csv-import", args=[sim_account.pk]), {"file": good})
    assert answer.status_code == 201, answer.json()
    assert answer.json()["counts"] == {"campaigns": 1, "adsets": 1, "ads": 2}
    assert Ad.objects.unscoped().count() == 2


def test_analysts_read_templates_but_cannot_write(client, analyst, manager, sim_account, demo):
    base = _valid_draft(sim_account, manager.user, demo)
    login(client, analyst)
    assert client.get(reverse("api:template-list")).status_code == 200
    assert client.post(reverse("api:template-list"), {
        "kind": "campaign", "name": "x", "campaign_id": base.pk},
        content_type=JSON).status_code == 403
    assert client.post(reverse("api:variant-preview", args=[base.pk]), {},
                       content_type=JSON).status_code == 403
    assert client.post(reverse("api:csv-import", args=[sim_account.pk]),
                       {}).status_code == 403


def test_client_viewers_get_nothing(client, client_viewer):
    login(client, client_viewer)
    assert client.get(reverse("api:template-list")).status_code == 403
