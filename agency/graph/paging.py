"""Cursor paging (core-flows.md §5.1): follow `paging.cursors.after` while `paging.next` exists.

A page may be empty and still have `next`; only a missing `next` ends the list. The `next` URL
itself is not followed: it can carry the access token and another host, so we re-send our own
request with the `after` cursor instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from agency.graph.client import GraphClient


def next_cursor(page: Mapping[str, Any]) -> str | None:
    """The cursor of the next page, or None on the last page."""
    paging = page.get("paging") if isinstance(page, Mapping) else None
    if not isinstance(paging, Mapping) or not paging.get("next"):
        return None
    cursors = paging.get("cursors")
    if isinstance(cursors, Mapping) and cursors.get("after"):
        return str(cursors["after"])
    found = parse_qs(urlsplit(str(paging["next"])).query).get("after")
    return found[0] if found else None


def iter_pages(
    client: GraphClient,
    path: str,
    *,
    params: Mapping[str, Any] | None = None,
    fields: str | None = None,
    limit: int | None = None,
    account_id: str | None = None,
    max_pages: int | None = None,
) -> Iterator[dict[str, Any]]:
    query = dict(params or {})
    if fields is not None:
        query["fields"] = fields
    if limit is not None:
        query["limit"] = limit
    seen: set[str] = set()
    count = 0
    while True:
        page = client.get(path, params=query, account_id=account_id)
        count += 1
        yield page
        after = next_cursor(page)
        if after is None or after in seen or (max_pages is not None and count >= max_pages):
            return
        seen.add(after)
        query["after"] = after
