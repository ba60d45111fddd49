"""The Jobs page, the progress component, cancel, and /api/v1/jobs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agency.jobs.models import JobState
from tests.conftest import login
from tests.factories.jobs import JobFactory

pytestmark = pytest.mark.django_db


def test_jobs_page_lists_the_agencys_jobs_with_filters(owner_client, agency, other_agency):
    JobFactory(agency=agency, state=JobState.RUNNING, target_label="Acme refresh", total=4,
               done=1)
    JobFactory(agency=agency, state=JobState.FAILED, target_label="Broken one")
    JobFactory(agency=other_agency, target_label="Not ours")
    page = owner_client.get(reverse("jobs:list")).content.decode()
    assert "Acme refresh" in page and "Broken one" in page and "Not ours" not in page
    assert 'href="/jobs/"' in owner_client.get(reverse("agency:client-list")).content.decode()
    failed = owner_client.get(reverse("jobs:list"), {"state": "failed"}).content.decode()
    assert "Broken one" in failed and "Acme refresh" not in failed
    hostile = owner_client.get(reverse("jobs:list"), {"state": "x" * 5000, "kind": "{"})
    assert hostile.status_code == 200


def test_progress_component_polls_while_running_and_stops_when_final(owner_client, agency):
    job = JobFactory(agency=agency, state=JobState.RUNNING, total=4, done=1)
    running = owner_client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in running and 'value="1" max="4"' in running
    assert "<script" not in running
    job.state = JobState.SUCCEEDED
    job.save()
    done = owner_client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "hx-trigger" not in done and 'data-state="succeeded"' in done


def test_job_detail_shows_errors_and_the_pause_reason(owner_client, agency):
    job = JobFactory(agency=agency, state=JobState.PAUSED, pause_reason="Reconnect Meta",
                     errors=[{"at": "2026-12-01T08:00:00+00:00", "message": "Meta said no"}])
    page = owner_client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Reconnect Meta" in page and "Meta said no" in page


def test_manager_cancels_from_the_page_with_htmx(client, manager, agency):
    job = JobFactory(agency=agency, state=JobState.RUNNING)
    login(client, manager)
    assert 'data-testid="job-cancel"' in client.get(
        reverse("jobs:progress", args=[job.pk])).content.decode()
    response = client.post(reverse("jobs:cancel", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'data-state="cancelled"' in response.content.decode()
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED


def test_analyst_sees_jobs_but_cannot_cancel(client, analyst, agency):
    job = JobFactory(agency=agency, state=JobState.RUNNING)
    login(client, analyst)
    progress = client.get(reverse("jobs:progress", args=[job.pk])).content.decode()
    assert "job-cancel" not in progress
    assert client.post(reverse("jobs:cancel", args=[job.pk])).status_code == 403
    assert client.post(reverse("api:job-cancel", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.state == JobState.RUNNING


def test_api_lists_filters_and_shows_jobs(owner_client, agency):
    running = JobFactory(agency=agency, state=JobState.RUNNING, kind="tests.steps", total=3,
                         done=1)
    JobFactory(agency=agency, state=JobState.SUCCEEDED, kind="tests.publish")
    listed = owner_client.get(reverse("api:job-list")).json()
    assert len(listed) == 2
    only = owner_client.get(reverse("api:job-list"), {"state": "running"}).json()
    assert [j["id"] for j in only] == [running.pk]
    by_kind = owner_client.get(reverse("api:job-list"), {"kind": "tests.publish"}).json()
    assert [j["kind"] for j in by_kind] == ["tests.publish"]
    bad = owner_client.get(reverse("api:job-list"), {"state": "nonsense"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"
    detail = owner_client.get(reverse("api:job-detail", args=[running.pk])).json()
    assert detail["state"] == "running" and detail["done"] == 1 and detail["percent"] == 33
    assert detail["label"] == "Test steps" and detail["errors"] == []


def test_api_cancel_and_a_final_job_refuses_with_409(owner_client, agency):
    job = JobFactory(agency=agency, state=JobState.QUEUED)
    response = owner_client.post(reverse("api:job-cancel", args=[job.pk]))
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    again = owner_client.post(reverse("api:job-cancel", args=[job.pk]))
    assert again.status_code == 409 and again.json()["code"] == "job_state"


def test_refresh_is_started_from_the_connection_page_and_the_api(
    owner_client, agency, sim_ad_accounts, sim_connection, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        response = owner_client.post(reverse("accounts:connection-refresh",
                                             args=[sim_connection.pk]))
    assert response.status_code == 302 and len(callbacks) == 1
    page = owner_client.get(reverse("accounts:connection-detail",
                                    args=[sim_connection.pk])).content.decode()
    assert 'data-testid="job-progress"' in page and "Refresh ad accounts from Meta" in page
    api = owner_client.post(reverse("api:ad-account-refresh"), {}, content_type="application/json")
    assert api.status_code == 202 and api.json()["kind"] == "adaccounts.refresh"
    assert api.json()["state"] == "queued"


def test_manager_cannot_start_a_refresh(client, manager, sim_connection):
    login(client, manager)
    assert client.post(reverse("api:ad-account-refresh"), {},
                       content_type="application/json").status_code == 403
