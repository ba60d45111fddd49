"""Graph's cursor paging for edges: `{"data": [...], "paging": {"cursors", "next"?, ...}}`."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from graph_sim.errors import GraphError

if TYPE_CHECKING:
    from graph_sim.core.request import SimRequest

DEFAULT_LIMIT = 25  # core-flows.md §5.1: the seeds give no default; examples use limit=25.


def encode_cursor(position: int) -> str:
    return base64.b64encode(f"sim-cursor:{position}".encode()).decode()


def decode_cursor(cursor: str, *, code: int = 100) -> int:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        prefix, _, number = text.partition(":")
        if prefix != "sim-cursor":
            raise ValueError(cursor)
        return int(number)
    except (ValueError, UnicodeDecodeError):
        # core-flows.md §8 item 48: an invalid cursor → 100 (insights use 2642).
        raise GraphError("Invalid cursor value", code=code) from None


def paginate(
    req: SimRequest,
    items: Sequence[Any],
    *,
    render: Callable[[Any], Any] | None = None,
    default_limit: int = DEFAULT_LIMIT,
    max_limit: int | None = None,
    summary: dict[str, Any] | None = None,
    invalid_cursor_code: int = 100,
) -> dict[str, Any]:
    """One page of `items` as Graph lists it (core-flows.md §5.1).

    Reads `limit`, `after`, `before` and `summary` from the request. `render` turns each item
    into its JSON (e.g. `lambda o: render_fields(o.to_graph(), req.fields, DEFAULTS)`).
    `summary=total_count` adds `{"total_count": len(items)}`; pass `summary` to add other keys.
    """
    limit = req.int_param("limit", default_limit)
    if limit is None:
        limit = default_limit
    if limit < 0:
        raise GraphError("Param limit must be a non-negative integer", code=100)
    if max_limit is not None:
        limit = min(limit, max_limit)
    total = len(items)
    after, before = req.param("after"), req.param("before")
    if after:
        start = decode_cursor(after, code=invalid_cursor_code) + 1
        if start > total:
            raise GraphError(
                "The After Cursor specified exceeds the max limit supported by this endpoint",
                code=100,
            )
        end = min(total, start + limit)
    elif before:
        end = min(decode_cursor(before, code=invalid_cursor_code), total)
        start = max(0, end - limit)
    else:
        start, end = 0, min(total, limit)
    quirk = req.sim.faults.pick(req.method, req.path, [], after_apply=False, paging=True)
    if quirk is not None and limit > 0:
        if quirk.effect == "empty_page":
            end = start
        elif end - start > 1:
            end = start + (end - start) // 2
    page = list(items[start:end])
    data = [render(item) for item in page] if render else page
    body: dict[str, Any] = {"data": data}
    if limit == 0:
        pass  # `limit=0&summary=total_count`: just the count, no paging
    elif not page and start < total:
        # An injected empty page: nothing here, but `next` goes on from the same position.
        body["paging"] = {"next": _page_url(req, after=encode_cursor(start - 1), limit=limit)}
    elif page:
        paging: dict[str, Any] = {
            "cursors": {"before": encode_cursor(start), "after": encode_cursor(end - 1)}
        }
        if start > 0:
            paging["previous"] = _page_url(req, before=encode_cursor(start), limit=limit)
        if end < total:
            paging["next"] = _page_url(req, after=encode_cursor(end - 1), limit=limit)
        body["paging"] = paging
    elif start > 0 and total:
        body["paging"] = {"previous": _page_url(req, before=encode_cursor(start), limit=limit)}
    summary_out: dict[str, Any] = {}
    wanted = req.list_param("summary") or []
    if "total_count" in wanted or "true" in [w.lower() for w in wanted]:
        summary_out["total_count"] = total
    if summary:
        summary_out.update(summary)
    if summary_out:
        body["summary"] = summary_out
    return body


def _page_url(req: SimRequest, *, limit: int, after: str | None = None, before: str | None = None):
    # Keep every parameter the caller sent (including access_token, as Graph does) so a client
    # can follow `next` verbatim.
    params = {k: v for k, v in req.params.items() if k not in ("after", "before", "limit")}
    params["limit"] = str(limit)
    if after:
        params["after"] = after
    if before:
        params["before"] = before
    return f"{req.base_url}{req.version_prefix}{req.path}?{urlencode(params)}"
