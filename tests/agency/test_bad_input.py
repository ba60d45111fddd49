"""Hostile input never gives a 500 nor leaves half-written rows: every form, every API field.

The suite walks every page of the URL resolver and submits each `<form>` it shows with one field
at a time replaced by a hostile value (the rest plausible), and every operation of the OpenAPI
schema with each body field replaced likewise, plus hostile bodies, query strings, headers and
path segments. It runs as agency B's owner on agency B's objects (the isolation sweep's
registry), so routes added later are covered without being listed. On PostgreSQL in CI (it is the
database that refuses over-long values and NUL characters); locally wherever DATABASE_URL points.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.db import connection as db
from django.urls import reverse

from agency.membership import HEADER as AGENCY_HEADER
from tests import sweep
from tests.agency import test_isolation
from tests.conftest import REQUIRE_SERVICES
from tests.sweep import (
    HOSTILE_QUERY,
    api_operations,
    changed,
    forms_on,
    is_public,
    leaf_paths,
    plausible_form_data,
    plausible_json,
    route_url,
    row_counts,
    sample,
    stretched,
    swept_routes,
    with_value,
)

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

world_b = test_isolation.world_b  # the isolation sweep's world: one object per kind of URL id
live_world = sweep.live_world

# Strings a person (or an attacker) can type into any field. The first CORE_TEXT are tried on
# every field; the rest in rotation (tests.sweep.sample), so every value meets some field.
HOSTILE_TEXT = [
    "", "a" * 300, "x" * 20_000, "nul\x00byte", "99999999999999999999999", "²", "١٢", "-1",
    "' OR 1=1 --", "<script>alert(1)</script>", "😀" * 70,
    "   ", "é" * 5000, "'; DROP TABLE agency_client; --",
    "\"><img src=x onerror=alert(1)>", "{{ 7*7 }}{% debug %}", "../../../etc/passwd",
    "\u202eevil\u202c txt", "\u200b", "0", "1e309", "NaN", "1.5", "true", "null", "[1, 2]",
    '{"a": 1}', "someone@" + "b" * 300 + ".example", "https://example.com/" + "p" * 400,
    "%00%ff",
]
CORE_TEXT = 11
# JSON values for API body fields: every JSON type, then the strings above.
HOSTILE_JSON = [
    2**64, -(2**63) - 1, 10**400, -1, 1.5, True, None, [], {"nested": {"deeper": [1]}},
    *HOSTILE_TEXT[:CORE_TEXT], 2**63, 0, 1e308, False, ["a", "b"], [[[]]], {},
    *HOSTILE_TEXT[CORE_TEXT:], "lone \ud800 surrogate",
]
CORE_JSON = 9 + CORE_TEXT
# Whole bodies an API client can send.
HOSTILE_BODIES = [
    ("application/json", "[" * 50_000 + "]" * 50_000),
    ("application/json", '{"a":' * 200 + "1" + "}" * 200),
    ("application/json", b"\xff\xfe{\"name\": \"\xc3\x28\"}"),
    ("application/json", '{"name": "a\\u0000b"}'),
    ("application/json", '{"name": "a\\ud800b", "notes": "\\udfff"}'),
    ("application/json", '{"name": NaN, "website": Infinity}'),
    ("application/json", "[]"),
    ("application/json", '"just a string"'),
    ("application/json", "12"),
    ("application/json", "null"),
    ("application/json", "{"),
    ("application/json", '{"a": 1, "a": 2}'),
    ("application/json", json.dumps({"k" * 10: "v" * 2_000_000})),
    ("text/plain", "name=x"),
    ("application/xml", "<client><name>x</name></client>"),
    ("application/x-www-form-urlencoded", "name=%ff%fe&website=%00"),
    ("multipart/form-data; boundary=zzz", "--zzz\r\nContent-Disposition: form-data; "
                                          "name=\"name\"\r\n\r\nx\r\n--zzz--\r\n"),
    ("multipart/form-data", "no boundary"),
]
HOSTILE_HEADERS = ["", "no-such-agency", "alpha", "\x7f\x01", "a" * 5000, "bravo, alpha",
                   "' OR 1=1 --", "%00"]
RAW_PATHS = ["/accounts/invitations/%ff%fe/", "/accounts/onboard/%00/", "/clients/%C0%AF/",
             "/api/v1/clients/%ff/", "/clients/1%00/", "/%2e%2e/%2e%2e/etc/passwd",
             "/api/v1/clients/?%ff=%fe", "/clients/" + "9" * 5000 + "/"]
HOSTILE_PATH = ["a" * 3000, "%00", "😀", "' OR 1=1 --", "..", "\u202e", "%ff%fe", "x" * 64]


class Tally:
    def __init__(self):
        self.requests = 0
        self.values = 0
        self.routes: set[str] = set()
        self.fields: set[tuple[str, str]] = set()


CHECKED = {"responses": 0}  # every response the suite judged, for the printed figures


def _check(response, what: str, before: dict[str, int] | None):
    CHECKED["responses"] += 1
    assert response.status_code < 500 or response.status_code == 503, (
        f"{what} answered {response.status_code}"
    )
    if before is not None and response.status_code >= 400:
        left = changed(before, row_counts())
        assert not left, f"{what} failed ({response.status_code}) but left rows: {left}"


def _forms_by_action(client, world, *, public_only=False) -> list:
    forms, seen = [], set()
    for route in swept_routes():
        if (is_public(route) and route.kwargs) or (public_only and not is_public(route)):
            continue
        url = route_url(route, world)
        response = client.get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for form in forms_on(url, response.content.decode()):
                key = (form.method, form.action, tuple(form.field_names()))
                if key not in seen:  # one action may have several forms (connect, reconnect)
                    seen.add(key)
                    forms.append(form)
    # Forms that remove or revoke the world's objects go last: the others still find them.
    return sorted(forms, key=lambda f: any(w in f.action for w in ("remove", "revoke")))


def _attack(client, forms, tally, *, extra: int) -> None:
    """Each field of each form: the type-aware over-long values, the catalogue's core and
    `extra` more in rotation, a list for a scalar; then the form empty and oversized."""
    for form in forms:
        base = plausible_form_data(form)
        tally.routes.add(form.action)
        for name in form.field_names():
            tally.fields.add((form.action, name))
            values = [*stretched(form.field(name)),
                      *sample(HOSTILE_TEXT, CORE_TEXT, extra, len(tally.fields))]
            for value in values:
                before = row_counts()
                send = getattr(client, form.method)
                response = send(form.action, {**base, name: value})
                _check(response, f"{form.method} {form.action} with {name}={value[:40]!r}", before)
                tally.requests += 1
                tally.values += 1
            before = row_counts()
            response = getattr(client, form.method)(form.action,
                                                    {**base, name: ["1", "²", "a" * 300]})
            _check(response, f"{form.method} {form.action} with {name} as a list", before)
            tally.requests += 1
            tally.values += 1
        for data in ({}, {**base, "filler": "z" * 3_000_000}):
            if form.method == "get" and data:
                data = {**base, "filler": "z" * 20_000}  # a URL cannot carry megabytes
            before = row_counts()
            response = getattr(client, form.method)(form.action, data)
            _check(response, f"{form.method} {form.action} empty/oversized", before)
            tally.requests += 1


@pytest.fixture
def on_postgres():
    if db.vendor != "postgresql" and REQUIRE_SERVICES:
        pytest.fail("the bad-input suite must run on PostgreSQL in CI (DATABASE_URL)")


def test_every_form_field_survives_hostile_values(client, live_world, graph, on_postgres,
                                                  capsys):
    world = live_world
    client.force_login(world["owner"].user)
    client.raise_request_exception = False
    tally = Tally()
    forms = _forms_by_action(client, world)
    assert forms, "the sweep found no form: the page walk is broken"
    _attack(client, forms, tally, extra=4)
    # The public forms (sign-in, password reset) as an anonymous visitor.
    client.logout()
    public = _forms_by_action(client, world, public_only=True)
    assert public, "no public form found: the anonymous walk is broken"
    _attack(client, public, tally, extra=1)
    with capsys.disabled():
        print(f"\n[bad-input forms] {len(tally.routes)} forms, {len(tally.fields)} fields, "
              f"{tally.values} hostile values, {tally.requests} requests, no 500")
    assert len(tally.fields) >= 10
    assert any("import" in f.action and "account" in f.field_names() for f in forms), \
        "the import form (listed from Graph) was not reached"


def test_every_api_field_survives_hostile_values(client, world_b, graph, on_postgres, capsys):
    client.force_login(world_b["owner"].user)
    client.raise_request_exception = False
    tally = Tally()
    operations = api_operations()
    for op in operations:
        url = op.url(world_b)
        tally.routes.add(f"{op.method.upper()} {op.path}")
        # OPTIONS and HEAD on every route, and a hostile X-Agency header.
        _check(client.options(url), f"OPTIONS {url}", None)
        _check(client.head(url), f"HEAD {url}", None)
        for header in HOSTILE_HEADERS:
            response = getattr(client, op.method)(url, headers={AGENCY_HEADER: header})
            _check(response, f"{op.method.upper()} {url} with X-Agency={header[:20]!r}", None)
            tally.requests += 1
        # Hostile query strings (paging, limits, filters, ids).
        response = getattr(client, op.method)(f"{url}?{_query(HOSTILE_QUERY)}")
        _check(response, f"{op.method.upper()} {url} with a hostile query", None)
        tally.requests += 3
        if op.method == "get" or op.method == "delete":
            continue
        body = plausible_json(op.body or {}, world_b)
        for content_type, raw in HOSTILE_BODIES:
            before = row_counts()
            response = getattr(client, op.method)(url, raw, content_type=content_type)
            _check(response, f"{op.method.upper()} {url} with a {content_type} body "
                             f"{str(raw)[:40]!r}", before)
            tally.requests += 1
            tally.values += 1
        for path in leaf_paths(body):
            tally.fields.add((op.path, ".".join(map(str, path))))
            for value in sample(HOSTILE_JSON, CORE_JSON, 5, len(tally.fields)):
                before = row_counts()
                response = getattr(client, op.method)(
                    url, json.dumps(with_value(body, path, value)),
                    content_type="application/json")
                _check(response, f"{op.method.upper()} {url} with {path}={str(value)[:40]!r}",
                       before)
                tally.requests += 1
                tally.values += 1
    # The schema and the docs too.
    for name in ("api:schema", "api:docs"):
        for method in ("get", "options", "head", "post"):
            _check(getattr(client, method)(reverse(name)), f"{method.upper()} {name}", None)
    with capsys.disabled():
        print(f"\n[bad-input API] {len(tally.routes)} operations, {len(tally.fields)} body "
              f"fields, {tally.values} hostile values, {tally.requests} requests, no 500")
    assert tally.fields


def test_every_page_survives_hostile_query_strings_and_path_segments(client, world_b, graph,
                                                                     on_postgres, capsys):
    client.force_login(world_b["owner"].user)
    client.raise_request_exception = False
    pages, start = 0, CHECKED["responses"]
    for route in swept_routes():
        if route.name.startswith("api:"):
            continue
        str_kwargs = [k for k in route.kwargs if k not in test_isolation.OBJECT_KWARGS]
        if str_kwargs:  # token-credentialed pages: hostile tokens in the path
            for value in HOSTILE_PATH:
                kwargs = {k: (test_isolation.OBJECT_KWARGS[k](world_b)
                              if k in test_isolation.OBJECT_KWARGS else value)
                          for k in route.kwargs}
                url = reverse(route.name, kwargs=kwargs)
                for method in ("get", "post"):
                    _check(getattr(client, method)(url), f"{method.upper()} {url[:80]}", None)
            pages += 1
            continue
        url = route_url(route, world_b)
        response = client.get(f"{url}?{_query(HOSTILE_QUERY)}")
        _check(response, f"GET {url} with a hostile query", None)
        _check(client.head(url), f"HEAD {url}", None)
        for value in ("%00", "%ff%fe", "a" * 5000):
            _check(client.get(f"{url}?q={value}&page={value}"), f"GET {url}?q={value[:9]}", None)
        pages += 1
    # Raw bytes in paths that are not UTF-8, or encode NUL and overlong slashes.
    for raw in RAW_PATHS:
        for method in ("get", "post"):
            _check(getattr(client, method)(raw), f"{method.upper()} {raw}", None)
    # Ids beyond bigint in the URL, on every route that takes one.
    for route in swept_routes():
        if route.kwargs and all(k in test_isolation.OBJECT_KWARGS for k in route.kwargs):
            url = reverse(route.name, kwargs={k: 2**63 for k in route.kwargs})
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                assert response.status_code in {404, 405}, f"{method} {url}"
    with capsys.disabled():
        print(f"\n[bad-input pages] {pages} pages with hostile query strings / path segments, "
              f"{CHECKED['responses'] - start} requests, no 500")


def _query(params: dict[str, str]) -> str:
    return urlencode(params)
