"""The job runner in process (the body of the `job_run` task) against the Graph simulator:
success, checkpoints, user-readable failures, throttling and transient retries, pause and resume."""

from __future__ import annotations

import logging

import pytest

from accounts.models import ConnectionStatus
from agency.jobs import services as jobs
from agency.jobs.models import Job, JobState
from agency.jobs.runner import job_execute
from agency.models import AuditEvent
from agency.tenancy import agency_scope
from campaigns.models import AdAccount

pytestmark = pytest.mark.django_db


def _start(agency, **kw):
    with agency_scope(agency):
        return jobs.job_start(**kw)


def test_refresh_rereads_every_ad_account_and_records_progress(agency, sim_ad_accounts, graph):
    job = _start(agency, kind="adaccounts.refresh")
    outcome = job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert outcome.state == JobState.SUCCEEDED and outcome.retry_in is None
    assert (job.done, job.total, job.succeeded, job.failed) == (5, 5, 5, 0)
    names = set(AdAccount.objects.unscoped().values_list("name", flat=True))
    assert not any(n.startswith("Old name") for n in names)
    assert AdAccount.objects.unscoped().filter(currency="XXX").count() == 0
    assert AuditEvent.objects.unscoped().filter(verb="ad_account.refresh").count() == 5
    verbs = list(AuditEvent.objects.unscoped().filter(target_type="Job")
                 .values_list("verb", flat=True).order_by("pk"))
    assert verbs == ["job.start", "job.running", "job.succeeded"]


def test_refresh_resumes_from_its_checkpoint_without_rereading_done_accounts(
    agency, sim_ad_accounts, graph
):
    job = _start(agency, kind="adaccounts.refresh")
    done_first = [a.pk for a in sim_ad_accounts[:2]]
    Job.objects.unscoped().filter(pk=job.pk).update(
        state=JobState.RUNNING, done=2, succeeded=2, checkpoint={"done": done_first})
    graph.sim.calls.clear()
    job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == JobState.SUCCEEDED and job.done == 5
    read = [c.path for c in graph.sim.calls if c.path.startswith("/act_")]
    assert sorted(read) == sorted(f"/act_{a.account_id}" for a in sim_ad_accounts[2:])


def test_an_unexpected_error_fails_the_job_with_a_readable_message_and_no_internals(
    agency, caplog
):
    job = _start(agency, kind="tests.steps", params={"steps": 3, "fail_at": 1})
    with caplog.at_level(logging.ERROR):
        job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == JobState.FAILED and job.done == 1
    assert "Something went wrong" in job.last_error
    assert "secret internal detail" not in job.last_error
    assert "secret internal detail" in caplog.text  # the traceback is logged for us


def test_throttling_asks_for_a_retry_after_metas_delay_without_failing(
    agency, sim_connection, sim_ad_accounts, graph, settings
):
    settings.GRAPH_MAX_ATTEMPTS = 1
    graph.sim.faults.add("throttle", code=80004, path="/act_*", times=1, eta_minutes=2)
    job = _start(agency, kind="adaccounts.refresh")
    outcome = job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == JobState.RUNNING
    assert outcome.retry_in == pytest.approx(120, abs=5)  # estimated_time_to_regain_access
    assert "rate limiting" in job.last_error and job.lease_token == ""


def test_transient_errors_retry_with_backoff_then_fail_with_a_message(
    agency, sim_connection, sim_ad_accounts, graph, settings
):
    settings.GRAPH_MAX_ATTEMPTS = 1
    settings.JOBS_RETRY_BACKOFF_SECONDS = 2
    graph.sim.faults.add("transient", path="/act_*")
    job = _start(agency, kind="adaccounts.refresh")
    waits = [job_execute(job_id=job.pk, retries=n).retry_in for n in range(6)]
    job.refresh_from_db()
    assert waits == [2, 4, 8, 16, 32, None]
    assert job.state == JobState.FAILED and "after 6 attempts" in job.last_error


def test_a_revoked_token_pauses_the_job_and_reconnecting_resumes_it(
    agency, sim_connection, graph, django_capture_on_commit_callbacks
):
    job = _start(agency, kind="tests.steps", connection=sim_connection,
                 params={"steps": 2, "graph_path": "me"})
    _revoke(graph, sim_connection)
    job_execute(job_id=job.pk)
    job.refresh_from_db()
    sim_connection.refresh_from_db()
    assert sim_connection.status != ConnectionStatus.ACTIVE
    assert job.state == JobState.PAUSED and "reconnect" in job.pause_reason
    # A skipped delivery of a paused job does nothing.
    assert job_execute(job_id=job.pk).state == JobState.PAUSED

    from accounts.services.tokens import connection_mark

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        connection_mark(connection=sim_connection, status=ConnectionStatus.ACTIVE)
    job.refresh_from_db()
    assert job.state == JobState.QUEUED and job.pause_reason == ""
    assert len(callbacks) >= 2  # the resume, then the enqueue of the job


def _revoke(graph, connection):
    import httpx

    httpx.post(f"{graph.base_url}/__sim__/tokens/revoke",
               json={"access_token": connection.access_token.reveal()})


def test_a_cancelled_job_is_not_run(agency, owner):
    job = _start(agency, kind="tests.steps")
    jobs.job_cancel(job=job, actor=owner.user)
    assert job_execute(job_id=job.pk).state == JobState.CANCELLED
    job.refresh_from_db()
    assert job.done == 0 and job.started_at is None


def test_a_live_lease_makes_a_duplicate_delivery_wait(agency):
    from datetime import timedelta

    from django.utils import timezone

    job = _start(agency, kind="tests.steps")
    Job.objects.unscoped().filter(pk=job.pk).update(
        state=JobState.RUNNING, lease_token="other-worker",
        lease_until=timezone.now() + timedelta(seconds=30))
    outcome = job_execute(job_id=job.pk)
    assert outcome.retry_in == pytest.approx(30.5, abs=1)
    assert Job.objects.unscoped().get(pk=job.pk).done == 0


def test_an_unknown_write_outcome_retries_the_handler_to_reconcile(agency, monkeypatch):
    from agency.graph.errors import GraphOutcomeUnknownError
    from agency.jobs import registry

    def handler(job):
        raise GraphOutcomeUnknownError("The create's answer was lost", retry_after=7)

    registry.job_kind("tests.unknown", queue="publish")(handler)
    try:
        job = _start(agency, kind="tests.unknown")
        outcome = job_execute(job_id=job.pk)
    finally:
        registry._KINDS.pop("tests.unknown", None)
    job.refresh_from_db()
    assert job.state == JobState.RUNNING and outcome.retry_in == 7
    assert "temporary problem" in job.last_error
