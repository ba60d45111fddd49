"""Job services in process: legal transitions, audit rows, progress, enqueueing on commit."""

from __future__ import annotations

import pytest

from agency.celery import route_task
from agency.jobs import services as jobs
from agency.jobs.errors import JobCancelledError, JobStateError, UnknownJobKindError
from agency.jobs.models import MAX_ERRORS_KEPT, Job, JobState
from agency.models import AuditEvent
from tests.factories.jobs import JobFactory

pytestmark = pytest.mark.django_db


def _verbs(job):
    return list(AuditEvent.objects.unscoped().filter(target_type="Job", target_id=str(job.pk))
                .order_by("pk").values_list("verb", flat=True))


def test_start_creates_a_queued_job_audits_it_and_enqueues_on_commit(
    scoped, owner, client_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        job = jobs.job_start(kind="tests.steps", actor=owner.user, target=client_a,
                             params={"steps": 2}, total=2)
    assert len(callbacks) == 1  # the task is sent only once the job row is committed
    assert job.state == JobState.QUEUED and job.queue == "maintenance"
    assert job.agency_id == owner.agency_id and job.started_by == owner.user
    assert (job.target_type, job.target_id, job.target_label) == (
        "agency.client", str(client_a.pk), "Acme Shoes")
    assert job.celery_task_id
    assert _verbs(job) == ["job.start"]


def test_jobs_are_routed_to_their_kinds_queue(scoped):
    maintenance = jobs.job_start(kind="tests.steps")
    publish = jobs.job_start(kind="tests.publish")
    assert route_task("agency.jobs.tasks.job_run", [maintenance.pk], {}, {}) == {
        "queue": "maintenance"}
    assert route_task("agency.jobs.tasks.job_run", [publish.pk], {}, {}) == {"queue": "publish"}
    assert route_task("accounts.tasks.connections_check_all", [], {}, {}) == {
        "queue": "maintenance"}


def test_start_refuses_an_unknown_kind(scoped):
    with pytest.raises(UnknownJobKindError):
        jobs.job_start(kind="nope.nothing")
    assert not Job.objects.exists()


def test_advance_adds_progress_keeps_the_last_errors_and_replaces_the_checkpoint(scoped):
    job = JobFactory(agency=scoped, state=JobState.RUNNING)
    for i in range(MAX_ERRORS_KEPT + 5):
        jobs.job_advance(job=job, done=1, failed=1, error=f"error {i}", checkpoint={"i": i})
    job.refresh_from_db()
    assert (job.done, job.failed, job.succeeded) == (MAX_ERRORS_KEPT + 5, MAX_ERRORS_KEPT + 5, 0)
    assert len(job.errors) == MAX_ERRORS_KEPT
    assert job.errors[-1]["message"] == f"error {MAX_ERRORS_KEPT + 4}" and job.errors[-1]["at"]
    assert job.errors[0]["message"] == "error 5"
    assert job.checkpoint == {"i": MAX_ERRORS_KEPT + 4}


def test_advance_raises_once_the_job_is_cancelled(scoped, owner):
    job = JobFactory(agency=scoped, state=JobState.RUNNING)
    stale = Job.objects.get(pk=job.pk)
    jobs.job_cancel(job=job, actor=owner.user)
    with pytest.raises(JobCancelledError):
        jobs.job_advance(job=stale, done=1)
    assert stale.state == JobState.CANCELLED
    assert Job.objects.get(pk=job.pk).done == 0


@pytest.mark.parametrize("final", [JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED])
def test_final_jobs_never_change_state(scoped, final):
    job = JobFactory(agency=scoped, state=final)
    for change in (lambda: jobs.job_cancel(job=job), lambda: jobs.job_finish(job=job),
                   lambda: jobs.job_fail(job=job, error="x"),
                   lambda: jobs.job_pause(job=job, reason="x"),
                   lambda: jobs.job_resume(job=job)):
        with pytest.raises(JobStateError):
            change()
    assert Job.objects.get(pk=job.pk).state == final
    assert _verbs(job) == []


def test_each_state_change_is_audited_with_from_and_to(scoped, owner):
    job = JobFactory(agency=scoped, state=JobState.RUNNING)
    jobs.job_pause(job=job, reason="The Meta connection is revoked")
    assert job.state == JobState.PAUSED and job.pause_reason == "The Meta connection is revoked"
    jobs.job_resume(job=job, actor=owner.user)
    assert job.state == JobState.QUEUED and job.pause_reason == ""
    jobs.job_cancel(job=job, actor=owner.user)
    assert job.state == JobState.CANCELLED and job.finished_at is not None
    assert _verbs(job) == ["job.paused", "job.queued", "job.cancelled"]
    cancel = AuditEvent.objects.unscoped().filter(verb="job.cancelled").get()
    assert cancel.actor == owner.user
    assert cancel.data == {"kind": "tests.steps", "from": "queued", "to": "cancelled"}


def test_fail_records_the_message(scoped):
    job = JobFactory(agency=scoped, state=JobState.RUNNING)
    jobs.job_fail(job=job, error="Meta refused the upload")
    assert job.state == JobState.FAILED and job.last_error == "Meta refused the upload"
