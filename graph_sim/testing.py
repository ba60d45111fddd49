"""Serve a Simulator on 127.0.0.1 in a background thread, for tests and scripts."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server

from graph_sim.app import Simulator


class QuietHandler(WSGIRequestHandler):
    """No per-request access log lines on stderr (the simulator keeps its own call log)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class ServedSimulator:
    """A running server. Assign `.sim` to swap in a fresh Simulator without restarting."""

    def __init__(self, sim: Simulator, base_url: str) -> None:
        self.sim = sim
        self.base_url = base_url

    def wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        return self.sim.wsgi_app(environ, start_response)


@contextmanager
def run_simulator(
    sim: Simulator | None = None, host: str = "127.0.0.1", port: int = 0
) -> Iterator[ServedSimulator]:
    """`with run_simulator() as served: httpx.get(served.base_url + "/me", ...)`."""
    sim = sim or Simulator()
    served = ServedSimulator(sim, "")
    server = make_server(host, port, served.wsgi, threaded=True, request_handler=QuietHandler)
    served.base_url = f"http://{host}:{server.server_port}"
    # A short poll interval so shutdown (end of a test session) is quick.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="graph-sim", daemon=True
    )
    thread.start()
    try:
        yield served
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
