"""Exactly-once Graph writes (agency/writes/) against the Graph simulator: the record made
before the POST, reconciliation by any later attempt, and task-style retries under faults."""

from __future__ import annotations

import threading
import time

import httpx
import pytest
from django.db import transaction

from agency.graph import (
    DuplicateGuard,
    GraphThrottleError,
    GraphTransientError,
    GraphValidationError,
    InProcessUsageStore,
    RetryPolicy,
)
from agency.models import AuditEvent
from agency.tenancy import agency_scope
from agency.writes import (
    GraphWrite,
    GraphWriteInProgressError,
    GraphWriteKeyConflictError,
    GraphWriteState,
    GraphWriteUnresolvedError,
    graph_create_once,
    graph_update_once,
    write_marker,
)
from tests.graph.conftest import FakeClock, GraphHarness

POST_CAMPAIGNS = "/act_*/campaigns"


@pytest.fixture
def sim(graph):
    """The simulator with the tests/graph helpers (fake clock, client factory)."""
    harness = GraphHarness(sim=graph.sim, url=graph.base_url, clock=FakeClock(graph.sim))
    yield harness
    for client in harness.clients:
        client.close()


def create(sim, client, key, name, find=None, **extra):
    return graph_create_once(
        client=client,
        key=key,
        edge=f"{sim.account_id}/campaigns",
        data=sim.campaign_data(name, **extra),
        kind="campaign",
        find=find,
    )


def marked(name: str, key: str) -> str:
    return f"{name} [{write_marker(key)}]"


def posts(sim) -> int:
    return len(sim.sim.calls.find(method="POST"))


def test_create_records_the_write_and_its_id(sim, scoped):
    made = create(sim, sim.client(), "k-first", "First")

    write = GraphWrite.objects.get(key="k-first")
    assert write.state == GraphWriteState.DONE
    assert write.graph_id == made
    assert write.payload["name"] == marked("First", "k-first")
    assert write.attempts == 1
    assert [o.id for o in sim.campaigns_named(marked("First", "k-first"))] == [made]


def test_create_of_a_done_key_returns_its_id_without_calling_graph(sim, scoped):
    made = create(sim, sim.client(), "k-done", "Done once")
    calls = len(sim.sim.calls)

    assert create(sim, sim.client(), "k-done", "Done once") == made
    assert len(sim.sim.calls) == calls


def test_lost_answer_then_throttled_lookup_stays_unknown_and_never_reposts(sim, scoped):
    """Issue 13: the create is applied, its answer lost, and the lookup that would find it is
    throttled for five minutes. The write stays `unknown`, the error is retryable, and the
    next attempt (a fresh client, as a task retry in another process) finds the object."""
    store = InProcessUsageStore()
    sim.sim.faults.add("transient", method="POST", path=POST_CAMPAIGNS, after_apply=True, times=1)
    sim.sim.faults.add("throttle", method="GET", path=POST_CAMPAIGNS, eta_minutes=5, times=1)

    with pytest.raises(GraphWriteUnresolvedError) as caught:
        create(sim, sim.client(throttle=sim.throttle(store)), "k-lost", "Lost")

    assert isinstance(caught.value, GraphTransientError)  # task retries handle it
    assert caught.value.retry_after and caught.value.retry_after > 60
    assert GraphWrite.objects.get(key="k-lost").state == GraphWriteState.UNKNOWN
    assert posts(sim) == 1
    sim.clock.sleep(caught.value.retry_after)

    made = create(sim, sim.client(throttle=sim.throttle(store)), "k-lost", "Lost")

    assert [o.id for o in sim.campaigns_named(marked("Lost", "k-lost"))] == [made]
    assert posts(sim) == 1
    write = GraphWrite.objects.get(key="k-lost")
    assert (write.state, write.graph_id, write.lookups) == (GraphWriteState.DONE, made, 2)
    verbs = set(AuditEvent.objects.values_list("verb", flat=True))
    assert {"graph_write.unknown", "graph_write.reconciled"} <= verbs


def test_unknown_write_is_found_by_its_key_marker_after_the_payload_changed(sim, scoped):
    """The answer was lost and the lookup failed; before the retry the user renamed the draft.
    The retry finds the first object by the key's marker instead of sending the new name."""
    sim.sim.faults.add("drop", method="POST", path=POST_CAMPAIGNS, after_apply=True, times=1)
    sim.sim.faults.add("transient", method="GET", path=POST_CAMPAIGNS, times=5)
    with pytest.raises(GraphWriteUnresolvedError):
        create(sim, sim.client(), "k-renamed", "Spring")

    made = create(sim, sim.client(), "k-renamed", "Spring sale")

    assert [o.id for o in sim.campaigns_named(marked("Spring", "k-renamed"))] == [made]
    assert sim.campaigns_named(marked("Spring sale", "k-renamed")) == []
    assert posts(sim) == 1


def test_unknown_outcome_with_nothing_on_graph_is_posted_again_after_the_lookup(sim, scoped):
    sim.sim.faults.add("http_500", method="POST", path=POST_CAMPAIGNS, times=1)  # not applied

    made = create(sim, sim.client(), "k-500", "Bare 500")

    assert [o.id for o in sim.campaigns_named(marked("Bare 500", "k-500"))] == [made]
    write = GraphWrite.objects.get(key="k-500")
    assert (write.attempts, write.lookups) == (2, 1)
    order = [c.method for c in sim.sim.calls]
    assert order == ["POST", "GET", "POST"]  # looked before re-posting


def test_refused_create_is_failed_and_a_later_fixed_payload_is_sent(sim, scoped):
    client = sim.client()
    with pytest.raises(GraphValidationError):
        create(sim, client, "k-cheap", "Cheap", daily_budget=1)
    assert GraphWrite.objects.get(key="k-cheap").state == GraphWriteState.FAILED

    made = create(sim, client, "k-cheap", "Cheap", daily_budget=5000)

    write = GraphWrite.objects.get(key="k-cheap")
    assert (write.state, write.graph_id) == (GraphWriteState.DONE, made)
    assert write.payload["daily_budget"] == 5000


def test_throttled_before_apply_is_planned_and_retryable(sim, scoped):
    sim.sim.faults.add("throttle", method="POST", path=POST_CAMPAIGNS, eta_minutes=5, times=1)

    with pytest.raises(GraphThrottleError):
        create(sim, sim.client(), "k-thr", "Throttled")

    assert GraphWrite.objects.get(key="k-thr").state == GraphWriteState.PLANNED
    assert sim.campaigns_named(marked("Throttled", "k-thr")) == []


def test_short_throttle_before_apply_is_waited_out_in_the_same_call(sim, scoped):
    sim.sim.faults.add("throttle", method="POST", path=POST_CAMPAIGNS, eta_minutes=1, times=1)

    made = create(sim, sim.client(), "k-thr-short", "Short throttle")

    write = GraphWrite.objects.get(key="k-thr-short")
    assert (write.state, write.graph_id, write.attempts) == (GraphWriteState.DONE, made, 2)
    assert sim.clock.slept >= 60  # the gate waited for estimated_time_to_regain_access


def test_unreachable_graph_leaves_the_write_planned_after_the_clients_attempts(sim, scoped):
    client = sim.client(base_url="http://127.0.0.1:9")  # nothing listens: never delivered

    with pytest.raises(GraphTransientError) as caught:
        create(sim, client, "k-down", "Graph down")

    assert caught.value.applied is False
    write = GraphWrite.objects.get(key="k-down")
    assert (write.state, write.attempts) == (GraphWriteState.PLANNED, client.retry.max_attempts)


def test_a_write_being_sent_by_another_worker_is_not_sent_again(sim, scoped):
    create(sim, sim.client(), "k-busy", "Busy")
    GraphWrite.objects.filter(key="k-busy").update(
        state=GraphWriteState.SENT, lease_until="2999-01-01T00:00:00Z"
    )
    calls = len(sim.sim.calls)

    with pytest.raises(GraphWriteInProgressError) as caught:
        create(sim, sim.client(), "k-busy", "Busy")

    assert 1 <= caught.value.retry_after <= 30
    assert len(sim.sim.calls) == calls


@pytest.mark.parametrize("on_graph", [True, False], ids=["applied", "not-applied"])
def test_worker_that_died_mid_call_is_reconciled_after_its_lease(sim, scoped, on_graph):
    """A worker recorded `sent` and died (its lease ran out): the next attempt looks first."""
    name = marked("Orphan", "k-orphan")
    earlier = sim.client().post(
        f"{sim.account_id}/campaigns", data=sim.campaign_data(name)
    )["id"] if on_graph else None
    GraphWrite.objects.create(
        key="k-orphan",
        kind="campaign",
        edge=f"{sim.account_id}/campaigns",
        payload=sim.campaign_data(name),
        state=GraphWriteState.SENT,
        lease_until="2000-01-01T00:00:00Z",
        attempts=1,
    )

    made = create(sim, sim.client(), "k-orphan", "Orphan")

    assert [o.id for o in sim.campaigns_named(name)] == [made]
    if on_graph:
        assert made == earlier
        assert posts(sim) == 1


def test_create_refuses_to_run_inside_a_transaction(sim, scoped):
    with pytest.raises(RuntimeError, match=r"outside transaction\.atomic"), transaction.atomic():
        create(sim, sim.client(), "k-atomic", "In a transaction")
    assert posts(sim) == 0


def test_a_key_names_one_write(sim, scoped):
    create(sim, sim.client(), "k-one", "One")

    with pytest.raises(GraphWriteKeyConflictError):
        graph_create_once(
            client=sim.client(),
            key="k-one",
            edge=f"{sim.account_id}/adsets",
            data={"name": "Other"},
            kind="adset",
        )


def test_update_is_recorded_and_not_resent_when_done(sim, scoped):
    campaign = sim.demo["paused_campaign_id"]
    sim.sim.faults.add("transient", method="POST", path=f"/{campaign}", after_apply=True, times=1)

    graph_update_once(
        client=sim.client(), key="rename-1", node=campaign, data={"name": "Renamed"},
        kind="campaign",
    )
    calls = len(sim.sim.calls)
    again = graph_update_once(
        client=sim.client(), key="rename-1", node=campaign, data={"name": "Renamed"},
        kind="campaign",
    )

    assert again is None and len(sim.sim.calls) == calls
    assert sim.client().get(campaign, fields="name")["name"] == "Renamed"
    write = GraphWrite.objects.get(key="rename-1")
    assert (write.state, write.graph_id) == (GraphWriteState.DONE, campaign)


# --- task-style retries under faults ----------------------------------------------------------
def mixed_fault_plan(sim, rate: float) -> None:
    """About `rate` of the creates and more of the lookups fail, in every way the issue names:
    answers lost after the write was applied (Graph 5xx JSON, bare 500, dropped connection),
    5xx before it was applied, throttling of the create, and throttling of the lookup itself
    for five minutes (past max_wait), plus lookups failing with 5xx and dropped connections."""
    faults = sim.sim.faults
    faults.add("transient", method="POST", path=POST_CAMPAIGNS, after_apply=True, rate=rate * 0.3)
    faults.add("drop", method="POST", path=POST_CAMPAIGNS, after_apply=True, rate=rate * 0.2)
    faults.add("http_500", method="POST", path=POST_CAMPAIGNS, after_apply=True, rate=rate * 0.2)
    faults.add("http_500", method="POST", path=POST_CAMPAIGNS, rate=rate * 0.15)
    faults.add("throttle", method="POST", path=POST_CAMPAIGNS, rate=rate * 0.15, eta_minutes=1)
    faults.add("throttle", method="GET", path=POST_CAMPAIGNS, rate=rate * 0.6, eta_minutes=5)
    faults.add("transient", method="GET", path=POST_CAMPAIGNS, rate=rate * 0.3)
    faults.add("drop", method="GET", path=POST_CAMPAIGNS, rate=rate * 0.2)


def run_task(sim, *, token, store, http, key, name, max_tries=60) -> tuple[str | None, int]:
    """One Celery-style task: each try builds a fresh client (as a retry in a new process would)
    sharing only the database and the throttle store (Redis in production); it retries on
    the errors tasks declare in autoretry_for, after `retry_after` (the countdown). The HTTP
    connection pool is shared only to keep the test fast (an SSL context costs 0.1 s)."""
    for tries in range(1, max_tries + 1):
        client = sim.client(
            token,
            http=http,
            throttle=sim.throttle(store),
            retry=RetryPolicy(max_attempts=3, initial_backoff=0.01, max_backoff=0.05),
        )
        try:
            return create(sim, client, key, name), tries
        except (GraphTransientError, GraphThrottleError) as exc:
            sim.clock.sleep(exc.retry_after or 2.0)
        finally:
            client.close()
            sim.clients.remove(client)
    return None, max_tries


@pytest.mark.parametrize("rate", [0.2, 0.35])
def test_task_retries_under_mixed_faults_create_every_campaign_exactly_once(sim, scoped, rate):
    mixed_fault_plan(sim, rate)
    store, token, http = InProcessUsageStore(), sim.mint(), httpx.Client(timeout=5.0)
    keys = [f"load-{int(rate * 100)}-{i:03d}" for i in range(300)]
    results = {}
    tries = 0
    for i, key in enumerate(keys):
        made, used = run_task(
            sim, token=token, store=store, http=http, key=key, name=f"Load {i:03d}"
        )
        results[key] = made
        tries += used

    http.close()
    calls = list(sim.sim.calls)
    faulted = [c for c in calls if c.fault_id is not None]
    plans = sim.sim.faults.plans
    fired = {
        f"{p.method} {p.effect}{' after apply' if p.after_apply else ''}": p.fired for p in plans
    }
    by_name: dict[str, list[str]] = {}
    for obj in sim.sim.world.all("campaign"):
        if getattr(obj, "status", "") != "DELETED":
            by_name.setdefault(obj.name, []).append(obj.id)
    names = [marked(f"Load {i:03d}", key) for i, key in enumerate(keys)]
    duplicates = sum(len(by_name[name]) - 1 for name in names if name in by_name)
    losses = [k for k, made in results.items() if made is None]
    losses += [name for name in names if name not in by_name]
    reconciled = GraphWrite.objects.filter(key__in=keys, lookups__gt=0).count()
    print(
        f"\n[exactly-once @ {rate:.0%} faults] creates={len(keys)} task_tries={tries} "
        f"graph_calls={len(calls)} posts={sum(c.method == 'POST' for c in calls)} "
        f"lookups={sum(c.method == 'GET' for c in calls)} faults_injected={len(faulted)} "
        f"({len(faulted) / len(calls):.0%} of calls) writes_reconciled={reconciled} "
        f"duplicates={duplicates} losses={len(losses)}\n  faults fired: {fired}"
    )

    assert losses == []
    assert duplicates == 0
    for i, key in enumerate(keys):
        assert by_name[marked(f"Load {i:03d}", key)] == [results[key]]
    assert set(GraphWrite.objects.filter(key__in=keys).values_list("state", flat=True)) == {
        GraphWriteState.DONE
    }
    # The plan really fired, in each of the ways that matter.
    assert len(faulted) / len(calls) >= rate * 0.6
    assert all(fired.values()), fired
    assert reconciled > 0


# --- two workers, one key -----------------------------------------------------------------------
def run_worker(sim, agency_id, key, name, barrier, results, errors, *, http, find=None) -> None:
    """A worker thread (its own database connection), retrying like a task until done."""
    from django.db import connection

    try:
        with agency_scope(agency_id):
            barrier.wait(timeout=10)
            for _ in range(200):
                client = sim.client(sim.mint(), http=http)
                try:
                    results.append(create(sim, client, key, name, find=find))
                    return
                except GraphWriteInProgressError as exc:
                    assert exc.retry_after >= 1  # a task would wait; the test polls
                    time.sleep(0.02)
        errors.append("never done")
    except Exception as exc:  # reported by the test, not lost in the thread
        errors.append(repr(exc))
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_workers_with_the_same_key_make_one_object(sim, agency):
    """Two workers start the same write at the same instant; Graph is slow to answer (0.3 s), so
    the second one arrives while the first is sending. One POST, one object, one id."""
    sim.sim.faults.add("delay", method="POST", path=POST_CAMPAIGNS, delay=0.3, times=1)
    barrier, results, errors = threading.Barrier(2), [], []
    with httpx.Client(timeout=5.0) as http:
        workers = [
            threading.Thread(
                target=run_worker,
                args=(sim, agency.pk, "k-twins", "Twins", barrier, results, errors),
                kwargs={"http": http},
            )
            for _ in range(2)
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)

    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert [o.id for o in sim.campaigns_named(marked("Twins", "k-twins"))] == [results[0]]
    assert posts(sim) == 1


@pytest.mark.django_db(transaction=True)
def test_worker_outliving_its_lease_deletes_the_second_object_it_made(sim, agency, settings):
    """A worker's lease runs out while Graph is still answering (1 s): another worker takes the
    write over, and its lookup misses the object (as a lagging read could), so it sends too.
    When both answers are in, the first id recorded wins, the other object is deleted, and both
    workers return the same id."""
    settings.GRAPH_WRITE_LEASE_SECONDS = 0.2
    sim.sim.faults.add("delay", method="POST", path=POST_CAMPAIGNS, delay=1.0, times=1)
    barrier, results, errors = threading.Barrier(2), [], []
    with httpx.Client(timeout=5.0) as http:
        first = threading.Thread(
            target=run_worker,
            args=(sim, agency.pk, "k-late", "Late", barrier, results, errors),
            kwargs={"http": http, "find": DuplicateGuard.by_name("Late")},
        )
        late_barrier = threading.Barrier(1)
        first.start()
        barrier.wait(timeout=10)
        time.sleep(0.5)  # past the first worker's lease, before its answer
        run_worker(
            sim, agency.pk, "k-late", "Late", late_barrier, results, errors,
            http=http, find=lambda client: None,
        )
        first.join(timeout=30)

    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert [o.id for o in sim.campaigns_named("Late")] == [results[0]]
    assert posts(sim) == 2
    with agency_scope(agency):
        assert AuditEvent.objects.filter(verb="graph_write.duplicate_removed").count() == 1


def test_admin_lists_and_shows_graph_writes_read_only(sim, client, agency, scoped):
    from django.contrib.auth import get_user_model

    create(sim, sim.client(), "k-admin", "Admin view")
    write = GraphWrite.objects.get(key="k-admin")
    superuser = get_user_model().objects.create_superuser(
        email="root@adwright.local", password="x-very-long-password"
    )
    client.force_login(superuser)

    listing = client.get("/admin/agency/graphwrite/?state=done")
    detail = client.get(f"/admin/agency/graphwrite/{write.pk}/change/")

    assert listing.status_code == 200 and b"k-admin" in listing.content
    assert detail.status_code == 200 and write.graph_id.encode() in detail.content
    assert client.get("/admin/agency/graphwrite/add/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_worker_outliving_its_lease_with_a_lost_answer_deletes_the_object_it_made(
    sim, agency, settings
):
    """As above, but the first worker's answer is lost (dropped after 1 s, the write applied):
    it cannot know its id, so once the row is done it lists the key's marker and deletes every
    other object carrying it."""
    settings.GRAPH_WRITE_LEASE_SECONDS = 0.2
    sim.sim.faults.add(
        "drop", method="POST", path=POST_CAMPAIGNS, after_apply=True, delay=1.0, times=1
    )
    name = marked("Lost late", "k-lost-late")
    barrier, results, errors = threading.Barrier(2), [], []
    with httpx.Client(timeout=5.0) as http:
        first = threading.Thread(
            target=run_worker,
            args=(sim, agency.pk, "k-lost-late", "Lost late", barrier, results, errors),
            kwargs={"http": http},
        )
        first.start()
        barrier.wait(timeout=10)
        time.sleep(0.5)  # past the first worker's lease, before its (lost) answer
        run_worker(  # its lookup misses the first object, as a lagging read could
            sim, agency.pk, "k-lost-late", name, threading.Barrier(1), results, errors,
            http=http, find=lambda client: None,
        )
        first.join(timeout=30)

    assert errors == []
    assert len(results) == 2 and results[0] == results[1]
    assert [o.id for o in sim.campaigns_named(name)] == [results[0]]
    assert posts(sim) == 2
    with agency_scope(agency):
        assert AuditEvent.objects.filter(verb="graph_write.duplicate_removed").count() == 1


def test_write_marker_is_the_key_only_when_it_cannot_occur_by_chance():
    assert write_marker("d7f3a9c2e1") == "d7f3a9c2e1"
    assert write_marker("1") != "1" and len(write_marker("1")) == 12
    assert write_marker("adw:campaign:7:abc") == write_marker("adw:campaign:7:abc")
    assert write_marker("adw:campaign:7:abc") != write_marker("adw:campaign:8:abc")


def test_update_whose_outcome_stays_unknown_is_resent_by_the_next_call(sim, scoped):
    """Updates set values: sending one again is harmless, so an unknown one is simply resent."""
    campaign = sim.demo["paused_campaign_id"]
    fault = sim.sim.faults.add(
        "transient", method="POST", path=f"/{campaign}", after_apply=True
    )
    update = {"client": None, "key": "rename-2", "node": campaign,
              "data": {"name": "Renamed twice"}, "kind": "campaign"}

    with pytest.raises(GraphTransientError):
        graph_update_once(**{**update, "client": sim.client()})
    assert GraphWrite.objects.get(key="rename-2").state == GraphWriteState.UNKNOWN
    sim.sim.faults.remove(fault.id)

    graph_update_once(**{**update, "client": sim.client()})

    assert GraphWrite.objects.get(key="rename-2").state == GraphWriteState.DONE
    assert sim.client().get(campaign, fields="name")["name"] == "Renamed twice"


def test_update_refused_by_graph_is_failed(sim, scoped):
    campaign = sim.demo["paused_campaign_id"]

    with pytest.raises(GraphValidationError):
        graph_update_once(
            client=sim.client(), key="bad-status", node=campaign,
            data={"status": "NOT_A_STATUS"}, kind="campaign",
        )

    write = GraphWrite.objects.get(key="bad-status")
    assert write.state == GraphWriteState.FAILED and "GraphValidationError" in write.last_error
