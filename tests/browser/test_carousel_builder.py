"""Browser: a manager builds a carousel ad from the client's media library (cards added and
reordered), checks it with Meta, previews it and publishes it; the library's images go to the
ad account on the way and the ad goes active."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from agency.demo import DEMO_PASSWORD, demo_seed
from agency.jobs.models import Job
from agency.jobs.runner import job_execute
from agency.models import Agency, Client
from agency.tenancy import agency_scope
from campaigns.media.models import AccountMedia
from campaigns.media.services import media_upload
from campaigns.models import Ad, AdCreative, AdSet, Campaign
from graph_sim.media.formats import build_png
from tests.browser.conftest import screenshot
from tests.factories.accounts import MetaConnectionFactory
from tests.factories.campaigns import AdAccountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _settle(page):
    """Autosave fires 300 ms after a change and swaps the step in: wait for it to land."""
    page.wait_for_timeout(450)
    page.wait_for_load_state("networkidle")


def test_manager_builds_a_carousel_from_the_library_previews_and_publishes(
    live_server, graph, page, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    demo_seed()
    agency = Agency.objects.get(slug="demo-agency")
    demo = graph.sim.world.demo
    northwind = Client.objects.unscoped().get(name="Northwind Outfitters")
    connection = MetaConnectionFactory(agency=agency, token=graph.sim.mint_token().value)
    account = AdAccountFactory(
        agency=agency, connection=connection, name="Northwind US", client=northwind,
        account_id=demo["active_ad_account_id"].removeprefix("act_"))
    with agency_scope(agency):
        looks = [media_upload(client=northwind, name=f"Look {n}",
                              file=SimpleUploadedFile(f"look-{n}.png", build_png(60 + n, 60)))
                 for n in (1, 2, 3)]
    assert not AccountMedia.objects.unscoped().filter(ad_account=account).exists()

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("manager@adwright.local")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/clients/")

    page.get_by_role("link", name="Campaigns").click()
    row = page.locator("form.new-campaign").first
    row.locator("input[name=name]").fill("Spring looks")
    page.get_by_test_id(f"new-campaign-{account.account_id}").click()
    page.wait_for_url(f"{base}/campaigns/*/")

    page.get_by_test_id("step-adset").click()
    form = page.get_by_test_id("form-adset")
    form.locator("input[name=countries]").fill("US")
    form.locator("input[name=budget]").fill("30")
    page.keyboard.press("Tab")
    _settle(page)

    # Creative: a carousel; the Page is chosen from what Graph lists for the account.
    page.get_by_test_id("step-creative").click()
    page.get_by_test_id("form-creative").locator("select[name=format]").select_option("carousel")
    page.get_by_test_id("card-1").wait_for()
    form = page.get_by_test_id("form-creative")
    form.locator("select[name=page_id]").select_option(demo["page_ids"][0])
    form.locator("textarea[name=message]").fill("Three looks for spring.")
    form.locator("input[name=link]").fill("https://northwind.example/spring")
    form.locator("select[name=call_to_action]").select_option("SHOP_NOW")
    for i, look in enumerate(looks[:2]):
        form.locator(f"select[name='card-{i}-asset']").select_option(str(look.pk))
        form.locator(f"input[name='card-{i}-headline']").fill(look.name)
    page.keyboard.press("Tab")
    _settle(page)

    # A third card, then moved to the front.
    page.get_by_test_id("card-add").click()
    page.get_by_test_id("card-2").wait_for()
    form = page.get_by_test_id("form-creative")
    form.locator("select[name='card-2-asset']").select_option(str(looks[2].pk))
    form.locator("input[name='card-2-headline']").fill(looks[2].name)
    page.keyboard.press("Tab")
    _settle(page)
    page.get_by_test_id("card-up-2").click()
    _settle(page)
    page.get_by_test_id("card-up-1").click()
    _settle(page)
    form = page.get_by_test_id("form-creative")
    assert form.locator("input[name='card-0-headline']").input_value() == "Look 3"
    screenshot(page, "builder-carousel")
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "screenshot-carousel.png"), full_page=True)

    creative = AdCreative.objects.unscoped().get(campaign__name="Spring looks")
    assert [c["headline"] for c in creative.spec["cards"]] == ["Look 3", "Look 1", "Look 2"]

    # Review: Check with Meta, previews (the library images reach the account), publish.
    page.get_by_test_id("step-review").click()
    page.get_by_test_id("check-with-meta").click()
    page.get_by_test_id("check-ok").wait_for()
    page.get_by_test_id("preview").click()
    page.get_by_test_id("previews").locator("iframe").first.wait_for()
    assert AccountMedia.objects.unscoped().filter(ad_account=account, state="ready").count() == 3

    page.get_by_test_id("approval-panel").wait_for()  # loads after the step: the layout settles
    # Publish sits below the fold under the preview frames: Playwright's own scroll-then-click
    # lands before the frames settle (seen in CI), so bring it into view first.
    page.get_by_test_id("publish").scroll_into_view_if_needed()
    page.get_by_test_id("publish").click()
    page.get_by_test_id("publish-status").wait_for()
    job = Job.objects.unscoped().get(kind="campaigns.publish")
    job_execute(job_id=job.pk)
    graph.sim.clock.advance(3600)
    page.get_by_test_id("ad-effective-status").filter(has_text="ACTIVE").wait_for()
    screenshot(page, "builder-carousel-published")

    campaign = Campaign.objects.unscoped().get(name="Spring looks")
    assert campaign.publish_state == "published"
    creative.refresh_from_db()
    cards = creative.last_sent["object_story_spec"]["link_data"]["child_attachments"]
    assert [c["name"] for c in cards] == ["Look 3", "Look 1", "Look 2"]
    assert all(c["image_hash"] for c in cards)
    ad = Ad.objects.unscoped().get(adset__campaign=campaign)
    assert ad.graph_id and ad.effective_status == "ACTIVE"

    # The live tree: the ad set's budget edited on Meta, shown in the account currency.
    page.goto(f"{base}/campaigns/accounts/{account.pk}/")
    adset = AdSet.objects.unscoped().get(campaign=campaign)
    assert "30.00 USD /day" in page.get_by_test_id(f"budget-adset-{adset.pk}").inner_text()
    page.get_by_test_id(f"edit-adset-{adset.pk}").click()
    page.get_by_test_id("form-live-edit").locator("input[name=budget]").fill("45")
    screenshot(page, "live-edit-adset")
    page.get_by_test_id("live-edit-save").click()
    page.get_by_test_id(f"budget-adset-{adset.pk}").filter(has_text="45.00 USD /day").wait_for()
    screenshot(page, "live-tree-after-edit")
    assert AdSet.objects.unscoped().get(pk=adset.pk).daily_budget_minor == 4500
