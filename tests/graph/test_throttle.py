"""The shared throttle: fed by the usage headers, it slows callers before Graph throttles them
and blocks a quota until `estimated_time_to_regain_access` has passed."""

from __future__ import annotations

import pytest

from agency.graph import (
    GraphThrottleError,
    RedisUsageStore,
    RetryPolicy,
    Throttle,
    usage_for_account,
)
from agency.graph.throttle import CallScope, InProcessUsageStore


def _account_scope(graph) -> CallScope:
    return CallScope(app_id=graph.sim.app.id, account=graph.account_id[4:], buc="ads_management")


def test_read_throttled_once_waits_regain_time_then_succeeds(graph):
    client = graph.client()
    graph.sim.faults.add("throttle", code=80004, eta_minutes=1, times=1)

    page = client.get(f"{graph.account_id}/campaigns")

    assert page["data"]
    assert [c.error_code for c in graph.sim.calls] == [80004, None]
    assert graph.clock.sleeps == [60.0]  # exactly the estimated time, no extra backoff


def test_throttle_error_blocks_other_clients_on_the_same_account_until_regained(graph):
    store = InProcessUsageStore()
    first = graph.client(throttle=graph.throttle(store), retry=RetryPolicy(max_attempts=1))
    second = graph.client(throttle=graph.throttle(store, max_wait=600))
    graph.sim.faults.add("throttle", code=80004, eta_minutes=2, times=1)

    with pytest.raises(GraphThrottleError):
        first.get(f"{graph.account_id}/campaigns")
    second.get(f"{graph.account_id}/campaigns")

    assert graph.clock.sleeps == [120.0]
    assert len(graph.sim.calls) == 2  # the second client did not hit the wall


def test_long_block_raises_local_throttle_error_without_calling_graph(graph):
    client = graph.client()
    graph.sim.faults.add("throttle", code=80004, eta_minutes=5, times=1)

    with pytest.raises(GraphThrottleError) as first:
        client.get(f"{graph.account_id}/campaigns")  # 300 s > max_wait: not retried in-process
    with pytest.raises(GraphThrottleError) as second:
        client.get(f"{graph.account_id}/campaigns")

    assert not first.value.local and first.value.retry_after == 300
    assert second.value.local and 299 <= second.value.retry_after <= 300
    assert len(graph.sim.calls) == 1
    assert graph.clock.sleeps == []


def test_other_accounts_are_not_blocked_by_one_accounts_throttle(graph):
    client = graph.client()
    graph.sim.faults.add("throttle", code=80004, eta_minutes=5, times=1)
    with pytest.raises(GraphThrottleError):
        client.get(f"{graph.account_id}/campaigns")

    other = graph.demo["ad_account_by_currency"]["EUR"]
    assert other != graph.account_id
    client.get(f"{other}/campaigns")

    assert graph.clock.sleeps == []


def test_throttle_slows_callers_before_graph_throttles_them(graph):
    """An ad account allowed 10 calls an hour: 30 calls go through without a single throttling
    error, because the figures in the headers slow the client down first."""
    graph.sim.ratelimit.limits.ads_management = 10
    client = graph.client(throttle=graph.throttle(max_wait=7200))

    for _ in range(30):
        client.get(f"{graph.account_id}/campaigns", params={"limit": 1})

    assert [c for c in graph.sim.calls if c.error_code] == []
    assert len(graph.sim.calls) == 30
    # 80% → 2 s, 90% → 6 s (the ramp from 75% to 100%), 100% → wait for the hour window
    # to reset (X-Ad-Account-Usage reset_time_duration), then again.
    assert graph.clock.sleeps == [2.0, 6.0, 3600.0, 2.0, 6.0, 3600.0, 2.0, 6.0]


def test_without_throttle_the_same_load_gets_throttled(graph):
    """The control for the test above: a throttle that ignores usage figures (they are
    always stale to it) meets Graph's wall."""
    graph.sim.ratelimit.limits.ads_management = 10
    client = graph.client(
        throttle=graph.throttle(stale_after=-1), retry=RetryPolicy(max_attempts=1)
    )

    with pytest.raises(GraphThrottleError):
        for _ in range(30):
            client.get(f"{graph.account_id}/campaigns", params={"limit": 1})

    assert graph.sim.calls[-1].error_code == 80004


def test_usage_figures_are_stored_per_account_for_the_ui(graph):
    throttle = graph.throttle()
    client = graph.client(throttle=throttle)
    graph.sim.ratelimit.limits.ads_management = 200

    for _ in range(10):
        client.get(f"{graph.account_id}/campaigns", params={"limit": 1})
    usage = usage_for_account(graph.account_id, store=throttle.store)

    assert usage.account_id == graph.account_id
    assert usage.ad_account["acc_id_util_pct"] == 5.0
    assert usage.ad_account["recorded_at"] == graph.clock.now
    assert usage.business_use_cases["ads_management"]["call_count"] == 5
    assert usage.highest_pct == 5.0


def test_insights_calls_store_insights_usage(graph):
    throttle = graph.throttle()
    client = graph.client(throttle=throttle)

    client.get(f"{graph.account_id}/insights", params={"fields": "impressions"})
    usage = usage_for_account(graph.account_id, store=throttle.store)

    assert "ads_insights" in usage.business_use_cases
    assert usage.insights is not None and "acc_id_util_pct" in usage.insights


def test_redis_store_shares_blocks_and_usage_between_workers(graph, redis_store, redis_url):
    worker_a = graph.client(throttle=graph.throttle(redis_store), retry=RetryPolicy(max_attempts=1))
    other_process_store = RedisUsageStore.from_url(redis_url, prefix=redis_store.prefix)
    worker_b = graph.client(throttle=graph.throttle(other_process_store))
    graph.sim.faults.add("throttle", code=80004, eta_minutes=1, times=1)

    with pytest.raises(GraphThrottleError):
        worker_a.get(f"{graph.account_id}/campaigns")
    worker_b.get(f"{graph.account_id}/campaigns")

    assert graph.clock.sleeps == [60.0]
    usage = usage_for_account(graph.account_id, store=redis_store)
    assert usage.ad_account is not None
    assert usage.business_use_cases["ads_management"]["recorded_at"] == graph.clock.now


def test_redis_store_keeps_the_later_block(redis_store):
    scope = ("buc", "1", "ads_management")
    redis_store.block(scope, 2_000_000_100.0)
    redis_store.block(scope, 2_000_000_050.0)

    assert redis_store.blocked_until([scope], 0) == 2_000_000_100.0


def test_delay_ramps_up_between_slow_from_and_100_percent():
    now = [1000.0]
    throttle = Throttle(clock=lambda: now[0], sleep=lambda s: None)
    scope = CallScope(app_id="1", account="2", buc="ads_management")

    def at(pct: float) -> float:
        throttle.store.put_usage(("buc", "2", "ads_management"), {"call_count": pct}, now[0])
        return throttle.delay_for(scope)

    assert at(50) == 0
    assert 0 < at(80) < at(90) < at(99) <= throttle.policy.max_delay
    assert at(100) == throttle.policy.default_block
    now[0] += throttle.policy.stale_after + 1
    assert throttle.delay_for(scope) == 0  # stale figures no longer slow anyone


def test_insights_throttle_blocks_insights_only_not_management_calls(graph):
    client = graph.client()
    graph.sim.faults.add("throttle", code=80000, path="/act_*/insights", eta_minutes=5, times=1)

    with pytest.raises(GraphThrottleError):
        client.get(f"{graph.account_id}/insights")
    client.get(f"{graph.account_id}/campaigns", params={"limit": 1})
    with pytest.raises(GraphThrottleError) as again:
        client.get(f"{graph.account_id}/insights")

    assert again.value.local
    assert graph.clock.sleeps == []
    assert [c.path.rsplit("/", 1)[-1] for c in graph.sim.calls] == ["insights", "campaigns"]
