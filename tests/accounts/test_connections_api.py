"""The connections API: what the pages do, with tokens never in a response."""

from __future__ import annotations

import httpx
import pytest
from django.urls import reverse

from accounts.models import MetaConnection
from campaigns.models import AdAccount
from tests.factories.accounts import MetaConnectionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sim_token(graph):
    return httpx.post(f"{graph.base_url}/__sim__/tokens", json={}).json()["access_token"]


def test_add_a_system_user_token_and_import_through_the_api(owner_client, graph, client_a):
    token = httpx.post(f"{graph.base_url}/__sim__/tokens",
                       json={"system_user": True}).json()["access_token"]
    created = owner_client.post(reverse("api:connection-system-user"),
                                {"token": token, "label": "BM"}, content_type="application/json")
    assert created.status_code == 201
    assert token not in created.content.decode()
    body = created.json()
    assert body["kind"] == "system_user" and body["token_fingerprint"]

    url = reverse("api:connection-ad-accounts", args=[body["id"]])
    reachable = owner_client.get(url).json()
    assert reachable and {"account_id", "currency", "timezone_name"} <= set(reachable[0])
    response = owner_client.post(url, {"assignments": [
        {"account_id": reachable[0]["account_id"], "client_id": client_a.pk}]},
        content_type="application/json")
    assert response.status_code == 201
    assert AdAccount.objects.unscoped().get().account_id == reachable[0]["account_id"]
    listed = owner_client.get(reverse("api:ad-account-list")).json()
    assert [a["account_id"] for a in listed] == [reachable[0]["account_id"]]


def test_connection_responses_never_carry_the_token(owner_client, agency, sim_token, graph):
    connection = MetaConnectionFactory(agency=agency, token=sim_token)
    for url in (reverse("api:connection-list"),
                reverse("api:connection-detail", args=[connection.pk])):
        text = owner_client.get(url).content.decode()
        assert sim_token not in text and connection.access_token.ciphertext not in text
    checked = owner_client.post(reverse("api:connection-check", args=[connection.pk]))
    assert checked.status_code == 200 and checked.json()["status"] == "active"


def test_bad_system_user_token_gets_the_one_error_shape(owner_client, graph):
    response = owner_client.post(reverse("api:connection-system-user"), {"token": "EAAbogus"},
                                 content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["extra"] == {"field": "token"}
    assert "not valid" in body["message"] and "EAAbogus" not in response.content.decode()
    assert not MetaConnection.objects.unscoped().exists()


def test_analyst_reads_connections_but_cannot_import(client, analyst, agency, graph):
    connection = MetaConnectionFactory(agency=agency)
    client.force_login(analyst.user)
    assert client.get(reverse("api:connection-list")).status_code == 200
    url = reverse("api:connection-ad-accounts", args=[connection.pk])
    assert client.get(url).status_code == 403
