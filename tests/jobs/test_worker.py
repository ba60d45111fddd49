"""Jobs on a real Celery worker (Redis, PostgreSQL, the Graph simulator): progress, throttling,
cancel, pause on a revoked token and resume, and a worker SIGKILLed mid-job."""

from __future__ import annotations

import pytest

from agency.jobs import services as jobs
from agency.jobs.models import JobState
from agency.tenancy import agency_scope

celery_worker_include = ["tests.jobs.kinds"]

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def test_a_job_runs_on_the_worker_to_success(celery_worker, agency):
    with agency_scope(agency):
        job = jobs.job_start(kind="tests.steps", params={"steps": 3})
    job = celery_worker.wait_for(job, JobState.SUCCEEDED)
    assert (job.done, job.total, job.succeeded) == (3, 3, 3)
    assert job.checkpoint["runs"] == [0, 1, 2]
