"""The production build path, as the image runs it: collectstatic with the production storage,
then gunicorn serving a page and a static file with production settings and security headers."""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def production_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="agency.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        # A temporary SQLite file: the login page and static files need no tables.
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        TOKEN_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        META_APP_ID="100000000000001",
        META_APP_SECRET=secrets.token_hex(16),
        ALLOWED_HOSTS="127.0.0.1",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    env.pop("DEBUG", None)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """collectstatic into a temporary STATIC_ROOT, then gunicorn on a free 127.0.0.1 port."""
    tmp_path = tmp_path_factory.mktemp("prod")
    env = production_env(tmp_path)
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=120,
    )
    assert collected.returncode == 0, collected.stderr[-2000:]
    port = _free_port()
    log = (tmp_path / "gunicorn.log").open("w+")
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "agency.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "1", "--access-logfile", "-", "--error-logfile", "-"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, Path(log.name).read_text()[-3000:]
            try:
                httpx.get(base + "/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield base, Path(log.name)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def _get(url: str) -> httpx.Response:
    # Behind the proxy that terminates TLS (SECURE_PROXY_SSL_HEADER): an https request.
    return httpx.get(url, headers={"X-Forwarded-Proto": "https"}, timeout=10)


def test_production_login_page_is_served_by_gunicorn_with_security_headers(served):
    base, _ = served
    response = _get(base + "/accounts/login/")
    assert response.status_code == 200, response.text[:500]
    assert "Sign in" in response.text
    headers = response.headers
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1]
    assert "session" not in headers.get("Set-Cookie", "") or "Secure" in headers["Set-Cookie"]


def test_production_serves_hashed_static_files_from_the_manifest(served):
    base, _ = served
    page = _get(base + "/accounts/login/").text
    hashed = re.search(r'/static/vendor/htmx\.min\.[0-9a-f]{12}\.js', page)
    assert hashed, "the page links the hashed name from the manifest"
    response = _get(base + hashed.group(0))
    assert response.status_code == 200
    assert "htmx" in response.text[:2000]
    assert "max-age=315360000" in response.headers["Cache-Control"]
    chart = re.search(r'/static/vendor/chart\.umd\.min\.[0-9a-f]{12}\.js', page)
    if chart:
        assert _get(base + chart.group(0)).status_code == 200


def test_production_plain_http_is_redirected_to_https(served):
    base, _ = served
    response = httpx.get(base + "/accounts/login/", timeout=10)
    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")
