"""`python -m graph_sim` starts a server on the given port and answers Graph calls."""

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cli_serves_the_seeded_world_on_the_given_port():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph_sim", "--port", str(port), "--seed", "0", "--quiet"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The CLI prints a JSON summary (base URL, app id, a demo token) before serving.
        lines = []
        while True:
            line = proc.stdout.readline()
            assert line, proc.stderr.read()
            lines.append(line)
            if line.startswith("}"):
                break
        summary = json.loads("".join(lines))
        deadline = time.monotonic() + 10
        while True:
            try:
                r = httpx.get(
                    f"http://127.0.0.1:{port}/v25.0/me",
                    params={"access_token": summary["demo_token"]},
                )
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.05)  # waiting for a subprocess to bind, not simulated time
        assert r.status_code == 200 and r.json()["name"] == "Dana Demo"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
