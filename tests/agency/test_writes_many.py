"""graph_create_many: many creates in few calls, each exactly once per key, reconciled by marker
after a lost answer, refusals reported per object."""

from __future__ import annotations

import pytest

from agency.writes import (
    CreateSpec,
    GraphWrite,
    GraphWriteState,
    graph_create_many,
    write_marker,
)
from tests.graph.conftest import FakeClock, GraphHarness


@pytest.fixture
def sim(graph):
    graph.sim.config.timings.async_job = 10.0  # Graph's pace, on the fake clock the client sleeps
    harness = GraphHarness(sim=graph.sim, url=graph.base_url, clock=FakeClock(graph.sim))
    yield harness
    for client in harness.clients:
        client.close()


def campaigns(sim, names, prefix="k"):
    return [CreateSpec(key=f"{prefix}-{n}", edge=f"{sim.account_id}/campaigns", kind="campaign",
                       data=sim.campaign_data(n)) for n in names]


def named(sim, name, key):
    return [o.id for o in sim.campaigns_named(f"{name} [{write_marker(key)}]")]


def posts(sim) -> int:
    return len(sim.sim.calls.find(method="POST"))


@pytest.mark.parametrize("via", ["batch", "async_batch"])
def test_creates_every_object_once_and_reports_refusals(sim, scoped, via):
    specs = campaigns(sim, ["A", "B", "C"])
    specs.append(CreateSpec(key="k-bad", edge=f"{sim.account_id}/campaigns", kind="campaign",
                            data={"name": "Bad"}))
    seen = []

    out = graph_create_many(client=sim.client(), account_id=sim.account_id, specs=specs, via=via,
                            on_result=lambda outcomes: seen.extend(o.key for o in outcomes),
                            poll_every=5)

    for name in "ABC":
        assert named(sim, name, f"k-{name}") == [out[f"k-{name}"].graph_id]
    assert out["k-bad"].error is not None and not out["k-bad"].ok
    assert out["k-bad"].error.message
    assert sorted(seen) == sorted(out)
    states = dict(GraphWrite.objects.values_list("key", "state"))
    assert states["k-bad"] == GraphWriteState.FAILED and states["k-A"] == GraphWriteState.DONE

    calls = posts(sim)
    again = graph_create_many(client=sim.client(), account_id=sim.account_id,
                              specs=specs[:3], via=via)
    assert {k: o.graph_id for k, o in again.items()} == {
        k: out[k].graph_id for k in ("k-A", "k-B", "k-C")}
    assert posts(sim) == calls  # done keys: no call at all


def test_lost_batch_answer_is_reconciled_by_marker_not_posted_again(sim, scoped):
    sim.sim.faults.add("transient", method="POST", path="/", after_apply=True, times=1)
    specs = campaigns(sim, ["Lost 1", "Lost 2"])

    out = graph_create_many(client=sim.client(), account_id=sim.account_id, specs=specs)

    assert named(sim, "Lost 1", "k-Lost 1") == [out["k-Lost 1"].graph_id]
    assert named(sim, "Lost 2", "k-Lost 2") == [out["k-Lost 2"].graph_id]
    assert all(w.lookups == 1 for w in GraphWrite.objects.all())


def test_ads_go_through_one_async_ad_request_set(sim, scoped):
    specs = [CreateSpec(key=f"ad-{n}", edge=f"{sim.account_id}/ads", kind="ad", data={
        "name": f"Async ad {n}", "adset_id": sim.demo["active_adset_id"],
        "creative": {"creative_id": sim.demo["creative_id"]}, "status": "PAUSED"})
        for n in range(5)]

    out = graph_create_many(client=sim.client(), account_id=sim.account_id, specs=specs,
                            via="ad_request_set", poll_every=5)

    assert all(o.ok for o in out.values())
    sets = sim.sim.calls.find(method="POST", path="/act_*/asyncadrequestsets")
    assert len(sets) == 1
    ads = [o for o in sim.sim.world.all("ad") if "Async ad" in str(getattr(o, "name", ""))]
    assert len(ads) == 5


def test_a_dead_workers_set_is_waited_for_then_reconciled_and_never_sent_again(sim, scoped,
                                                                               settings):
    """A worker claimed the rows, submitted the set and died before reading it (its leases
    lapsed). The next attempt waits for Graph to finish our running set, then finds each ad
    by its marker: no second set, no second ad."""
    from agency.graph.async_requests import async_ad_request_set_create
    from agency.writes.many import SET_PREFIX, _claim, _items

    settings.GRAPH_WRITE_LEASE_SECONDS = 0
    specs = [CreateSpec(key=f"dead-{n}", edge=f"{sim.account_id}/ads", kind="ad", data={
        "name": f"Dead ad {n}", "adset_id": sim.demo["active_adset_id"],
        "creative": {"creative_id": sim.demo["creative_id"]}, "status": "PAUSED"})
        for n in range(3)]
    items = _items(specs)
    assert all(_claim(item, 0) for item in items)
    async_ad_request_set_create(sim.client(), account_id=sim.account_id,
                                name=f"{SET_PREFIX} ad dead", ad_specs=[i.payload for i in items])
    assert set(GraphWrite.objects.values_list("state", flat=True)) == {GraphWriteState.SENT}

    out = graph_create_many(client=sim.client(), account_id=sim.account_id, specs=specs,
                            via="ad_request_set", poll_every=5)

    assert all(o.ok for o in out.values())
    assert len(sim.sim.calls.find(method="POST", path="/act_*/asyncadrequestsets")) == 1
    ads = [o for o in sim.sim.world.all("ad") if "Dead ad" in str(getattr(o, "name", ""))]
    assert sorted(a.id for a in ads) == sorted(o.graph_id for o in out.values())
    assert sim.clock.slept >= 30  # it waited for Graph to work through the set


def test_a_write_another_worker_holds_is_not_sent(sim, scoped):
    from agency.writes import GraphWriteInProgressError
    from agency.writes.many import _claim, _items

    specs = campaigns(sim, ["Held"])
    assert _claim(_items(specs)[0], 300)
    with pytest.raises(GraphWriteInProgressError):
        graph_create_many(client=sim.client(), account_id=sim.account_id, specs=specs)
    assert posts(sim) == 0


def test_an_async_batch_with_graphs_timing_costs_one_post_and_two_reads(sim, scoped):
    """100 independent creates run side by side on Graph (two job lengths, 20 s here): read
    after 10 s (still running) and after 15 more (done) — one read more than the minimum."""
    specs = campaigns(sim, [f"Timed {n}" for n in range(100)])
    before = len(sim.sim.calls)

    out = graph_create_many(client=sim.client(), account_id=sim.account_id, specs=specs,
                            via="async_batch", poll_every=10)

    calls = [c for c in sim.sim.calls[before:] if not c.in_batch]
    assert [(c.method, c.path.split("/")[-1]) for c in calls] == [
        ("POST", "async_batch_requests"), ("GET", "requests"), ("GET", "requests")]
    assert len(out) == 100 and all(o.ok for o in out.values())
    assert sim.clock.slept == 25


@pytest.mark.django_db(transaction=True)
def test_a_second_worker_takes_over_a_lapsed_lease_and_finds_the_object(sim, agency, settings):
    """The first worker's batch answer is slow (1 s, after Graph applied it) and its lease runs
    out (0.2 s): a second worker takes the write over, finds the object by its marker instead
    of sending again, and both return the same id when the first answer finally arrives."""
    import threading
    import time

    from django.db import connection

    from agency.models import AuditEvent
    from agency.tenancy import agency_scope

    settings.GRAPH_WRITE_LEASE_SECONDS = 0.2
    sim.sim.faults.add("delay", method="POST", path="/", delay=1.0, times=1)
    specs = campaigns(sim, ["Late many"], prefix="late")
    results, errors = [], []

    def worker():
        try:
            with agency_scope(agency.pk):
                out = graph_create_many(client=sim.client(), account_id=sim.account_id,
                                        specs=specs)
                results.append(out["late-Late many"].graph_id)
        except Exception as exc:  # reported by the test, not lost in the thread
            errors.append(repr(exc))
        finally:
            connection.close()

    first = threading.Thread(target=worker)
    first.start()
    time.sleep(0.5)  # past the first worker's lease, before its answer
    worker()
    first.join(timeout=30)

    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert named(sim, "Late many", "late-Late many") == [results[0]]
    assert len(sim.sim.calls.find(method="POST", path="/")) == 1
    with agency_scope(agency):
        assert AuditEvent.objects.filter(verb="graph_write.reconciled").count() == 1
