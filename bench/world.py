"""The pieces the Graph benchmarks share: the simulator served over HTTP with a real-time clock
(and optional rate limits), an agency whose ad account is the simulator's demo account, and a real
Celery worker process (the tests' harness, with production-like retry and throttle settings)."""

from __future__ import annotations

import os
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.env import REDIS_URL
from bench.timing import ENV as TIMINGS_ENV
from bench.timing import SimulatorTimer, logging_with_timings


@contextmanager
def served_simulator(*, limits=None, timings=None):
    """The simulator on 127.0.0.1 (real clock, the settings' app); yields (served, timer)."""
    from django.conf import settings

    from graph_sim import SimConfig, Simulator
    from graph_sim.app import Timings
    from graph_sim.ratelimit import Limits
    from graph_sim.testing import run_simulator

    sim = Simulator(seed=0, config=SimConfig(
        app_id=settings.META_APP_ID, app_secret=settings.META_APP_SECRET, manual_clock=False,
        clock_start=time.time(), limits=limits or Limits(),
        timings=timings or Timings()))
    timer = SimulatorTimer(sim)
    with run_simulator(sim) as served:
        settings.GRAPH_API_BASE_URL = served.base_url
        yield served, timer


def agency_with_sim_account(sim):
    """An agency, a manager, and its ad account = the simulator's active USD demo account."""
    from agency.roles import Role
    from tests.factories.accounts import MetaConnectionFactory
    from tests.factories.agency import AgencyFactory, ClientFactory, MembershipFactory
    from tests.factories.campaigns import AdAccountFactory

    agency = AgencyFactory(name="Bench Agency", slug="bench")
    manager = MembershipFactory(agency=agency, role=Role.MANAGER)
    client = ClientFactory(agency=agency, name="Bench Client")
    connection = MetaConnectionFactory(agency=agency, token=sim.mint_token().value)
    act = sim.world.demo["active_ad_account_id"]
    remote = sim.world.ad_account(act)
    account = AdAccountFactory(agency=agency, client=client, connection=connection,
                               account_id=act.removeprefix("act_"), currency=remote.currency,
                               timezone_name=remote.timezone_name, min_daily_budget_minor=None)
    return agency, manager, account


@contextmanager
def celery_worker(*, database_url: str, graph_url: str, settings: dict[str, Any] | None = None):
    """A real `celery -A agency worker` (2 processes, every queue) on Redis and the bench
    database; this process sends its tasks to the same broker. Yields (harness, timings file)."""
    from django.conf import settings as django_settings

    from campaigns.services.bulk_publish import POLL_SECONDS_DEFAULT
    from tests.workers import WorkerHarness, point_app_at

    log_dir = Path(tempfile.mkdtemp(prefix="adwright-bench-"))
    timings = log_dir / "graph-timings.txt"
    os.environ[TIMINGS_ENV] = str(timings)
    harness = WorkerHarness(
        broker_url=REDIS_URL, key_prefix=f"adwright:bench:{uuid.uuid4().hex[:8]}:",
        database_url=database_url, graph_url=graph_url, log_dir=log_dir, include=[],
        settings={
            # What production uses, not the tests' short waits.
            "GRAPH_THROTTLE_MAX_WAIT_SECONDS": 60, "GRAPH_MAX_ATTEMPTS": 5,
            "JOBS_LEASE_SECONDS": 60, "JOBS_MAX_COUNTDOWN_SECONDS": 60,
            "JOBS_RETRY_BACKOFF_SECONDS": 1, "JOBS_RETRY_BACKOFF_MAX_SECONDS": 30,
            "BULK_PUBLISH_POLL_SECONDS": POLL_SECONDS_DEFAULT,
            "LOGGING": logging_with_timings(django_settings.LOGGING),
            **(settings or {}),
        })
    undo = point_app_at(broker_url=REDIS_URL, transport_options=harness.transport_options)
    try:
        harness.start()
        yield harness, timings
    finally:
        harness.kill()
        harness.purge()
        undo()
