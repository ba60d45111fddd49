"""Browser: an owner starts an ad account refresh on the connection page and watches the progress
bar, polled by HTMX, reach the end on a real Celery worker; polling stops once the job is final."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient

from agency.jobs.models import Job, JobState
from campaigns.models import AdAccount
from tests.browser.conftest import screenshot
from tests.factories.accounts import MetaConnectionFactory

celery_worker_include = ["tests.jobs.kinds"]

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]


def _signed_in(page, live_server, user):
    client = DjangoClient()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


def test_refresh_progress_bar_reaches_the_end_and_stops_polling(
    celery_worker, live_server, page, graph, agency, owner, client_a
):
    connection = MetaConnectionFactory(agency=agency, token=graph.sim.mint_token().value,
                                       label="Dana's Meta")
    for i, act in enumerate(graph.sim.world.demo["ad_account_ids"]):
        AdAccount.objects.unscoped().create(
            agency=agency, client=client_a, connection=connection,
            account_id=act.removeprefix("act_"), name=f"Old name {i}", currency="XXX",
            timezone_name="UTC")
    graph.sim.faults.add("delay", method="GET", path="/act_*", delay=0.4)
    _signed_in(page, live_server, owner.user)

    page.goto(f"{live_server.url}/accounts/connections/{connection.pk}/")
    page.get_by_test_id("refresh-ad-accounts").click()
    progress = page.get_by_test_id("job-progress")
    progress.wait_for()
    page.wait_for_selector('[data-testid="job-progress"][data-state="succeeded"]',
                           timeout=30_000)
    assert progress.get_by_test_id("job-count").inner_text() == "5 of 5 done"
    assert progress.get_attribute("hx-trigger") is None  # final: no more polling
    assert page.locator("progress").get_attribute("value") == "5"
    screenshot(page, "job-progress-done")
    job = Job.objects.unscoped().get()
    assert job.state == JobState.SUCCEEDED and job.kind == "adaccounts.refresh"
    assert not AdAccount.objects.unscoped().filter(name__startswith="Old name").exists()

    page.get_by_role("link", name="Jobs").click()
    row = page.get_by_test_id("job-list").locator("tbody tr")
    assert row.count() == 1 and "Refresh ad accounts from Meta" in row.inner_text()
    assert row.get_by_test_id("job-state").inner_text() == "Succeeded"
