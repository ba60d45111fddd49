"""The benchmarks run (each at its tiny size) and print their figures; no timing is asserted."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import service_unavailable

ROOT = Path(__file__).resolve().parent.parent

FIGURES = {
    "insights_ingest": ["ingest rows/s", "COPY rows/s (limit)", "ingest vs limit",
                        "peak memory"],
    "bulk_launch": ["job", "graph calls", "wall time", "time split"],
    "throttle": ["sync throttling errors", "sync call rate", "backfill throttling errors",
                 "backfill call rate"],
    "reports_load": ["data", "account dashboard", "api insights (campaign)", "Aggregated"],
    "page_weight": ["builder", "account dashboard", "encoding"],
}


@pytest.fixture(scope="module")
def services():
    import psycopg
    import redis

    from bench.env import REDIS_URL, SERVER_URL

    try:
        psycopg.connect(SERVER_URL, connect_timeout=2).close()
    except psycopg.Error as exc:
        service_unavailable(f"PostgreSQL at {SERVER_URL}: {exc}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis at {REDIS_URL}: {exc}")


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("name", list(FIGURES))
def test_benchmark_runs_at_tiny_size_and_prints_its_figures(services, name):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DJANGO_", "PYTEST"))}
    done = subprocess.run([sys.executable, "-m", "bench", name, "--size", "tiny"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "machine: " in done.stdout and "PostgreSQL" in done.stdout
    for figure in FIGURES[name]:
        assert f"  {figure}: " in done.stdout, (figure, done.stdout)
