"""What endpoint modules import: registration decorators, the request type and response helpers."""

from graph_sim.core.expand import edge_fields, edge_names
from graph_sim.core.fields import (
    FieldSpec,
    format_fields,
    modifier_json,
    parse_fields,
    render_fields,
)
from graph_sim.core.paging import decode_cursor, encode_cursor, paginate
from graph_sim.core.registry import (
    REGISTRY,
    before_call,
    control_route,
    node_deleter,
    node_edge,
    node_reader,
    node_updater,
    route,
    seeder,
)
from graph_sim.core.request import SimRequest, SimResponse
from graph_sim.errors import GraphError

__all__ = [
    "REGISTRY",
    "FieldSpec",
    "GraphError",
    "SimRequest",
    "SimResponse",
    "before_call",
    "control_route",
    "decode_cursor",
    "edge_fields",
    "edge_names",
    "encode_cursor",
    "format_fields",
    "modifier_json",
    "node_deleter",
    "node_edge",
    "node_reader",
    "node_updater",
    "paginate",
    "parse_fields",
    "render_fields",
    "route",
    "seeder",
]
