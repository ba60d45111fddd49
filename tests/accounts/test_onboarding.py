"""Connecting Meta through the simulator's OAuth dialog, end to end, and every way it fails."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from django.core import mail
from django.db import connection as db
from django.test import Client as BrowserSession
from django.urls import reverse
from django.utils import timezone

from accounts.models import (
    ClientOnboardingLink,
    ConnectionKind,
    ConnectionStatus,
    MetaConnection,
    OAuthState,
)
from accounts.services.connections import connection_check
from accounts.services.graph import graph_for_connection
from agency.graph.errors import GraphAuthError
from agency.models import AuditEvent
from campaigns.models import AdAccount
from tests.factories.agency import ClientFactory

pytestmark = pytest.mark.django_db

CALLBACK = "http://testserver/accounts/connections/callback/"


def _start(client, **form) -> dict[str, str]:
    """Press "Connect Meta": the browser is sent to the dialog; returns the dialog's parameters."""
    response = client.post(reverse("accounts:connection-start"), form)
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert url.path.endswith("/dialog/oauth")
    return {k: v[0] for k, v in parse_qs(url.query).items()}


def _dialog(graph, params: dict[str, str], *, approve=True, grant=None, user_id=None) -> str:
    """The person's answer in Meta's dialog (the simulator's consent page, without the clicks)."""
    query = {k: params[k] for k in ("client_id", "redirect_uri", "state", "scope")}
    if grant is not None:
        query["grant"] = ",".join(grant)
    if user_id:
        query["user_id"] = user_id
    action = "approve" if approve else "decline"
    response = httpx.get(f"{graph.base_url}/__sim__/dialog/{action}", params=query)
    assert response.status_code == 302
    return response.headers["location"]


def _callback(client, location: str):
    url = urlsplit(location)
    assert f"{url.scheme}://{url.netloc}{url.path}" == CALLBACK
    return client.get(url.path, {k: v[0] for k, v in parse_qs(url.query).items()})


def _connect(client, graph, **dialog):
    return _callback(client, _dialog(graph, _start(client), **dialog))


def test_connect_stores_a_long_lived_inspected_token_and_lists_accounts_to_import(
    owner_client, owner, graph
):
    response = _connect(owner_client, graph)
    connection = MetaConnection.objects.unscoped().get()
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:connection-import", args=[connection.pk])
    assert connection.agency_id == owner.agency_id and connection.kind == ConnectionKind.USER
    assert connection.status == ConnectionStatus.ACTIVE
    assert set(connection.scopes) >= {"ads_management", "ads_read", "business_management"}
    assert connection.meta_user_name == "Dana Demo"
    # Long-lived: about 60 days, as debug_token reported it.
    assert connection.expires_at - timezone.now() > timedelta(days=50)
    calls = [(c.method, c.path, c.params.get("grant_type")) for c in graph.sim.calls]
    assert ("GET", "/oauth/access_token", None) in calls
    assert ("GET", "/oauth/access_token", "fb_exchange_token") in calls
    assert any(path == "/debug_token" for _m, path, _g in calls)
    assert AuditEvent.objects.unscoped().filter(verb="connection.create").exists()

    page = owner_client.get(response["Location"])
    assert page.status_code == 200
    names = [a.name for a in page.context["rows"] and [r["account"] for r in page.context["rows"]]]
    assert len(names) >= 3


def test_no_token_is_stored_in_clear_after_connecting(owner_client, graph):
    _connect(owner_client, graph)
    connection = MetaConnection.objects.unscoped().get()
    clear = connection.access_token.reveal()
    with db.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_metaconnection")
        rows = repr(cursor.fetchall())
        cursor.execute("SELECT * FROM agency_auditevent")
        rows += repr(cursor.fetchall())
    assert clear not in rows
    page = owner_client.get(reverse("accounts:connection-detail", args=[connection.pk]))
    assert clear not in page.content.decode()
    assert connection.token_fingerprint in page.content.decode()


def test_import_assigns_chosen_accounts_to_clients(owner_client, owner, graph, client_a):
    _connect(owner_client, graph)
    connection = MetaConnection.objects.unscoped().get()
    page = owner_client.get(reverse("accounts:connection-import", args=[connection.pk]))
    first, second = [row["account"] for row in page.context["rows"]][:2]
    response = owner_client.post(
        reverse("accounts:connection-import", args=[connection.pk]),
        {"account": [first.account_id, second.account_id],
         f"client_{first.account_id}": client_a.pk, f"client_{second.account_id}": client_a.pk},
    )
    assert response.status_code == 302
    imported = AdAccount.objects.unscoped().order_by("name")
    assert {a.account_id for a in imported} == {first.account_id, second.account_id}
    assert all(a.client == client_a and a.agency_id == owner.agency_id for a in imported)
    assert {a.currency for a in imported} == {first.currency, second.currency}


def test_import_without_a_client_keeps_the_choice_and_says_why(owner_client, graph):
    _connect(owner_client, graph)
    connection = MetaConnection.objects.unscoped().get()
    page = owner_client.get(reverse("accounts:connection-import", args=[connection.pk]))
    account = page.context["rows"][0]["account"]
    response = owner_client.post(reverse("accounts:connection-import", args=[connection.pk]),
                                 {"account": [account.account_id]})
    assert response.status_code == 400
    assert f"Choose a client for ad account act_{account.account_id}" in response.content.decode()
    assert not AdAccount.objects.unscoped().exists()


def test_an_ad_account_belongs_to_one_agency(owner_client, owner, graph, client_a, other_agency):
    from tests.factories.accounts import MetaConnectionFactory

    _connect(owner_client, graph)
    connection = MetaConnection.objects.unscoped().get(agency=owner.agency)
    page = owner_client.get(reverse("accounts:connection-import", args=[connection.pk]))
    account = page.context["rows"][0]["account"]
    AdAccount.objects.unscoped().create(
        agency=other_agency, account_id=account.account_id, name="Theirs", currency="USD",
        timezone_name="UTC", client=ClientFactory(agency=other_agency),
        connection=MetaConnectionFactory(agency=other_agency),
    )
    response = owner_client.post(
        reverse("accounts:connection-import", args=[connection.pk]),
        {"account": [account.account_id], f"client_{account.account_id}": client_a.pk},
    )
    assert response.status_code == 400
    assert "managed in Adwright by another agency" in response.content.decode()
    assert AdAccount.objects.unscoped().get(account_id=account.account_id).agency == other_agency


def test_import_refuses_an_account_the_connection_cannot_reach(owner_client, graph, client_a):
    _connect(owner_client, graph)
    connection = MetaConnection.objects.unscoped().get()
    response = owner_client.post(reverse("accounts:connection-import", args=[connection.pk]),
                                 {"account": ["999999999"], "client_999999999": client_a.pk})
    assert response.status_code == 400
    assert "cannot reach ad account(s) 999999999" in response.content.decode()


def test_declined_dialog_connects_nothing_and_says_so(owner_client, graph):
    response = _callback(owner_client, _dialog(graph, _start(owner_client), approve=False))
    assert response.status_code == 302
    assert not MetaConnection.objects.unscoped().exists()
    follow = owner_client.get(response["Location"])
    assert "you declined the dialog" in follow.content.decode()
    assert AuditEvent.objects.unscoped().filter(verb="connection.declined").exists()


def test_replayed_state_is_refused(owner_client, graph):
    location = _dialog(graph, _start(owner_client))
    _callback(owner_client, location)
    response = _callback(owner_client, location)
    assert "already used" in owner_client.get(response["Location"]).content.decode()
    assert MetaConnection.objects.unscoped().count() == 1


def test_forged_state_is_refused(owner_client, graph):
    params = _start(owner_client)
    params["state"] = "forged-" + params["state"][7:]
    response = _callback(owner_client, _dialog(graph, params))
    assert "does not match" in owner_client.get(response["Location"]).content.decode()
    assert not MetaConnection.objects.unscoped().exists()


def test_missing_state_is_refused(owner_client, graph):
    location = _dialog(graph, _start(owner_client))
    url = urlsplit(location)
    query = {k: v[0] for k, v in parse_qs(url.query).items() if k != "state"}
    response = owner_client.get(url.path, query)
    assert "had no state" in owner_client.get(response["Location"]).content.decode()


def test_state_from_another_browser_session_is_refused(owner_client, owner, graph):
    location = _dialog(graph, _start(owner_client))
    intruder = BrowserSession()
    intruder.force_login(owner.user)  # even the same user, in another session
    response = _callback(intruder, location)
    assert "another browser session" in intruder.get(response["Location"]).content.decode()
    assert not MetaConnection.objects.unscoped().exists()


def test_expired_state_is_refused(owner_client, graph):
    params = _start(owner_client)
    OAuthState.objects.unscoped().update(expires_at=timezone.now() - timedelta(seconds=1))
    response = _callback(owner_client, _dialog(graph, params))
    assert "expired" in owner_client.get(response["Location"]).content.decode()


def test_missing_permission_is_shown_and_can_be_asked_again(owner_client, graph):
    _connect(owner_client, graph, grant=["ads_read", "business_management"])
    connection = MetaConnection.objects.unscoped().get()
    assert "ads_management" not in connection.scopes
    page = owner_client.get(reverse("accounts:connection-detail", args=[connection.pk]))
    assert "Ask for the missing permissions" in page.content.decode()
    home = owner_client.get(reverse("agency:client-list"))
    assert "misses permissions" in home.content.decode()

    params = _start(owner_client, connection_id=connection.pk, rerequest="1")
    assert params["auth_type"] == "rerequest"
    _callback(owner_client, _dialog(graph, params))
    connection.refresh_from_db()
    assert "ads_management" in connection.scopes
    assert MetaConnection.objects.unscoped().count() == 1  # the same connection, restored


def test_manager_cannot_start_connecting(client, manager, graph):
    client.force_login(manager.user)
    assert client.post(reverse("accounts:connection-start")).status_code == 403


def test_expired_token_is_marked_by_the_health_check_and_admins_are_told(
    owner_client, owner, graph, django_capture_on_commit_callbacks
):
    _connect(owner_client, graph)
    connection = MetaConnection.objects.unscoped().get()
    httpx.post(f"{graph.base_url}/__sim__/tokens/expire",
               json={"access_token": connection.access_token.reveal()})
    with django_capture_on_commit_callbacks(execute=True):
        connection_check(connection=connection)
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.EXPIRED
    assert connection.last_checked_at is not None
    assert [m.to for m in mail.outbox] == [[owner.user.email]]
    assert "expired" in mail.outbox[0].subject
    assert "is expired" in owner_client.get(reverse("agency:client-list")).content.decode()


def test_revoked_token_is_marked_and_work_on_it_pauses(owner_client, graph):
    from accounts.services.graph import ConnectionUnusableError

    _connect(owner_client, graph)
    connection = MetaConnection.objects.unscoped().get()
    httpx.post(f"{graph.base_url}/__sim__/tokens/revoke",
               json={"access_token": connection.access_token.reveal()})
    connection_check(connection=connection)
    connection.refresh_from_db()
    assert connection.status in {ConnectionStatus.REVOKED, ConnectionStatus.INVALID}
    with pytest.raises(ConnectionUnusableError, match="reconnect it"):
        graph_for_connection(connection=connection, purpose="test")


def test_a_190_anywhere_marks_the_connection(owner_client, graph):
    _connect(owner_client, graph)
    connection = MetaConnection.objects.unscoped().get()
    httpx.post(f"{graph.base_url}/__sim__/tokens/expire",
               json={"access_token": connection.access_token.reveal()})
    client = graph_for_connection(connection=connection, purpose="test")
    with pytest.raises(GraphAuthError):
        client.get("me/adaccounts")
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.EXPIRED
    assert "190" in connection.last_error


def test_reconnecting_restores_a_dead_connection(owner_client, graph):
    _connect(owner_client, graph)
    connection = MetaConnection.objects.unscoped().get()
    httpx.post(f"{graph.base_url}/__sim__/tokens/expire",
               json={"access_token": connection.access_token.reveal()})
    connection_check(connection=connection)
    _callback(owner_client, _dialog(graph, _start(owner_client, connection_id=connection.pk)))
    connection.refresh_from_db()
    assert connection.status == ConnectionStatus.ACTIVE
    assert AuditEvent.objects.unscoped().filter(verb="connection.reconnect").exists()


def test_system_user_token_is_verified_stored_and_never_shown(owner_client, graph):
    token = httpx.post(f"{graph.base_url}/__sim__/tokens",
                       json={"system_user": True}).json()["access_token"]
    response = owner_client.post(reverse("accounts:connection-system-user"),
                                 {"label": "BM API user", "token": token})
    assert response.status_code == 302
    connection = MetaConnection.objects.unscoped().get()
    assert connection.kind == ConnectionKind.SYSTEM_USER and connection.expires_at is None
    for url in (reverse("accounts:connection-list"),
                reverse("accounts:connection-detail", args=[connection.pk])):
        assert token not in owner_client.get(url).content.decode()


def test_invalid_system_user_token_is_refused_on_the_field(owner_client, graph):
    response = owner_client.post(reverse("accounts:connection-system-user"),
                                 {"token": "EAAnot-a-real-token"})
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert "EAAnot-a-real-token" not in response.content.decode()
    assert not MetaConnection.objects.unscoped().exists()


def test_client_onboarding_link_lets_the_clients_own_meta_user_grant_access(
    owner_client, owner, graph, client_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        page = owner_client.post(reverse("accounts:onboarding-link-create"),
                                 {"client": client_a.pk, "email": "cfo@acme.example"})
    url = page.context["issued_url"]
    assert url in mail.outbox[0].body and mail.outbox[0].to == ["cfo@acme.example"]
    path = urlsplit(url).path

    visitor = BrowserSession()  # the client's browser: no Adwright login
    assert "Acme Shoes" in visitor.get(path).content.decode()
    response = visitor.post(path)
    params = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    second_user = graph.sim.world.demo["second_user_id"]
    done = _callback(visitor, _dialog(graph, params, user_id=second_user))
    assert done.status_code == 200 and b"Access granted" in done.content

    connection = MetaConnection.objects.unscoped().get()
    assert connection.kind == ConnectionKind.CLIENT and connection.client == client_a
    assert connection.agency_id == owner.agency_id and connection.meta_user_id == second_user
    assert ClientOnboardingLink.objects.unscoped().get().used_at is not None
    assert visitor.get(path).status_code == 410  # single use
    # The agency now sees the accounts this client granted.
    import_page = owner_client.get(reverse("accounts:connection-import", args=[connection.pk]))
    assert import_page.status_code == 200


def test_expired_onboarding_link_is_refused(owner_client, graph, client_a):
    page = owner_client.post(reverse("accounts:onboarding-link-create"), {"client": client_a.pk})
    ClientOnboardingLink.objects.unscoped().update(expires_at=timezone.now())
    response = BrowserSession().get(urlsplit(page.context["issued_url"]).path)
    assert response.status_code == 410 and b"expired" in response.content


def test_no_token_code_or_secret_reaches_the_logs(owner_client, graph, caplog, settings):
    caplog.set_level("INFO", logger="agency")
    _connect(owner_client, graph)
    connection = MetaConnection.objects.unscoped().get()
    logged = caplog.text
    assert "graph GET /debug_token -> 200" in logged  # calls are logged...
    secrets = [connection.access_token.reveal(), settings.META_APP_SECRET]
    secrets += [c.params.get("code") for c in graph.sim.calls if c.params.get("code")]
    for secret in secrets:
        assert secret not in logged  # ...without what they carried
    assert "access_token=" not in logged and "client_secret=" not in logged


def test_connection_page_shows_each_ad_accounts_call_budget(owner_client, graph, client_a):
    _connect(owner_client, graph)
    connection = MetaConnection.objects.unscoped().get()
    url = reverse("accounts:connection-import", args=[connection.pk])
    account = owner_client.get(url).context["rows"][0]["account"]
    owner_client.post(url, {"account": [account.account_id],
                            f"client_{account.account_id}": client_a.pk})
    # Calls on the account make Meta report usage; the page shows the latest figure.
    from accounts.services.graph import graph_for_connection

    with graph_for_connection(connection=connection, purpose="test") as client:
        for _ in range(3):
            client.get(f"act_{account.account_id}", fields="name", account_id=account.account_id)
    page = owner_client.get(reverse("accounts:connection-detail", args=[connection.pk]))
    budget = page.context["ad_accounts"][0].call_budget
    assert budget.ad_account is not None or budget.business_use_cases
    assert "no calls yet" not in page.content.decode()
