"""Async ad request sets and async batch requests: submit, poll, read per-request results."""

from __future__ import annotations

from agency.graph import BatchRequest
from agency.graph.async_requests import (
    async_ad_request_set_create,
    async_batch_create,
    async_set_requests,
    async_set_status,
    wait_for_async_set,
)


def test_async_batch_creates_campaigns_and_reports_each_result(graph):
    client = graph.client()
    account = graph.account_id
    set_id = async_batch_create(
        client,
        account_id=account,
        name="Nightly import 1",
        requests=[
            BatchRequest("POST", f"{account}/campaigns", graph.campaign_data("Async A"), "a"),
            BatchRequest("POST", f"{account}/campaigns", graph.campaign_data("Async B"), "b"),
            BatchRequest("POST", f"{account}/campaigns", {"name": "Async broken"}, "c"),
        ],
    )
    assert async_set_status(client, set_id)["is_completed"] is False

    done = wait_for_async_set(client, set_id, poll_every=5)
    results = {r.raw["input"]["name"]: r for r in async_set_requests(client, set_id)}

    assert done["is_completed"] and done["success_count"] == 2 and done["error_count"] == 1
    assert results["a"].status == "SUCCESS"
    assert [o.id for o in graph.campaigns_named("Async A")] == [results["a"].object_id]
    assert results["c"].status == "ERROR" and results["c"].error_code == 100
    assert graph.clock.slept > 0  # polled on (fake) time


def test_async_ad_request_set_creates_ads(graph):
    client = graph.client()
    spec = {
        "name": "Async ad",
        "adset_id": graph.demo["active_adset_id"],
        "creative": {"creative_id": graph.demo["creative_id"]},
        "status": "PAUSED",
    }
    set_id = async_ad_request_set_create(
        client, account_id=graph.account_id, name="Ads drop 1", ad_specs=[spec, spec]
    )

    wait_for_async_set(client, set_id, poll_every=5)
    results = list(async_set_requests(client, set_id))

    assert [r.status for r in results] == ["SUCCESS", "SUCCESS"]
    assert all(r.object_id for r in results)


def test_async_set_create_with_lost_answer_is_not_submitted_twice(graph):
    client = graph.client()
    graph.sim.faults.add(
        "transient", method="POST", path="/act_*/async_batch_requests", after_apply=True, times=1
    )

    set_id = async_batch_create(
        client,
        account_id=graph.account_id,
        name="Nightly import 2",
        requests=[BatchRequest("POST", f"{graph.account_id}/campaigns", graph.campaign_data("X"))],
    )

    sets = client.get(f"{graph.account_id}/async_requests", params={"limit": 100})["data"]
    assert [s["id"] for s in sets if s["name"] == "Nightly import 2"] == [set_id]
