"""The client's pipeline against the simulator: proof, token handling, retries, paging, ETags,
fields, the call log."""

from __future__ import annotations

import logging

import pytest

from agency.graph import (
    Field,
    GraphClient,
    GraphValidationError,
    InProcessETagCache,
    appsecret_proof,
    fields,
)
from graph_sim.core.auth import appsecret_proof as sim_proof


def test_appsecret_proof_is_hmac_sha256_of_token_keyed_with_app_secret():
    assert appsecret_proof("secret", "token") == sim_proof("secret", "token")
    assert len(appsecret_proof("secret", "token")) == 64


def test_every_call_carries_appsecret_proof_accepted_when_required(graph):
    graph.sim.config.require_appsecret_proof = True
    client = graph.client()

    client.get("me", fields="id")
    client.post(f"{graph.account_id}/campaigns", data=graph.campaign_data("With proof"))
    client.batch([])  # nothing to send: no call

    assert graph.sim.calls
    assert all(c.params.get("appsecret_proof") == "REDACTED" for c in graph.sim.calls)
    assert all(c.status == 200 for c in graph.sim.calls)


def test_wrong_app_secret_fails_proof_check(graph):
    client = graph.client(app_secret="not-the-secret")

    with pytest.raises(GraphValidationError) as caught:
        client.get("me")

    assert "appsecret_proof" in caught.value.message


def test_token_is_sent_in_header_not_in_params_or_paging_urls(graph):
    token = graph.mint()
    client = graph.client(token)

    page = client.get(f"{graph.account_id}/campaigns", params={"limit": 1})

    assert "access_token" not in graph.sim.calls[-1].params
    assert token not in page["paging"]["next"]


def test_token_callable_is_called_per_request_and_not_kept(graph):
    token = graph.mint()
    calls = []

    def decrypt() -> str:
        calls.append(1)
        return token

    client = graph.client(decrypt)
    client.get("me")
    client.get("me")

    assert len(calls) == 2
    assert token not in repr(client)
    assert all(token not in repr(v) for v in vars(client).values() if not callable(v))


def test_each_call_is_logged_with_method_path_status_duration_usage_and_no_token(graph, caplog):
    token = graph.mint()
    client = graph.client(token)
    graph.sim.faults.add("transient", times=1)

    with caplog.at_level(logging.INFO, logger="agency.graph"):
        client.get(f"{graph.account_id}/campaigns", fields="id,name")

    calls = [r.graph_call for r in caplog.records if hasattr(r, "graph_call")]
    assert [(c["method"], c["path"], c["status"]) for c in calls] == [
        ("GET", f"/{graph.account_id}/campaigns", 500),
        ("GET", f"/{graph.account_id}/campaigns", 200),
    ]
    assert calls[0]["fbtrace_id"] and calls[0]["error_code"] == 2
    assert all(c["duration_ms"] >= 0 for c in calls)
    assert f"ads_management:{graph.account_id[4:]}" in calls[1]["usage"]
    assert "app" in calls[1]["usage"]
    text = "\n".join(r.getMessage() for r in caplog.records) + repr(calls)
    assert token not in text


def test_read_retried_after_transient_errors_then_succeeds(graph):
    client = graph.client()
    graph.sim.faults.add("transient", times=2)

    me = client.get("me", fields="id,name")

    assert me["id"] == graph.demo["user_id"]
    assert [c.status for c in graph.sim.calls.find(path="/me")] == [500, 500, 200]
    assert len(graph.clock.sleeps) == 2  # backed off between attempts (fake time)


def test_read_retried_after_dropped_connection_and_bare_500(graph):
    client = graph.client()
    graph.sim.faults.add("drop", times=1)
    graph.sim.faults.add("http_500", times=1)

    assert client.get("me")["id"] == graph.demo["user_id"]


def test_paging_walks_every_page_by_cursor(graph):
    client = graph.client()
    account = graph.account_id
    names = [f"Paged {i:02d}" for i in range(7)]
    for name in names:
        client.create(f"{account}/campaigns", data=graph.campaign_data(name), guard=None)
    expected = {c["id"] for c in client.get(f"{account}/campaigns", params={"limit": 100})["data"]}

    pages = list(client.pages(f"{account}/campaigns", fields="id,name", limit=3))
    items = [item for page in pages for item in page["data"]]

    assert len(pages) == -(-len(expected) // 3)
    assert {i["id"] for i in items} == expected
    assert len(items) == len(expected)
    assert set(names) <= {i["name"] for i in items}
    assert "after" in graph.sim.calls[-1].params


def test_iterate_yields_items_and_stops_on_last_page(graph):
    client = graph.client()
    items = list(client.iterate(f"{graph.account_id}/campaigns", fields="id", limit=1))

    assert len(items) == len(client.get(f"{graph.account_id}/campaigns")["data"])


def test_etag_revalidation_serves_304_from_cache(graph):
    cache = InProcessETagCache()
    client = graph.client(cache=cache)

    first = client.request("GET", graph.account_id, params={"fields": "id,name"}, etag=True)
    second = client.request("GET", graph.account_id, params={"fields": "id,name"}, etag=True)

    assert first.status == 200 and not first.from_cache
    assert second.status == 304 and second.from_cache
    assert second.body == first.body
    assert [c.status for c in graph.sim.calls] == [200, 304]


def test_etag_cache_refetches_after_change(graph):
    client = graph.client(cache=InProcessETagCache())
    made = client.create(
        f"{graph.account_id}/campaigns", data=graph.campaign_data("Before"), guard=None
    )
    assert client.get(made["id"], fields="name", etag=True)["name"] == "Before"

    client.post(made["id"], data={"name": "After"}, idempotent=True)

    assert client.get(made["id"], fields="name", etag=True)["name"] == "After"


def test_fields_helper_builds_nested_fields_with_modifiers(graph):
    spec = fields(
        "id", "name", Field("insights", "impressions", "spend", date_preset="last_7d"), "name"
    )
    assert spec == "id,name,insights.date_preset(last_7d){impressions,spend}"

    body = graph.client().get(graph.demo["active_campaign_id"], fields=fields("id", "name"))
    assert set(body) == {"id", "name"}


def test_api_version_is_in_every_path(graph):
    client = graph.client(version="v24.0")
    client.get("me")
    assert graph.sim.calls[-1].version == "v24.0"


def test_client_needs_the_app_secret():
    with pytest.raises(ValueError):
        GraphClient(access_token="t", app_secret="")
