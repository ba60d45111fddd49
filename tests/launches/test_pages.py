"""The pages: the templates list, the builder's template bar, variants review then generate,
the batch's Publish all, and the CSV import with its errors next to the rows; role checks."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from agency.tenancy import agency_scope
from campaigns.launches.models import LaunchBatch, LaunchTemplate
from campaigns.models import Ad, AdSet, Campaign
from tests.conftest import login
from tests.factories.launches import LaunchBatchFactory, LaunchTemplateFactory

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def test_templates_page_lists_renames_and_deletes(client, manager, agency):
    template = LaunchTemplateFactory(agency=agency, name="US adults")
    login(client, manager)
    page = client.get(reverse("launches:templates"))
    assert page.status_code == 200 and b"US adults" in page.content
    client.post(reverse("launches:template-rename", args=[template.pk]), {"name": "US 18+"})
    assert LaunchTemplate.objects.unscoped().get().name == "US 18+"
    client.post(reverse("launches:template-delete", args=[template.pk]))
    assert not LaunchTemplate.objects.unscoped().exists()


def test_analysts_read_templates_and_client_viewers_see_nothing(client, analyst, client_viewer,
                                                                agency, draft):
    template = LaunchTemplateFactory(agency=agency, name="US adults")
    login(client, analyst)
    page = client.get(reverse("launches:templates"))
    assert b"US adults" in page.content and b"Rename" not in page.content
    assert client.post(reverse("launches:template-delete", args=[template.pk])).status_code == 403
    assert client.get(reverse("launches:variants", args=[draft.pk])).status_code == 403
    login(client, client_viewer)
    assert client.get(reverse("launches:templates")).status_code == 403


def test_builder_saves_an_audience_and_applies_it_to_another_ad_set(client, manager, draft):
    with agency_scope(draft.agency_id):
        source = draft.adsets.get()
        source.targeting = {"geo_locations": {"countries": ["CA"]}, "age_min": 30, "age_max": 50}
        source.save()
        other = AdSet.objects.create(agency_id=draft.agency_id, ad_account=draft.ad_account,
                                     campaign=draft, name="Other", optimization_goal="LINK_CLICKS",
                                     daily_budget_minor=2000,
                                     targeting={"geo_locations": {"countries": ["US"]}})
    login(client, manager)
    builder = client.get(reverse("campaigns:builder", args=[draft.pk]) + "?step=adset")
    assert b'data-testid="save-template-adset"' in builder.content
    saved = client.post(reverse("launches:adset-save-template", args=[source.pk]),
                        {"name": "Canada 30-50", "kind": "audience"}, **HX)
    assert "Saved as “Canada 30-50”" in saved.content.decode()
    template = LaunchTemplate.objects.unscoped().get()
    applied = client.post(reverse("launches:adset-apply-template", args=[other.pk]),
                          {"template": template.pk}, **HX)
    assert applied.status_code == 200 and "applied" in applied.content.decode()
    assert 'value="CA"' in applied.content.decode()
    other.refresh_from_db()
    assert other.targeting["age_min"] == 30
    refused = client.post(reverse("launches:adset-save-template", args=[source.pk]),
                          {"name": "Canada 30-50", "kind": "audience"}, **HX)
    assert "exists already" in refused.content.decode()


def test_variants_review_shows_counts_and_budget_then_generates_and_publishes(client, manager,
                                                                             agency, draft):
    audiences = [LaunchTemplateFactory(agency=agency, name=f"Age {a}", payload={"targeting": {
        "geo_locations": {"countries": ["US"]}, "age_min": a, "age_max": 65}})
        for a in (20, 30, 40)]
    login(client, manager)
    form = {"audience_templates": [t.pk for t in audiences],
            "creatives": [_creative_id(draft)],
            "split_by": "", "campaign_pattern": "{campaign}",
            "adset_pattern": "{campaign} - {audience}", "ad_pattern": "{audience} {creative}"}
    page = client.get(reverse("launches:variants", args=[draft.pk]))
    assert page.status_code == 200 and b"Age 30" in page.content
    review = client.post(reverse("launches:variants", args=[draft.pk]),
                         {**form, "action": "review"})
    body = review.content.decode()
    assert review.status_code == 200, body
    assert "1 campaign, 3 ad sets, 3 ads" in body
    assert "Total budget: 60.00 USD a day" in body
    assert Campaign.objects.unscoped().count() == 1

    generated = client.post(reverse("launches:variants", args=[draft.pk]),
                            {**form, "action": "generate"})
    batch = LaunchBatch.objects.unscoped().get()
    assert generated.status_code == 302 and generated["Location"] == reverse(
        "launches:batch", args=[batch.pk])
    assert Ad.objects.unscoped().count() == 1 + 3
    page = client.get(reverse("launches:batch", args=[batch.pk]))
    assert b"Spring - Age 20" not in page.content and b"Spring" in page.content


def _creative_id(campaign):
    with agency_scope(campaign.agency_id):
        return campaign.creatives.get().pk


def test_a_bad_naming_pattern_is_shown_on_its_field(client, manager, agency, draft):
    login(client, manager)
    page = client.post(reverse("launches:variants", args=[draft.pk]), {
        "campaign_pattern": "{campaign} {creative}", "adset_pattern": "{audience}",
        "ad_pattern": "{creative}", "action": "review"})
    assert page.status_code == 400
    assert "{creative} is not known for a campaign name" in page.content.decode()
    assert Campaign.objects.unscoped().count() == 1


def test_csv_page_shows_errors_next_to_their_rows_and_creates_nothing(client, manager, draft):
    login(client, manager)
    account = draft.ad_account
    page = client.get(reverse("launches:csv-import", args=[account.pk]))
    assert page.status_code == 200 and b"campaign_daily_budget" in page.content
    upload = SimpleUploadedFile("ads.csv", (
        b"campaign_name,adset_name,ad_name,daily_budget,countries,page_id,link,image_hash\n"
        b"C,S,A,20,US,1,https://x.example/,h\n"
        b"C,S,B,20,US,1,=HYPERLINK(\"x\"),h\n"))
    answer = client.post(reverse("launches:csv-import", args=[account.pk]), {"file": upload})
    body = answer.content.decode()
    assert answer.status_code == 400
    assert 'data-row="3"' in body and "link: Enter a valid URL" in body
    assert Campaign.objects.unscoped().count() == 1


def test_csv_template_download_has_a_header_and_an_example_row(client, analyst):
    login(client, analyst)
    answer = client.get(reverse("launches:csv-template"))
    lines = answer.content.decode().splitlines()
    assert answer["Content-Disposition"].startswith("attachment")
    assert lines[0].startswith("campaign_name,objective,") and "Spring sale" in lines[1]


def test_publish_all_of_an_empty_batch_says_why(client, manager, draft):
    batch = LaunchBatchFactory(ad_account=draft.ad_account)
    login(client, manager)
    answer = client.post(reverse("launches:batch-publish", args=[batch.pk]), follow=True)
    assert "Every campaign of this batch is published" in answer.content.decode()


def test_campaign_and_creative_templates_from_the_builder_and_the_account_page(client, manager,
                                                                              draft):
    login(client, manager)
    saved = client.post(reverse("launches:campaign-save-template", args=[draft.pk]),
                        {"name": "Whole", "kind": "campaign"}, **HX)
    assert "Saved as “Whole”" in saved.content.decode()
    creative_id = _creative_id(draft)
    client.post(reverse("launches:creative-save-template", args=[creative_id]),
                {"name": "Looks", "kind": "creatives"}, **HX)
    whole, looks = (LaunchTemplate.objects.unscoped().get(name=n) for n in ("Whole", "Looks"))

    account_page = client.get(reverse("campaigns:account", args=[draft.ad_account_id]))
    assert b"New from template" in account_page.content
    created = client.post(reverse("launches:campaign-from-template",
                                  args=[draft.ad_account_id]),
                          {"template": whole.pk, "name": "Copy"})
    copy_ = Campaign.objects.unscoped().get(name="Copy")
    assert created["Location"] == reverse("campaigns:builder", args=[copy_.pk])
    assert Ad.objects.unscoped().filter(adset__campaign=copy_).count() == 1

    with agency_scope(draft.agency_id):
        target = copy_.creatives.get()
        target.spec = {}
        target.save()
    applied = client.post(reverse("launches:creative-apply-template", args=[target.pk]),
                          {"template": looks.pk, "index": 0}, **HX)
    assert "applied" in applied.content.decode()
    target.refresh_from_db()
    assert target.spec["link"] == "https://example.com/"
    wrong = client.post(reverse("launches:creative-apply-template", args=[target.pk]),
                        {"template": whole.pk}, **HX)
    assert "Choose a template." in wrong.content.decode()

    applied = client.post(reverse("launches:campaign-apply-template", args=[copy_.pk]),
                          {"template": whole.pk}, **HX)
    assert applied.status_code == 200 and "applied" in applied.content.decode()


def test_publish_all_starts_one_bulk_publish_job(client, manager, agency, draft):
    from agency.jobs.models import Job
    from campaigns.launches.services.variants import VariantInput, variants_generate

    with agency_scope(agency):
        batch = variants_generate(base=draft, choice=VariantInput(), actor=manager.user)
    login(client, manager)
    answer = client.post(reverse("launches:batch-publish", args=[batch.pk]), follow=True)
    assert "Publishing every campaign of the batch." in answer.content.decode()
    batch.refresh_from_db()
    job = Job.objects.unscoped().get(pk=batch.job_id)
    assert job.kind == "campaigns.bulk_publish"
    with agency_scope(agency):
        assert job.params["campaign_ids"] == list(batch.campaigns.values_list("pk", flat=True))


def test_refused_import_errors_download_as_formula_safe_csv(client, manager, draft):
    login(client, manager)
    account = draft.ad_account
    upload = SimpleUploadedFile("ads.csv", b"campaign_name,adset_name,ad_name,=HYPERLINK(1)\n"
                                           b"C,S,A,x\n")
    client.post(reverse("launches:csv-import", args=[account.pk]), {"file": upload})
    answer = client.get(reverse("launches:csv-errors", args=[account.pk]))
    lines = answer.content.decode().splitlines()
    assert lines[0] == "row,column,message"
    assert lines[1] == "1,'=hyperlink(1),Unknown column: see the template."  # headers lowercased
