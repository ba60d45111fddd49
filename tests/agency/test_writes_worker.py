"""Exactly-once writes on a real Celery worker (Redis, PostgreSQL, the simulator): a bulk job
under faults, its worker SIGKILLed mid-run and replaced; every campaign exists once."""

from __future__ import annotations

import pytest

import tests.agency.write_kinds  # noqa: F401 - registers tests.writes.bulk
from agency.jobs import services as jobs
from agency.jobs.models import Job, JobState
from agency.tenancy import agency_scope
from agency.writes import GraphWrite, GraphWriteState, write_marker
from tests.factories.accounts import MetaConnectionFactory

celery_worker_include = ["tests.agency.write_kinds"]
# A killed worker's write is taken over after 3 s (the default lease is 140 s).
celery_worker_settings = {"GRAPH_WRITE_LEASE_SECONDS": 3}

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

POST_CAMPAIGNS = "/act_*/campaigns"


def test_bulk_job_killed_mid_run_under_faults_creates_every_campaign_once(
    celery_worker, agency, graph
):
    sim = graph.sim
    act = sim.world.demo["active_ad_account_id"]
    connection = MetaConnectionFactory(
        agency=agency, token=sim.mint_token().value, meta_user_id=sim.world.demo["user_id"]
    )
    faults = sim.faults
    faults.add("transient", method="POST", path=POST_CAMPAIGNS, after_apply=True, rate=0.15)
    faults.add("drop", method="POST", path=POST_CAMPAIGNS, after_apply=True, rate=0.1)
    faults.add("http_500", method="POST", path=POST_CAMPAIGNS, rate=0.05)
    faults.add("transient", method="GET", path=POST_CAMPAIGNS, rate=0.2)
    faults.add("drop", method="GET", path=POST_CAMPAIGNS, rate=0.1)
    slow = faults.add("delay", method="POST", path=POST_CAMPAIGNS, delay=0.15)  # kills mid-call
    n, prefix = 40, "Bulk"
    with agency_scope(agency):
        job = jobs.job_start(kind="tests.writes.bulk", connection=connection,
                             params={"n": n, "prefix": prefix, "act": act})

    celery_worker.wait_for(job, JobState.RUNNING, where=lambda j: j.done >= 12, timeout=60)
    celery_worker.kill()
    celery_worker.start()  # the unacknowledged message is delivered again, to a new worker
    job = celery_worker.wait_for(job, JobState.SUCCEEDED, JobState.FAILED, timeout=180)

    assert job.state == JobState.SUCCEEDED, job.errors
    live = [o for o in sim.world.all("campaign") if getattr(o, "status", "") != "DELETED"]
    writes = {w.key: w for w in GraphWrite.objects.unscoped().filter(agency=agency)}
    duplicates = losses = 0
    for i in range(n):
        key = f"{prefix}-{i:03d}"
        name = f"{prefix} {i:03d} [{write_marker(key)}]"
        ids = [o.id for o in live if o.name == name]
        duplicates += max(0, len(ids) - 1)
        losses += not ids
        assert writes[key].state == GraphWriteState.DONE and ids == [writes[key].graph_id]
    calls = list(sim.calls)
    print(
        f"\n[exactly-once on a real worker] creates={n} job_attempts={job.attempts} "
        f"graph_calls={len(calls)} posts={sum(c.method == 'POST' for c in calls)} "
        f"faults_injected={sum(c.fault_id not in (None, slow.id) for c in calls)} "
        f"worker_kills=1 "
        f"writes_reconciled={sum(w.lookups > 0 for w in writes.values())} "
        f"duplicates={duplicates} losses={losses}"
    )
    assert duplicates == 0 and losses == 0
    assert Job.objects.unscoped().get(pk=job.pk).attempts >= 2
