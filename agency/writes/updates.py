"""graph_update_once: an update (idempotent by nature) recorded under a key."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.db.models import F
from django.utils import timezone

from agency.graph import GraphClient, GraphThrottleError, GraphTransientError
from agency.models import GraphWriteState
from agency.writes.ledger import (
    check_sizes,
    error_text,
    lease_seconds,
    normalise,
    require_autocommit,
    update_row,
    write_for,
)

S = GraphWriteState


def graph_update_once(
    *, client: GraphClient, key: str, node: str, data: Mapping[str, Any], kind: str
) -> Any:
    """Apply an update (`POST /<node>` setting values: idempotent by nature) and record it
    under `key`. A key already `done` with the same payload is not sent again; anything else
    is (re)sent with the client's idempotent retries. Returns Graph's answer (None when
    skipped)."""
    require_autocommit()
    check_sizes(key=key, edge=node, kind=kind)
    payload = normalise(dict(data))
    write = write_for(key=key, edge=node, kind=kind, payload=payload)
    if write.state == S.DONE and write.payload == payload:
        return None
    now = timezone.now()
    update_row(
        write,
        state=S.SENT,
        payload=payload,
        version=F("version") + 1,
        attempts=F("attempts") + 1,
        lease_until=now + timedelta(seconds=lease_seconds(client)),
        sent_at=now,
        updated_at=now,
    )
    try:
        body = client.post(node, data=payload, idempotent=True)
    except BaseException as exc:
        applied = getattr(exc, "applied", None)
        retryable = isinstance(exc, GraphThrottleError | GraphTransientError)
        state = S.UNKNOWN if applied is None else S.PLANNED if retryable else S.FAILED
        update_row(
            write,
            state=state,
            version=F("version") + 1,
            lease_until=None,
            last_error=error_text(exc)[:2000],
            updated_at=timezone.now(),
        )
        raise
    now = timezone.now()
    update_row(
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
