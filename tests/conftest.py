"""Shared fixtures: agencies, members by role, the tenant scope, and the real-service switch."""

from __future__ import annotations

import os
import time
import uuid

import pytest

from agency.roles import Role
from agency.tenancy import agency_scope
from tests.factories.agency import AgencyFactory, ClientFactory, MembershipFactory, UserFactory

# CI sets this so that a test needing PostgreSQL or Redis fails instead of skipping when the
# service is down: CI must always exercise the real services.
REQUIRE_SERVICES = os.environ.get("ADWRIGHT_REQUIRE_SERVICES") == "1"


def service_unavailable(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"service unavailable (ADWRIGHT_REQUIRE_SERVICES=1): {reason}")
    pytest.skip(f"service unavailable: {reason}")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttle counters (password reset) never leak from one test to the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def redis_url():
    import redis

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis at {url}: {exc}")
    return url


@pytest.fixture(scope="session")
def _graph_server():
    from graph_sim import Simulator
    from graph_sim.testing import run_simulator

    with run_simulator(Simulator(seed=0)) as served:
        yield served


@pytest.fixture
def graph(_graph_server, settings):
    """The Graph simulator on 127.0.0.1, fresh per test (seed 0, manual clock), with the app of
    the test settings. `graph.sim` gives its world, clock, fault plans and recorded calls."""
    from graph_sim import SimConfig, Simulator

    _graph_server.sim = Simulator(
        seed=0,
        config=SimConfig(app_id=settings.META_APP_ID, app_secret=settings.META_APP_SECRET,
                         clock_start=time.time()),  # token expiry is compared with real "now"
    )
    # Nobody advances this manual clock in app tests: async request sets (a bulk publish's)
    # finish on the simulator's next call. Tests of their timing set `async_job` back.
    _graph_server.sim.config.timings.async_job = 0.0
    settings.GRAPH_API_BASE_URL = _graph_server.base_url
    settings.META_OAUTH_DIALOG_BASE_URL = _graph_server.base_url
    # A fresh throttle store per test (Redis in CI): usage and blocks never leak between tests.
    from agency.graph.factory import usage_store

    settings.GRAPH_THROTTLE_PREFIX = f"adwright:test:{uuid.uuid4().hex}:"
    usage_store.cache_clear()
    yield _graph_server
    usage_store.cache_clear()


@pytest.fixture
def agency(db):
    return AgencyFactory(name="Alpha Agency", slug="alpha")


@pytest.fixture
def other_agency(db):
    return AgencyFactory(name="Bravo Agency", slug="bravo")


@pytest.fixture
def scoped(agency):
    """Run the test body inside `agency`'s tenant scope."""
    with agency_scope(agency):
        yield agency


def _member(agency, role, **kw):
    return MembershipFactory(agency=agency, role=role, user=UserFactory(), **kw)


@pytest.fixture
def owner(agency):
    return _member(agency, Role.OWNER)


@pytest.fixture
def admin_member(agency):
    return _member(agency, Role.ADMIN)


@pytest.fixture
def manager(agency):
    return _member(agency, Role.MANAGER)


@pytest.fixture
def analyst(agency):
    return _member(agency, Role.ANALYST)


@pytest.fixture
def client_a(agency):
    return ClientFactory(agency=agency, name="Acme Shoes")


@pytest.fixture
def client_viewer(agency, client_a):
    return _member(agency, Role.CLIENT_VIEWER, clients=[client_a])


def login(client, membership):
    client.force_login(membership.user)
    return client


@pytest.fixture
def owner_client(client, owner):
    return login(client, owner)


# A real Celery worker (tests/workers.py) ------------------------------------------------------


@pytest.fixture(scope="module")
def _celery_worker_process(request, django_db_setup, _graph_server, tmp_path_factory, worker_id):
    """One real worker per test module, on Redis and the test's PostgreSQL database. A module
    may set `celery_worker_include = ["tests.x.kinds"]` to import extra modules in the worker,
    and `celery_worker_settings = {...}` to override settings in it."""
    import redis
    from django.db import connection

    from tests.workers import WorkerHarness, point_app_at

    db = connection.settings_dict
    if "postgresql" not in db["ENGINE"]:
        service_unavailable("PostgreSQL (DATABASE_URL=postgres://...): the worker process "
                            "shares the test database, which SQLite in memory cannot")
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        service_unavailable(f"Redis at {url}: {exc}")
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    database_url = (f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
                    f"{db['NAME']}")
    harness = WorkerHarness(
        broker_url=url,
        key_prefix=f"adwright:test:{worker_id}:{uuid.uuid4().hex[:8]}:",
        database_url=database_url,
        graph_url=_graph_server.base_url,
        log_dir=tmp_path_factory.mktemp("celery-worker"),
        include=list(getattr(request.module, "celery_worker_include", [])),
        settings=getattr(request.module, "celery_worker_settings", None),
    )
    undo = point_app_at(broker_url=url, transport_options=harness.transport_options)
    try:
        harness.start()
        yield harness
    finally:
        harness.kill()
        harness.purge()
        undo()


@pytest.fixture
def celery_worker(_celery_worker_process, transactional_db, graph):
    """The module's real Celery worker, running (restarted if a previous test killed it), with
    a transactional database (the worker sees committed rows) and the simulator (`graph`)."""
    _celery_worker_process.start()
    _celery_worker_process.clear_throttle()
    return _celery_worker_process



def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", [])
    return bool(marker and (marker.kwargs.get("transaction") or marker.kwargs.get(
        "reset_sequences"))) or "live_server" in fixtures or "transactional_db" in fixtures


def pytest_collection_modifyitems(config, items):
    """Transactional tests ask for serialized rollback, so that the test database's migration
    data (Celery beat's schedules, filled by a data migration) is serialized when it is made and
    can be put back after them (see pytest_runtest_teardown)."""
    for item in items:
        if not _is_transactional(item):
            continue
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("serialized_rollback"):
            continue
        kwargs = dict(marker.kwargs) if marker else {}
        kwargs.update(transaction=True, serialized_rollback=True)
        item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs),
                        append=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by flushing every table, migration data included; with xdist
    (--dist loadfile) the next file on the same worker may be ordinary tests that read that data.
    Put it back once the test's fixtures are torn down."""
    result = yield
    # After the last test the session's fixtures are gone too (the test database included).
    if nextitem is not None and _is_transactional(item):
        from django.db import connections
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            for alias in connections:
                contents = getattr(connections[alias], "_test_serialized_contents", None)
                if contents:
                    connections[alias].creation.deserialize_db_from_string(contents)
    return result
