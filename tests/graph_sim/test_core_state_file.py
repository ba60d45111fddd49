"""`python -m graph_sim --state FILE`: the world survives a restart (tokens, grants, objects)."""

import json
import signal
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


def _start(port: int, state: Path) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "graph_sim", "--port", str(port), "--quiet",
         "--state", str(state), "--state-interval", "0.2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
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
            httpx.get(f"{summary['base_url']}/__sim__/world", timeout=1)
            return proc, summary
        except httpx.TransportError:
            assert time.monotonic() < deadline
            time.sleep(0.05)


def _stop(proc: subprocess.Popen, how: int) -> None:
    proc.send_signal(how)
    proc.wait(timeout=10)
    proc.stdout.close()
    proc.stderr.close()


def test_world_kept_in_the_state_file_survives_a_restart(tmp_path):
    # graph_sim/README.md "Run it": --state keeps tokens, grants and objects across restarts.
    state = tmp_path / "world.pickle"
    port = _free_port()
    proc, summary = _start(port, state)
    base = f"{summary['base_url']}/v25.0"
    try:
        token = httpx.post(f"{summary['base_url']}/__sim__/tokens", json={}).json()[
            "access_token"]
        account = summary["ad_account_ids"][0]
        created = httpx.post(f"{base}/{account}/campaigns", data={
            "name": "Kept across restarts", "objective": "OUTCOME_TRAFFIC", "status": "PAUSED",
            "special_ad_categories": "[]", "access_token": token,
        })
        assert created.status_code == 200, created.text
        campaign_id = created.json()["id"]
    finally:
        _stop(proc, signal.SIGTERM)  # dev.py stops it with SIGINT; both save
    assert state.exists()

    proc, summary = _start(port, state)
    try:
        me = httpx.get(f"{base}/me", params={"access_token": token, "fields": "id,name"})
        assert me.status_code == 200, me.text  # the token minted before the restart still works
        campaign = httpx.get(f"{base}/{campaign_id}",
                             params={"access_token": token, "fields": "name"})
        assert campaign.json()["name"] == "Kept across restarts"
    finally:
        _stop(proc, signal.SIGINT)


def test_state_is_saved_periodically_after_calls_not_only_at_shutdown(tmp_path):
    state = tmp_path / "world.pickle"
    proc, summary = _start(_free_port(), state)
    try:
        token = summary["demo_token"]
        httpx.get(f"{summary['base_url']}/v25.0/me", params={"access_token": token})
        deadline = time.monotonic() + 5
        while not state.exists():
            assert time.monotonic() < deadline, "saved within the interval"
            time.sleep(0.05)
    finally:
        proc.kill()  # a crash: no shutdown save
        proc.wait(timeout=10)
        proc.stdout.close()
        proc.stderr.close()
    proc, summary = _start(_free_port(), state)
    try:
        me = httpx.get(f"{summary['base_url']}/v25.0/me", params={"access_token": token})
        assert me.status_code == 200
    finally:
        _stop(proc, signal.SIGINT)
