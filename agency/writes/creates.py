"""graph_create_once: a create sent at most once per key, reconciled before any re-post."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any, Protocol

from django.db.models import F
from django.utils import timezone

from agency.graph import (
    GraphClient,
    GraphError,
    GraphOutcomeUnknownError,
    GraphThrottleError,
    GraphTransientError,
    MarkerGuard,
    idempotent_name,
)
from agency.models import GraphWrite, GraphWriteState
from agency.writes.errors import GraphWriteInProgressError, GraphWriteUnresolvedError
from agency.writes.ledger import (
    audit,
    check_sizes,
    error_text,
    lease_seconds,
    normalise,
    note_error,
    reload_row,
    require_autocommit,
    update_row,
    write_for,
    write_marker,
)

log = logging.getLogger("agency.writes")

S = GraphWriteState
# POSTs one call may send for one key (each after a lookup that found nothing) before giving up
# with a retryable error.
MAX_POSTS_PER_CALL = 3


class Finder(Protocol):
    def find(
        self, client: GraphClient, edge: str, *, account_id: str | None = None
    ) -> dict[str, Any] | None: ...


FindArg = Finder | Callable[[GraphClient], "str | dict[str, Any] | None"]


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

    Without `find`, `data["name"]` carries the idempotency marker: it is sent as
    `idempotent_name(name, write_marker(key))` and looked up by the name ending in that
    marker (`MarkerGuard`). With `find` (a `DuplicateGuard`-like object or a callable
    `client -> id | {"id"} | None`), `data` is sent as is and `find` must locate the object
    the write made.

    Raises: `GraphWriteUnresolvedError` / `GraphWriteInProgressError` (retryable: call again
    with the same key), `GraphThrottleError` or `GraphConnectionError` (known not applied,
    retryable), or Graph's refusal (`GraphValidationError`, `GraphPermissionError`,
    `GraphAuthError`: the row is `failed`, a later call with a fixed payload may send again).
    """
    require_autocommit()
    check_sizes(key=key, edge=edge, kind=kind)
    payload = normalise(dict(data))
    if find is None:
        name = payload.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ValueError("graph_create_once needs data['name'] (its marker) or a `find`")
        payload["name"] = idempotent_name(name, write_marker(key))
    write = write_for(key=key, edge=edge, kind=kind, payload=payload)
    unknown_posts = refused = 0
    while True:
        reload_row(write)
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
            found = _reconcile(write, client, _finder(find, write.key))
            if found is not None:
                if _finish(write, version=write.version, graph_id=found, reconciled=True):
                    return found
                continue  # someone else moved the row meanwhile: read it again
        if unknown_posts >= MAX_POSTS_PER_CALL:
            raise GraphWriteUnresolvedError(
                f"Graph write {key!r} is still unresolved after {unknown_posts} posts",
                key=key,
                state=write.state,
            )
        version = _claim(write, payload, lease=lease_seconds(client))
        if version is None:
            continue
        try:
            # One HTTP attempt per claim, so the lease covers it; the retries the client would
            # make (refused before Graph acted) happen here, each under a fresh claim.
            body = client.request("POST", edge, data=payload, retry=False).body
        except GraphError as exc:
            if exc.applied is None:  # GraphOutcomeUnknownError: loop to reconcile
                unknown_posts += 1
                if not _settle(write, version, S.UNKNOWN, exc):
                    _after_takeover(write, client, find)
                continue
            # Known not applied: throttled or never delivered → planned (a retry sends it);
            # refused by Graph → failed (sent again only by a later call, e.g. after a fix).
            retryable = isinstance(exc, GraphThrottleError | GraphTransientError)
            _settle(write, version, S.PLANNED if retryable else S.FAILED, exc)
            refused += 1
            if retryable and _retry_in_call(client, exc, refused):
                continue
            raise
        except BaseException as exc:  # killed mid-call (soft time limit, interrupt)
            _settle(write, version, S.UNKNOWN, exc)
            raise
        graph_id = str((body or {}).get("id") or "") if isinstance(body, Mapping) else ""
        if not graph_id:
            unknown_posts += 1
            _settle(write, version, S.UNKNOWN, None, note="Graph answered without an id")
            continue
        return _record_created(write, client, version=version, graph_id=graph_id)


def _retry_in_call(client: GraphClient, exc: GraphError, refused: int) -> bool:
    """Whether to send again now after a refusal Graph did not act on, as the client's own
    retries would: a throttle the gate will wait out (within `max_wait`), or a connection never
    made (after a backoff). Longer throttles go back to the task with `retry_after`."""
    if refused >= max(1, client.retry.max_attempts):
        return False
    if isinstance(exc, GraphThrottleError):
        if exc.local:
            return False
        wait = exc.retry_after or client.throttle.policy.default_block
        return wait <= client.throttle.policy.max_wait  # the gate waits before the next send
    backoff = client.retry.initial_backoff * (2 ** (refused - 1))
    client.sleep(min(backoff, client.retry.max_backoff))
    return True


def _finder(find: FindArg | None, key: str) -> Callable[[GraphClient, str], Any]:
    """How to look the write up: the caller's `find`, else the key's marker at the end of the
    name (whatever the rest of the name, so a payload changed between attempts is found too)."""
    if find is None:
        guard = MarkerGuard(write_marker(key))
        return lambda client, edge: guard.find(client, edge)
    if hasattr(find, "find"):
        return lambda client, edge: find.find(client, edge)  # type: ignore[union-attr]
    return lambda client, edge: find(client)  # type: ignore[operator]


def _reconcile(write: GraphWrite, client: GraphClient, finder: Callable) -> str | None:
    """Look the write up on Graph. The id when found, None when the lookup completed and found
    nothing; a failed lookup leaves the row as it is and raises."""
    update_row(write, lookups=F("lookups") + 1)
    try:
        found = finder(client, write.edge)
    except GraphError as exc:
        note_error(write, exc, prefix="lookup failed")
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


def _claim(write: GraphWrite, payload: dict[str, Any], *, lease: float) -> int | None:
    """planned / failed / unknown (after an empty lookup) / expired sent → sent, if nobody moved
    the row since it was read. Returns the new version, or None when the swap lost."""
    now = timezone.now()
    version = write.version + 1
    won = update_row(
        write,
        expect=write.version,
        state=S.SENT,
        version=version,
        payload=payload,
        attempts=F("attempts") + 1,
        lease_until=now + timedelta(seconds=lease),
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
    message = note or (error_text(exc) if exc is not None else "")
    won = update_row(
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
        audit(write, "graph_write.unknown", {"error": message[:500]})
    return bool(won)


def _finish(write: GraphWrite, *, version: int, graph_id: str, reconciled: bool = False) -> bool:
    now = timezone.now()
    won = update_row(
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
        audit(write, "graph_write.reconciled", {"graph_id": graph_id})
    return bool(won)


def _record_created(write: GraphWrite, client: GraphClient, *, version: int, graph_id: str) -> str:
    """Record the id that came back. If the lease ran out and another worker took the row over
    meanwhile, the first id recorded wins and a second object is deleted."""
    if _finish(write, version=version, graph_id=graph_id):
        return graph_id
    while True:
        reload_row(write)
        if write.state == S.DONE:
            if write.graph_id != graph_id:
                _remove_duplicate(write, client, graph_id)
            return write.graph_id
        if _finish(write, version=write.version, graph_id=graph_id):
            return graph_id


def _after_takeover(write: GraphWrite, client: GraphClient, find: FindArg | None) -> None:
    """This worker's lease ran out mid-call and another worker took the write over; this
    worker's own POST may have made an object after all. Once the row is done, every other
    object carrying the key's marker is a duplicate: delete it (best effort; with a caller's
    `find` there is no marker to list, and the other worker's lookup is relied on)."""
    reload_row(write)
    if write.state != S.DONE or find is not None:
        return
    try:
        extra = [
            found
            for found in MarkerGuard(write_marker(write.key)).find_all(client, write.edge)
            if found != write.graph_id
        ]
    except GraphError as exc:
        note_error(write, exc, prefix="duplicate sweep failed")
        return
    for duplicate_id in extra:
        _remove_duplicate(write, client, duplicate_id)


def _remove_duplicate(write: GraphWrite, client: GraphClient, duplicate_id: str) -> None:
    log.error("graph write %s: a second object %s was made; deleting it", write.key, duplicate_id)
    try:
        client.delete(duplicate_id)
    except GraphError as exc:
        note_error(write, exc, prefix=f"could not delete duplicate {duplicate_id}")
        audit(write, "graph_write.duplicate_left", {"duplicate_id": duplicate_id})
        return
    audit(write, "graph_write.duplicate_removed", {"duplicate_id": duplicate_id})
