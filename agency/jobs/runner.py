"""Running one job inside the generic task: claim it, call its handler, map errors to states.

The task (`agency.jobs.tasks.job_run`) stays thin: it calls `job_execute` and, when the outcome
asks for it, retries itself after `retry_in` seconds.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from accounts.services.graph import ConnectionUnusableError
from agency.errors import ServiceError
from agency.graph.errors import (
    GraphAuthError,
    GraphError,
    GraphOutcomeUnknownError,
    GraphThrottleError,
    GraphTransientError,
)
from agency.jobs import services
from agency.jobs.errors import JobCancelledError, JobStateError, UnknownJobKindError
from agency.jobs.models import FINAL_STATES, Job, JobState
from agency.jobs.registry import kind_get
from agency.tenancy import agency_scope

log = logging.getLogger(__name__)


def _setting(name: str, default: float) -> float:
    return float(getattr(settings, name, default))


@dataclass(frozen=True)
class RunOutcome:
    state: str | None  # the job's state afterwards (None: no such job)
    retry_in: float | None = None  # seconds: the task must run again after this delay


def _claim(job: Job, token: str) -> float | None:
    """Take the job's lease and mark it running. Returns None when claimed, else the seconds to
    wait (another worker holds a live lease), or -1 when there is nothing to run."""
    now = timezone.now()
    with transaction.atomic():
        row = Job.objects.unscoped().select_for_update().get(pk=job.pk)
        if row.state in FINAL_STATES or row.state == JobState.PAUSED:
            return -1
        if row.lease_token and row.lease_until and row.lease_until > now:
            return max(0.5, (row.lease_until - now).total_seconds() + 0.5)
        row.lease_token = token
        row.lease_until = now + timedelta(seconds=_setting("JOBS_LEASE_SECONDS", 300))
        row.attempts += 1
        row.save(update_fields=["lease_token", "lease_until", "attempts", "updated_at"])
        if row.state != JobState.RUNNING:
            services._transition(job=row, to=JobState.RUNNING)
    job.refresh_from_db()
    return None


def _release(job: Job, token: str) -> None:
    Job.objects.unscoped().filter(pk=job.pk, lease_token=token).update(
        lease_token="", lease_until=None)


def _max_countdown() -> float:
    """The longest a retry may wait. With Redis, a message held longer than the visibility
    timeout is delivered again, so a longer wait is cut short: the retried job meets the throttle
    again (our shared store remembers the block) and waits another round without calling Graph."""
    default = 0.9 * _setting("CELERY_VISIBILITY_TIMEOUT_SECONDS", 3600)
    return max(0.5, _setting("JOBS_MAX_COUNTDOWN_SECONDS", default))


def _backoff(retries: int) -> float:
    base = _setting("JOBS_RETRY_BACKOFF_SECONDS", 5)
    return min(base * (2 ** retries), _setting("JOBS_RETRY_BACKOFF_MAX_SECONDS", 600),
               _max_countdown())


def _safe(call, *args, **kwargs) -> None:
    """A final transition that lost a race (the user cancelled meanwhile) is not an error."""
    with contextlib.suppress(JobStateError):
        call(*args, **kwargs)


def job_execute(*, job_id: int, retries: int = 0) -> RunOutcome:
    """Run job `job_id` once. `retries` is how many times the task already retried."""
    job = Job.objects.unscoped().filter(pk=job_id).first()
    if job is None:
        log.warning("job %s: no such job; message dropped", job_id)
        return RunOutcome(state=None)
    with agency_scope(job.agency_id):
        token = uuid.uuid4().hex
        wait = _claim(job, token)
        if wait == -1:
            return RunOutcome(state=job.state)
        if wait is not None:
            log.info("job %s: held by another worker; again in %.1fs", job.pk, wait)
            return RunOutcome(state=job.state, retry_in=min(wait, _max_countdown()))
        heartbeat = _Heartbeat(job.pk, token)
        try:
            return _run_handler(job, retries)
        finally:
            heartbeat.stop()
            _release(job, token)


class _Heartbeat:
    """Renews the worker's lease while the handler runs, whatever its pace, so a redelivered
    copy of the message waits; when the worker dies the renewals stop and the lease lapses."""

    def __init__(self, job_id: int, token: str):
        self.job_id, self.token = job_id, token
        self.lease = _setting("JOBS_LEASE_SECONDS", 300)
        self.stopped = threading.Event()
        self.thread = None
        if getattr(settings, "JOBS_LEASE_HEARTBEAT", True):
            self.thread = threading.Thread(target=self._run, name=f"job-{job_id}-lease",
                                           daemon=True)
            self.thread.start()

    def _run(self) -> None:
        try:
            while not self.stopped.wait(self.lease / 3):
                Job.objects.unscoped().filter(pk=self.job_id, lease_token=self.token).update(
                    lease_until=timezone.now() + timedelta(seconds=self.lease))
        except Exception:  # a lost database connection: the handler itself will notice
            log.exception("job %s: lease heartbeat stopped", self.job_id)
        finally:
            connection.close()  # this thread's own connection

    def stop(self) -> None:
        self.stopped.set()
        if self.thread is not None:
            self.thread.join(timeout=5)


def _run_handler(job: Job, retries: int) -> RunOutcome:
    try:
        kind = kind_get(job.kind)
    except UnknownJobKindError:
        _safe(services.job_fail, job=job, error="This kind of job is no longer available.")
        return RunOutcome(state=job.state)
    try:
        kind.handler(job)
    except JobCancelledError:
        job.refresh_from_db()
        log.info("job %s: cancelled, stopped", job.pk)
        return RunOutcome(state=job.state)
    except ConnectionUnusableError as exc:
        return _pause(job, exc.message, exc.extra.get("connection_id"))
    except GraphAuthError as exc:
        return _pause(job, "Meta refused the connection's token "
                      f"({exc.message}): reconnect it to continue.", None)
    except GraphThrottleError as exc:
        if retries >= _setting("JOBS_MAX_THROTTLE_RETRIES", 100):
            _safe(services.job_fail, job=job, error="Meta kept rate limiting this work; "
                  "try again later.")
            return RunOutcome(state=job.state)
        wait = max(1.0, float(exc.retry_after or _setting("JOBS_THROTTLE_WAIT_SECONDS", 60)))
        if not exc.local:  # our own throttle refusing again is not news
            services.job_note_error(job=job, error=f"Meta is rate limiting this work; "
                                    f"continuing in about {wait:.0f} s.")
        return RunOutcome(state=job.state, retry_in=min(wait, _max_countdown()))
    except (GraphOutcomeUnknownError, GraphTransientError) as exc:
        # Handlers are idempotent through recorded keys (agency.writes.graph_create_once): an
        # unknown outcome is reconciled on the next run before anything is posted again.
        return _transient(job, kind.max_retries, exc)
    except ServiceError as exc:
        _safe(services.job_fail, job=job, error=exc.message)
        return RunOutcome(state=job.state)
    except GraphError as exc:
        _safe(services.job_fail, job=job, error=exc.user_msg or exc.message)
        return RunOutcome(state=job.state)
    except Exception:
        reference = uuid.uuid4().hex[:8]
        log.exception("job %s (%s) crashed; reference %s", job.pk, job.kind, reference)
        _safe(services.job_fail, job=job, error="Something went wrong while running this job "
              f"(reference {reference}). Try again, or tell us the reference.")
        return RunOutcome(state=job.state)
    job.refresh_from_db()
    if job.state == JobState.RUNNING:
        _safe(services.job_finish, job=job)
    return RunOutcome(state=job.state)


def _pause(job: Job, reason: str, connection_id: int | None) -> RunOutcome:
    if connection_id and not job.connection_id:
        # Remember which connection it waits for, so reconnecting it resumes the job.
        Job.objects.unscoped().filter(pk=job.pk).update(connection_id=connection_id)
        job.connection_id = connection_id
    _safe(services.job_pause, job=job, reason=reason)
    return RunOutcome(state=job.state)


def _transient(job: Job, max_retries: int, exc: GraphError) -> RunOutcome:
    Job.objects.unscoped().filter(pk=job.pk).update(transient_retries=job.transient_retries + 1)
    job.transient_retries += 1
    if job.transient_retries > max_retries:
        _safe(services.job_fail, job=job, error=f"Meta did not answer properly after "
              f"{max_retries + 1} attempts: {exc.user_msg or exc.message}")
        return RunOutcome(state=job.state)
    wait = _backoff(job.transient_retries - 1)
    if exc.retry_after:  # an unknown outcome whose reconciling lookup was throttled
        wait = min(max(wait, float(exc.retry_after)), _max_countdown())
    services.job_note_error(job=job, error=f"Meta had a temporary problem "
                            f"({exc.user_msg or exc.message}); retrying in {wait:.0f} s.")
    return RunOutcome(state=job.state, retry_in=wait)
