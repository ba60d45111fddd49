"""Browser: a manager sends a draft for the client's approval (publishing is refused before),
the client viewer reviews Meta's previews and the settings in its portal and approves, and the
manager, told on the home page, publishes."""

from __future__ import annotations

import pytest

from agency.demo import DEMO_PASSWORD, demo_seed
from agency.jobs.models import Job
from agency.jobs.runner import job_execute
from agency.models import Agency, Client, Membership
from agency.tenancy import agency_scope
from campaigns.approvals.models import ApprovalRequest
from campaigns.approvals.services import client_approval_policy_set
from campaigns.models import Campaign
from tests.approvals.conftest import ready_draft
from tests.browser.conftest import screenshot
from tests.factories.accounts import MetaConnectionFactory
from tests.factories.campaigns import AdAccountFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, base, email):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def _sign_out(page):
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_load_state()


def test_staff_send_for_approval_client_approves_staff_publish(live_server, graph, page):
    demo_seed()
    agency = Agency.objects.get(slug="demo-agency")
    demo = graph.sim.world.demo
    act = demo["active_ad_account_id"]
    northwind = Client.objects.unscoped().get(name="Northwind Outfitters")
    connection = MetaConnectionFactory(agency=agency, token=graph.sim.mint_token().value)
    account = AdAccountFactory(agency=agency, connection=connection,
                               account_id=act.removeprefix("act_"), name="Northwind US",
                               client=northwind)
    members = Membership.objects.unscoped().select_related("user")
    manager = members.get(agency=agency, user__email="manager@adwright.local")
    owner = members.get(agency=agency, user__email="demo@adwright.local")
    with agency_scope(agency):
        client_approval_policy_set(client=northwind, required=True, membership=owner)
        draft = ready_draft(account, manager.user, demo, "Spring boots")
    base = live_server.url

    # The manager: publishing is refused, then the draft goes to the client.
    _sign_in(page, base, "manager@adwright.local")
    page.goto(f"{base}/campaigns/{draft.pk}/?step=review")
    panel = page.get_by_test_id("approval-panel")
    panel.wait_for()
    assert "Required" in panel.inner_text()
    page.get_by_test_id("publish").click()
    page.get_by_test_id("publish-refused").filter(has_text="approval").wait_for()
    page.locator("[data-testid=send-approval-form] textarea").fill("Spring range, as discussed")
    page.get_by_test_id("send-approval").click()
    page.get_by_test_id("approval-sent").wait_for()
    assert page.get_by_test_id("approval-status").inner_text() == "Waiting for the client"
    _sign_out(page)

    # The client viewer: its portal lists the request; previews and settings; approve.
    _sign_in(page, base, "client@northwind.example")
    page.get_by_test_id("nav-approvals").click()
    page.get_by_test_id("open-approval").first.click()
    page.get_by_test_id("approval-message").filter(has_text="Spring range").wait_for()
    page.get_by_test_id("approval-previews").locator("iframe").first.wait_for()
    summary = page.get_by_test_id("adset-summary").first.inner_text()
    assert "Countries" in summary and "US" in summary and "Placements" in summary
    screenshot(page, "approval-client-review")
    approve = page.get_by_test_id("approve")
    approve.scroll_into_view_if_needed()
    with page.expect_navigation():
        approve.click()
    page.get_by_test_id("approval-decision").wait_for()
    assert page.get_by_test_id("approval-state").inner_text() == "Approved"
    _sign_out(page)

    # The manager: told on the home page, publishes.
    _sign_in(page, base, "manager@adwright.local")
    page.goto(f"{base}/clients/")
    notice = page.get_by_test_id("approval-notice")
    notice.filter(has_text="Northwind Outfitters approved").wait_for()
    page.goto(f"{base}/campaigns/{draft.pk}/?step=review")
    page.get_by_test_id("approval-status").filter(has_text="Approved").wait_for()
    page.get_by_test_id("publish").click()
    page.get_by_test_id("publish-status").wait_for()
    job = Job.objects.unscoped().get(kind="campaigns.publish")
    job_execute(job_id=job.pk)
    campaign = Campaign.objects.unscoped().get(pk=draft.pk)
    assert campaign.publish_state == "published" and campaign.graph_id
    assert ApprovalRequest.objects.unscoped().get().state == "approved"
