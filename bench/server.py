"""Adwright as production serves it: collectstatic with the production storage (compressed,
hashed files for WhiteNoise), then gunicorn with production settings (3 workers, as the image's
CMD) on the bench database; and signed-in sessions for a load tool to send."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from bench.env import REDIS_URL, ROOT, say

BIN = Path(sys.executable).parent
# The driver signs its sessions with the server's key (bench settings take it as an override).
SECRET_KEY = "bench-" + secrets.token_urlsafe(48)
TOKEN_KEY = "kO7XYw8R9mTq3sVb2Jd5Lh1Nc6Pf4Ga0Ue8Wi2Zy3Xs="  # the test settings' key


def _static_key(quick: bool) -> str:
    """What the collected files depend on: the tracked static sources and the dependencies."""
    import hashlib

    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes())
    digest.update(b"quick" if quick else b"compressed")
    listed = subprocess.run(["git", "ls-files", "-s", "--", "static", "*/static/*"], cwd=ROOT,
                            capture_output=True, check=False)
    digest.update(listed.stdout if listed.returncode == 0 else os.urandom(8))
    return digest.hexdigest()[:12]


def production_env(*, database_url: str, quick_static: bool = False) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.production_settings",
        SECRET_KEY=SECRET_KEY, DATABASE_URL=database_url, TOKEN_ENCRYPTION_KEYS=TOKEN_KEY,
        META_APP_ID="100000000000001", META_APP_SECRET="adwright-test-app-secret",
        ALLOWED_HOSTS="127.0.0.1,localhost", REDIS_URL=REDIS_URL,
        STATIC_ROOT=str(Path(tempfile.gettempdir()) /
                        f"adwright-bench-static-{_static_key(quick_static)}"),
        BENCH_QUICK_STATIC="1" if quick_static else "0",
        CELERY_BROKER_KEY_PREFIX="adwright:bench:web:",
        # Plain HTTP on 127.0.0.1 (a TLS proxy sits in front in production).
        SECURE_SSL_REDIRECT="False", LOG_LEVEL="WARNING",
        # Graph is not reached by the pages measured (range reach is stored beforehand).
        GRAPH_API_BASE_URL="http://127.0.0.1:9",
    )
    env.pop("DEBUG", None)
    return env


def collectstatic(env: dict[str, str]) -> None:
    """Once per set of static sources (the folder is named by their hash)."""
    done = Path(env["STATIC_ROOT"]) / ".bench-complete"
    if done.exists():
        return
    say("collectstatic (production storage: hashed and compressed files; kept for later runs)")
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True, timeout=900)
    done.touch()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(*, database_url: str, workers: int = 3, quick_static: bool = False):
    """Yields the base URL of a production gunicorn on a free port."""
    import httpx

    env = production_env(database_url=database_url, quick_static=quick_static)
    collectstatic(env)
    port = _free_port()
    log_path = Path(tempfile.mkdtemp(prefix="adwright-bench-web-")) / "gunicorn.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "agency.wsgi:application", "--bind", f"127.0.0.1:{port}",
             "--workers", str(workers), "--error-logfile", "-"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{log_path.read_text()[-3000:]}")
            try:
                httpx.get(base + "/accounts/login/", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def session_cookie(user) -> str:
    """A signed-in session for `user` (what the login form would set), as a Cookie header."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
