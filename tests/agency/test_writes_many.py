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
