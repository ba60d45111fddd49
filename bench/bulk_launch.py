"""Bulk launch: N campaigns x N ad sets x N ads (2 image creatives per campaign; 10 x 10 x 10 =
1,000 ads and 20 creatives at full size) published by `bulk_publish_start` as one job, run by a
real Celery worker process against the simulator served over HTTP.

Prints the Graph calls made (HTTP requests and operations inside batches, from the simulator's
call log) against the minimum the documented batch and async limits allow, the wall time, and
how the time splits between waiting on the simulator and our own code."""

from __future__ import annotations

from bench.env import Stopwatch, bench_database, django_setup, figure, redis_check, say

ASYNC_REQUEST_SECONDS = 0.02


def minimum_calls(**counts) -> str:
    """The publish engine's own figure of the fewest calls (added with its batching)."""
    try:
        from campaigns.services.bulk_publish import bulk_publish_minimum_calls
    except ImportError:
        return "n/a (not available)"
    return str(bulk_publish_minimum_calls(**counts))


def drafts_create(*, account, actor, demo, n: int) -> list:
    """n campaigns, each with n ad sets of n ads and 2 image creatives, through the builder's
    own draft services."""
    from campaigns.services.drafts import (
        ad_draft_create,
        adset_draft_create,
        campaign_draft_create,
        creative_draft_create,
        draft_update,
    )

    campaigns = []
    for c in range(n):
        campaign = campaign_draft_create(ad_account=account, actor=actor, name=f"Launch {c}",
                                         with_children=False)
        creatives = []
        for k in range(2):
            creative = creative_draft_create(campaign=campaign, actor=actor)
            draft_update(obj=creative, actor=actor, changes={
                "page_id": demo["page_ids"][0],
                "spec": {"message": f"Warm boots {c}-{k}", "headline": f"Launch {c} {k}",
                         "link": "https://shop.example.com/", "call_to_action": "SHOP_NOW",
                         "image_hash": demo["image_hashes"][k % len(demo["image_hashes"])]},
            })
            creatives.append(creative)
        for _ in range(n):
            adset = adset_draft_create(campaign=campaign, actor=actor)
            for a in range(n):
                ad_draft_create(adset=adset, creative=creatives[a % 2], actor=actor)
        campaigns.append(campaign)
    return campaigns


def run(*, size: int) -> None:
    redis_check()
    with bench_database() as url:
        django_setup(database_url=url)
        _run(n=size, database_url=url)


def _run(*, n: int, database_url: str) -> None:
    from agency.jobs.models import JobState
    from agency.tenancy import agency_scope
    from bench.timing import async_wait_seconds, graph_wait_seconds
    from bench.world import agency_with_sim_account, celery_worker, served_simulator
    from campaigns.services.bulk_publish import bulk_publish_start

    # Meta works through an async ad request set's requests in parallel; the simulator takes them
    # one at a time, by default 10 s each (for tests of progress). The benchmark gives each 20 ms
    # of Meta's processing, so the figure is our engine's, not a waiting room's.
    from graph_sim.app import Timings

    timings = Timings(async_job=ASYNC_REQUEST_SECONDS)
    with served_simulator(timings=timings) as (served, sim_timer):
        agency, manager, account = agency_with_sim_account(served.sim)
        with agency_scope(agency):
            say(f"creating {n} x {n} x {n} drafts")
            clock = Stopwatch()
            campaigns = drafts_create(account=account, actor=manager.user,
                                      demo=served.sim.world.demo, n=n)
            drafts_seconds = clock.seconds
        with celery_worker(database_url=database_url, graph_url=served.base_url) as (
                worker, timings):
            before = len(served.sim.calls)
            sim_before = sim_timer.seconds
            say("publishing on the worker")
            clock = Stopwatch()
            with agency_scope(agency):
                job = bulk_publish_start(campaigns=campaigns, actor=manager.user)
            job = worker.wait_for(job, JobState.SUCCEEDED, JobState.FAILED, timeout=3600)
            wall = clock.seconds
            calls = served.sim.calls[before:]
            sim_seconds = sim_timer.seconds - sim_before
        client_calls, waiting = graph_wait_seconds(timings)
        async_waiting = async_wait_seconds(timings)

    requests = [c for c in calls if not c.in_batch]
    in_batch = len(calls) - len(requests)
    by_kind: dict[str, int] = {}
    for c in requests:
        key = f"{c.method} {c.kind or c.path}"
        by_kind[key] = by_kind.get(key, 0) + 1
    ads, adsets, creatives = n * n * n, n * n, 2 * n
    figure("objects", f"{n} campaigns, {adsets} ad sets, {creatives} creatives, {ads} ads "
                      f"(drafts made in {drafts_seconds:.1f} s, not counted)")
    figure("job", f"{job.state}, {job.done}/{job.total} steps, {job.failed} failed"
                  + (f", last error: {job.errors[-1]}" if job.errors else ""))
    minimum = minimum_calls(campaigns=n, adsets=adsets, creatives=creatives, ads=ads)
    figure("graph calls", f"{len(requests):,} HTTP requests ({in_batch:,} operations inside "
                          f"batches); minimum: {minimum}")
    figure("graph calls by kind", ", ".join(f"{k} {v}" for k, v in
                                            sorted(by_kind.items(), key=lambda i: -i[1])[:6]))
    figure("wall time", f"{wall:.1f} s from bulk_publish_start to the job's end "
                        f"({ads / wall:.1f} ads/s)")
    ours = max(0.0, wall - waiting - async_waiting)
    figure("time split", f"waiting on the simulator {waiting:.1f} s ({waiting / wall:.0%}, "
                         f"{client_calls:,} calls timed by the Graph client; the simulator "
                         f"itself spent {sim_seconds:.2f} s answering), waiting between reads "
                         f"of unfinished async sets {async_waiting:.1f} s "
                         f"({async_waiting / wall:.0%}), our code and the queue {ours:.1f} s "
                         f"({ours / wall:.0%})")
