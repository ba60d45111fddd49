"""The request-wide safety net (agency.middleware.FailSafeMiddleware) and the failure table."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.services.graph import ConnectionUnusableError
from agency.crypto import SecretDecryptionError
from agency.failures import failure_for
from agency.graph.errors import (
    GraphAuthError,
    GraphConnectionError,
    GraphOutcomeUnknownError,
    GraphPermissionError,
    GraphThrottleError,
    GraphTransientError,
    GraphValidationError,
)
from agency.models import Client
from agency.writes import GraphWriteUnresolvedError
from tests import sweep
from tests.agency import test_isolation

pytestmark = pytest.mark.django_db

world_b = test_isolation.world_b
live_world = sweep.live_world


@pytest.mark.parametrize("exc, status, code", [
    (GraphTransientError("down"), 503, "graph_unavailable"),
    (GraphConnectionError("refused"), 503, "graph_unavailable"),
    (GraphOutcomeUnknownError("lost"), 503, "graph_outcome_unknown"),
    (GraphWriteUnresolvedError("unsettled", key="k", state="unknown", retry_after=90), 503,
     "graph_outcome_unknown"),
    (GraphThrottleError("slow", retry_after=120.2), 429, "graph_throttled"),
    (GraphAuthError("190", code=190, subcode=458), 409, "connection_refused"),
    (GraphPermissionError("200", code=200), 409, "graph_permission"),
    (GraphValidationError("bad", code=100, user_msg="Budget too low"), 424, "graph_rejected"),
    (SecretDecryptionError("key lost"), 409, "connection_unreadable"),
    (ConnectionUnusableError("revoked", extra={"connection_id": 3}), 409, "connection_unusable"),
])
def test_failure_table_maps_each_kind_of_failure(exc, status, code):
    failure = failure_for(exc)
    assert (failure.status, failure.code) == (status, code)
    assert "Traceback" not in failure.message and failure.message


def test_failure_table_leaves_bugs_alone():
    assert failure_for(KeyError("x")) is None and failure_for(ValueError("x")) is None


def test_throttle_retry_after_is_whole_seconds_and_bounded():
    assert failure_for(GraphThrottleError("x", retry_after=120.2)).headers() == {
        "Retry-After": "121"}
    assert failure_for(GraphThrottleError("x", retry_after=None)).retry_after == 60
    assert failure_for(GraphThrottleError("x", retry_after=10**9)).retry_after == 24 * 3600
    assert failure_for(GraphThrottleError("x", retry_after=float("inf"))).retry_after == 86400
    assert failure_for(GraphThrottleError("x", retry_after=float("nan"))).retry_after == 60


def test_htmx_request_gets_the_failure_as_a_partial(client, live_world, graph):
    client.force_login(live_world["owner"].user)
    graph.sim.faults.add("transient")
    url = reverse("accounts:connection-import", args=[live_world["connection"].pk])
    response = client.post(url, {"account": "99000111",
                                 "client_99000111": str(live_world["client"].pk)},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200  # htmx swaps only 2xx
    assert response["X-Adwright-Failure"] == "503 graph_unavailable"
    assert b"<html" not in response.content and b"Meta is unavailable" in response.content


@pytest.mark.parametrize("url", ["/clients/?q=a%00b", "/api/v1/clients/?q=%00"])
def test_nul_in_a_query_string_is_400(owner_client, url):
    response = owner_client.get(url)
    assert response.status_code == 400


def test_nul_in_a_form_field_is_400_and_stores_nothing(owner_client, agency):
    response = owner_client.post(reverse("agency:client-create"), {"name": "Nul\x00Co"})
    assert response.status_code == 400
    assert not Client.objects.unscoped().filter(agency=agency).exists()


def test_nul_in_a_json_body_is_400_in_the_error_shape(owner_client):
    response = owner_client.post(reverse("api:client-list"), '{"name": "a\\u0000b"}',
                                 content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_deeply_nested_json_is_400_not_a_recursion_error(owner_client):
    response = owner_client.post(reverse("api:client-list"), "[" * 100_000 + "]" * 100_000,
                                 content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"message", "code", "extra"}


def test_ids_beyond_bigint_in_urls_are_404(owner_client):
    assert owner_client.get(f"/clients/{2**63}/").status_code == 404
    response = owner_client.get(f"/api/v1/clients/{10**30}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("value", ["abc", "²", "\u0661", str(2**63), "-1", ""])
def test_reconnect_with_a_bad_connection_id_is_404(owner_client, value):
    response = owner_client.post(reverse("accounts:connection-start"), {"connection_id": value})
    assert response.status_code in {302, 404}  # "" is "connect a new one"
    if value:
        assert response.status_code == 404


def test_over_long_pasted_token_is_refused_before_meta_is_asked(owner_client, graph):
    response = owner_client.post(reverse("accounts:connection-system-user"),
                                 {"token": "E" * 100_000})
    assert response.status_code == 400
    assert not [c for c in graph.sim.calls if c.path.endswith("debug_token")]
    api = owner_client.post(reverse("api:connection-system-user"), {"token": "E" * 100_000},
                            content_type="application/json")
    assert api.status_code == 400 and "token" in api.json()["extra"]["fields"]


def test_too_many_fields_and_oversized_bodies_are_400(owner_client):
    many = "&".join(f"f{i}=1" for i in range(1500))
    assert owner_client.get(f"/clients/?{many}").status_code == 400
    assert owner_client.post(reverse("agency:client-create"), many,
                             content_type="application/x-www-form-urlencoded").status_code == 400
    big = {"name": "Big", "notes": "n" * 3_000_000}
    assert owner_client.post(reverse("agency:client-create"), big).status_code == 400
    api = owner_client.post(reverse("api:client-list"), big, content_type="application/json")
    assert api.status_code == 400
    assert not Client.objects.unscoped().filter(name="Big").exists()
