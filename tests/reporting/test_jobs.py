"""`insights.refresh` through the job system: in process, and on a real Celery worker that is
SIGKILLed mid-refresh and restarted (the refresh resumes; no row is stored twice)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db.models import Count, Sum

from agency.jobs import services as jobs
from agency.jobs.models import JobState
from agency.jobs.runner import job_execute
from agency.tenancy import agency_scope
from reporting.models import InsightRow, InsightsRefresh, Level, RefreshStatus
from reporting.services.ingest import insights_refresh
from reporting.services.refresh import insights_refresh_state
from tests.reporting.conftest import sim_today


def _lookback_only(account, days: int) -> None:
    with agency_scope(account.agency_id):
        state = insights_refresh_state(ad_account=account)
        state.backfill_done = True
        state.lookback_days = days
        state.save()


@pytest.mark.django_db
def test_refresh_job_reports_progress_per_stored_chunk(graph, usd_account, settings):
    settings.REPORTING_WINDOW_DAYS = 7
    settings.REPORTING_BREAKDOWNS = []
    settings.REPORTING_LEVELS = [Level.ACCOUNT, Level.CAMPAIGN]
    _lookback_only(usd_account, 13)
    with agency_scope(usd_account.agency_id):
        job = jobs.job_start(kind="insights.refresh", target=usd_account,
                             params={"ad_account_id": usd_account.pk})
    outcome = job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert outcome.state == JobState.SUCCEEDED
    assert job.total == job.done == 4  # two 7-day windows x two levels
    assert len(job.checkpoint["done"]) == 4
    state = InsightsRefresh.objects.unscoped().get(ad_account=usd_account)
    assert state.status == RefreshStatus.IDLE and state.last_refreshed_at


class _ClockPump:
    """Moves the simulator's clock while a worker polls report runs in real time."""

    def __init__(self, clock):
        self.clock, self.stop = clock, threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.wait(0.02):
            self.clock.advance(0.5)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


celery_worker_include: list[str] = []


@pytest.mark.postgres
@pytest.mark.redis
def test_refresh_resumes_after_the_worker_is_killed_without_duplicate_rows(
    celery_worker, graph, client_a, sim_clock
):
    from tests.factories.reporting import sim_ad_account

    celery_worker.extra_settings.update(
        REPORTING_POLL_INITIAL=0.05, REPORTING_POLL_MAX=0.1, REPORTING_WINDOW_DAYS=3,
        REPORTING_BREAKDOWNS=[], REPORTING_LEVELS=["account", "campaign", "ad"],
    )
    celery_worker.restart()
    account = sim_ad_account(graph=graph, client=client_a)
    _lookback_only(account, 14)
    with _ClockPump(graph.sim.clock):
        with agency_scope(account.agency_id):
            job = jobs.job_start(kind="insights.refresh", target=account,
                                 params={"ad_account_id": account.pk})
        celery_worker.wait_for(job, JobState.RUNNING, where=lambda j: j.done >= 3, timeout=60)
        celery_worker.kill()
        stored_before = InsightRow.objects.unscoped().filter(ad_account=account).count()
        assert stored_before > 0
        celery_worker.start()
        job = celery_worker.wait_for(job, JobState.SUCCEEDED, timeout=120)
    assert job.attempts >= 2 and job.done == job.total == 15  # 5 windows x 3 levels
    with agency_scope(account.agency_id):
        dupes = (InsightRow.objects.values("level", "object_id", "date", "breakdown",
                                           "breakdown_value").annotate(n=Count("id"))
                 .filter(n__gt=1))
        assert not dupes.exists()
        today = sim_today(graph, account)
        past = InsightRow.objects.filter(level=Level.ACCOUNT, date__lt=today)
        stored = past.aggregate(s=Sum("spend_minor"))["s"]
        InsightRow.objects.all().delete()
        from accounts.services.graph import graph_for_connection

        with graph_for_connection(connection=account.connection, purpose="test") as client:
            insights_refresh(ad_account=account, since=today - timedelta(days=14), until=today,
                             client=client, levels=[Level.ACCOUNT], breakdowns=[])
        assert stored == past.aggregate(s=Sum("spend_minor"))["s"]


@pytest.mark.django_db
def test_a_cancelled_refresh_stops_and_is_not_shown_as_failed(graph, usd_account, settings,
                                                               monkeypatch):
    settings.REPORTING_WINDOW_DAYS = 3
    settings.REPORTING_BREAKDOWNS = []
    settings.REPORTING_LEVELS = [Level.ACCOUNT]
    _lookback_only(usd_account, 12)
    with agency_scope(usd_account.agency_id):
        job = jobs.job_start(kind="insights.refresh", target=usd_account,
                             params={"ad_account_id": usd_account.pk})
        from agency.jobs.models import Job

        original = jobs.job_advance

        def user_cancels_after_the_first_chunk(*, job, **kw):
            # The user presses Cancel while the first chunk is being stored (the real service).
            result = original(job=job, **kw)
            if job.done == 1:
                jobs.job_cancel(job=Job.objects.get(pk=job.pk))
            return result

        monkeypatch.setattr(jobs, "job_advance", user_cancels_after_the_first_chunk)
        job_execute(job_id=job.pk)
    job.refresh_from_db()
    assert job.state == JobState.CANCELLED and job.done < 5
    state = InsightsRefresh.objects.unscoped().get(ad_account=usd_account)
    assert state.status == RefreshStatus.IDLE and "cancelled" in state.last_error


@pytest.mark.django_db
def test_staff_start_a_refresh_from_the_page_and_see_its_progress(
        client, owner, usd_account, django_capture_on_commit_callbacks):
    from django.urls import reverse

    from agency.jobs.models import Job
    from agency.models import AuditEvent
    from tests.conftest import login

    login(client, owner)
    url = reverse("reporting:ad-account-refresh", args=[usd_account.pk])
    with django_capture_on_commit_callbacks() as sent:
        response = client.post(url, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-testid="job-progress"' in response.content.decode()
    job = Job.objects.unscoped().get()
    assert (job.kind, job.queue, job.params["ad_account_id"]) == (
        "insights.refresh", "insights", usd_account.pk)
    assert len(sent) == 1  # enqueued once the transaction committed
    again = client.post(url)  # a second click while it runs: the same job, not another
    assert again.status_code == 302 and Job.objects.unscoped().count() == 1
    state = InsightsRefresh.objects.unscoped().get(ad_account=usd_account)
    assert state.status == RefreshStatus.RUNNING and state.job_id == job.pk
    assert AuditEvent.objects.unscoped().filter(verb="insights.refresh_started").count() == 1
    page = client.get(reverse("reporting:ad-account", args=[usd_account.pk])).content.decode()
    assert f'data-job-id="{job.pk}"' in page and "Refreshing" in page
