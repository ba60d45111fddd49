"""Endpoint modules: every module in this package, and the endpoint modules of the feature packages
(`graph_sim.insights`, `graph_sim.media`), are imported when a Simulator is built."""

from __future__ import annotations

import importlib
import logging
import pkgutil

log = logging.getLogger("graph_sim")

# Module name → the import error, for modules that failed to load (a teammate's work in
# progress must not take the whole simulator down; tests can assert this stays empty).
LOAD_ERRORS: dict[str, str] = {}
_loaded = False


# Endpoint modules of the feature packages (grouped by the thing they simulate), each with the
# name it sorts under among this package's modules, so registration order stays the same.
FEATURE_ENDPOINTS = {
    "graph_sim.insights.endpoint": "insights",
    "graph_sim.media.images": "media",
    "graph_sim.media.video_ads": "media_video_ads",
    "graph_sim.media.videos": "media_videos",
}


def load_endpoints() -> None:
    """Import every endpoint module once, in name order, so their decorators run."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    order = {f"{__name__}.{info.name}": info.name for info in pkgutil.iter_modules(__path__)}
    order.update(FEATURE_ENDPOINTS)
    for name in sorted(order, key=order.__getitem__):
        try:
            importlib.import_module(name)
        except Exception as exc:
            LOAD_ERRORS[name] = f"{type(exc).__name__}: {exc}"
            log.exception("graph_sim: endpoint module %s failed to import", name)
