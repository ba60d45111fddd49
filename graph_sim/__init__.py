"""A local stand-in for the Meta Marketing (Graph) API, built from ../shared/seeds/. No Django."""

from __future__ import annotations

from typing import Any

__all__ = ["SimConfig", "Simulator", "Timings"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `graph_sim.core` / `graph_sim.errors` import without building the app.
    if name in __all__:
        from graph_sim import app

        return getattr(app, name)
    raise AttributeError(name)
