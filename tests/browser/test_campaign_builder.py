"""Browser: a manager builds a campaign with an image ad from scratch, checks it with Meta,
previews it, publishes it and sees it go active (the simulator's clock moved forward)."""

from __future__ import annotations

from pathlib import Path

import pytest

from agency.demo import DEMO_PASSWORD, demo_seed
from agency.jobs.models import Job
from agency.jobs.runner import job_execute
from agency.models import Agency, Client
from campaigns.models import Ad, Campaign
from tests.browser.conftest import screenshot
from tests.factories.accounts import MetaConnectionFactory
from tests.factories.campaigns import AdAccountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DOCS = Path(__file__).resolve().parents[2] / "docs"


def _saved(page):
    page.keyboard.press("Tab")
    page.get_by_test_id("autosave").filter(has_text="Saved").wait_for(timeout=30_000)


def test_manager_builds_checks_previews_publishes_and_sees_the_ad_go_active(
    live_server, graph, page
):
    demo_seed()
    agency = Agency.objects.get(slug="demo-agency")
    demo = graph.sim.world.demo
    act = demo["active_ad_account_id"]
    connection = MetaConnectionFactory(agency=agency, token=graph.sim.mint_token().value)
    account = AdAccountFactory(
        agency=agency, connection=connection, account_id=act.removeprefix("act_"),
        name="Northwind US", client=Client.objects.unscoped().get(name="Northwind Outfitters"))

    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill("manager@adwright.local")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/clients/")

    # Start from the campaigns page.
    page.get_by_role("link", name="Campaigns").click()
    row = page.locator("form.new-campaign").first
    row.locator("input[name=name]").fill("Autumn boots")
    row.locator("select[name=objective]").select_option("OUTCOME_TRAFFIC")
    page.get_by_test_id(f"new-campaign-{account.account_id}").click()
    page.wait_for_url(f"{base}/campaigns/*/")
    assert page.get_by_test_id("campaign-title").inner_text() == "Autumn boots"

    # Campaign step: a campaign-level daily budget would work too; keep ad set budgets.
    form = page.get_by_test_id("form-campaign")
    form.locator("input[name=name]").fill("Autumn boots - US")
    _saved(page)

    # Ad set step (no page reload: the step is swapped in).
    page.get_by_test_id("step-adset").click()
    form = page.get_by_test_id("form-adset")
    form.locator("input[name=countries]").fill("US, CA")
    form.locator("input[name=budget]").fill("25")
    form.locator("input[name=age_min]").fill("21")
    _saved(page)
    assert not page.get_by_test_id("error-budget").count()

    # Creative step: an image ad with texts and a call to action.
    page.get_by_test_id("step-creative").click()
    form = page.get_by_test_id("form-creative")
    form.locator("select[name=page_id]").select_option(demo["page_ids"][0])  # listed by Graph
    form.locator("textarea[name=message]").fill("Boots for every puddle. Free returns.")
    form.locator("input[name=headline]").fill("Autumn boots are here")
    form.locator("input[name=link]").fill("https://northwind.example/boots")
    form.locator("select[name=call_to_action]").select_option("SHOP_NOW")
    form = page.get_by_test_id("form-creative")
    form.locator("input[name=image_hash]").fill(demo["image_hashes"][0])
    _saved(page)
    assert page.locator(".counter").first.inner_text().startswith("37 / 4096")

    # Review: check with Meta, preview, publish.
    page.get_by_test_id("step-review").click()
    page.get_by_test_id("check-with-meta").click()
    page.get_by_test_id("check-ok").wait_for()
    page.get_by_test_id("preview").click()
    page.get_by_test_id("previews").locator("iframe").first.wait_for()
    assert page.get_by_test_id("previews").locator("iframe").count() == 2
    screenshot(page, "builder-review")
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=str(DOCS / "screenshot-builder.png"), full_page=True)

    page.get_by_test_id("approval-panel").wait_for()  # loads after the step: the layout settles
    # (a full-page screenshot resizes the viewport for a moment: bring the button back in view)
    page.get_by_test_id("publish").scroll_into_view_if_needed()
    page.get_by_test_id("publish").click()
    page.get_by_test_id("publish-status").wait_for()
    job = Job.objects.unscoped().get(kind="campaigns.publish")
    job_execute(job_id=job.pk)  # what the publish queue's worker does
    graph.sim.clock.advance(3600)  # past Meta's processing and review
    page.get_by_test_id("ad-effective-status").filter(has_text="ACTIVE").wait_for()
    screenshot(page, "builder-published")

    campaign = Campaign.objects.unscoped().get(name="Autumn boots - US")
    assert campaign.publish_state == "published"
    ad = Ad.objects.unscoped().get(adset__campaign=campaign)
    assert ad.graph_id and ad.effective_status == "ACTIVE"
