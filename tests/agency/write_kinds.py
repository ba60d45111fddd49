"""A job kind for the exactly-once tests on a real worker (imported by the test and the worker)."""

from __future__ import annotations

from agency.jobs.registry import QUEUE_PUBLISH, job_kind


@job_kind("tests.writes.bulk", queue=QUEUE_PUBLISH, label="Test bulk create", max_retries=500)
def bulk_create(job) -> None:
    """params: n, prefix, act. Creates campaigns `<prefix> NNN` through graph_create_once, one
    key each, resuming from the checkpoint: a retry or a redelivered message reconciles."""
    from accounts.services.graph import graph_for_connection
    from agency.jobs import services as jobs
    from agency.writes import graph_create_once

    total = int(job.params["n"])
    if job.total != total:
        jobs.job_set_total(job=job, total=total)
    with graph_for_connection(connection=job.connection, purpose="test") as client:
        for i in range(int(job.checkpoint.get("next", 0)), total):
            graph_create_once(
                client=client,
                key=f"{job.params['prefix']}-{i:03d}",
                edge=f"{job.params['act']}/campaigns",
                data={
                    "name": f"{job.params['prefix']} {i:03d}",
                    "objective": "OUTCOME_TRAFFIC",
                    "special_ad_categories": [],
                    "status": "PAUSED",
                },
                kind="campaign",
            )
            jobs.job_advance(job=job, done=1, succeeded=1, checkpoint={"next": i + 1})
