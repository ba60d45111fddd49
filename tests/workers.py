"""A real Celery worker process for tests: Redis broker, the test's PostgreSQL database, the
Graph simulator. Used through the `celery_worker` fixture (tests/conftest.py):

    @pytest.mark.django_db(transaction=True)      # implied by the fixture
    def test_something(celery_worker, graph, ...):
        job = jobs.job_start(kind="media.push", ...)       # enqueued on commit, to Redis
        job = celery_worker.wait_for(job, JobState.SUCCEEDED, timeout=20)
        celery_worker.kill()      # SIGKILL the worker (and its pool), mid-job
        celery_worker.start()     # a new worker; the unacked message is redelivered to it

One worker is shared by the tests of a module (start ~2-3 s). Each pytest-xdist process uses its
own Redis key prefix, so parallel runs never take each other's messages.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CELERY = Path(sys.executable).with_name("celery")
QUEUES = "default,publish,uploads,insights,maintenance"
# Redelivery of a dead worker's message: after this many seconds unacknowledged.
VISIBILITY_TIMEOUT = 4
# A running job's lease (renewed by a heartbeat while it runs); a redelivered message waits.
LEASE_SECONDS = 2


class WorkerHarness:
    """Starts, kills and restarts one `celery -A agency worker` subprocess."""

    def __init__(self, *, broker_url: str, key_prefix: str, database_url: str, graph_url: str,
                 log_dir: Path, include: list[str], settings: dict[str, Any] | None = None):
        self.broker_url = broker_url
        self.key_prefix = key_prefix
        self.throttle_prefix = f"{key_prefix}graph:"
        self.database_url = database_url
        self.graph_url = graph_url
        self.log_dir = log_dir
        self.include = include
        self.extra_settings = settings or {}
        self.process: subprocess.Popen | None = None
        self.log_path: Path | None = None
        self.generation = 0

    # broker ---------------------------------------------------------------------------------
    @property
    def transport_options(self) -> dict[str, Any]:
        return {
            "global_keyprefix": self.key_prefix,
            "visibility_timeout": VISIBILITY_TIMEOUT,
            "unacked_restore_interval": 1,
            "unacked_restore_throttle": 1,
        }

    def worker_settings(self) -> dict[str, Any]:
        return {
            "CELERY_BROKER_URL": self.broker_url,
            "CELERY_BROKER_TRANSPORT_OPTIONS": self.transport_options,
            "REDIS_URL": self.broker_url,
            "GRAPH_THROTTLE_PREFIX": self.throttle_prefix,
            "GRAPH_API_BASE_URL": self.graph_url,
            "META_OAUTH_DIALOG_BASE_URL": self.graph_url,
            # Short waits so tests see retries quickly.
            "GRAPH_THROTTLE_MAX_WAIT_SECONDS": 1,
            "GRAPH_MAX_ATTEMPTS": 1,
            "JOBS_LEASE_SECONDS": LEASE_SECONDS,
            "JOBS_LEASE_HEARTBEAT": True,
            "JOBS_MAX_COUNTDOWN_SECONDS": VISIBILITY_TIMEOUT - 1,
            "JOBS_RETRY_BACKOFF_SECONDS": 0.2,
            "JOBS_RETRY_BACKOFF_MAX_SECONDS": 1,
            **self.extra_settings,
        }

    # process --------------------------------------------------------------------------------
    def start(self, timeout: float = 30) -> None:
        if self.alive:
            return
        self.generation += 1
        self.log_path = self.log_dir / f"worker-{self.generation}.log"
        env = dict(os.environ)
        env.update({
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            "DATABASE_URL": self.database_url,
            "ADWRIGHT_WORKER_SETTINGS": json.dumps(self.worker_settings()),
            "PYTHONUNBUFFERED": "1",
        })
        cmd = [str(CELERY), "-A", "agency", "worker", "-Q", QUEUES, "--pool", "prefork",
               "--concurrency", "2", "--loglevel", "INFO", "--without-gossip",
               "--without-mingle", "--without-heartbeat", "--prefetch-multiplier", "1",
               "-n", f"test-{uuid.uuid4().hex[:8]}@%h"]
        if self.include:
            cmd += ["--include", ",".join(self.include)]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log,
                                            stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the Celery worker exited at start:\n{self.log_tail()}")
            if b" ready." in self.log_path.read_bytes():
                return
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"the Celery worker did not become ready:\n{self.log_tail()}")

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL the worker and its pool processes: no warm shutdown, no acknowledgement."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.kill()
        self.start()

    def log_tail(self, lines: int = 60) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no worker log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def logs(self) -> str:
        """Every worker generation's log, oldest first."""
        parts = sorted(self.log_dir.glob("worker-*.log"), key=lambda p: int(p.stem.split("-")[1]))
        return "\n".join(p.read_text(errors="replace") for p in parts)

    # waiting --------------------------------------------------------------------------------
    def wait_until(self, predicate: Callable[[], Any], *, timeout: float = 20,
                   interval: float = 0.1, what: str = "a condition") -> Any:
        deadline = time.monotonic() + timeout
        while True:
            value = predicate()
            if value:
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}; "
                                     f"worker log:\n{self.log_tail()}")
            time.sleep(interval)

    def wait_for(self, job, *states: str, timeout: float = 20, where: Callable | None = None):
        """Wait until the job is in one of `states` (and `where(job)` holds); returns it fresh."""
        from agency.jobs.models import Job

        def check():
            fresh = Job.objects.unscoped().get(pk=job.pk)
            if (not states or fresh.state in states) and (where is None or where(fresh)):
                return fresh
            return None

        return self.wait_until(check, timeout=timeout,
                               what=f"job {job.pk} to be {'/'.join(states) or 'ready'}")

    def redis(self):
        import redis

        return redis.Redis.from_url(self.broker_url)

    def clear_throttle(self) -> None:
        """Forget the Graph usage figures the worker recorded (the simulator is fresh per test)."""
        client = self.redis()
        keys = list(client.scan_iter(match=f"{self.throttle_prefix}*"))
        if keys:
            client.delete(*keys)

    def purge(self) -> None:
        """Drop every key of this harness's prefix (messages, unacked, throttle)."""
        client = self.redis()
        keys = list(client.scan_iter(match=f"{self.key_prefix}*"))
        if keys:
            client.delete(*keys)


def point_app_at(*, broker_url: str, transport_options: dict[str, Any]) -> Callable[[], None]:
    """Make this (test) process send tasks to `broker_url`; returns a function that undoes it."""
    from agency.celery import app

    before = (app.conf.broker_url, dict(app.conf.broker_transport_options or {}))

    def apply(url, options):
        app.conf.broker_url = url
        app.conf.broker_transport_options = options
        app._pool = None
        app.amqp._producer_pool = None

    apply(broker_url, transport_options)
    return lambda: apply(*before)
