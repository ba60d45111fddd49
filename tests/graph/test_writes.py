"""Writes and retries: a retried create never makes a duplicate (after-apply faults)."""

from __future__ import annotations

import pytest

from agency.graph import (
    DuplicateGuard,
    GraphError,
    GraphOutcomeUnknownError,
    GraphThrottleError,
    GraphTransientError,
    MarkerGuard,
    RetryPolicy,
    idempotent_name,
)


def test_create_retried_after_throttle_before_apply_creates_once_without_guard(graph):
    client = graph.client()
    graph.sim.faults.add("throttle", method="POST", path="/act_*/campaigns", eta_minutes=1, times=1)

    made = client.create(
        f"{graph.account_id}/campaigns", data=graph.campaign_data("Throttled once"), guard=None
    )

    assert [o.id for o in graph.campaigns_named("Throttled once")] == [made["id"]]
    assert graph.clock.slept >= 60  # waited for estimated_time_to_regain_access


def test_create_with_unknown_outcome_and_no_guard_is_not_resent(graph):
    client = graph.client()
    graph.sim.faults.add("transient", method="POST", path="/act_*/campaigns", after_apply=True)

    with pytest.raises(GraphOutcomeUnknownError):
        client.create(
            f"{graph.account_id}/campaigns", data=graph.campaign_data("Maybe made"), guard=None
        )

    assert len(graph.campaigns_named("Maybe made")) == 1
    assert len(graph.sim.calls.find(method="POST")) == 1


def test_create_retried_after_timeout_finds_earlier_result_instead_of_duplicating(graph):
    client = graph.client()
    name = idempotent_name("Spring sale", "d7f3a9")
    graph.sim.faults.add(
        "transient", method="POST", path="/act_*/campaigns", after_apply=True, times=1
    )

    made = client.create(
        f"{graph.account_id}/campaigns",
        data=graph.campaign_data(name),
        guard=DuplicateGuard.by_name(name),
    )

    assert [o.id for o in graph.campaigns_named(name)] == [made["id"]]
    assert len(graph.sim.calls.find(method="POST")) == 1  # found, not posted again


@pytest.mark.parametrize("effect", ["drop", "http_500", "transient"])
def test_guarded_create_after_each_unknown_outcome_makes_one_object(graph, effect):
    client = graph.client()
    name = idempotent_name("Unknown outcome", effect)
    graph.sim.faults.add(effect, method="POST", path="/act_*/campaigns", after_apply=True, times=2)

    made = client.create(
        f"{graph.account_id}/campaigns",
        data=graph.campaign_data(name),
        guard=DuplicateGuard.by_name(name),
    )

    assert [o.id for o in graph.campaigns_named(name)] == [made["id"]]


def test_guarded_create_posts_again_when_failure_happened_before_apply(graph):
    client = graph.client()
    name = "Failed before apply"
    graph.sim.faults.add("transient", method="POST", path="/act_*/campaigns", times=1)

    made = client.create(
        f"{graph.account_id}/campaigns",
        data=graph.campaign_data(name),
        guard=DuplicateGuard.by_name(name),
    )

    assert [o.id for o in graph.campaigns_named(name)] == [made["id"]]
    assert len(graph.sim.calls.find(method="POST")) == 2  # nothing was found, so it re-posted


def test_guard_lookup_survives_its_own_transient_failure(graph):
    client = graph.client()
    name = "Lookup flaky"
    graph.sim.faults.add(
        "transient", method="POST", path="/act_*/campaigns", after_apply=True, times=1
    )
    graph.sim.faults.add("transient", method="GET", path="/act_*/campaigns", times=1)

    made = client.create(
        f"{graph.account_id}/campaigns",
        data=graph.campaign_data(name),
        guard=DuplicateGuard.by_name(name),
    )

    assert [o.id for o in graph.campaigns_named(name)] == [made["id"]]


def test_idempotent_update_is_retried_after_unknown_outcome(graph):
    client = graph.client()
    campaign = graph.demo["paused_campaign_id"]
    graph.sim.faults.add("transient", method="POST", path=f"/{campaign}", after_apply=True, times=1)

    assert client.post(campaign, data={"name": "Renamed"}, idempotent=True) == {"success": True}
    assert client.get(campaign, fields="name")["name"] == "Renamed"


@pytest.mark.parametrize("after_apply", [True, False], ids=["after-apply", "before-apply"])
def test_ten_percent_transient_faults_still_create_every_object_exactly_once(graph, after_apply):
    """The issue's acceptance test: 10% of all calls (creates and guard lookups) fail
    transiently, either after the write was applied (the worst case for duplicates) or before;
    every campaign exists exactly once."""
    graph.sim.faults.add("transient", rate=0.1, after_apply=after_apply)
    client = graph.client(retry=RetryPolicy(max_attempts=8, initial_backoff=0.01))
    names = [idempotent_name(f"Bulk {i:03d}", f"k{i:03d}") for i in range(100)]

    ids = [
        client.create(
            f"{graph.account_id}/campaigns",
            data=graph.campaign_data(name),
            guard=DuplicateGuard.by_name(name),
        )["id"]
        for name in names
    ]

    calls = list(graph.sim.calls)
    faulted = [c for c in calls if c.fault_id is not None]
    assert 0.05 <= len(faulted) / len(calls) <= 0.2  # the plan really fired, about 10%
    assert any(c.method == "POST" for c in faulted)
    for name, made in zip(names, ids, strict=True):
        assert [o.id for o in graph.campaigns_named(name)] == [made]
    assert len(set(ids)) == len(names)


def test_outcome_unknown_error_is_not_a_transient_error_so_retry_recipes_skip_it():
    """agency/graph/README.md: tasks retry GraphTransientError; an unknown outcome must not be
    retried blindly (issue 13)."""
    assert not issubclass(GraphOutcomeUnknownError, GraphTransientError)
    assert issubclass(GraphOutcomeUnknownError, GraphError)
    assert GraphOutcomeUnknownError("lost").applied is None


@pytest.mark.parametrize("lost", ["transient", "drop", "http_500"])
@pytest.mark.parametrize("lookup", ["throttle", "transient"])
def test_guarded_create_whose_lookup_fails_reports_outcome_unknown(graph, lost, lookup):
    """Issue 13's duplicate: the answer of an applied create is lost, then the guard's lookup
    fails: throttled for five minutes (past max_wait), or failing on every retry. The throttle
    case used to raise the lookup's throttle error, which reads as "not applied", so a task
    retry posted again."""
    client = graph.client()
    name = idempotent_name(f"Lost then {lookup}", f"{lost}-{lookup}")
    graph.sim.faults.add(lost, method="POST", path="/act_*/campaigns", after_apply=True, times=1)
    graph.sim.faults.add(lookup, method="GET", path="/act_*/campaigns", eta_minutes=5)

    with pytest.raises(GraphOutcomeUnknownError) as caught:
        client.create(
            f"{graph.account_id}/campaigns",
            data=graph.campaign_data(name),
            guard=DuplicateGuard.by_name(name),
        )

    error = caught.value
    assert not isinstance(error, GraphThrottleError | GraphTransientError)
    assert error.applied is None
    expected = GraphThrottleError if lookup == "throttle" else GraphTransientError
    assert isinstance(error.lookup_error, expected)
    if lookup == "throttle":
        assert error.retry_after is not None and error.retry_after > 60  # past max_wait
    assert len(graph.campaigns_named(name)) == 1
    assert len(graph.sim.calls.find(method="POST")) == 1


def test_guarded_create_with_throttled_repost_after_empty_lookup_reads_not_applied(graph):
    """The lookup completed and found nothing, then the re-post was throttled before Graph
    acted: nothing was applied, so the throttle error (retryable) is right."""
    client = graph.client(retry=RetryPolicy(max_attempts=2, initial_backoff=0.01))
    name = "Nothing made"
    graph.sim.faults.add("transient", method="POST", path="/act_*/campaigns", times=1)
    graph.sim.faults.add(
        "throttle", method="POST", path="/act_*/campaigns", eta_minutes=5, times=1
    )

    with pytest.raises(GraphThrottleError) as caught:
        client.create(
            f"{graph.account_id}/campaigns",
            data=graph.campaign_data(name),
            guard=DuplicateGuard.by_name(name),
        )

    assert caught.value.applied is False
    assert graph.campaigns_named(name) == []


def test_marker_guard_finds_the_object_by_its_marker_even_when_renamed(graph):
    client = graph.client()
    account = graph.account_id
    made = client.create(
        f"{account}/campaigns", data=graph.campaign_data("Spring [m1]"), guard=None
    )["id"]
    client.create(f"{account}/campaigns", data=graph.campaign_data("Other [m12]"), guard=None)
    client.post(made, data={"name": "Renamed in Ads Manager [m1]"}, idempotent=True)

    assert MarkerGuard("m1").find(client, f"{account}/campaigns") == {"id": made}
    assert MarkerGuard("m").find(client, f"{account}/campaigns") is None


@pytest.mark.parametrize("edge", ["campaigns", "adsets", "ads", "adcreatives"])
def test_marker_guard_lookup_completes_on_every_edge_the_builder_creates_on(graph, edge):
    """A lookup that errors would leave an unknown write unresolved forever."""
    client = graph.client()

    assert MarkerGuard("no-such-marker").find(client, f"{graph.account_id}/{edge}") is None
    assert graph.sim.calls[-1].status == 200
