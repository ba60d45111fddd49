"""Endpoint modules: every module in this package is imported when a Simulator is built."""

from __future__ import annotations

import importlib
import logging
import pkgutil

log = logging.getLogger("graph_sim")

# Module name → the import error, for modules that failed to load (a teammate's work in
# progress must not take the whole simulator down; tests can assert this stays empty).
LOAD_ERRORS: dict[str, str] = {}
_loaded = False


def load_endpoints() -> None:
    """Import every `graph_sim.endpoints.*` module once, in name order, so their decorators run."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        name = f"{__name__}.{info.name}"
        try:
            importlib.import_module(name)
        except Exception as exc:
            LOAD_ERRORS[name] = f"{type(exc).__name__}: {exc}"
            log.exception("graph_sim: endpoint module %s failed to import", name)
