"""Field expansion of edges: `GET /<id>?fields=name,adsets.limit(5){name}` embeds the edge page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graph_sim.core.fields import FieldSpec, format_fields
from graph_sim.core.registry import REGISTRY
from graph_sim.core.request import SimRequest


def edge_fields(req: SimRequest, node_type: str, obj: Any) -> dict[str, Callable[[FieldSpec], Any]]:
    """A computed field for every GET edge registered on `node_type`, ready to merge into the
    dict given to `render_fields`: asking for `adsets{name}.limit(2)` runs the `adsets` edge
    handler with `fields=name&limit=2` and embeds its `{"data": [...], "paging": ...}`.
    Modifiers become parameters (`insights.date_preset(last_7d){spend}`)."""
    handlers = REGISTRY.nodes.get(node_type)
    if handlers is None:
        return {}
    out: dict[str, Callable[[FieldSpec], Any]] = {}
    for (method, edge), handler in handlers.edges.items():
        if method == "GET":
            out[edge] = _embed(req, obj, edge, handler)
    return out


def edge_names(node_type: str) -> set[str]:
    handlers = REGISTRY.nodes.get(node_type)
    return {edge for method, edge in handlers.edges if method == "GET"} if handlers else set()


def _embed(req: SimRequest, obj: Any, edge: str, handler: Callable[..., Any]):
    def compute(spec: FieldSpec) -> Any:
        params = {k: v for k, v in req.params.items() if k in ("access_token", "appsecret_proof")}
        params.update(spec.modifiers)
        if spec.children:
            params["fields"] = format_fields(spec.children)
        obj_id = obj["id"] if isinstance(obj, dict) else obj.id
        sub = SimRequest(
            sim=req.sim,
            http=req.http,
            method="GET",
            version=req.version,
            path=f"/{obj_id}/{edge}",
            params=params,
            headers=req.headers,
        )
        sub.token, sub.base_url, sub.version_prefix = req.token, req.base_url, req.version_prefix
        sub.account_id, sub.buc = req.account_id, req.buc
        return handler(sub, obj)

    return compute
