"""Schedules: the data migration's periodic tasks, per-ad-account schedules in the account's own
time zone (created on import, removable), and the scheduled starter."""

from __future__ import annotations

import json

import pytest
from django_celery_beat.models import PeriodicTask

from agency.jobs import registry
from agency.jobs.models import Job, JobState
from agency.jobs.scheduling import (
    ad_account_schedules_ensure,
    ad_account_schedules_remove,
    scheduled_job_start,
)
from agency.jobs.tasks import job_start_scheduled
from campaigns.models import AdAccount
from campaigns.services import ad_account_apply_refresh, ad_accounts_import

pytestmark = pytest.mark.django_db


def test_the_hourly_token_health_check_is_a_database_schedule(settings):
    """The data migration's rows (re-created here: a transactional test may have flushed them)."""
    import importlib

    from django.apps import apps

    from agency.celery import app

    migration = importlib.import_module("agency.jobs.migrations.0002_periodic_tasks")
    migration.create(apps, None)
    migration.create(apps, None)  # idempotent
    task = PeriodicTask.objects.get(task="accounts.tasks.connections_check_all")
    assert task.enabled and task.crontab.minute == "17" and task.crontab.hour == "*"
    assert PeriodicTask.objects.filter(task="agency.jobs.tasks.jobs_requeue_stale").count() == 1
    assert not app.conf.beat_schedule  # nothing left in code
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"


def test_importing_an_ad_account_schedules_it_in_its_own_time_zone(owner, client_a, graph,
                                                                   sim_connection):
    demo = graph.sim.world.demo
    jpy = demo["ad_account_by_currency"]["JPY"].removeprefix("act_")
    [ad_account] = ad_accounts_import(membership=owner, connection=sim_connection,
                                      assignments={jpy: client_a})
    tasks = PeriodicTask.objects.filter(task="agency.jobs.tasks.job_start_scheduled")
    assert {json.loads(t.kwargs)["kind"] for t in tasks} == {"campaigns.sync",
                                                             "insights.refresh"}
    for task in tasks:
        assert json.loads(task.kwargs)["ad_account_id"] == ad_account.pk
        assert str(task.crontab.timezone) == ad_account.timezone_name == "Asia/Tokyo"


def test_schedules_follow_a_time_zone_change_and_are_removed_with_the_account(
    agency, sim_ad_accounts
):
    ad_account = sim_ad_accounts[0]
    ad_account_schedules_ensure(ad_account=ad_account)
    ad_account_apply_refresh(ad_account=ad_account, data={"timezone_name": "Europe/Paris"})
    zones = {str(t.crontab.timezone) for t in PeriodicTask.objects.filter(
        name__startswith=f"ad account {ad_account.pk}:")}
    assert zones == {"Europe/Paris"}
    assert ad_account_schedules_remove(ad_account_id=ad_account.pk) == 2
    ad_account_schedules_ensure(ad_account=ad_account)
    AdAccount.objects.unscoped().filter(pk=ad_account.pk).delete()
    assert not PeriodicTask.objects.filter(name__startswith=f"ad account {ad_account.pk}:")


def test_a_scheduled_kind_nobody_registered_is_a_logged_no_op(sim_ad_accounts):
    assert job_start_scheduled("tests.nobody_registers_this", sim_ad_accounts[0].pk) is None
    assert not Job.objects.unscoped().exists()


def test_a_scheduled_kind_starts_once_per_account_until_it_finishes(
    sim_ad_accounts, django_capture_on_commit_callbacks
):
    ad_account = sim_ad_accounts[0]
    previous = registry._KINDS.get("campaigns.sync")  # the campaigns app registers the real one
    registry.job_kind("campaigns.sync", queue="maintenance", label="Sync")(lambda job: None)
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            first = scheduled_job_start(kind="campaigns.sync", ad_account_id=ad_account.pk)
            again = scheduled_job_start(kind="campaigns.sync", ad_account_id=ad_account.pk)
        assert first is not None and again is None and len(callbacks) == 1
        assert first.connection_id == ad_account.connection_id and first.started_by is None
        Job.objects.unscoped().filter(pk=first.pk).update(state=JobState.SUCCEEDED)
        assert scheduled_job_start(kind="campaigns.sync", ad_account_id=ad_account.pk)
    finally:
        registry._KINDS.pop("campaigns.sync", None)
        if previous is not None:
            registry._KINDS["campaigns.sync"] = previous
