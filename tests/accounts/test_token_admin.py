"""The admin panel for tokens (platform staff) and the periodic health check."""

from __future__ import annotations

import httpx
import pytest
from django.urls import reverse

from accounts import tasks
from accounts.models import ConnectionStatus, MetaConnection
from agency.models import AuditEvent
from tests.factories.accounts import MetaConnectionFactory
from tests.factories.agency import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def live_connection(graph, agency):
    """A connection holding a real simulator token for the demo user."""
    token = httpx.post(f"{graph.base_url}/__sim__/tokens", json={}).json()["access_token"]
    return MetaConnectionFactory(agency=agency, token=token)


def _action(client, action, connection):
    return client.post(reverse("admin:accounts_metaconnection_changelist"),
                       {"action": action, "_selected_action": [connection.pk]})


def test_admin_lists_connections_with_fingerprint_and_never_the_token(
    superuser_client, live_connection
):
    clear = live_connection.access_token.reveal()
    for url in (reverse("admin:accounts_metaconnection_changelist"),
                reverse("admin:accounts_metaconnection_change", args=[live_connection.pk])):
        page = superuser_client.get(url).content.decode()
        assert clear not in page
        assert live_connection.token_fingerprint in page
        assert live_connection.access_token.ciphertext not in page


def test_admin_is_for_superusers_only(client, owner, live_connection):
    client.force_login(owner.user)
    response = client.get(reverse("admin:accounts_metaconnection_changelist"))
    assert response.status_code == 302  # to the admin login


def test_admin_recheck_action_is_audited_and_updates_the_connection(
    superuser_client, live_connection
):
    _action(superuser_client, "recheck_now", live_connection)
    live_connection.refresh_from_db()
    assert live_connection.last_checked_at is not None
    verbs = list(AuditEvent.objects.unscoped().values_list("verb", flat=True))
    assert "admin.connection.recheck" in verbs and "token.reveal" in verbs


def test_admin_revoke_calls_meta_and_marks_revoked(superuser_client, live_connection, graph):
    _action(superuser_client, "revoke", live_connection)
    live_connection.refresh_from_db()
    assert live_connection.status == ConnectionStatus.REVOKED
    assert graph.sim.calls.find(method="DELETE", path="/me/permissions")
    assert AuditEvent.objects.unscoped().filter(verb="admin.connection.revoke").exists()
    # Meta no longer accepts the token.
    check = httpx.get(f"{graph.base_url}/v25.0/me",
                      params={"access_token": live_connection.access_token.reveal()})
    assert check.json()["error"]["code"] == 190


def test_admin_disable_and_rotate_are_audited(superuser_client, live_connection):
    before = live_connection.access_token.ciphertext
    _action(superuser_client, "rotate_encryption", live_connection)
    live_connection.refresh_from_db()
    assert live_connection.access_token.ciphertext != before
    _action(superuser_client, "disable", live_connection)
    live_connection.refresh_from_db()
    assert live_connection.status == ConnectionStatus.DISABLED
    verbs = set(AuditEvent.objects.unscoped().values_list("verb", flat=True))
    assert {"admin.connection.rotate", "admin.connection.disable", "token.rotate"} <= verbs


def test_admin_cannot_add_a_token_by_hand(superuser_client):
    assert superuser_client.get(reverse("admin:accounts_metaconnection_add")).status_code == 403


def test_periodic_sweep_queues_every_live_connection(agency, other_agency, monkeypatch):
    live = [MetaConnectionFactory(agency=agency), MetaConnectionFactory(agency=other_agency)]
    MetaConnectionFactory(agency=agency, status=ConnectionStatus.DISABLED)
    MetaConnectionFactory(agency=agency, status=ConnectionStatus.REVOKED)
    queued = []
    monkeypatch.setattr(tasks.connection_check_one, "delay", queued.append)
    assert tasks.connections_check_all() == 2
    assert sorted(queued) == sorted(c.pk for c in live)


def test_health_check_task_marks_an_expired_token(graph, live_connection):
    httpx.post(f"{graph.base_url}/__sim__/tokens/expire",
               json={"access_token": live_connection.access_token.reveal()})
    assert tasks.connection_check_one(live_connection.pk) == ConnectionStatus.EXPIRED
    assert MetaConnection.objects.unscoped().get(pk=live_connection.pk).status == "expired"


def test_health_check_marks_a_token_expiring_within_seven_days(graph, agency):
    token = httpx.post(f"{graph.base_url}/__sim__/tokens",
                       json={"expires_in": 3 * 86400}).json()["access_token"]
    connection = MetaConnectionFactory(agency=agency, token=token)
    assert tasks.connection_check_one(connection.pk) == ConnectionStatus.EXPIRING


def test_health_check_survives_meta_being_down(graph, live_connection, settings):
    settings.GRAPH_MAX_ATTEMPTS = 2  # the client's backoff really sleeps between attempts
    graph.sim.faults.add("transient", path="/debug_token", times=20)
    tasks.connection_check_one(live_connection.pk)
    live_connection.refresh_from_db()
    assert live_connection.status == ConnectionStatus.ACTIVE
    assert "Health check failed" in live_connection.last_error
