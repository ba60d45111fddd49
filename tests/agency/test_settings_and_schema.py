"""Production settings refuse unsafe starts; the OpenAPI schema generates."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.urls import reverse

GOOD_ENV = {
    "SECRET_KEY": "x" * 50,
    "DATABASE_URL": "sqlite:////tmp/adwright-prod-check.sqlite3",
    "TOKEN_ENCRYPTION_KEYS": "k",
    "META_APP_ID": "1",
    "META_APP_SECRET": "s",
}


def _import_production(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in GOOD_ENV and k != "DEBUG"}
    clean.update(env, DJANGO_SETTINGS_MODULE="agency.settings.production")
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=clean, capture_output=True, text=True, check=False,
    )


def test_production_starts_with_its_secrets():
    assert _import_production(GOOD_ENV).returncode == 0


@pytest.mark.parametrize("missing", sorted(GOOD_ENV))
def test_production_refuses_a_missing_secret(missing):
    env = {k: v for k, v in GOOD_ENV.items() if k != missing}
    result = _import_production(env)
    assert result.returncode != 0
    assert missing in result.stderr


def test_production_refuses_debug():
    result = _import_production({**GOOD_ENV, "DEBUG": "true"})
    assert result.returncode != 0 and "DEBUG must be off" in result.stderr


@pytest.mark.django_db
def test_openapi_schema_generates_with_every_api_route(client, owner):
    client.force_login(owner.user)
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"/api/v1/clients/", "/api/v1/clients/{client_id}/", "/api/v1/me/"} <= set(paths)
