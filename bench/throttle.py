"""Throttle efficiency: a structure sync (`campaigns.services.sync.ad_account_sync`, repeated)
and an insights backfill (`reporting.services.ingest.insights_refresh`) against the simulator with
tight rate limits on, through the Graph client's shared throttle (Redis), as a worker runs them.

Prints the throttling errors received (the goal is none) and, per business use case, the call
rate achieved against the budget the limits allow (the goal is close to it). The simulator's
rolling window is shortened (WINDOW seconds instead of an hour) so a run takes minutes;
its report runs finish in 1 s instead of 20 s."""

from __future__ import annotations

import time
from datetime import timedelta

from bench.env import REDIS_URL, Stopwatch, bench_database, django_setup, figure, redis_check, say

# Graph's window is an hour; a minute keeps a run short while a block (whose estimated time to
# regain access Graph gives in whole minutes) still costs about one window, as it would there.
WINDOW = 60.0  # seconds of the simulator's rolling window
MANAGEMENT_QUOTA = 30  # ads_management calls per window: 0.5 call/s
INSIGHTS_QUOTA = 60  # ads_insights calls per window: 1 call/s
THROTTLE_CODES = {4, 17, 32, 613, 80000, 80001, 80002, 80003, 80004, 80005, 80006}


def run(*, size: int) -> None:
    redis_check()
    with bench_database() as url:
        from agency.settings.base import LOGGING
        from bench.timing import logging_with_timings

        django_setup(database_url=url, settings={
            "LOGGING": logging_with_timings(LOGGING),  # no console line per Graph call
            "REDIS_URL": REDIS_URL,
            "GRAPH_THROTTLE_PREFIX": f"adwright:bench:{time.time_ns()}:graph:",
            "GRAPH_THROTTLE_MAX_WAIT_SECONDS": 60, "GRAPH_MAX_ATTEMPTS": 5,
            "REPORTING_POLL_INITIAL": 0.25, "REPORTING_POLL_MAX": 2.0,
        })
        _run(days=size)


def _as_a_job_would(action, *, what: str, attempts: int = 6) -> int:
    """Run `action()`; a throttling error waits its retry_after and runs it again, as the jobs
    runner does (the work is idempotent and resumes from its checkpoint). Returns how many
    times it was throttled; gives up after `attempts` (said in the figures)."""
    from agency.graph.errors import GraphThrottleError

    throttled = 0
    while throttled < attempts:
        try:
            action()
            return throttled
        except GraphThrottleError as exc:
            throttled += 1
            wait = exc.retry_after or 60.0
            say(f"{what}: throttled ({exc.code}), waiting {wait:.0f} s as the job would")
            time.sleep(wait)
    say(f"{what}: gave up after {attempts} throttled attempts")
    return throttled


def _rate(calls, buc: str, account: str) -> tuple[int, float]:
    mine = [c for c in calls if c.buc == buc and (c.account_id or "").endswith(account)]
    if len(mine) < 2:
        return len(mine), 0.0
    return len(mine), len(mine) / max(1e-6, mine[-1].time - mine[0].time)


def _run(*, days: int) -> None:
    from agency.tenancy import agency_scope
    from bench.world import agency_with_sim_account, served_simulator
    from campaigns.services.sync import ad_account_sync
    from graph_sim.app import Timings
    from graph_sim.ratelimit import Limits
    from reporting.services import ingest
    from reporting.services.refresh import account_today

    limits = Limits(window_seconds=WINDOW, ads_management=MANAGEMENT_QUOTA,
                    ads_insights=INSIGHTS_QUOTA)
    with served_simulator(limits=limits, timings=Timings(report_run=1.0, async_job=0.5)) as (
            served, _timer):
        agency, manager, account = agency_with_sim_account(served.sim)
        with agency_scope(agency):
            syncs = max(1, days // 9)
            say(f"{syncs} structure syncs")
            start = len(served.sim.calls)
            clock = Stopwatch()
            throttled_jobs = 0
            for _ in range(syncs):
                throttled_jobs += _as_a_job_would(
                    lambda: ad_account_sync(ad_account=account, actor=manager.user),
                    what="sync")
            sync_seconds = clock.seconds
            sync_calls = served.sim.calls[start:]

            until = account_today(ad_account=account) - timedelta(days=1)
            since = until - timedelta(days=days - 1)
            say(f"insights backfill of {days} days")
            start = len(served.sim.calls)
            clock = Stopwatch()

            done: list[str] = []  # the job's checkpoint: chunks stored survive a retry

            def backfill():
                from accounts.services.graph import graph_for_connection

                with graph_for_connection(connection=account.connection,
                                          purpose="insights_refresh") as client:
                    # A tiny run (the smoke test's) reads the four levels only.
                    return ingest.insights_refresh(ad_account=account, since=since,
                                                   until=until, client=client, done=done,
                                                   on_chunk=lambda c, n, s: done.append(c.key),
                                                   breakdowns=None if days >= 7 else ())

            throttled_jobs += _as_a_job_would(backfill, what="backfill")
            backfill_seconds = clock.seconds
            backfill_calls = served.sim.calls[start:]

    act = account.account_id
    for label, calls, seconds, buc, quota in (
            ("sync", sync_calls, sync_seconds, "ads_management", MANAGEMENT_QUOTA),
            ("backfill", backfill_calls, backfill_seconds, "ads_insights", INSIGHTS_QUOTA)):
        errors = sum(1 for c in calls if c.error_code in THROTTLE_CODES)
        counted, rate = _rate(calls, buc, act)
        budget = quota / WINDOW
        figure(f"{label} calls", f"{len(calls):,} Graph calls in {seconds:.1f} s "
                                 f"({counted:,} counted against {buc})")
        figure(f"{label} throttling errors", f"{errors} (goal: 0)")
        figure(f"{label} call rate", f"{rate:.2f} calls/s against a budget of {budget:.2f} "
                                     f"({quota} per {WINDOW:.0f} s): "
                                     f"{rate / budget:.0%} of the budget"
                                     + (" (fits in one window: the budget is not binding)"
                                        if counted <= quota else ""))
    figure("throttled retries", f"{throttled_jobs} (a job would have waited and retried)")
