"""Synchronous batch requests: references between operations, per-item results and errors."""

from __future__ import annotations

import pytest

from agency.graph import MAX_BATCH, BatchRequest, GraphValidationError, ref


def test_batch_with_references_and_a_failing_item(graph):
    client = graph.client()
    account = graph.account_id
    results = client.batch(
        [
            BatchRequest("POST", f"{account}/campaigns", graph.campaign_data("Batch A"), "camp"),
            BatchRequest("GET", f"{ref('camp')}?fields=id,name"),
            BatchRequest("POST", ref("camp"), {"name": "Batch A renamed"}),
            BatchRequest("POST", f"{account}/campaigns", {"name": "No objective"}),
            BatchRequest("GET", "me?fields=id"),
        ]
    )

    created, read, renamed, failed, me = results
    assert created.ok and created.status == 200
    campaign_id = created.body["id"]
    assert read.ok and read.body == {"id": campaign_id, "name": "Batch A"}
    assert renamed.ok and renamed.body == {"success": True}
    assert not failed.ok and isinstance(failed.error, GraphValidationError)
    assert failed.error.code == 100 and failed.error.user_title == "Missing Parameter"
    assert failed.error.blame_fields == [["objective"]]
    assert me.ok and me.body["id"] == graph.demo["user_id"]
    assert [o.id for o in graph.campaigns_named("Batch A renamed")] == [campaign_id]
    assert len(graph.sim.calls.find(method="POST", path="/")) == 1  # one HTTP call
    assert sum(c.in_batch for c in graph.sim.calls) == 5


def test_batch_item_depending_on_a_failed_item_fails_too(graph):
    client = graph.client()
    results = client.batch(
        [
            BatchRequest("POST", f"{graph.account_id}/campaigns", {"name": "Bad"}, "bad"),
            BatchRequest("GET", f"{ref('bad')}?fields=name"),
        ]
    )

    assert [r.ok for r in results] == [False, False]
    assert results[1].error is not None


def test_batch_items_past_a_timeout_come_back_timed_out(graph):
    client = graph.client()
    graph.sim.faults.add("error", kind="batch_timeout", every=3, times=1)

    results = client.batch([BatchRequest("GET", "me?fields=id") for _ in range(4)])

    assert [r.timed_out for r in results] == [False, False, True, True]


def test_batch_feeds_usage_headers_of_each_item_to_the_throttle(graph):
    throttle = graph.throttle()
    client = graph.client(throttle=throttle)

    client.batch([BatchRequest("GET", f"{graph.account_id}/campaigns?limit=1")])

    stored = throttle.store.account_usage(graph.account_id[4:])
    assert ("buc", graph.account_id[4:], "ads_management") in stored


def test_batch_refuses_more_than_fifty_requests(graph):
    client = graph.client()
    with pytest.raises(ValueError):
        client.batch([BatchRequest("GET", "me")] * (MAX_BATCH + 1))
    assert len(graph.sim.calls) == 0


def test_batch_item_with_expired_token_calls_on_auth_error(graph):
    seen = []
    client = graph.client(on_auth_error=seen.append)
    graph.sim.faults.add("token_expired", path="/me", times=1)

    results = client.batch([BatchRequest("GET", "me"), BatchRequest("GET", graph.account_id)])

    assert results[0].error is not None and results[0].error.code == 190
    assert results[1].ok
    assert [e.code for e in seen] == [190]
