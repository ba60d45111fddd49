"""CI (ADWRIGHT_REQUIRE_SERVICES=1) must run on the real PostgreSQL and Redis, never fall back."""

import os

import pytest
from django.db import connection

from tests.conftest import REQUIRE_SERVICES


@pytest.mark.django_db
def test_database_is_postgresql_when_services_are_required():
    if not REQUIRE_SERVICES and not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("local run on the embedded SQLite default")
    assert connection.vendor == "postgresql"


def test_redis_answers(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    client.set("adwright:ci-check", "1", ex=5)
    assert client.get("adwright:ci-check") == b"1"
