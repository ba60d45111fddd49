"""`python -m graph_sim` starts a server on the given port and answers Graph calls."""

import hashlib
import hmac
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


def test_cli_serves_the_seeded_world_with_the_given_app_and_proof_setting():
    # reference.md §5.1 "Require App Secret"; README.md "Run it".
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "graph_sim",
            "--port",
            str(port),
            "--seed",
            "0",
            "--quiet",
            "--app-id",
            "1234",
            "--app-secret",
            "s3cret",
            "--require-appsecret-proof",
        ],
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
        # --require-appsecret-proof: the bare call fails with 100 (DECISIONS.md).
        assert r.status_code == 400 and r.json()["error"]["code"] == 100
        assert summary["app_id"] == "1234" and summary["app_secret"] == "s3cret"
        proof = hmac.new(b"s3cret", summary["demo_token"].encode(), hashlib.sha256).hexdigest()
        r = httpx.get(
            f"http://127.0.0.1:{port}/v25.0/me",
            params={"access_token": summary["demo_token"], "appsecret_proof": proof},
        )
        assert r.status_code == 200 and r.json()["name"] == "Dana Demo"
    finally:
        proc.terminate()
        proc.wait(timeout=10)
