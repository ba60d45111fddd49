"""Each typed error, from the simulator's error JSON (core-flows.md §7)."""

from __future__ import annotations

import pytest

from agency.graph import (
    GraphAuthError,
    GraphConnectionError,
    GraphError,
    GraphNotFoundError,
    GraphPermissionError,
    GraphThrottleError,
    GraphTransientError,
    GraphValidationError,
    RetryPolicy,
)


def test_expired_token_raises_auth_error_and_calls_on_auth_error(graph):
    token = graph.mint(expires_in=60)
    seen: list[GraphAuthError] = []
    client = graph.client(token, on_auth_error=seen.append)
    assert client.get("me", fields="id")["id"] == graph.demo["user_id"]

    graph.sim.clock.advance(120)
    with pytest.raises(GraphAuthError) as caught:
        client.get("me", fields="id")

    assert (caught.value.code, caught.value.subcode) == (190, 463)
    assert seen == [caught.value]
    assert len(graph.sim.calls.find(path="/me")) == 2  # never retried


def test_invalidated_token_fault_marks_connection_through_callback(graph):
    seen: list[GraphAuthError] = []
    client = graph.client(on_auth_error=seen.append)
    graph.sim.faults.add("token_invalidated", times=1)

    with pytest.raises(GraphAuthError):
        client.get(graph.account_id, fields="name")

    assert [(e.code, e.subcode) for e in seen] == [(190, 460)]


def test_failing_auth_callback_does_not_hide_the_auth_error(graph):
    def broken(error: GraphAuthError) -> None:
        raise RuntimeError("database down")

    client = graph.client(on_auth_error=broken)
    graph.sim.faults.add("token_expired", times=1)

    with pytest.raises(GraphAuthError):
        client.get("me")


def test_missing_scope_raises_permission_error(graph):
    client = graph.client(graph.mint(scopes=["ads_read"]))

    with pytest.raises(GraphPermissionError) as caught:
        client.post(
            f"{graph.account_id}/campaigns", data=graph.campaign_data("Needs ads_management")
        )

    assert caught.value.code == 200
    assert caught.value.http_status == 403


def test_foreign_ad_account_raises_permission_error(graph):
    with pytest.raises(GraphPermissionError):
        graph.client().get(graph.demo["foreign_ad_account_id"], fields="name")


def test_validation_error_carries_user_title_message_and_blame_fields(graph):
    client = graph.client()

    with pytest.raises(GraphValidationError) as caught:
        client.create(
            f"{graph.account_id}/campaigns",
            data=graph.campaign_data("Cheap", daily_budget=1),
            guard=None,
        )

    error = caught.value
    assert (error.code, error.subcode) == (100, 1885272)
    assert error.user_title == "Budget Too Low"
    assert "at least" in (error.user_msg or "")
    assert error.blame_fields == [["daily_budget"]]
    assert error.fbtrace_id
    assert len(graph.sim.calls.find(method="POST")) == 1  # validation is never retried


def test_unknown_object_raises_not_found(graph):
    with pytest.raises(GraphNotFoundError) as caught:
        graph.client().get("123456789")

    assert (caught.value.code, caught.value.subcode) == (100, 33)
    assert isinstance(caught.value, GraphValidationError)


def test_throttling_fault_raises_throttle_error_with_retry_after_in_seconds(graph):
    client = graph.client(retry=RetryPolicy(max_attempts=1))
    graph.sim.faults.add("throttle", code=80004, eta_minutes=3, times=1)

    with pytest.raises(GraphThrottleError) as caught:
        client.get(f"{graph.account_id}/campaigns")

    assert (caught.value.code, caught.value.subcode) == (80004, 2446079)
    assert caught.value.retry_after == 180
    assert not caught.value.local


@pytest.mark.parametrize("code", [4, 17, 32, 613, 80000, 80003, 80014])
def test_every_throttling_code_maps_to_throttle_error(graph, code):
    client = graph.client(retry=RetryPolicy(max_attempts=1))
    graph.sim.faults.add("throttle", code=code, times=1)

    with pytest.raises(GraphThrottleError) as caught:
        client.get(f"{graph.account_id}/campaigns")

    assert caught.value.code == code


@pytest.mark.parametrize("code", [1, 2])
def test_transient_codes_raise_transient_error_after_retries_run_out(graph, code):
    client = graph.client(retry=RetryPolicy(max_attempts=3, initial_backoff=0.01))
    graph.sim.faults.add("transient", code=code)

    with pytest.raises(GraphTransientError) as caught:
        client.get("me")

    assert caught.value.code == code
    assert caught.value.is_transient is True
    assert len(graph.sim.calls.find(path="/me")) == 3


def test_bare_http_500_raises_transient_error(graph):
    client = graph.client(retry=RetryPolicy(max_attempts=1))
    graph.sim.faults.add("http_500", times=1)

    with pytest.raises(GraphTransientError) as caught:
        client.get("me")

    assert caught.value.http_status == 500
    assert caught.value.code is None


def test_dropped_connection_raises_connection_error(graph):
    client = graph.client(retry=RetryPolicy(max_attempts=1))
    graph.sim.faults.add("drop", times=1)

    with pytest.raises(GraphConnectionError) as caught:
        client.get("me")

    assert caught.value.applied is None  # the server may have acted


def test_refused_connection_is_known_not_applied():
    from agency.graph import GraphClient

    client = GraphClient(
        access_token="t",
        app_secret="s",
        base_url="http://127.0.0.1:9",
        retry=RetryPolicy(max_attempts=1),
    )
    with pytest.raises(GraphConnectionError) as caught:
        client.get("me")
    assert caught.value.applied is False


def test_every_typed_error_is_a_graph_error():
    for cls in (
        GraphAuthError,
        GraphPermissionError,
        GraphValidationError,
        GraphNotFoundError,
        GraphThrottleError,
        GraphTransientError,
        GraphConnectionError,
    ):
        assert issubclass(cls, GraphError)
