"""Meta failing never gives a 500: every page and API route, under every kind of Graph failure.

The sweep walks the URL resolver and the OpenAPI schema (tests/sweep.py), as agency B's owner on
agency B's objects (the isolation sweep's registry), with a connection whose token the simulator
knows, and fails Graph in each way we meet in production: unreachable, 5xx/transient, throttled
(80004), the token revoked (190), the connection dropped mid-call, and a lost encryption key.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import httpx
import pytest
from cryptography.fernet import Fernet
from django.test import override_settings
from django.urls import reverse

from accounts.models import ConnectionStatus, MetaConnection
from agency.crypto import SealedSecret, fingerprint
from agency.graph.factory import usage_store
from campaigns.models import AdAccount
from tests.agency import test_isolation
from tests.sweep import (
    api_operations,
    changed,
    forms_on,
    is_public,
    plausible_form_data,
    plausible_json,
    route_url,
    row_counts,
    swept_routes,
)

pytestmark = pytest.mark.django_db

world_b = test_isolation.world_b  # the isolation sweep's world: one object per kind of URL id

MAPPED = {409, 424, 429, 503}


# Each fault acts on the simulator and returns the settings to override while it lasts.
def _fault_unreachable(graph):
    return {"GRAPH_API_BASE_URL": "http://127.0.0.1:9"}  # nothing listens: connection refused


def _fault_transient(graph):
    graph.sim.faults.add("transient")
    return {}


def _fault_bare_500(graph):
    graph.sim.faults.add("http_500")
    return {}


def _fault_throttled(graph):
    graph.sim.faults.add("throttle", code=80004, eta_minutes=5)
    return {}


def _fault_token_revoked(graph):
    graph.sim.faults.add("error", code=190, subcode=458, http_status=400,
                         message="Error validating access token: The user has not authorized "
                                 "application 100000000000001.")
    return {}


def _fault_dropped(graph):
    graph.sim.faults.add("drop")
    return {}


def _fault_lost_key(graph):
    return {"TOKEN_ENCRYPTION_KEYS": [Fernet.generate_key().decode()]}  # the old key is gone


FAULTS = {
    "unreachable": _fault_unreachable,
    "transient_5xx": _fault_transient,
    "bare_http_500": _fault_bare_500,
    "throttled_80004": _fault_throttled,
    "token_190_revoked": _fault_token_revoked,
    "dropped_connection": _fault_dropped,
    "lost_encryption_key": _fault_lost_key,
}


@pytest.fixture
def live_world(world_b, graph, settings):
    """Agency B with a connection the simulator accepts and one imported ad account."""
    settings.GRAPH_MAX_ATTEMPTS = 1  # no retry backoff: each failure surfaces at once
    settings.GRAPH_THROTTLE_MAX_WAIT_SECONDS = 0
    token = httpx.post(f"{graph.base_url}/__sim__/tokens", json={}).json()["access_token"]
    connection = world_b["connection"]
    MetaConnection.objects.unscoped().filter(pk=connection.pk).update(
        access_token=SealedSecret.seal(token), token_fingerprint=fingerprint(token))
    connection.refresh_from_db()
    AdAccount.objects.unscoped().create(
        agency=world_b["owner"].agency, account_id="99000111", name="Sweep account",
        currency="EUR", timezone_name="Europe/Paris", client=world_b["client"],
        connection=connection)
    return world_b


@contextmanager
def _failing(fault, world, graph):
    """Graph healthy again and the connection active, then `fault` for one request."""
    graph.sim.faults.clear()
    MetaConnection.objects.unscoped().filter(pk=world["connection"].pk).update(
        status=ConnectionStatus.ACTIVE, last_error="")
    overrides = fault(graph)
    # A fresh throttle store: a throttle block from the last request does not carry over.
    with override_settings(GRAPH_THROTTLE_PREFIX=f"adwright:test:{uuid.uuid4().hex}:",
                           **overrides):
        usage_store.cache_clear()
        yield
    usage_store.cache_clear()


def _discover(client, world) -> dict[str, dict]:
    """Each POST target's plausible form data, from the forms the pages show (Graph healthy)."""
    found: dict[str, dict] = {}
    for route in swept_routes():
        if is_public(route) and route.kwargs:
            continue
        url = route_url(route, world)
        response = client.get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for form in forms_on(url, response.content.decode()):
                found.setdefault(form.action, plausible_form_data(form))
    return found


def _check(response, what, before=None):
    # 503 "Meta is unavailable, try again" is the answer we want; any other 5xx is a crash.
    assert response.status_code < 500 or response.status_code == 503, \
        f"{what} answered {response.status_code}"
    if before is not None and response.status_code >= 400:
        assert not changed(before, row_counts()), f"{what} failed but left rows: " \
            f"{changed(before, row_counts())}"


def test_every_route_survives_every_graph_failure_without_a_500(client, live_world, graph,
                                                               capsys):
    world = live_world
    client.force_login(world["owner"].user)
    client.raise_request_exception = False
    forms = _discover(client, world)
    operations = api_operations()
    requests, mapped = 0, {}
    for fault_name, fault in FAULTS.items():
        mapped[fault_name] = set()
        for route in swept_routes():
            if is_public(route) and route.kwargs:
                continue  # token-credentialed pages: the bad-input sweep covers them
            url = route_url(route, world)
            with _failing(fault, world, graph):
                response = client.get(url)
            _check(response, f"GET {url} under {fault_name}")
            mapped[fault_name].add(response.status_code)
            before = row_counts()
            with _failing(fault, world, graph):
                response = client.post(url, forms.get(url, {}))
            _check(response, f"POST {url} under {fault_name}", before)
            mapped[fault_name].add(response.status_code)
            requests += 2
        for op in operations:
            url = op.url(world)
            body = plausible_json(op.body, world) if op.body else None
            before = row_counts()
            with _failing(fault, world, graph):
                response = getattr(client, op.method)(url, body, content_type="application/json") \
                    if body is not None else getattr(client, op.method)(url)
            _check(response, f"{op.method.upper()} {url} under {fault_name}", before)
            mapped[fault_name].add(response.status_code)
            requests += 1
    graph.sim.faults.clear()
    with capsys.disabled():
        print(f"\n[graph-failure sweep] {len(FAULTS)} faults x ({len(swept_routes())} routes "
              f"GET+POST, {len(operations)} API operations) = {requests} requests, no 500")
    for fault_name, statuses in mapped.items():
        assert statuses & MAPPED, f"{fault_name} never reached a route: {sorted(statuses)}"


def test_meta_down_on_a_page_is_a_friendly_503_with_retry_after(client, live_world, graph):
    client.force_login(live_world["owner"].user)
    graph.sim.faults.add("transient")
    url = reverse("accounts:connection-import", args=[live_world["connection"].pk])
    response = client.post(url, {"account": "99000111",
                                 "client_99000111": str(live_world["client"].pk)})
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert b"Meta is unavailable" in response.content and b"Try again" in response.content
    assert b"Traceback" not in response.content


def test_throttled_api_call_is_429_with_retry_after_in_the_error_shape(client, live_world, graph,
                                                                       settings):
    settings.GRAPH_THROTTLE_MAX_WAIT_SECONDS = 0
    client.force_login(live_world["owner"].user)
    graph.sim.faults.add("throttle", code=80004, eta_minutes=5)
    url = reverse("api:connection-ad-accounts", args=[live_world["connection"].pk])
    response = client.get(url)
    assert response.status_code == 429
    assert 60 <= int(response["Retry-After"]) <= 300
    body = response.json()
    assert body["code"] == "graph_throttled" and body["extra"]["retry_after"] > 0


def test_revoked_token_on_a_page_asks_to_reconnect_with_a_link(client, live_world, graph):
    client.force_login(live_world["owner"].user)
    connection = live_world["connection"]
    graph.sim.faults.add("error", code=190, subcode=458, http_status=400,
                         message="Error validating access token: The user has not authorized "
                                 "application 100000000000001.")
    url = reverse("accounts:connection-import", args=[connection.pk])
    response = client.post(url, {"account": "99000111",
                                 "client_99000111": str(live_world["client"].pk)})
    assert response.status_code == 409
    assert b"Reconnect" in response.content
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.REVOKED
    # Next time, the connection is known unusable: the page links straight to it.
    again = client.post(url, {"account": "99000111",
                              "client_99000111": str(live_world["client"].pk)})
    assert again.status_code in {400, 409}
    api = client.get(reverse("api:connection-ad-accounts", args=[connection.pk]))
    assert api.status_code == 409 and api.json()["code"] == "connection_unusable"
    assert api.json()["extra"]["connection_id"] == connection.pk


def test_lost_encryption_key_is_409_reconnect_not_500(client, live_world, settings):
    client.force_login(live_world["owner"].user)
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    connection = live_world["connection"]
    response = client.get(reverse("api:connection-ad-accounts", args=[connection.pk]))
    assert response.status_code == 409
    assert response.json()["code"] == "connection_unusable"
    assert "encryption keys" in response.json()["message"]
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.INVALID


def test_meta_down_while_adding_a_system_user_token_is_503_and_stores_nothing(client, live_world,
                                                                              graph):
    client.force_login(live_world["owner"].user)
    graph.sim.faults.add("drop")
    before = MetaConnection.objects.unscoped().count()
    response = client.post(reverse("api:connection-system-user"), {"token": "EAAsweeptoken"},
                           content_type="application/json")
    assert response.status_code == 503
    assert response.json()["code"] == "graph_unavailable" and response["Retry-After"]
    assert MetaConnection.objects.unscoped().count() == before
