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

from agency.models import GraphWrite, GraphWriteState
from agency.writes.creates import graph_create_once
from agency.writes.errors import (
    GraphWriteInProgressError,
    GraphWriteKeyConflictError,
    GraphWriteUnresolvedError,
)
from agency.writes.ledger import write_marker
from agency.writes.many import CreateOutcome, CreateSpec, graph_create_many, graph_update_many
from agency.writes.updates import graph_update_once

__all__ = [
    "CreateOutcome",
    "CreateSpec",
    "GraphWrite",
    "GraphWriteInProgressError",
    "GraphWriteKeyConflictError",
    "GraphWriteState",
    "GraphWriteUnresolvedError",
    "graph_create_many",
    "graph_create_once",
    "graph_update_many",
    "graph_update_once",
    "write_marker",
]
