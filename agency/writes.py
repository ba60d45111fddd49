"""Exactly-once Graph writes: an idempotency record committed before the POST, reconciled
against Graph by any later attempt (any process, any client) before it posts again.

    graph_id = graph_create_once(client=client, key=draft.graph_key,
                                 edge=f"{act_id}/campaigns", data={...}, kind="campaign")

A `GraphWrite` row (key unique per agency) moves through these states:

    planned ──claim──▶ sent ──answer──▶ done (graph_id)
       ▲                 │
       │                 ├─ refused before Graph acted (throttled, no connection) ─▶ planned
       │                 ├─ refused by Graph (validation, permission, token) ──────▶ failed
       │                 └─ answer lost (timeout, drop, 5xx, is_transient) ────────▶ unknown
       │                                                                               │
       └──────────── a lookup completed and found nothing ◀── reconcile (look up) ◀────┘
                                                         found ─▶ done

* `done`: the id is returned without calling Graph.
* `unknown` (or `sent` whose lease ran out: the worker died mid-call): the write is looked up
  first, by the idempotency marker it carries (the name ends with `[<marker of the key>]`, or
  the caller's `find`). Found: `done`. Found nothing: only then is it sent again. The lookup
  itself failing (throttled, 5xx, dropped) leaves `unknown` and raises
  `GraphWriteUnresolvedError`, a retryable error: nothing is ever re-posted on a guess.
* `sent` with a live lease: another worker is sending it now → `GraphWriteInProgressError`
  (retryable).
* Every change is a compare-and-swap on `version` (SQLite and PostgreSQL alike), so two workers
  with the same key never both send; if a lease ran out under a live worker and both created an
  object, the one recorded second deletes its own.

The record must be committed before the POST, so these functions refuse to run inside
`transaction.atomic()`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.db.models import F
from django.utils import timezone

from agency.graph import (
    DuplicateGuard,
    GraphClient,
    GraphError,
    GraphOutcomeUnknownError,
    GraphThrottleError,
    GraphTransientError,
    idempotent_name,
)
from agency.models import GraphWrite, GraphWriteState

__all__ = [
    "GraphWrite",
    "GraphWriteInProgressError",
    "GraphWriteKeyConflictError",
    "GraphWriteState",
    "GraphWriteUnresolvedError",
    "graph_create_once",
    "graph_update_once",
    "write_marker",
]

log = logging.getLogger("agency.writes")

S = GraphWriteState
# Longest a worker may hold `sent` before others treat it as dead (one `client.create` with its
# not-applied retries and throttle waits fits well inside). Settings: GRAPH_WRITE_LEASE_SECONDS.
DEFAULT_LEASE_SECONDS = 900
# POSTs one call may send for one key (each after a lookup that found nothing) before giving up
# with a retryable error.
MAX_POSTS_PER_CALL = 3
_MARKER_SAFE = re.compile(r"[A-Za-z0-9_-]{1,32}")


class GraphWriteUnresolvedError(GraphTransientError):
    """The write's outcome is not settled yet: recorded as `unknown` and the reconciling lookup
    failed (or was throttled: `retry_after`), or it stayed unknown after several posts.
    Retrying *this call* with the same key is safe (it reconciles first), hence a transient
    error that task retries handle. Not raised by the raw client: a raw POST is never safe to
    retry blindly (that is `GraphOutcomeUnknownError`)."""

    def __init__(self, message: str, *, key: str, state: str, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.key = key
        self.state = state


class GraphWriteInProgressError(GraphWriteUnresolvedError):
    """Another worker is sending this key right now (its lease runs until `lease_until`)."""


class GraphWriteKeyConflictError(ValueError):
    """The key is already used for another edge or kind: keys must name one intended write."""


class Finder(Protocol):
    def find(
        self, client: GraphClient, edge: str, *, account_id: str | None = None
    ) -> dict[str, Any] | None: ...


FindArg = Finder | Callable[[GraphClient], "str | dict[str, Any] | None"]


def write_marker(key: str) -> str:
    """The marker a create's name carries: the key itself when short and plain (so
    `idempotent_name(name, key)` made by a caller is kept as is), else a hash of it."""
    if _MARKER_SAFE.fullmatch(key):
        return key
    return hashlib.sha256(key.encode()).hexdigest()[:12]


# --- creates ----------------------------------------------------------------------------------
def graph_create_once(
    *,
    client: GraphClient,
    key: str,
    edge: str,
    data: Mapping[str, Any],
    kind: str,
    find: FindArg | None = None,
) -> str:
    """Create the object on `edge` at most once for `key` (unique in the agency in scope) and
    return its Graph id.

    Without `find`, `data["name"]` is the idempotency marker: it is sent as
    `idempotent_name(name, write_marker(key))` and looked up by that exact name. With `find` (a
    `DuplicateGuard`-like object or a callable `client -> id | {"id"} | None`), `data` is sent
    as is and `find` must locate the object the write made.

    Raises: `GraphWriteUnresolvedError` / `GraphWriteInProgressError` (retryable: call again
    with the same key), `GraphThrottleError` or `GraphConnectionError` (known not applied,
    retryable), or Graph's refusal (`GraphValidationError`, `GraphPermissionError`,
    `GraphAuthError`: the row is `failed`, a later call with a fixed payload may send again).
    """
    _require_autocommit()
    _check_sizes(key=key, edge=edge, kind=kind)
    payload = _normalise(dict(data))
    if find is None:
        name = payload.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError("graph_create_once needs data['name'] (its marker) or a `find`")
        payload["name"] = idempotent_name(name, write_marker(key))
    write = _write_for(key=key, edge=edge, kind=kind, payload=payload)
    posts = 0
    while True:
        _reload(write)
        if write.state == S.DONE:
            return write.graph_id
        now = timezone.now()
        if write.state == S.SENT and write.lease_until and write.lease_until > now:
            wait = (write.lease_until - now).total_seconds()
            raise GraphWriteInProgressError(
                f"Another worker is sending graph write {key!r}",
                key=key,
                state=write.state,
                retry_after=max(1.0, min(wait, 30.0)),
            )
        if write.state in (S.UNKNOWN, S.SENT):  # SENT here: its worker died mid-call
            found = _reconcile(write, client, _finder(find, write.payload))
            if found is not None:
                if _finish(write, version=write.version, graph_id=found, reconciled=True):
                    return found
                continue  # someone else moved the row meanwhile: read it again
        if posts >= MAX_POSTS_PER_CALL:
            raise GraphWriteUnresolvedError(
                f"Graph write {key!r} is still unresolved after {posts} posts",
                key=key,
                state=write.state,
            )
        version = _claim(write, payload)
        if version is None:
            continue
        posts += 1
        try:
            body = client.create(edge, data=payload, guard=None)
        except GraphError as exc:
            if exc.applied is None:  # GraphOutcomeUnknownError: loop to reconcile
                _settle(write, version, S.UNKNOWN, exc)
                continue
            # Known not applied: throttled or never delivered → planned (a retry sends it);
            # refused by Graph → failed (sent again only by a later call, e.g. after a fix).
            retryable = isinstance(exc, GraphThrottleError | GraphTransientError)
            _settle(write, version, S.PLANNED if retryable else S.FAILED, exc)
            raise
        except BaseException as exc:  # killed mid-call (soft time limit, interrupt)
            _settle(write, version, S.UNKNOWN, exc)
            raise
        graph_id = str((body or {}).get("id") or "")
        if not graph_id:
            _settle(write, version, S.UNKNOWN, None, note="Graph answered without an id")
            continue
        return _record_created(write, client, version=version, graph_id=graph_id)


def _finder(find: FindArg | None, payload: Mapping[str, Any]) -> Callable[[GraphClient, str], Any]:
    """How to look the write up: the caller's `find`, else the exact (marked) name stored."""
    if find is None:
        guard = DuplicateGuard.by_name(str(payload.get("name", "")))
        return lambda client, edge: guard.find(client, edge)
    if hasattr(find, "find"):
        return lambda client, edge: find.find(client, edge)  # type: ignore[union-attr]
    return lambda client, edge: find(client)  # type: ignore[operator]


def _reconcile(write: GraphWrite, client: GraphClient, finder: Callable) -> str | None:
    """Look the write up on Graph. The id when found, None when the lookup completed and found
    nothing; a failed lookup leaves the row as it is and raises."""
    _update(write, lookups=F("lookups") + 1)
    try:
        found = finder(client, write.edge)
    except GraphError as exc:
        _note_error(write, exc, prefix="lookup failed")
        if isinstance(exc, GraphTransientError | GraphThrottleError | GraphOutcomeUnknownError):
            raise GraphWriteUnresolvedError(
                f"Graph write {write.key!r} may have been applied and the lookup failed: "
                f"{exc.message}",
                key=write.key,
                state=write.state,
                retry_after=exc.retry_after,
            ) from exc
        raise
    if isinstance(found, Mapping):
        found = found.get("id")
    return str(found) if found else None


def _claim(write: GraphWrite, payload: dict[str, Any]) -> int | None:
    """planned / failed / unknown (after an empty lookup) / expired sent → sent, if nobody moved
    the row since it was read. Returns the new version, or None when the swap lost."""
    now = timezone.now()
    version = write.version + 1
    won = _update(
        write,
        expect=write.version,
        state=S.SENT,
        version=version,
        payload=payload,
        attempts=F("attempts") + 1,
        lease_until=now + timedelta(seconds=_lease_seconds()),
        sent_at=now,
        updated_at=now,
    )
    return version if won else None


def _settle(
    write: GraphWrite,
    version: int,
    state: str,
    exc: BaseException | None,
    *,
    note: str = "",
) -> bool:
    """sent → unknown / planned / failed, if this worker still holds the row."""
    message = note or (_error_text(exc) if exc is not None else "")
    won = _update(
        write,
        expect=version,
        state=state,
        version=version + 1,
        lease_until=None,
        last_error=message[:2000],
        updated_at=timezone.now(),
    )
    if not won:
        log.warning("graph write %s changed hands while it was being sent", write.key)
    elif state == S.UNKNOWN:
        _audit(write, "graph_write.unknown", {"error": message[:500]})
    return bool(won)


def _finish(write: GraphWrite, *, version: int, graph_id: str, reconciled: bool = False) -> bool:
    now = timezone.now()
    won = _update(
        write,
        expect=version,
        state=S.DONE,
        version=version + 1,
        graph_id=graph_id,
        lease_until=None,
        done_at=now,
        updated_at=now,
    )
    if won and reconciled:
        _audit(write, "graph_write.reconciled", {"graph_id": graph_id})
    return bool(won)


def _record_created(write: GraphWrite, client: GraphClient, *, version: int, graph_id: str) -> str:
    """Record the id that came back. If the lease ran out and another worker took the row over
    meanwhile, the first id recorded wins and a second object is deleted."""
    if _finish(write, version=version, graph_id=graph_id):
        return graph_id
    while True:
        _reload(write)
        if write.state == S.DONE:
            if write.graph_id != graph_id:
                _remove_duplicate(write, client, graph_id)
            return write.graph_id
        if _finish(write, version=write.version, graph_id=graph_id):
            return graph_id


def _remove_duplicate(write: GraphWrite, client: GraphClient, duplicate_id: str) -> None:
    log.error("graph write %s: a second object %s was made; deleting it", write.key, duplicate_id)
    try:
        client.delete(duplicate_id)
    except GraphError as exc:
        _note_error(write, exc, prefix=f"could not delete duplicate {duplicate_id}")
        _audit(write, "graph_write.duplicate_left", {"duplicate_id": duplicate_id})
        return
    _audit(write, "graph_write.duplicate_removed", {"duplicate_id": duplicate_id})


# --- updates ----------------------------------------------------------------------------------
def graph_update_once(
    *, client: GraphClient, key: str, node: str, data: Mapping[str, Any], kind: str
) -> Any:
    """Apply an update (`POST /<node>` setting values: idempotent by nature) and record it
    under `key`. A key already `done` with the same payload is not sent again; anything else
    is (re)sent with the client's idempotent retries. Returns Graph's answer (None when
    skipped)."""
    _require_autocommit()
    _check_sizes(key=key, edge=node, kind=kind)
    payload = _normalise(dict(data))
    write = _write_for(key=key, edge=node, kind=kind, payload=payload)
    if write.state == S.DONE and write.payload == payload:
        return None
    now = timezone.now()
    _update(
        write,
        state=S.SENT,
        payload=payload,
        version=F("version") + 1,
        attempts=F("attempts") + 1,
        lease_until=now + timedelta(seconds=_lease_seconds()),
        sent_at=now,
        updated_at=now,
    )
    try:
        body = client.post(node, data=payload, idempotent=True)
    except BaseException as exc:
        applied = getattr(exc, "applied", None)
        retryable = isinstance(exc, GraphThrottleError | GraphTransientError)
        state = S.UNKNOWN if applied is None else S.PLANNED if retryable else S.FAILED
        _update(
        write,
            state=state,
            version=F("version") + 1,
            lease_until=None,
            last_error=_error_text(exc)[:2000],
            updated_at=timezone.now(),
        )
        raise
    now = timezone.now()
    _update(
        write,
        state=S.DONE,
        version=F("version") + 1,
        graph_id=node.strip("/")[:64],
        lease_until=None,
        last_error="",
        done_at=now,
        updated_at=now,
    )
    return body


# --- shared -----------------------------------------------------------------------------------
def _write_for(*, key: str, edge: str, kind: str, payload: dict[str, Any]) -> GraphWrite:
    """The row for `key`, created `planned` (and committed) if new."""
    def get_or_create() -> GraphWrite:
        try:
            return GraphWrite.objects.get_or_create(
                key=key, defaults={"edge": edge, "kind": kind, "payload": payload}
            )[0]
        except IntegrityError:  # created by a concurrent call between get and create
            return GraphWrite.objects.get(key=key)

    write = _sqlite_locked_retry(get_or_create)
    if write.edge != edge or write.kind != kind:
        raise GraphWriteKeyConflictError(
            f"Graph write key {key!r} is already used for {write.kind} on {write.edge}"
        )
    return write


def _require_autocommit() -> None:
    """The record must be committed before Graph is called: refuse an enclosing atomic block
    (the test framework's own wrapping blocks excepted)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and not all(
        getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    ):
        raise RuntimeError(
            "Exactly-once Graph writes record their state before calling Graph: call them "
            "outside transaction.atomic()"
        )


def _check_sizes(*, key: str, edge: str, kind: str) -> None:
    if not key or len(key) > 200:
        raise ValueError("A Graph write key is 1 to 200 characters")
    if not edge or len(edge) > 300:
        raise ValueError("A Graph write edge is 1 to 300 characters")
    if not kind or len(kind) > 40:
        raise ValueError("A Graph write kind is 1 to 40 characters")


def _normalise(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the JSON column will give it back (tuples → lists), so comparisons hold."""
    return json.loads(json.dumps(payload, default=str))


def _lease_seconds() -> float:
    return float(getattr(settings, "GRAPH_WRITE_LEASE_SECONDS", DEFAULT_LEASE_SECONDS))


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _note_error(write: GraphWrite, exc: BaseException, *, prefix: str) -> None:
    _update(
        write,
        last_error=f"{prefix}: {_error_text(exc)}"[:2000], updated_at=timezone.now()
    )


def _audit(write: GraphWrite, verb: str, data: dict[str, Any]) -> None:
    from agency.services import audit_record

    _sqlite_locked_retry(
        lambda: audit_record(
            agency=write.agency_id,
            actor=None,
            verb=verb,
            target=write,
            data={"key": write.key, "kind": write.kind, "edge": write.edge, **data},
        )
    )


def _update(write: GraphWrite, *, expect: int | None = None, **fields: Any) -> bool:
    """One UPDATE of the row; a compare-and-swap when `expect` (the version read) is given."""
    rows = GraphWrite.objects.filter(pk=write.pk)
    if expect is not None:
        rows = rows.filter(version=expect)
    return bool(_sqlite_locked_retry(lambda: rows.update(**fields)))


def _reload(write: GraphWrite) -> None:
    _sqlite_locked_retry(write.refresh_from_db)


def _sqlite_locked_retry(operation: Callable[[], Any]) -> Any:
    """SQLite (local runs, tests) answers a concurrent writer with "database table is locked"
    instead of waiting: retry briefly. Other databases, or inside a transaction, raise."""
    for attempt in range(50):
        try:
            return operation()
        except OperationalError as exc:
            connection = transaction.get_connection()
            if (
                connection.vendor != "sqlite"
                or "locked" not in str(exc)
                or connection.in_atomic_block
            ):
                raise
            time.sleep(0.002 * (attempt + 1))
    return operation()

