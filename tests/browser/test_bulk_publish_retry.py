"""Browser: a manager opens a bulk launch Meta partly refused, reads Meta's message on the refused
ad set, presses Retry failed and watches the new job (HTMX polling) put the rest on Meta."""

from __future__ import annotations

import pytest
from django.test import Client as DjangoClient

from agency.jobs.models import Job, JobState
from agency.tenancy import agency_scope
from campaigns.services.bulk_publish import bulk_publish_start
from tests.browser.conftest import screenshot
from tests.campaigns import conftest as campaign_fixtures
from tests.campaigns.test_bulk_publish_engine import build, on_graph

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.redis]

celery_worker_settings = {"BULK_PUBLISH_POLL_SECONDS": 0.2}

# The campaigns tests' fixtures: the simulator's demo account through a live connection.
sim_token = campaign_fixtures.sim_token
demo = campaign_fixtures.demo
sim_account = campaign_fixtures.sim_account


def _signed_in(page, live_server, user):
    client = DjangoClient()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                               "url": live_server.url}])


def test_manager_retries_what_meta_refused_from_the_job_page(
    celery_worker, live_server, page, graph, agency, sim_account, demo, manager
):
    graph.sim.config.timings.async_job = 0.0
    graph.sim.faults.add("error", method="POST", path="/act_*/adsets", times=1, code=100,
                         message="Invalid parameter: the audience is too narrow")
    with agency_scope(agency):
        drafts = build(sim_account, manager.user, demo, campaigns=2, adsets=1, ads=2,
                       prefix="Browser")
        job = bulk_publish_start(campaigns=drafts, actor=manager.user)
    job = celery_worker.wait_for(job, JobState.SUCCEEDED, JobState.FAILED, timeout=60)
    assert job.state == JobState.SUCCEEDED and job.failed == 3
    _signed_in(page, live_server, manager.user)

    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    failed = page.get_by_test_id("bulk-failed")
    assert "the audience is too narrow" in failed.inner_text()
    counts = page.get_by_test_id("bulk-counts")
    assert counts.locator('tr[data-kind="ad"]').inner_text().split() == ["ad", "2", "0", "2"]
    screenshot(page, "bulk-publish-refused")
    page.get_by_test_id("bulk-retry").click()

    page.wait_for_selector('[data-testid="job-progress"][data-state="succeeded"]',
                           timeout=60_000)
    page.reload()  # the objects' section follows the job; read it once it is final
    assert page.get_by_test_id("bulk-counts").locator('tr[data-kind="ad"]').inner_text(
    ).split() == ["ad", "2", "0", "0"]
    assert page.get_by_test_id("bulk-failed").count() == 0
    retry = Job.objects.unscoped().exclude(pk=job.pk).get()
    assert retry.state == JobState.SUCCEEDED and retry.failed == 0
    assert len(on_graph(graph, sim_account, "ad", "Browser")) == 4
