"""Multi-ID reads: `GET /?ids=a,b&fields=...` answers `{"a": {...}, "b": {...}}`."""

from __future__ import annotations

from typing import Any

from graph_sim.core.registry import route
from graph_sim.core.request import SimRequest
from graph_sim.errors import GraphError, missing_parameter


@route("GET", "/", kind="multi_id")
def read_many(req: SimRequest) -> dict[str, Any]:
    """core-flows.md §5.2: `ids=id1,id2` (or `ids=[id1,id2]`); each id counts as one call
    (the core counts them). Any id that fails fails the whole request, as in Graph."""
    ids = req.list_param("ids")
    if not ids:
        raise missing_parameter("ids")
    if len(ids) > 50:
        raise GraphError("Too many IDs. Maximum: 50.", code=100)
    out: dict[str, Any] = {}
    for raw_id in ids:
        obj_id = str(raw_id)
        sub = SimRequest(
            sim=req.sim,
            http=req.http,
            method="GET",
            version=req.version,
            path=f"/{obj_id}",
            params={k: v for k, v in req.params.items() if k != "ids"},
            headers=req.headers,
        )
        sub.token, sub.base_url, sub.version_prefix = req.token, req.base_url, req.version_prefix
        handler, obj, _node_type, _edge = req.sim._resolve_node(sub)
        out[obj_id] = handler(sub, obj)
    return out
