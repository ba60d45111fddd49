"""The GraphWrite ledger's plumbing: the row for a key, compare-and-swap updates, the lease,
the marker a write carries, audit rows, and the refusal to run inside a transaction."""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from agency.graph import GraphClient
from agency.models import GraphWrite
from agency.writes.errors import GraphWriteKeyConflictError

# A key is its own marker only when long enough not to occur in a name by chance.
_MARKER_SAFE = re.compile(r"[A-Za-z0-9_-]{8,32}")


def write_marker(key: str) -> str:
    """The marker a create's name carries: the key itself when plain and 8-32 characters (so
    `idempotent_name(name, key)` made by a caller is kept as is), else 12 hex digits of its
    SHA-256 (a name typed by someone, "Sale [1]", is never mistaken for a write's marker)."""
    if _MARKER_SAFE.fullmatch(key):
        return key
    return hashlib.sha256(key.encode()).hexdigest()[:12]


def write_for(*, key: str, edge: str, kind: str, payload: dict[str, Any]) -> GraphWrite:
    """The row for `key`, created `planned` (and committed) if new."""
    def get_or_create() -> GraphWrite:
        try:
            return GraphWrite.objects.get_or_create(
                key=key, defaults={"edge": edge, "kind": kind, "payload": payload}
            )[0]
        except IntegrityError:  # created by a concurrent call between get and create
            return GraphWrite.objects.get(key=key)

    write = sqlite_locked_retry(get_or_create)
    if write.edge != edge or write.kind != kind:
        raise GraphWriteKeyConflictError(
            f"Graph write key {key!r} is already used for {write.kind} on {write.edge}"
        )
    return write


def require_autocommit() -> None:
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


def check_sizes(*, key: str, edge: str, kind: str) -> None:
    if not key or len(key) > 200:
        raise ValueError("A Graph write key is 1 to 200 characters")
    if not edge or len(edge) > 300:
        raise ValueError("A Graph write edge is 1 to 300 characters")
    if not kind or len(kind) > 40:
        raise ValueError("A Graph write kind is 1 to 40 characters")


def normalise(payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the JSON column will give it back (tuples → lists), so comparisons hold."""
    return json.loads(json.dumps(payload, default=str))


def lease_seconds(client: GraphClient) -> float:
    """How long a worker holds `sent` for one HTTP attempt: the throttle gate's longest wait
    plus twice the HTTP timeout and a margin (140 s by default), so a worker killed mid-call
    delays the next attempt by minutes, not longer. GRAPH_WRITE_LEASE_SECONDS overrides it."""
    configured = getattr(settings, "GRAPH_WRITE_LEASE_SECONDS", None)
    if configured is not None:
        return float(configured)
    policy = client.throttle.policy
    return policy.max_wait + policy.max_delay + 2 * client.timeout + 10


def error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def note_error(write: GraphWrite, exc: BaseException, *, prefix: str) -> None:
    update_row(
        write,
        last_error=f"{prefix}: {error_text(exc)}"[:2000], updated_at=timezone.now()
    )


def audit(write: GraphWrite, verb: str, data: dict[str, Any]) -> None:
    from agency.services import audit_record

    sqlite_locked_retry(
        lambda: audit_record(
            agency=write.agency_id,
            actor=None,
            verb=verb,
            target=write,
            data={"key": write.key, "kind": write.kind, "edge": write.edge, **data},
        )
    )


def update_row(write: GraphWrite, *, expect: int | None = None, **fields: Any) -> bool:
    """One UPDATE of the row; a compare-and-swap when `expect` (the version read) is given."""
    rows = GraphWrite.objects.filter(pk=write.pk)
    if expect is not None:
        rows = rows.filter(version=expect)
    return bool(sqlite_locked_retry(lambda: rows.update(**fields)))


def reload_row(write: GraphWrite) -> None:
    sqlite_locked_retry(write.refresh_from_db)


def sqlite_locked_retry(operation: Callable[[], Any]) -> Any:
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
