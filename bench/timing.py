"""Where the time goes: the Graph client's own per-call log records (`agency.graph`, which carry
each call's HTTP duration) appended to a file, and the simulator's handling time per request."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

ENV = "BENCH_GRAPH_TIMINGS"


class GraphTimingHandler(logging.Handler):
    """Appends `<duration_ms>` per Graph call to the file named by $BENCH_GRAPH_TIMINGS (one
    short O_APPEND write per call, so the worker's pool processes can share the file)."""

    def emit(self, record: logging.LogRecord) -> None:
        path = os.environ.get(ENV)
        info = getattr(record, "graph_call", None)
        wait = getattr(record, "graph_async_wait", None)
        if not path or not (info or wait):
            return
        with open(path, "a") as out:
            if info:
                out.write(f"{info.get('duration_ms') or 0}\n")
            else:  # the engine waiting for Graph to work through an async set
                out.write(f"w{round(wait['seconds'] * 1000, 1)}\n")


def logging_with_timings(base: dict[str, Any]) -> dict[str, Any]:
    """`LOGGING` plus the handler on `agency.graph` (call lines kept out of the worker log)."""
    config = {**base, "handlers": dict(base.get("handlers", {})),
              "loggers": dict(base.get("loggers", {}))}
    config["handlers"]["bench_graph_timing"] = {"class": "bench.timing.GraphTimingHandler"}
    config["loggers"]["agency.graph"] = {"handlers": ["bench_graph_timing"], "level": "INFO",
                                         "propagate": False}
    config["loggers"]["agency.graph.async_wait"] = {
        "handlers": ["bench_graph_timing"], "level": "DEBUG", "propagate": False}
    return config


def graph_wait_seconds(path: Path) -> tuple[int, float]:
    """(calls, seconds the client spent waiting on HTTP) from a timings file."""
    if not path.exists():
        return 0, 0.0
    values = [float(v) for v in path.read_text().split() if v and not v.startswith("w")]
    return len(values), sum(values) / 1000


def async_wait_seconds(path: Path) -> float:
    """Seconds the engine slept while Graph worked through async sets, from a timings file."""
    if not path.exists():
        return 0.0
    return sum(float(v[1:]) for v in path.read_text().split() if v.startswith("w")) / 1000


class SimulatorTimer:
    """Wraps a simulator's WSGI app to add up the time spent answering requests."""

    def __init__(self, sim) -> None:
        self.sim = sim
        self.seconds = 0.0
        self.requests = 0
        self._lock = threading.Lock()
        self._app = sim.wsgi_app
        sim.wsgi_app = self

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        try:
            return list(self._app(environ, start_response))
        finally:
            with self._lock:
                self.seconds += time.perf_counter() - started
                self.requests += 1
