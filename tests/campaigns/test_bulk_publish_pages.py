"""Bulk publish through the REST API and on the job page: start, counts per kind, Meta's
messages on refused objects, Retry failed (build roles only), other agencies' jobs not found."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agency.jobs.models import Job
from agency.jobs.runner import job_execute
from agency.tenancy import agency_scope
from campaigns.models import Campaign
from tests.campaigns.test_bulk_publish_engine import build
from tests.conftest import login
from tests.factories.jobs import JobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused_launch(agency, graph, sim_account, demo, manager):
    """A bulk publish of two campaigns whose first ad set Meta refused."""
    graph.sim.config.timings.async_job = 0.0
    with agency_scope(agency):
        drafts = build(sim_account, manager.user, demo, campaigns=2, adsets=1, ads=2,
                       prefix="Api")
    graph.sim.faults.add("error", method="POST", path="/act_*/adsets", times=1, code=100,
                         message="Invalid parameter: the audience is too narrow")
    return [c.pk for c in drafts]


def test_api_starts_follows_and_retries_a_bulk_publish(client, manager, sim_account,
                                                       refused_launch):
    api = login(client, manager)
    start = api.post(reverse("api:bulk-publish-start", args=[sim_account.pk]),
                     {"campaign_ids": refused_launch}, content_type="application/json")
    assert start.status_code == 202, start.content
    job_id = start.json()["job"]["id"]
    assert start.json()["counts"]["ad"] == {"created": 0, "failed": 0, "pending": 4}
    job_execute(job_id=job_id)

    body = api.get(reverse("api:bulk-publish-detail", args=[job_id])).json()
    assert body["job"]["state"] == "succeeded" and body["job"]["failed"] == 1 + 2
    assert body["counts"]["adset"] == {"created": 1, "failed": 1, "pending": 0}
    assert body["counts"]["ad"] == {"created": 2, "failed": 0, "pending": 2}
    [refused] = body["failed"]
    assert refused["kind"] == "adset" and "too narrow" in refused["message"]
    assert body["can_retry"]

    retry = api.post(reverse("api:bulk-publish-retry", args=[job_id]))
    assert retry.status_code == 202
    job_execute(job_id=retry.json()["job"]["id"])
    done = api.get(reverse("api:bulk-publish-detail", args=[retry.json()["job"]["id"]])).json()
    assert done["counts"]["ad"] == {"created": 2, "failed": 0, "pending": 0}
    assert not done["can_retry"]
    again = api.post(reverse("api:bulk-publish-retry", args=[job_id]))
    assert again.status_code == 400 and "Nothing to retry" in again.json()["message"]


def test_api_refuses_foreign_campaigns_roles_and_other_kinds(client, agency, manager, analyst,
                                                             sim_account, refused_launch):
    api = login(client, manager)
    url = reverse("api:bulk-publish-start", args=[sim_account.pk])
    for bad in ({"campaign_ids": []}, {"campaign_ids": ["x"]}, {"campaign_ids": [2**70]},
                {"campaign_ids": [*refused_launch, 999999]}, {}):
        response = api.post(url, bad, content_type="application/json")
        assert response.status_code == 400, (bad, response.content)
    with agency_scope(agency):
        other = JobFactory(agency=agency, kind="campaigns.sync")
    assert api.get(reverse("api:bulk-publish-detail", args=[other.pk])).status_code == 404

    start = api.post(url, {"campaign_ids": refused_launch}, content_type="application/json")
    job_id = start.json()["job"]["id"]
    assert api.post(url, {"campaign_ids": refused_launch},
                    content_type="application/json").status_code == 409  # busy
    job_execute(job_id=job_id)
    reader = login(client, analyst)
    assert reader.get(reverse("api:bulk-publish-detail", args=[job_id])).status_code == 200
    assert reader.post(reverse("api:bulk-publish-retry", args=[job_id])).status_code == 403
    assert reader.post(url, {"campaign_ids": refused_launch},
                       content_type="application/json").status_code == 403


def test_job_page_lists_refusals_and_retries_for_managers_only(client, agency, manager, analyst,
                                                               sim_account, refused_launch):
    from campaigns.services.bulk_publish import bulk_publish_start

    with agency_scope(agency):
        job = bulk_publish_start(campaigns=Campaign.objects.filter(pk__in=refused_launch),
                                 actor=manager.user)
    job_execute(job_id=job.pk)

    page = login(client, manager).get(reverse("jobs:detail", args=[job.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="bulk-counts"' in html and "the audience is too narrow" in html
    assert 'data-testid="bulk-retry"' in html
    partial = client.get(reverse("campaigns:bulk-publish-progress", args=[job.pk]))
    assert partial.status_code == 200 and "too narrow" in partial.content.decode()

    response = client.post(reverse("campaigns:bulk-publish-retry", args=[job.pk]))
    with agency_scope(agency):
        retry = Job.objects.exclude(pk=job.pk).get(kind="campaigns.bulk_publish")
    assert response.status_code == 302 and response.url == reverse("jobs:detail",
                                                                   args=[retry.pk])

    analyst_page = login(client, analyst).get(reverse("jobs:detail", args=[job.pk]))
    assert 'data-testid="bulk-counts"' in analyst_page.content.decode()
    assert 'data-testid="bulk-retry"' not in analyst_page.content.decode()
    assert client.post(reverse("campaigns:bulk-publish-retry", args=[job.pk])).status_code == 403
