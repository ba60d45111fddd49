"""graph_create_many: many creates sent in a few calls (sync batches of 50, async batch requests,
async ad request sets), with graph_create_once's guarantees for each object.

Every object has its own GraphWrite row, committed (planned, then claimed `sent` under a lease)
before the call that carries it leaves. Each object's answer is recorded the moment it is read:
an id (`done`), Graph's refusal (`failed`: nothing was made), or no answer (`unknown`). Any later
attempt, in any process, reconciles `unknown` rows and `sent` rows whose lease ran out before
sending again: it first waits for our async sets still running on the account (a request still
queued on Graph would otherwise be sent twice), then lists the edge once and matches the markers
the names carry. Nothing is re-posted on a guess.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone

from agency.graph import (
    BatchRequest,
    GraphClient,
    GraphError,
    GraphThrottleError,
    GraphTransientError,
    idempotent_name,
)
from agency.graph.async_requests import (
    MAX_ASYNC_BATCH,
    async_ad_request_set_create,
    async_batch_create,
)
from agency.graph.batch import MAX_BATCH, run_batch
from agency.graph.errors import error_from_body
from agency.models import GraphWrite, GraphWriteState
from agency.writes.creates import _remove_duplicate
from agency.writes.errors import GraphWriteInProgressError, GraphWriteUnresolvedError
from agency.writes.ledger import (
    audit,
    check_sizes,
    error_text,
    lease_seconds,
    normalise,
    require_autocommit,
    sqlite_locked_retry,
    update_row,
    write_for,
    write_marker,
)

log = logging.getLogger("agency.writes")
# A child of the Graph client's logger: time spent waiting for Graph to work through an async
# set is time on Graph's side, and whoever accounts the client's calls (the benchmarks) sees it.
wait_log = logging.getLogger("agency.graph.async_wait")


def _wait_for_graph(client: GraphClient, seconds: float, what: str) -> None:
    started = time.perf_counter()
    client.sleep(seconds)
    waited = time.perf_counter() - started
    wait_log.debug("waited %.1f s for Graph to work through %s", waited, what,
                   extra={"graph_async_wait": {"seconds": waited}})

S = GraphWriteState
VIA = ("batch", "async_batch", "ad_request_set")
# Names of our async sets start with this, so a later attempt can find the ones still running.
SET_PREFIX = "Adwright bulk"
MAX_ROUNDS = 3  # send → reconcile → send again, within one call
MAX_POLL_SECONDS = 60.0
FINAL = ("SUCCESS", "ERROR", "CANCELED")
# Async request errors that do not prove nothing was made: "An unknown error occurred" (1),
# "Service temporarily unavailable" (2), and throttling (the request may be re-queued by Graph).
_UNSETTLED_CODES = {1, 2, 4, 17, 32, 613, 80004}


@dataclass(frozen=True)
class CreateSpec:
    """One object to create: `data["name"]` carries the key's marker when sent."""

    key: str
    edge: str  # act_<id>/<edge>
    kind: str
    data: Mapping[str, Any]


@dataclass
class CreateOutcome:
    key: str
    graph_id: str | None = None
    error: GraphError | None = None  # Graph refused it: nothing was created

    @property
    def ok(self) -> bool:
        return bool(self.graph_id)


@dataclass
class _Item:
    spec: CreateSpec
    payload: dict[str, Any]
    write: GraphWrite
    version: int = 0
    marker: str = ""
    answer: str = field(default="")  # "", "done", "failed", "unknown", "planned"


OnResult = Callable[[list[CreateOutcome]], None]


def graph_create_many(
    *,
    client: GraphClient,
    account_id: str,
    specs: Sequence[CreateSpec],
    via: str = "batch",
    chunk_by: Callable[[CreateSpec], Hashable | None] | None = None,
    on_result: OnResult | None = None,
    poll_every: float = 10.0,
    timeout: float = 3600.0,
    batch_size: int = MAX_BATCH,
) -> dict[str, CreateOutcome]:
    """Create every spec at most once per key; returns the outcome by key.

    `via`: "batch" (sync batches of 50), "async_batch" (async batch requests of 1,000) or
    "ad_request_set" (ads only, async ad request sets of 1,000). `chunk_by`: at most one spec
    per value in a sync batch ("Batch requests cannot include multiple Adsets under the same
    Campaign"); `batch_size` caps a sync batch (ads: 10, the docs' advice). `on_result` gets
    the outcomes as each answer is read. Graph's refusals come
    back as outcomes with `error`; anything unsettled after MAX_ROUNDS raises
    `GraphWriteUnresolvedError` (retryable: call again with the same specs).
    """
    if via not in VIA:
        raise ValueError(f"via must be one of {VIA}")
    require_autocommit()
    act = account_id if str(account_id).startswith("act_") else f"act_{account_id}"
    items = _items(specs)
    outcomes: dict[str, CreateOutcome] = {}

    def report(done: list[_Item]) -> None:
        fresh = []
        for item in done:
            outcome = outcomes.get(item.spec.key)
            if outcome is not None:
                fresh.append(outcome)
        if fresh and on_result is not None:
            on_result(fresh)

    done_now = [i for i in items if i.write.state == S.DONE]
    for item in done_now:
        outcomes[item.spec.key] = CreateOutcome(item.spec.key, graph_id=item.write.graph_id)
    report(done_now)
    pending = [i for i in items if i.write.state != S.DONE]
    for _round in range(MAX_ROUNDS):
        if not pending:
            return outcomes
        now = timezone.now()
        busy = [i for i in pending
                if i.write.state == S.SENT and i.write.lease_until and i.write.lease_until > now]
        if busy:
            raise GraphWriteInProgressError(
                f"{len(busy)} write(s) are being sent by another worker",
                key=busy[0].spec.key, state=S.SENT,
            )
        unsettled = [i for i in pending if i.write.state in (S.UNKNOWN, S.SENT)]
        if unsettled:
            found = _reconcile(client, act, unsettled, poll_every=poll_every)
            for item in unsettled:
                graph_id = found.get(item.marker)
                if graph_id and _finish(item, graph_id, reconciled=True):
                    outcomes[item.spec.key] = CreateOutcome(item.spec.key, graph_id=graph_id)
            report([i for i in unsettled if i.spec.key in outcomes])
            pending = [i for i in pending if i.spec.key not in outcomes]
        to_send = []
        for item in pending:
            if _claim(item, lease_seconds(client)):
                to_send.append(item)
        lost = [i for i in pending if i not in to_send]
        if lost:
            raise GraphWriteInProgressError(
                f"{len(lost)} write(s) changed hands while being claimed",
                key=lost[0].spec.key, state=S.SENT,
            )
        for chunk in _chunks(to_send, via, chunk_by, batch_size):
            try:
                _send(client, act, chunk, via, outcomes, report, poll_every, timeout)
            except BaseException as exc:
                for item in chunk:
                    if not item.answer:
                        applied = getattr(exc, "applied", None)
                        _settle(item, S.PLANNED if applied is False else S.UNKNOWN, exc)
                if isinstance(exc, GraphError) and exc.applied is False:
                    # The whole call was refused before Graph acted (throttled, token revoked,
                    # a malformed request): nothing was made, the rows are planned again and
                    # the caller decides (retry later, pause for a reconnect, fail).
                    raise
                if isinstance(exc, GraphError):
                    continue  # outcome unknown: reconciled in the next round
                raise
        pending = [i for i in to_send if i.spec.key not in outcomes]
        for item in pending:
            item.answer = ""
            _reload(item)
    if pending:
        raise GraphWriteUnresolvedError(
            f"{len(pending)} write(s) still unresolved after {MAX_ROUNDS} rounds",
            key=pending[0].spec.key, state=pending[0].write.state,
        )
    return outcomes


# ---------------------------------------------------------------------------------------------
# Rows


def _items(specs: Iterable[CreateSpec]) -> list[_Item]:
    items = []
    seen: set[str] = set()
    for spec in specs:
        if spec.key in seen:
            raise ValueError(f"Key {spec.key!r} appears twice")
        seen.add(spec.key)
        check_sizes(key=spec.key, edge=spec.edge, kind=spec.kind)
        payload = normalise(dict(spec.data))
        name = payload.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError("graph_create_many needs data['name'] on every spec (its marker)")
        marker = write_marker(spec.key)
        payload["name"] = idempotent_name(name, marker)
        write = write_for(key=spec.key, edge=spec.edge, kind=spec.kind, payload=payload)
        items.append(_Item(spec=spec, payload=payload, write=write, marker=marker))
    return items


def _reload(item: _Item) -> None:
    sqlite_locked_retry(item.write.refresh_from_db)


def _claim(item: _Item, lease: float) -> bool:
    now = timezone.now()
    version = item.write.version + 1
    won = update_row(
        item.write, expect=item.write.version, state=S.SENT, version=version,
        payload=item.payload, attempts=F("attempts") + 1,
        lease_until=now + timedelta(seconds=lease), sent_at=now, updated_at=now,
    )
    if won:
        item.version = version
        item.write.version, item.write.state = version, S.SENT
    return bool(won)


def _extend_leases(items: Iterable[_Item], lease: float) -> None:
    """Still waiting for Graph's answer: hold the rows (a dead worker's lease runs out)."""
    ids = [i.write.pk for i in items if not i.answer]
    if ids:
        until = timezone.now() + timedelta(seconds=lease)
        sqlite_locked_retry(lambda: GraphWrite.objects.filter(
            pk__in=ids, state=S.SENT).update(lease_until=until))


def _settle(item: _Item, state: str, exc: BaseException | None, note: str = "") -> bool:
    message = note or (error_text(exc) if exc is not None else "")
    won = update_row(
        item.write, expect=item.version, state=state, version=item.version + 1,
        lease_until=None, last_error=message[:2000], updated_at=timezone.now(),
    )
    if won:
        item.version += 1
        item.write.version, item.write.state = item.version, state
        if state == S.UNKNOWN:
            audit(item.write, "graph_write.unknown", {"error": message[:500]})
    item.answer = state
    return bool(won)


def _finish(item: _Item, graph_id: str, *, reconciled: bool = False) -> bool:
    now = timezone.now()
    expect = item.write.version
    won = update_row(
        item.write, expect=expect, state=S.DONE, version=expect + 1, graph_id=graph_id,
        lease_until=None, done_at=now, updated_at=now,
    )
    if won:
        item.version = expect + 1
        item.write.version, item.write.state, item.write.graph_id = item.version, S.DONE, graph_id
        if reconciled:
            audit(item.write, "graph_write.reconciled", {"graph_id": graph_id})
    item.answer = "done"
    return bool(won)


def _record(client: GraphClient, item: _Item, outcomes: dict[str, CreateOutcome], *,
            graph_id: str | None = None, error: GraphError | None = None,
            unknown: str = "") -> None:
    key = item.spec.key
    if graph_id:
        while not _finish(item, graph_id):
            # Our lease ran out and another worker took the row over meanwhile: the first id
            # recorded wins, and a second object is deleted (as graph_create_once does).
            _reload(item)
            if item.write.state == S.DONE:
                if item.write.graph_id != graph_id:
                    _remove_duplicate(item.write, client, graph_id)
                graph_id = item.write.graph_id
                break
        outcomes[key] = CreateOutcome(key, graph_id=graph_id)
    elif error is not None:
        _settle(item, S.FAILED, error)
        outcomes[key] = CreateOutcome(key, error=error)
    else:
        _settle(item, S.UNKNOWN, None, note=unknown or "no answer for this object")


# ---------------------------------------------------------------------------------------------
# Sending


def _chunks(items: list[_Item], via: str, chunk_by, batch_size: int = MAX_BATCH
            ) -> list[list[_Item]]:
    size = min(batch_size, MAX_BATCH) if via == "batch" else MAX_ASYNC_BATCH
    chunks: list[list[_Item]] = []
    taken: list[set] = []
    for item in items:
        group = chunk_by(item.spec) if (chunk_by and via == "batch") else None
        for index, chunk in enumerate(chunks):
            if len(chunk) < size and (group is None or group not in taken[index]):
                break
        else:
            chunks.append([])
            taken.append(set())
            index = len(chunks) - 1
        chunks[index].append(item)
        if group is not None:
            taken[index].add(group)
    return chunks


def _send(client, act, chunk, via, outcomes, report, poll_every, timeout) -> None:
    if via == "batch":
        results = run_batch(client, [
            BatchRequest("POST", item.spec.edge, item.payload) for item in chunk])
        for item, result in zip(chunk, results, strict=True):
            if result.ok:
                body = result.body if isinstance(result.body, Mapping) else {}
                _record(client, item, outcomes, graph_id=str(body.get("id") or "") or None,
                        unknown="Graph answered without an id")
            elif result.timed_out:
                _record(client, item, outcomes, unknown="the batch timed out before this answer")
            elif isinstance(result.error, GraphThrottleError):
                _settle(item, S.PLANNED, result.error)
            elif result.error is not None and (result.error.is_transient
                                               or isinstance(result.error, GraphTransientError)
                                               or (result.status or 0) >= 500):
                _record(client, item, outcomes, unknown=error_text(result.error))
            else:
                _record(client, item, outcomes, error=result.error)
        report(chunk)
        return
    name = f"{SET_PREFIX} {chunk[0].spec.kind} {uuid.uuid4().hex[:12]}"
    by_name = {}
    if via == "ad_request_set":
        set_id = async_ad_request_set_create(
            client, account_id=act, name=name, ad_specs=[item.payload for item in chunk])
        by_name = {item.payload["name"]: item for item in chunk}
    else:
        requests = []
        for index, item in enumerate(chunk):
            requests.append(BatchRequest("POST", item.spec.edge, item.payload, f"w{index}"))
            by_name[f"w{index}"] = item
        set_id = async_batch_create(client, account_id=act, name=name, requests=requests)
    _collect(client, set_id, by_name, outcomes, report, poll_every, timeout)


def _collect(client, set_id, by_name, outcomes, report, poll_every, timeout) -> None:
    """Read the set's requests until each has finished, recording every answer as it comes."""
    deadline = time.monotonic() + timeout
    lease = lease_seconds(client)
    waiting = dict(by_name)
    interval = poll_every
    while waiting:
        # Graph needs a moment for any set: read once that much has passed, not at once.
        _wait_for_graph(client, interval, f"async set {set_id}")
        interval = _next_interval(interval, poll_every)
        answered = []
        for request in client.iterate(f"{set_id}/requests",
                                      params={"limit": 1000}, fields="status,result,input"):
            status = str(request.get("status") or "").upper()
            item = waiting.get(_request_name(request.get("input")))
            if item is None or status not in FINAL:
                continue
            result = request.get("result") if isinstance(request.get("result"), dict) else {}
            if status == "SUCCESS" and result.get("id"):
                _record(client, item, outcomes, graph_id=str(result["id"]))
            elif status == "ERROR" and int(result.get("error_code") or 1) not in _UNSETTLED_CODES:
                _record(client, item, outcomes, error=_error(result))
            elif status == "CANCELED":
                _settle(item, S.PLANNED, None, note="canceled before Graph processed it")
            else:
                _record(client, item, outcomes, unknown=f"async request {status}: {result}")
            answered.append(item)
            waiting.pop(_request_name(request.get("input")), None)
        report(answered)
        if not waiting:
            return
        if time.monotonic() >= deadline:
            raise GraphWriteUnresolvedError(
                f"async set {set_id} not finished after {timeout:.0f} s",
                key=next(iter(waiting.values())).spec.key, state=S.SENT)
        _extend_leases(waiting.values(), lease)


def _next_interval(interval: float, poll_every: float) -> float:
    """Each read of an unfinished set is a call: wait a little longer each time (up to a
    minute), so a set Graph takes long over costs few reads."""
    return min(interval * 1.5, max(poll_every, MAX_POLL_SECONDS))


def _request_name(raw: Any) -> str:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return ""
    return str(raw.get("name") or "") if isinstance(raw, Mapping) else ""


def _error(result: Mapping[str, Any]) -> GraphError:
    error = {"code": result.get("error_code"), "message": result.get("error_message") or "",
             "error_subcode": result.get("error_subcode")}
    return error_from_body({"error": error}, http_status=400)


# ---------------------------------------------------------------------------------------------
# Reconciling


def _reconcile(client: GraphClient, act: str, items: list[_Item], *, poll_every: float = 10.0
               ) -> dict[str, str]:
    """marker → id of every object found on the items' edges, once our async sets still
    running on the account have finished."""
    try:
        _wait_for_our_sets(client, act, poll_every=poll_every)
        found: dict[str, str] = {}
        markers = {i.marker for i in items}
        for edge in sorted({i.spec.edge for i in items}):
            for obj in client.iterate(edge, params={"limit": 500}, fields="id,name"):
                name = str(obj.get("name") or "").rstrip()
                if name.endswith("]") and "[" in name:
                    marker = name[name.rindex("[") + 1:-1]
                    if marker in markers:
                        found.setdefault(marker, str(obj["id"]))
    except GraphError as exc:
        raise GraphWriteUnresolvedError(
            f"{len(items)} write(s) may have been applied and the lookup failed: {exc.message}",
            key=items[0].spec.key, state=S.UNKNOWN, retry_after=exc.retry_after,
        ) from exc
    sqlite_locked_retry(lambda: GraphWrite.objects.filter(
        pk__in=[i.write.pk for i in items]).update(lookups=F("lookups") + 1))
    return found


def _wait_for_our_sets(client: GraphClient, act: str, *, poll_every: float = 10.0,
                       timeout: float = 900.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        running = [
            s for edge in ("asyncadrequestsets", "async_requests")
            for s in client.iterate(f"{act}/{edge}", params={"is_completed": "false",
                                                             "limit": 100}, fields="id,name")
            if str(s.get("name") or "").startswith(SET_PREFIX)
        ]
        if not running:
            return
        if time.monotonic() >= deadline:
            raise GraphTransientError(f"{len(running)} async set(s) still running on {act}")
        _wait_for_graph(client, poll_every, f"the async sets running on {act}")


# ---------------------------------------------------------------------------------------------
# Updates that set a value (safe to repeat): many in few calls


def graph_update_many(
    *,
    client: GraphClient,
    account_id: str,
    updates: Sequence[tuple[str, Mapping[str, Any]]],
    on_result: Callable[[dict[str, GraphError | None]], None] | None = None,
    poll_every: float = 10.0,
    timeout: float = 3600.0,
) -> dict[str, GraphError | None]:
    """`POST /<id>` with each update's data, in a sync batch (≤ 50) or async batch requests of
    1,000. Returns Graph's error (None: applied) by object id; an object without an answer
    raises (the updates set values, so the caller simply runs them again)."""
    act = account_id if str(account_id).startswith("act_") else f"act_{account_id}"
    out: dict[str, GraphError | None] = {}
    todo = list(updates)
    for _round in range(MAX_ROUNDS):
        if not todo:
            break
        again: list[tuple[str, Mapping[str, Any]]] = []
        if len(todo) <= MAX_BATCH:
            _update_batch(client, todo, out, again, on_result)
        else:
            for start in range(0, len(todo), MAX_ASYNC_BATCH):
                _update_async(client, act, todo[start:start + MAX_ASYNC_BATCH], out, again,
                              on_result, poll_every, timeout)
        todo = again
    if todo:
        raise GraphTransientError(f"no answer for {len(todo)} update(s), e.g. of {todo[0][0]}")
    return out


def _update_batch(client, todo, out, again, on_result) -> None:
    results = run_batch(client, [BatchRequest("POST", gid, data) for gid, data in todo])
    fresh: dict[str, GraphError | None] = {}
    for update, result in zip(todo, results, strict=True):
        if result.timed_out or (result.error is not None and (
                result.error.is_transient or isinstance(result.error, GraphThrottleError))):
            again.append(update)
        else:
            fresh[update[0]] = result.error
    out.update(fresh)
    if fresh and on_result is not None:
        on_result(fresh)


def _update_async(client, act, chunk, out, again, on_result, poll_every, timeout) -> None:
    names = {f"u{index}": update for index, update in enumerate(chunk)}
    set_id = async_batch_create(
        client, account_id=act, name=f"{SET_PREFIX} update {uuid.uuid4().hex[:12]}",
        requests=[BatchRequest("POST", gid, data, f"u{index}")
                  for index, (gid, data) in enumerate(chunk)])
    deadline = time.monotonic() + timeout
    interval = poll_every
    while names:
        fresh: dict[str, GraphError | None] = {}
        for request in client.iterate(f"{set_id}/requests", params={"limit": 1000},
                                      fields="status,result,input"):
            status = str(request.get("status") or "").upper()
            name = _request_name(request.get("input"))
            if name not in names or status not in FINAL:
                continue
            result = request.get("result") if isinstance(request.get("result"), dict) else {}
            if status == "SUCCESS":
                fresh[names.pop(name)[0]] = None
            elif status == "ERROR" and int(result.get("error_code") or 1) not in _UNSETTLED_CODES:
                fresh[names.pop(name)[0]] = _error(result)
            else:
                again.append(names.pop(name))
        out.update(fresh)
        if fresh and on_result is not None:
            on_result(fresh)
        if names:
            if time.monotonic() >= deadline:
                raise GraphTransientError(f"async set {set_id} not finished in time")
            _wait_for_graph(client, interval, f"async set {set_id}")
            interval = _next_interval(interval, poll_every)


__all__ = ["CreateOutcome", "CreateSpec", "graph_create_many", "graph_update_many"]
