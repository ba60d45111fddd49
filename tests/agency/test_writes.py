"""Exactly-once Graph writes (agency/writes.py) against the Graph simulator: the record made
before the POST, reconciliation by any later attempt, and task-style retries under faults."""

from __future__ import annotations

import pytest
from django.db import transaction

from agency.graph import (
    GraphThrottleError,
    GraphTransientError,
    GraphValidationError,
    InProcessUsageStore,
)
from agency.models import AuditEvent
from agency.writes import (
    GraphWrite,
    GraphWriteInProgressError,
    GraphWriteKeyConflictError,
    GraphWriteState,
    GraphWriteUnresolvedError,
    graph_create_once,
    graph_update_once,
    write_marker,
)
from tests.graph.conftest import FakeClock, GraphHarness

POST_CAMPAIGNS = "/act_*/campaigns"


@pytest.fixture
def sim(graph):
    """The simulator with the tests/graph helpers (fake clock, client factory)."""
    harness = GraphHarness(sim=graph.sim, url=graph.base_url, clock=FakeClock(graph.sim))
    yield harness
    for client in harness.clients:
        client.close()


def create(sim, client, key, name, **extra):
    return graph_create_once(
        client=client,
        key=key,
        edge=f"{sim.account_id}/campaigns",
        data=sim.campaign_data(name, **extra),
        kind="campaign",
    )


def marked(name: str, key: str) -> str:
    return f"{name} [{write_marker(key)}]"


def posts(sim) -> int:
    return len(sim.sim.calls.find(method="POST"))


def test_create_records_the_write_and_its_id(sim, scoped):
    made = create(sim, sim.client(), "k-first", "First")

    write = GraphWrite.objects.get(key="k-first")
    assert write.state == GraphWriteState.DONE
    assert write.graph_id == made
    assert write.payload["name"] == marked("First", "k-first")
    assert write.attempts == 1
    assert [o.id for o in sim.campaigns_named(marked("First", "k-first"))] == [made]


def test_create_of_a_done_key_returns_its_id_without_calling_graph(sim, scoped):
    made = create(sim, sim.client(), "k-done", "Done once")
    calls = len(sim.sim.calls)

    assert create(sim, sim.client(), "k-done", "Done once") == made
    assert len(sim.sim.calls) == calls


def test_lost_answer_then_throttled_lookup_stays_unknown_and_never_reposts(sim, scoped):
    """Issue 13: the create is applied, its answer lost, and the lookup that would find it is
    throttled for five minutes. The write stays `unknown`, the error is retryable, and the
    next attempt (a fresh client, as a task retry in another process) finds the object."""
    store = InProcessUsageStore()
    sim.sim.faults.add("transient", method="POST", path=POST_CAMPAIGNS, after_apply=True, times=1)
    sim.sim.faults.add("throttle", method="GET", path=POST_CAMPAIGNS, eta_minutes=5, times=1)

    with pytest.raises(GraphWriteUnresolvedError) as caught:
        create(sim, sim.client(throttle=sim.throttle(store)), "k-lost", "Lost")

    assert isinstance(caught.value, GraphTransientError)  # task retries handle it
    assert caught.value.retry_after and caught.value.retry_after > 60
    assert GraphWrite.objects.get(key="k-lost").state == GraphWriteState.UNKNOWN
    assert posts(sim) == 1
    sim.clock.sleep(caught.value.retry_after)

    made = create(sim, sim.client(throttle=sim.throttle(store)), "k-lost", "Lost")

    assert [o.id for o in sim.campaigns_named(marked("Lost", "k-lost"))] == [made]
    assert posts(sim) == 1
    write = GraphWrite.objects.get(key="k-lost")
    assert (write.state, write.graph_id, write.lookups) == (GraphWriteState.DONE, made, 2)
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"graph_write.unknown", "graph_write.reconciled"} <= verbs


def test_unknown_outcome_with_nothing_on_graph_is_posted_again_after_the_lookup(sim, scoped):
    sim.sim.faults.add("http_500", method="POST", path=POST_CAMPAIGNS, times=1)  # not applied

    made = create(sim, sim.client(), "k-500", "Bare 500")

    assert [o.id for o in sim.campaigns_named(marked("Bare 500", "k-500"))] == [made]
    write = GraphWrite.objects.get(key="k-500")
    assert (write.attempts, write.lookups) == (2, 1)
    order = [c.method for c in sim.sim.calls]
    assert order == ["POST", "GET", "POST"]  # looked before re-posting


def test_refused_create_is_failed_and_a_later_fixed_payload_is_sent(sim, scoped):
    client = sim.client()
    with pytest.raises(GraphValidationError):
        create(sim, client, "k-cheap", "Cheap", daily_budget=1)
    assert GraphWrite.objects.get(key="k-cheap").state == GraphWriteState.FAILED

    made = create(sim, client, "k-cheap", "Cheap", daily_budget=5000)

    write = GraphWrite.objects.get(key="k-cheap")
    assert (write.state, write.graph_id) == (GraphWriteState.DONE, made)
    assert write.payload["daily_budget"] == 5000


def test_throttled_before_apply_is_planned_and_retryable(sim, scoped):
    sim.sim.faults.add("throttle", method="POST", path=POST_CAMPAIGNS, eta_minutes=5, times=1)

    with pytest.raises(GraphThrottleError):
        create(sim, sim.client(), "k-thr", "Throttled")

    assert GraphWrite.objects.get(key="k-thr").state == GraphWriteState.PLANNED
    assert sim.campaigns_named(marked("Throttled", "k-thr")) == []


def test_a_write_being_sent_by_another_worker_is_not_sent_again(sim, scoped):
    create(sim, sim.client(), "k-busy", "Busy")
    GraphWrite.objects.filter(key="k-busy").update(
        state=GraphWriteState.SENT, lease_until="2999-01-01T00:00:00Z"
    )
    calls = len(sim.sim.calls)

    with pytest.raises(GraphWriteInProgressError) as caught:
        create(sim, sim.client(), "k-busy", "Busy")

    assert 1 <= caught.value.retry_after <= 30
    assert len(sim.sim.calls) == calls


@pytest.mark.parametrize("on_graph", [True, False], ids=["applied", "not-applied"])
def test_worker_that_died_mid_call_is_reconciled_after_its_lease(sim, scoped, on_graph):
    """A worker recorded `sent` and died (its lease ran out): the next attempt looks first."""
    name = marked("Orphan", "k-orphan")
    earlier = sim.client().post(
        f"{sim.account_id}/campaigns", data=sim.campaign_data(name)
    )["id"] if on_graph else None
    GraphWrite.objects.create(
        key="k-orphan",
        kind="campaign",
        edge=f"{sim.account_id}/campaigns",
        payload=sim.campaign_data(name),
        state=GraphWriteState.SENT,
        lease_until="2000-01-01T00:00:00Z",
        attempts=1,
    )

    made = create(sim, sim.client(), "k-orphan", "Orphan")

    assert [o.id for o in sim.campaigns_named(name)] == [made]
    if on_graph:
        assert made == earlier
        assert posts(sim) == 1


def test_create_refuses_to_run_inside_a_transaction(sim, scoped):
    with pytest.raises(RuntimeError, match=r"outside transaction\.atomic"), transaction.atomic():
        create(sim, sim.client(), "k-atomic", "In a transaction")
    assert posts(sim) == 0


def test_a_key_names_one_write(sim, scoped):
    create(sim, sim.client(), "k-one", "One")

    with pytest.raises(GraphWriteKeyConflictError):
        graph_create_once(
            client=sim.client(),
            key="k-one",
            edge=f"{sim.account_id}/adsets",
            data={"name": "Other"},
            kind="adset",
        )


def test_update_is_recorded_and_not_resent_when_done(sim, scoped):
    campaign = sim.demo["paused_campaign_id"]
    sim.sim.faults.add("transient", method="POST", path=f"/{campaign}", after_apply=True, times=1)

    graph_update_once(
        client=sim.client(), key="rename-1", node=campaign, data={"name": "Renamed"},
        kind="campaign",
    )
    calls = len(sim.sim.calls)
    again = graph_update_once(
        client=sim.client(), key="rename-1", node=campaign, data={"name": "Renamed"},
        kind="campaign",
    )

    assert again is None and len(sim.sim.calls) == calls
    assert sim.client().get(campaign, fields="name")["name"] == "Renamed"
    write = GraphWrite.objects.get(key="rename-1")
    assert (write.state, write.graph_id) == (GraphWriteState.DONE, campaign)
