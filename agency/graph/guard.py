"""Duplicate guards: after a create's outcome is unknown, find the object it may have made.

A create that timed out, lost its connection, got a 5xx or an is_transient error may have been
applied. Posting again could make a second campaign. A guard names something unique the service
put into the create (usually the name, made unique with `idempotent_name`), and lists the edge
filtered on it; the client returns what it finds instead of posting again.

A guard only protects one call of one client. If its lookup fails too, the client raises
`GraphOutcomeUnknownError` and the knowledge that a POST went out would die with the process.
Services therefore call `agency.writes.graph_create_once`, which records the write (key,
payload, state) before the POST and reconciles with the same kind of lookup on any later
attempt, in any process:

    graph_create_once(client=client, key=draft.graph_key, edge=f"act_{account}/campaigns",
                      data={"name": draft.name, ...}, kind="campaign")
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agency.graph.client import GraphClient


def idempotent_name(name: str, key: str) -> str:
    """`name` with a short idempotency key, so the object can be found again by name."""
    marker = f"[{key}]"
    return name if name.endswith(marker) else f"{name} {marker}"


@dataclass(frozen=True)
class DuplicateGuard:
    """Find an object on the create's edge whose `field` equals `value`."""

    field: str
    value: str
    max_pages: int = 20

    @classmethod
    def by_name(cls, name: str) -> DuplicateGuard:
        return cls("name", name)

    def find(
        self, client: GraphClient, edge: str, *, account_id: str | None = None
    ) -> dict[str, Any] | None:
        """The earlier result as the create would have returned it (`{"id": ...}`), or None.
        The lookup is a read: it gets the normal read retries."""
        params = {
            "filtering": json.dumps(
                [{"field": self.field, "operator": "EQUAL", "value": self.value}]
            ),
        }
        for item in client.iterate(
            edge,
            params=params,
            fields=f"id,{self.field}",
            account_id=account_id,
            max_pages=self.max_pages,
        ):
            # Compare here too: an edge that ignores `filtering` must not fool the guard.
            if isinstance(item, dict) and str(item.get(self.field)) == self.value:
                return {"id": str(item["id"])}
        return None


@dataclass(frozen=True)
class MarkerGuard:
    """Find an object on the create's edge whose name ends with `[<marker>]` (what
    `idempotent_name` appends), wherever the rest of the name came out: Graph trimming
    whitespace, or someone renaming it in Ads Manager while keeping the marker, does not hide
    it. Edges that ignore `filtering` are compared here too (newest first, so a create that
    just happened is on the first page)."""

    marker: str
    max_pages: int = 20

    def find(
        self, client: GraphClient, edge: str, *, account_id: str | None = None
    ) -> dict[str, Any] | None:
        for found in self.find_all(client, edge, account_id=account_id):
            return {"id": found}
        return None

    def find_all(
        self, client: GraphClient, edge: str, *, account_id: str | None = None
    ) -> Iterator[str]:
        """The id of every object carrying the marker, newest first."""
        tag = f"[{self.marker}]"
        params = {
            "filtering": json.dumps([{"field": "name", "operator": "CONTAIN", "value": tag}]),
        }
        for item in client.iterate(
            edge, params=params, fields="id,name", account_id=account_id,
            max_pages=self.max_pages,
        ):
            if isinstance(item, dict) and str(item.get("name") or "").rstrip().endswith(tag):
                yield str(item["id"])
