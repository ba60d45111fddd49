"""Production settings refuse unsafe starts; the OpenAPI schema generates."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.urls import reverse

GOOD_ENV = {
    "SECRET_KEY": "9vQ2-xL7pR0sT4uW8yZ1bD5fH3jK6mN0qS2tV4wX7zA9cE1gI3kM5oP7rU9xB2dF4h",
    "DATABASE_URL": "sqlite:////tmp/adwright-prod-check.sqlite3",
    "TOKEN_ENCRYPTION_KEYS": "kO7XYw8R9mTq3sVb2Jd5Lh1Nc6Pf4Ga0Ue8Wi2Zy3Xs=",
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


@pytest.mark.parametrize("keys", [
    " ", ",", "not-a-fernet-key", "kO7XYw8R9mTq3sVb2Jd5Lh1Nc6Pf4Ga0Ue8Wi2Zy3Xs=,",
    "kO7XYw8R9mTq3sVb2Jd5Lh1Nc6Pf4Ga0Ue8Wi2Zy3Xs=,short",
])
def test_production_refuses_malformed_or_blank_token_encryption_keys(keys):
    result = _import_production({**GOOD_ENV, "TOKEN_ENCRYPTION_KEYS": keys})
    assert result.returncode != 0
    assert "TOKEN_ENCRYPTION_KEYS" in result.stderr


def test_production_accepts_a_rotation_pair_of_fernet_keys():
    keys = ("kO7XYw8R9mTq3sVb2Jd5Lh1Nc6Pf4Ga0Ue8Wi2Zy3Xs=, "
            "ZmRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGRkZGQ=")
    assert _import_production({**GOOD_ENV, "TOKEN_ENCRYPTION_KEYS": keys}).returncode == 0


@pytest.mark.parametrize(("secret_key", "why"), [
    ("x" * 60, "different characters"),
    ("ab" * 40, "different characters"),
    ("Zq8-w2Lp0v", "too short"),
    ("insecure-local-only-key-do-not-use-in-production", "published default"),
    ("django-insecure-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJ", "published default"),
])
def test_production_refuses_a_weak_secret_key(secret_key, why):
    result = _import_production({**GOOD_ENV, "SECRET_KEY": secret_key})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr and why in result.stderr


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
