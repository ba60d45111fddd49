"""A bulk publish on a real Celery worker, SIGKILLed while Graph works through its async ad
request set: the next worker reconciles every object by its key's marker and makes none twice."""

from __future__ import annotations

import pytest

from agency.jobs.models import Job, JobState
from agency.models import GraphWrite
from agency.tenancy import agency_scope
from campaigns.models import Ad
from campaigns.services.bulk_publish import bulk_publish_start
from tests.campaigns.test_bulk_publish_engine import build, on_graph

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

celery_worker_settings = {
    "BULK_PUBLISH_POLL_SECONDS": 0.2,
    "GRAPH_WRITE_LEASE_SECONDS": 3,  # a dead worker's writes are reconciled 3 s later
}


def test_worker_killed_mid_publish_leaves_exactly_one_of_each_object(
    celery_worker, agency, sim_account, demo, manager, graph
):
    graph.sim.config.timings.async_job = 0.0
    # Reading a set's results takes a while, so the kill lands after the ads were submitted
    # and before their ids were read back.
    graph.sim.faults.add("delay", method="GET", path="/*/requests", delay=1.5)
    with agency_scope(agency):
        drafts = build(sim_account, manager.user, demo, campaigns=2, adsets=2, ads=30,
                       prefix="Killed")
        job = bulk_publish_start(campaigns=drafts, actor=manager.user)

    celery_worker.wait_until(
        lambda: graph.sim.calls.find(method="POST", path="/act_*/asyncadrequestsets"),
        timeout=60, interval=0.05, what="the ads to be submitted")
    celery_worker.kill()
    with agency_scope(agency):
        in_flight = GraphWrite.objects.filter(kind="ad", state="sent").count()
    assert in_flight == 120  # recorded before the set left, not answered yet

    celery_worker.start()
    job = celery_worker.wait_for(job, JobState.SUCCEEDED, JobState.FAILED, timeout=90)

    assert job.state == JobState.SUCCEEDED, job.errors
    assert job.attempts >= 2 and job.failed == 0
    for kind, count in (("campaign", 2), ("adset", 4), ("creative", 2), ("ad", 120)):
        names = [o.name for o in on_graph(graph, sim_account, kind, "Killed")]
        assert len(names) == len(set(names)) == count, kind
    assert len(graph.sim.calls.find(method="POST", path="/act_*/asyncadrequestsets")) == 1
    with agency_scope(agency):
        assert not Ad.objects.filter(graph_id="").exists()
        assert set(Ad.objects.values_list("status", flat=True)) == {"ACTIVE"}
        assert Job.objects.get(pk=job.pk).done == job.total
