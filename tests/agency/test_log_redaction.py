"""One-time tokens never reach a log line (runserver's and gunicorn's request logs, Django's
request warnings), and the DEBUG error page shows no app secret and no pasted token."""

from __future__ import annotations

import io
import logging
import re
import secrets

import pytest
from django.test import Client as BrowserSession
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agency.redaction import REDACTED, RedactSecretsFilter, redact

SECRET = "Zk3-oneTimeSecretValue_9QxT"


def _token_routes(patterns=None, namespace=""):
    """Every route that takes a token-like argument, as (route, namespace, argument names)."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _token_routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            names = set(entry.pattern.converters) if hasattr(entry.pattern, "converters") else set()
            secret = {n for n in names if re.search(r"token|uid|code|key|secret", n)}
            if secret:
                yield entry, namespace, secret


def test_every_route_that_takes_a_token_is_redacted_in_log_lines():
    found = 0
    for entry, namespace, _names in _token_routes():
        kwargs = {n: SECRET for n in entry.pattern.converters}
        path = reverse(f"{namespace}{entry.name}", kwargs=kwargs)
        line = f'"GET {path} HTTP/1.1" 200 1234'
        assert SECRET not in redact(line), path
        assert REDACTED in redact(line)
        found += 1
    assert found >= 3, "invitations, onboarding links and password resets are covered"


@pytest.mark.parametrize("query", ["code", "state", "access_token", "client_secret", "token"])
def test_secret_query_parameters_are_redacted(query):
    line = f"GET /accounts/connections/callback/?a=1&{query}={SECRET}&b=2 HTTP/1.1"
    assert SECRET not in redact(line)
    assert "a=1" in redact(line) and "b=2" in redact(line)


def _stream_of(logger_name: str) -> tuple[logging.Handler, io.StringIO]:
    logger = logging.getLogger(logger_name)
    while logger is not None:
        for handler in logger.handlers:
            if any(isinstance(f, RedactSecretsFilter) for f in handler.filters):
                buffer = io.StringIO()
                return handler, buffer
        logger = logger.parent if logger.propagate else None
    raise AssertionError(f"no redacting handler for {logger_name}")


@pytest.mark.parametrize("name", ["django.request", "django.server", "django", "agency",
                                  "accounts", "celery", "gunicorn.access"])
def test_every_handler_a_record_reaches_redacts_it(name):
    """Not only the first one: Django's own DEBUG console handler printed tokens in clear."""
    logger, handlers = logging.getLogger(name), []
    while logger is not None:
        handlers += [h for h in logger.handlers if not type(h).__module__.startswith("_pytest")
                     and not isinstance(h, logging.NullHandler)]
        logger = logger.parent if logger.propagate else None
    assert handlers
    for handler in handlers:
        assert any(isinstance(f, RedactSecretsFilter) for f in handler.filters), (name, handler)


def test_celery_worker_handlers_get_the_redaction():
    from agency.celery import _redact_worker_logs

    logger = logging.getLogger("adwright.test.worker")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    try:
        _redact_worker_logs(logger=logger)
        logger.warning("retrying GET /accounts/onboard/%s/", SECRET)
        assert SECRET not in handler.stream.getvalue()
    finally:
        logger.removeHandler(handler)


@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    f"/accounts/invitations/{SECRET}/",
    f"/accounts/onboard/{SECRET}/",
    f"/accounts/connections/callback/?code={SECRET}&state={SECRET}",
])
def test_django_request_log_carries_no_one_time_token(path):
    handler, buffer = _stream_of("django.request")
    previous = handler.setStream(buffer)
    try:
        BrowserSession().get(path)
    finally:
        handler.setStream(previous)
    written = buffer.getvalue()
    assert SECRET not in written


def test_runserver_request_log_is_redacted():
    handler, buffer = _stream_of("django.server")
    previous = handler.setStream(buffer)
    try:
        logging.getLogger("django.server").info(
            '"%s" %s %s', f"GET /accounts/invitations/{SECRET}/ HTTP/1.1", "200", "512")
    finally:
        handler.setStream(previous)
    assert "/accounts/invitations/[redacted]/" in buffer.getvalue()
    assert SECRET not in buffer.getvalue()


@pytest.mark.django_db
def test_debug_error_page_shows_no_app_secret_and_no_pasted_token(
    client, owner, settings, monkeypatch, graph
):
    from accounts.services import onboarding

    pasted = "EAAG" + secrets.token_hex(24)  # made here: the page shows this file's source

    def crash(*, token):
        params = {"client_id": settings.META_APP_ID, "client_secret": settings.META_APP_SECRET,
                  "input_token": token}
        raise RuntimeError(f"unexpected while checking {len(params)} parameters")

    monkeypatch.setattr(onboarding, "token_inspect", crash)
    settings.DEBUG = True
    client.raise_request_exception = False
    client.force_login(owner.user)
    response = client.post(reverse("accounts:connection-system-user"),
                           {"label": "BM", "token": pasted})
    assert response.status_code == 500
    page = response.content.decode()
    assert "unexpected while checking" in page  # it is the technical page...
    assert pasted not in page  # ...without the pasted token
    assert settings.META_APP_SECRET not in page
    assert settings.SECRET_KEY not in page
    for key in settings.TOKEN_ENCRYPTION_KEYS:
        assert key not in page
