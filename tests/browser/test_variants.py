"""Browser: a manager saves an ad set's audience as a template from the builder, applies it to
another ad set, then multiplies the draft into variants (review first, then generate) and lands
on the batch ready to publish."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient

from agency.tenancy import agency_scope
from campaigns.launches.models import LaunchBatch, LaunchTemplate
from campaigns.models import Ad, AdSet
from tests.factories.campaigns import AdFactory, AdSetFactory
from tests.factories.launches import LaunchTemplateFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(page, live_server, user):
    client = DjangoClient()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


def test_save_apply_then_review_and_generate_variants(live_server, page, agency, manager,
                                                      client_a):
    ad = AdFactory(adset__campaign__ad_account__agency=agency,
                   adset__campaign__ad_account__client=client_a, adset__campaign__name="Spring",
                   adset__targeting={"geo_locations": {"countries": ["CA"]}, "age_min": 30,
                                     "age_max": 50})
    campaign = ad.adset.campaign
    other = AdSetFactory(campaign=campaign, name="Second")
    LaunchTemplateFactory(agency=agency, name="Seniors", payload={"targeting": {
        "geo_locations": {"countries": ["US"]}, "age_min": 60, "age_max": 65}})
    _signed_in(page, live_server, manager.user)

    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/?step=adset&obj={ad.adset_id}")
    bar = page.get_by_test_id("template-bar-adset")
    bar.locator("summary").click()
    save = page.get_by_test_id("save-template-adset")
    save.get_by_label("Template name").fill("Canada 30-50")
    save.get_by_role("button", name="Save as template").click()
    page.get_by_test_id("template-note").filter(has_text="Saved as").wait_for()

    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/?step=adset&obj={other.pk}")
    page.get_by_test_id("template-bar-adset").locator("summary").click()
    apply = page.get_by_test_id("apply-template-adset")
    apply.get_by_label("Template to apply").select_option(label="Saved audience: Canada 30-50")
    apply.get_by_role("button", name="Apply").click()
    page.get_by_test_id("template-note").filter(has_text="applied").wait_for()
    with agency_scope(agency):
        assert AdSet.objects.get(pk=other.pk).targeting["age_min"] == 30
        assert LaunchTemplate.objects.count() == 2

    page.goto(f"{live_server.url}/launches/campaigns/{campaign.pk}/variants/")
    form = page.get_by_test_id("variant-form")
    form.get_by_label("Seniors").check()
    form.get_by_label("Canada 30-50").check()
    page.get_by_test_id("variant-review").click()
    counts = page.get_by_test_id("plan-counts")
    counts.wait_for()
    assert counts.inner_text() == "1 campaign, 2 ad sets, 2 ads"
    with agency_scope(agency):
        assert Ad.objects.count() == 1  # the review created nothing
    page.get_by_test_id("variant-generate").click()
    page.wait_for_url("**/launches/batches/*/")
    assert "2 ad sets" in page.get_by_test_id("batch-counts").inner_text()
    page.get_by_test_id("publish-all").wait_for()
    with agency_scope(agency):
        assert LaunchBatch.objects.get().counts == {"campaigns": 1, "adsets": 2, "ads": 2}
