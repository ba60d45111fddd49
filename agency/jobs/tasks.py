"""Celery tasks of the job system: the generic runner and the scheduled starter."""

from __future__ import annotations

from celery import shared_task

from agency.jobs import runner, scheduling


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None)
def job_run(self, job_id: int) -> str | None:
    """Run one job (any kind) on its kind's queue; retries as the outcome says."""
    outcome = runner.job_execute(job_id=job_id, retries=self.request.retries)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in, max_retries=None)
    return outcome.state


@shared_task(acks_late=True)
def job_start_scheduled(kind: str, ad_account_id: int) -> int | None:
    """Beat: start `kind` for one ad account (a no-op until some app registers that kind)."""
    job = scheduling.scheduled_job_start(kind=kind, ad_account_id=ad_account_id)
    return job.pk if job else None


@shared_task(acks_late=True)
def jobs_requeue_stale() -> int:
    """Periodic: re-send queued jobs whose message was lost (broker down at start time)."""
    from agency.jobs.services import jobs_requeue_stale as requeue

    return requeue()
