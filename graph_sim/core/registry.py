"""Where endpoint modules register their handlers: explicit routes, node-type handlers, seeders."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[..., Any]

# BUC types from core-flows.md §6.2 item 3.
BUC_TYPES = (
    "ads_management",
    "ads_insights",
    "custom_audience",
    "instagram",
    "leadgen",
    "messenger",
    "pages",
)


@dataclass
class Route:
    method: str
    pattern: str
    handler: Handler
    regex: re.Pattern[str]
    auth: str = "user"  # "user": any valid token (app tokens too; handlers check); "none"
    buc: str | None = None  # BUC type for rate limits; None → derived from the path
    kind: str | None = None  # endpoint kind, matched by fault plans; defaults to the pattern
    name: str = ""


@dataclass
class NodeHandlers:
    reader: Handler | None = None
    updater: Handler | None = None
    deleter: Handler | None = None
    edges: dict[tuple[str, str], Handler] = field(default_factory=dict)  # (METHOD, edge)
    edge_options: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    buc: str | None = None


@dataclass
class Registry:
    routes: list[Route] = field(default_factory=list)
    nodes: dict[str, NodeHandlers] = field(default_factory=dict)
    seeders: list[tuple[int, Handler]] = field(default_factory=list)
    # (METHOD, path under /__sim__/) → handler(sim, params) for plug-in control endpoints.
    controls: dict[tuple[str, str], Handler] = field(default_factory=dict)
    # (order, hook(sim)) run before every Graph call the simulator handles (see before_call).
    before_call_hooks: list[tuple[int, Handler]] = field(default_factory=list)

    def node(self, node_type: str) -> NodeHandlers:
        return self.nodes.setdefault(node_type, NodeHandlers())


REGISTRY = Registry()

_PARAM = re.compile(r"<([a-zA-Z_][a-zA-Z0-9_]*)(?::(path))?>")


def _compile(pattern: str) -> re.Pattern[str]:
    """`/act_<account_id>/campaigns` → regex with named groups; `<x:path>` may contain slashes."""
    out, pos = [], 0
    for m in _PARAM.finditer(pattern):
        out.append(re.escape(pattern[pos : m.start()]))
        out.append(f"(?P<{m.group(1)}>.+)" if m.group(2) else f"(?P<{m.group(1)}>[^/]+)")
        pos = m.end()
    out.append(re.escape(pattern[pos:]))
    return re.compile("^" + "".join(out) + "/?$" if pattern != "/" else "^/$")


def route(
    method: str | list[str],
    pattern: str,
    *,
    auth: str = "user",
    buc: str | None = None,
    kind: str | None = None,
) -> Callable[[Handler], Handler]:
    """Register `handler(req, **path_params)` for an unversioned path pattern.

    The core strips `/vNN.N` before matching, so register `/act_<account_id>/campaigns`, not a
    versioned path. Explicit routes win over the generic `/<id>` and `/<id>/<edge>` dispatch.
    """
    methods = [method] if isinstance(method, str) else list(method)

    def decorator(handler: Handler) -> Handler:
        for m in methods:
            REGISTRY.routes.append(
                Route(
                    method=m.upper(),
                    pattern=pattern,
                    handler=handler,
                    regex=_compile(pattern),
                    auth=auth,
                    buc=buc,
                    kind=kind,
                    name=f"{handler.__module__}.{handler.__name__}",
                )
            )
        return handler

    return decorator


def node_reader(node_type: str, *, buc: str | None = None) -> Callable[[Handler], Handler]:
    """`GET /<id>` for a node type: `handler(req, obj) -> dict`."""

    def decorator(handler: Handler) -> Handler:
        REGISTRY.node(node_type).reader = handler
        if buc:
            REGISTRY.node(node_type).buc = buc
        return handler

    return decorator


def node_updater(node_type: str) -> Callable[[Handler], Handler]:
    """`POST /<id>` for a node type: `handler(req, obj) -> dict` (usually `{"success": true}`)."""

    def decorator(handler: Handler) -> Handler:
        REGISTRY.node(node_type).updater = handler
        return handler

    return decorator


def node_deleter(node_type: str) -> Callable[[Handler], Handler]:
    """`DELETE /<id>` for a node type: `handler(req, obj) -> dict`."""

    def decorator(handler: Handler) -> Handler:
        REGISTRY.node(node_type).deleter = handler
        return handler

    return decorator


def node_edge(
    node_type: str,
    edge: str,
    *,
    methods: list[str] | tuple[str, ...] = ("GET",),
    buc: str | None = None,
) -> Callable[[Handler], Handler]:
    """`METHOD /<id>/<edge>` for a node type: `handler(req, obj) -> dict`."""

    def decorator(handler: Handler) -> Handler:
        node = REGISTRY.node(node_type)
        for m in methods:
            node.edges[(m.upper(), edge)] = handler
            node.edge_options[(m.upper(), edge)] = {"buc": buc}
        return handler

    return decorator


def seeder(order: int = 100) -> Callable[[Handler], Handler]:
    """Extend the seeded demo world: `handler(world, rng)` runs after the core seed, lowest
    `order` first. `world.demo` holds the seeded ids; `world.clock.now()` is the current time."""

    def decorator(handler: Handler) -> Handler:
        REGISTRY.seeders.append((order, handler))
        return handler

    return decorator


def before_call(order: int = 100) -> Callable[[Handler], Handler]:
    """Run `hook(sim)` before every Graph call the simulator handles (lowest `order` first), to
    bring lazily computed state up to the simulator clock, e.g. async work that creates objects
    other endpoints list. The hook runs under `sim.lock` before the call's own routing and token
    check, for top-level calls and batch operations alike but not for `/__sim__/` control calls;
    calls a hook makes through `sim.handle` do not run the hooks again. Keep it cheap when there
    is nothing to do (it runs on every call). An exception in a hook is logged and the call goes
    on."""

    def decorator(hook: Handler) -> Handler:
        REGISTRY.before_call_hooks.append((order, hook))
        return hook

    return decorator


def control_route(method: str, path: str) -> Callable[[Handler], Handler]:
    """A plug-in's own control endpoint under `/__sim__/` (tests and demos only: no token, not
    logged, not rate limited): `handler(sim, params) -> JSON-able` (HTTP 200), or raise
    ValueError for a 400. `path` is the full path, e.g. `/__sim__/objects/review_outcome`."""
    if not path.startswith("/__sim__/"):
        raise ValueError("control paths live under /__sim__/")

    def decorator(handler: Handler) -> Handler:
        REGISTRY.controls[(method.upper(), path.rstrip("/"))] = handler
        return handler

    return decorator
