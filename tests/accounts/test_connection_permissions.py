"""Connections as a new user meets them: a partial grant says which permission is missing, what it
stops and where to fix it (never a raw Graph error); such a connection is not shown as plain
"Active"; connecting again as the same Meta user with fewer permissions asks before downgrading."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import MetaConnection
from agency.models import AuditEvent
from tests.accounts.test_onboarding import _callback, _connect, _dialog, _start

pytestmark = pytest.mark.django_db

ALL = ["ads_management", "ads_read", "business_management"]


def test_partial_grant_names_the_missing_permission_what_it_stops_and_the_fix(
    owner_client, graph
):
    response = _connect(owner_client, graph, grant=["ads_read", "business_management"])
    connection = MetaConnection.objects.unscoped().get()
    assert response["Location"] == reverse("accounts:connection-detail", args=[connection.pk])
    page = owner_client.get(response["Location"]).content.decode()
    assert "ads_management" in page and "publishing, pausing and editing campaigns" in page
    assert "Ask for the missing permissions" in page


def test_connection_missing_a_permission_is_not_shown_as_plain_active(owner_client, graph):
    _connect(owner_client, graph, grant=["ads_read", "business_management"])
    connection = MetaConnection.objects.unscoped().get()
    for url in (reverse("accounts:connection-list"),
                reverse("accounts:connection-detail", args=[connection.pk])):
        page = owner_client.get(url).content.decode()
        assert "Active, missing permissions" in page
        assert 'data-testid="connection-status">Active<' not in page


def test_import_without_business_management_lists_personal_accounts_and_explains(
    owner_client, graph
):
    _connect(owner_client, graph, grant=["ads_management", "ads_read"])
    connection = MetaConnection.objects.unscoped().get()
    page = owner_client.get(reverse("accounts:connection-import", args=[connection.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Requires" not in html and "OAuthException" not in html  # no raw Graph error
    assert "business_management" in html and "Business Managers" in html
    assert reverse("accounts:connection-detail", args=[connection.pk]) in html


def test_import_refused_by_meta_for_a_missing_permission_is_explained_not_raw(
    owner_client, graph
):
    _connect(owner_client, graph, grant=["business_management"])
    connection = MetaConnection.objects.unscoped().get()
    html = owner_client.get(
        reverse("accounts:connection-import", args=[connection.pk])).content.decode()
    assert "Requires" not in html
    assert "missing the permission" in html and "ads_read" in html


def test_reconnect_with_fewer_permissions_asks_before_downgrading(owner_client, graph):
    _connect(owner_client, graph)
    connection = MetaConnection.objects.unscoped().get()
    token_before = connection.access_token.reveal()
    response = _callback(owner_client, _dialog(graph, _start(owner_client),
                                               grant=["ads_read", "business_management"]))
    assert response["Location"] == reverse("accounts:connection-downgrade")
    connection.refresh_from_db()
    assert set(connection.scopes) == set(ALL)  # nothing changed yet
    page = owner_client.get(response["Location"]).content.decode()
    assert "ads_management" in page and "Keep the current connection" in page
    owner_client.post(reverse("accounts:connection-downgrade"), {"action": "keep"})
    connection.refresh_from_db()
    assert set(connection.scopes) == set(ALL)
    assert connection.access_token.reveal() == token_before


def test_confirmed_downgrade_replaces_the_token_and_is_audited(owner_client, graph):
    _connect(owner_client, graph)
    connection = MetaConnection.objects.unscoped().get()
    _callback(owner_client, _dialog(graph, _start(owner_client, connection_id=connection.pk),
                                    grant=["ads_read", "business_management"]))
    response = owner_client.post(reverse("accounts:connection-downgrade"),
                                 {"action": "replace"})
    assert response.status_code == 302
    connection.refresh_from_db()
    assert "ads_management" not in connection.scopes
    assert AuditEvent.objects.unscoped().filter(verb="connection.downgrade").exists()
    assert MetaConnection.objects.unscoped().count() == 1
    # the pending answer is used once
    again = owner_client.post(reverse("accounts:connection-downgrade"), {"action": "replace"})
    assert again.status_code == 302 and again["Location"] == reverse("accounts:connection-list")


def test_downgrade_page_keeps_no_token_in_clear_in_the_session(owner_client, graph):
    _connect(owner_client, graph)
    _callback(owner_client, _dialog(graph, _start(owner_client), grant=["ads_read"]))
    pending = owner_client.session["adwright_pending_downgrade"]
    tokens = [c.params.get("access_token") for c in graph.sim.calls]
    assert all(t not in repr(pending) for t in tokens if t)
