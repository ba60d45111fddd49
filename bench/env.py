"""What every benchmark needs: a fresh PostgreSQL database (copied from a migrated template),
Django set up on it, Redis, the simulator, and one way to print figures."""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _server_url() -> str:
    """BENCH_POSTGRES_URL, else the server of a PostgreSQL DATABASE_URL (its maintenance
    database), else the local server."""
    if os.environ.get("BENCH_POSTGRES_URL"):
        return os.environ["BENCH_POSTGRES_URL"]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        return url.split("?", 1)[0].rsplit("/", 1)[0] + "/postgres"
    return "postgres://postgres@127.0.0.1:5432/postgres"


SERVER_URL = _server_url()
REDIS_URL = (os.environ.get("BENCH_REDIS_URL") or os.environ.get("REDIS_URL")
             or "redis://127.0.0.1:6379/14")


def figure(name: str, text: str) -> None:
    """One printed figure: `  <name>: <text>` (the smoke test looks for the names)."""
    print(f"  {name}: {text}", flush=True)


def say(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


def _url_for(name: str) -> str:
    return SERVER_URL.rsplit("/", 1)[0] + f"/{name}"


def _migrations_hash() -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")) + sorted(
            ROOT.glob("*/*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def _admin():
    import psycopg

    return psycopg.connect(SERVER_URL, autocommit=True, connect_timeout=3)


def _template_ready(name: str) -> bool:
    with _admin() as conn:
        return bool(conn.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                 [name]).fetchone())


def _template_make(name: str) -> None:
    """Migrate a template database once per set of migrations (later runs copy it in ~1 s)."""
    import subprocess

    building = f"{name}_building_{uuid.uuid4().hex[:6]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{building}"')
    say(f"migrating a template database ({name}); later runs copy it")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings",
           "DATABASE_URL": _url_for(building)}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)
    with _admin() as conn:
        if _template_ready(name):  # another run made it meanwhile
            conn.execute(f'DROP DATABASE "{building}"')
        else:
            conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')


@contextmanager
def bench_database():
    """A fresh database for one run, dropped afterwards; yields its URL."""
    template = f"adwright_bench_tpl_{_migrations_hash()}"
    if not _template_ready(template):
        _template_make(template)
    name = f"adwright_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with _admin() as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield _url_for(name)
    finally:
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()
        with _admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def django_setup(*, database_url: str, settings: dict[str, Any] | None = None) -> None:
    """Set Django up in this process on `database_url` (once per process)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["DATABASE_URL"] = database_url
    os.environ["ADWRIGHT_BENCH_SETTINGS"] = json.dumps(settings or {})
    import django

    django.setup()


def redis_check() -> str:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    return REDIS_URL


class Stopwatch:
    def __init__(self) -> None:
        self.started = time.perf_counter()

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started
