"""Jobs on a real Celery worker process (Redis broker, PostgreSQL, the Graph simulator): progress
visible through the API, throttling that slows a job without failing it, cancel, pause on a
revoked token and resume after reconnecting, and a worker SIGKILLed mid-job."""

from __future__ import annotations

import httpx
import pytest
from django.urls import reverse

from accounts.models import ConnectionStatus
from agency.jobs import services as jobs
from agency.jobs.models import Job, JobState
from agency.tenancy import agency_scope
from campaigns.models import AdAccount

celery_worker_include = ["tests.jobs.kinds"]

pytestmark = [pytest.mark.postgres, pytest.mark.redis]


def _start(agency, **kw):
    with agency_scope(agency):
        return jobs.job_start(**kw)


def test_progress_moves_on_the_worker_and_is_visible_through_the_api(
    celery_worker, agency, owner_client
):
    job = _start(agency, kind="tests.steps", params={"steps": 5, "sleep": 0.3})
    url = reverse("api:job-detail", args=[job.pk])
    seen = []

    def finished():
        body = owner_client.get(url).json()
        seen.append((body["state"], body["done"]))
        return body["state"] in {"succeeded", "failed"}

    celery_worker.wait_until(finished, timeout=30, interval=0.15, what="the job to finish")
    assert seen[-1] == ("succeeded", 5)
    assert any(state == "running" and 0 < done < 5 for state, done in seen), seen
    dones = [done for _state, done in seen]
    assert dones == sorted(dones)  # progress only moves forward
    job.refresh_from_db()
    assert job.checkpoint["runs"] == [0, 1, 2, 3, 4] and job.queue == "maintenance"


def test_a_throttled_account_slows_the_job_without_failing_it(
    celery_worker, agency, sim_connection, graph
):
    act = graph.sim.world.demo["active_ad_account_id"]
    graph.sim.faults.add("throttle", code=80004, path=f"/{act}", times=1, eta_minutes=1)
    job = _start(agency, kind="tests.steps", connection=sim_connection,
                 params={"steps": 3, "graph_path": act})

    # Meta says "come back in a minute": the job keeps waiting (retrying on the worker, each
    # time refused by our shared throttle store without calling Graph), and does not fail.
    job = celery_worker.wait_for(job, JobState.RUNNING, where=lambda j: j.attempts >= 3,
                                 timeout=30)
    assert any("rate limiting" in e["message"] for e in job.errors) and job.done == 0
    calls = [c for c in graph.sim.calls if c.path == f"/{act}"]
    assert [c.error_code for c in calls] == [80004]  # one call; none while blocked

    # The minute passes (the worker's record of the block expires): the job goes on.
    celery_worker.clear_throttle()
    job = celery_worker.wait_for(job, JobState.SUCCEEDED, JobState.FAILED, timeout=30)
    assert job.state == JobState.SUCCEEDED and (job.done, job.failed) == (3, 0)
    assert job.checkpoint["runs"] == [0, 1, 2]  # no step done twice
    assert [c.error_code for c in graph.sim.calls if c.path == f"/{act}"] == [80004, None,
                                                                               None, None]


def test_a_cancelled_job_stops(celery_worker, agency, owner_client):
    job = _start(agency, kind="tests.steps", params={"steps": 100, "sleep": 0.2})
    celery_worker.wait_for(job, JobState.RUNNING, where=lambda j: j.done >= 2)
    response = owner_client.post(reverse("api:job-cancel", args=[job.pk]))
    assert response.status_code == 200 and response.json()["state"] == "cancelled"
    done_at_cancel = Job.objects.unscoped().get(pk=job.pk).done
    celery_worker.wait_until(lambda: f"job {job.pk}: cancelled, stopped" in celery_worker.logs(),
                             what="the worker to stop the job")
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and job.done == done_at_cancel < 100


def test_a_revoked_token_pauses_the_job_and_reconnecting_resumes_it(
    celery_worker, agency, owner, owner_client, sim_connection, graph
):
    from tests.accounts.test_onboarding import _callback, _dialog
    from tests.accounts.test_onboarding import _start as _oauth_start

    job = _start(agency, kind="tests.steps", connection=sim_connection,
                 params={"steps": 6, "sleep": 0.2, "graph_path": "me"})
    celery_worker.wait_for(job, JobState.RUNNING, where=lambda j: j.done >= 2)
    httpx.post(f"{graph.base_url}/__sim__/tokens/revoke",
               json={"access_token": sim_connection.access_token.reveal()})
    job = celery_worker.wait_for(job, JobState.PAUSED)
    assert "reconnect" in job.pause_reason
    sim_connection.refresh_from_db()
    assert sim_connection.status not in {ConnectionStatus.ACTIVE, ConnectionStatus.EXPIRING}
    page = owner_client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Paused:" in page
    paused_at = job.done

    # The owner reconnects the connection through Meta's dialog: the job resumes by itself.
    _callback(owner_client, _dialog(graph, _oauth_start(owner_client,
                                                        connection_id=sim_connection.pk)))
    sim_connection.refresh_from_db()
    assert sim_connection.status == ConnectionStatus.ACTIVE
    job = celery_worker.wait_for(job, JobState.SUCCEEDED, JobState.FAILED, timeout=30)
    assert job.state == JobState.SUCCEEDED and job.done == 6
    assert job.checkpoint["runs"] == list(range(6))  # resumed at step `paused_at`, none redone
    assert 2 <= paused_at < 6


def test_a_worker_killed_mid_job_is_replaced_and_the_job_finishes_from_its_checkpoint(
    celery_worker, agency, sim_ad_accounts, graph
):
    # Each ad account read takes 0.8 s, so the worker is surely killed in the middle.
    graph.sim.faults.add("delay", method="GET", path="/act_*", delay=0.8)
    job = _start(agency, kind="adaccounts.refresh")
    job = celery_worker.wait_for(job, JobState.RUNNING, where=lambda j: j.done >= 2)
    celery_worker.kill()
    done_before = set(Job.objects.unscoped().get(pk=job.pk).checkpoint["done"])
    assert 2 <= len(done_before) < len(sim_ad_accounts)

    celery_worker.start()  # the unacknowledged message is delivered again, to the new worker
    job = celery_worker.wait_for(job, JobState.SUCCEEDED, JobState.FAILED, timeout=40)
    assert job.state == JobState.SUCCEEDED and job.done == len(sim_ad_accounts)
    assert job.attempts >= 2
    reads = [c.path for c in graph.sim.calls if c.method == "GET" and c.path.startswith("/act_")]
    for ad_account in sim_ad_accounts:
        expected = 1 if ad_account.pk in done_before else (1, 2)  # in flight: maybe read twice
        count = reads.count(f"/act_{ad_account.account_id}")
        assert count in (expected if isinstance(expected, tuple) else (expected,)), (
            ad_account, count)
    assert len(reads) <= len(sim_ad_accounts) + 1
    assert not AdAccount.objects.unscoped().filter(name__startswith="Old name").exists()


def test_a_long_step_is_never_run_twice_when_redis_redelivers_its_message(celery_worker, agency):
    # Each step outlasts the broker's visibility timeout (4 s here), so Redis hands the message
    # out again while the first worker process still runs it; the job's lease, renewed by the
    # heartbeat, makes the copy wait instead of running the job a second time.
    job = _start(agency, kind="tests.steps", params={"steps": 2, "sleep": 5})
    job = celery_worker.wait_for(job, JobState.SUCCEEDED, JobState.FAILED, timeout=40)
    assert job.state == JobState.SUCCEEDED and job.done == 2
    assert job.checkpoint["runs"] == [0, 1]
    assert "held by another worker" in celery_worker.logs()  # the copy came, and waited
