"""Job kinds used by the job system's own tests (imported by tests and by the test worker)."""

from __future__ import annotations

import time

from agency.jobs.registry import QUEUE_MAINTENANCE, QUEUE_PUBLISH, job_kind


@job_kind("tests.steps", queue=QUEUE_MAINTENANCE, label="Test steps")
def steps(job) -> None:
    """params: steps (int), sleep (seconds per step), fail_at (step raising RuntimeError),
    graph_path (read with the job's connection at each step)."""
    from accounts.services.graph import graph_for_connection
    from agency.jobs import services as jobs

    total = int(job.params.get("steps", 3))
    if job.total != total:
        jobs.job_set_total(job=job, total=total)
    start = int(job.checkpoint.get("next", 0))
    for i in range(start, total):
        if job.params.get("fail_at") == i:
            raise RuntimeError("secret internal detail")
        if job.params.get("graph_path"):
            with graph_for_connection(connection=job.connection, purpose="test") as client:
                client.get(job.params["graph_path"], fields="name")
        time.sleep(float(job.params.get("sleep", 0)))
        jobs.job_advance(job=job, done=1, succeeded=1,
                         checkpoint={"next": i + 1, "runs": [*job.checkpoint.get("runs", []), i]})


@job_kind("tests.publish", queue=QUEUE_PUBLISH, label="Test publish")
def publish(job) -> None:
    from agency.jobs import services as jobs

    jobs.job_advance(job=job, done=1, succeeded=1)
