#!/usr/bin/env python3
"""Adwright's two commands for a newcomer: `python3 dev.py run` and `python3 dev.py test`.
(And `python3 dev.py bench <name> [--size N]`: the benchmarks, see the README.)

`run` sets everything up on the embedded default (a virtualenv, SQLite, kombu's filesystem broker,
the Graph simulator, a seeded demo agency) and starts the web server, a Celery worker with beat and
the simulator; Ctrl-C stops them all. `test` sets up the same virtualenv and runs the test suite
(extra arguments go to pytest). Only Python 3.11+ is needed.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".adwright-installed"
WEB_PORT = int(os.environ.get("ADWRIGHT_PORT", "8000"))
SIM_PORT = int(os.environ.get("ADWRIGHT_SIM_PORT", "8765"))


def say(msg: str) -> None:
    print(f"[adwright] {msg}", flush=True)


def ensure_env() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("Adwright needs Python 3.11 or newer.")
    if not PY.exists():
        say(f"creating the virtualenv in {VENV}")
        venv.EnvBuilder(with_pip=True).create(VENV)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text() != wanted:
        say("installing dependencies (first run, or pyproject.toml changed)")
        subprocess.run([PY, "-m", "pip", "install", "-q", "--upgrade", "pip"], check=True)
        subprocess.run([PY, "-m", "pip", "install", "-q", "-e", ".[dev]"], check=True, cwd=ROOT)
        STAMP.write_text(wanted)


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([PY, "manage.py", *args], check=True, cwd=ROOT, env=env)


def run() -> int:
    ensure_env()
    (ROOT / "var").mkdir(exist_ok=True)
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "agency.settings.local")
    env.setdefault("GRAPH_API_BASE_URL", f"http://127.0.0.1:{SIM_PORT}")
    env.setdefault("PYTHONUNBUFFERED", "1")
    say("migrating the database")
    manage("migrate", "--noinput", "-v", "0", env=env)
    say("seeding the demo agency")
    # The seeding writes the simulator world the live simulator then serves (same file as
    # --state below), so the demo connection works against it.
    manage("seed_demo", "--sim-state", str(ROOT / "var" / "graph-sim-state.pickle"), env=env)

    procs: list[subprocess.Popen] = []
    if (ROOT / "graph_sim" / "__main__.py").exists():
        procs.append(subprocess.Popen(
            # --state: the simulator's world survives restarts, so stored connections keep working.
            [PY, "-m", "graph_sim", "--port", str(SIM_PORT), "--quiet",
             "--state", str(ROOT / "var" / "graph-sim-state.pickle"),
             "--app-id", env.get("META_APP_ID", "100000000000001"),
             "--app-secret", env.get("META_APP_SECRET", "adwright-local-simulator-secret")],
            cwd=ROOT, env=env))
    procs.append(subprocess.Popen(
        # One local worker consumes every queue and runs beat with the database scheduler.
        [BIN / "celery", "-A", "agency", "worker", "--beat", "--loglevel", "INFO",
         "-Q", "default,publish,uploads,insights,maintenance", "--concurrency", "2",
         "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"],
        cwd=ROOT, env=env))
    procs.append(subprocess.Popen(
        [PY, "manage.py", "runserver", f"127.0.0.1:{WEB_PORT}", "--noreload"], cwd=ROOT, env=env))

    # SIGTERM (a supervisor, `timeout`) stops everything like Ctrl-C: the children are stopped
    # and the simulator saves its world.
    signal.signal(signal.SIGTERM, _interrupt)
    time.sleep(2)
    say(f"Adwright is running at http://127.0.0.1:{WEB_PORT}/")
    say("sign in as demo@adwright.local / adwright-demo (owner of Demo Agency)")
    say("the admin: admin@adwright.local / adwright-demo (platform superuser)")
    if (ROOT / "graph_sim" / "__main__.py").exists():
        say(f"Graph simulator at http://127.0.0.1:{SIM_PORT}/")
    say("Ctrl-C stops everything")
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(0.5)
        say("a process stopped; shutting down the others")
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.send_signal(signal.SIGINT)
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def test(args: list[str]) -> int:
    """Lint, then the whole suite in parallel (extra arguments replace the parallel default)."""
    ensure_env()
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # pytest.ini_options names the test settings
    say("ruff check")
    if subprocess.run([BIN / "ruff", "check", "."], cwd=ROOT, env=env).returncode:
        return 1
    cmd = [PY, "-m", "pytest", *(args or ["-n", "auto", "--dist", "loadfile"])]
    return subprocess.run(cmd, cwd=ROOT, env=env).returncode


def bench(args: list[str]) -> int:
    """One benchmark (or `all`): `python3 dev.py bench reports_load --size 100`."""
    ensure_env()
    env = dict(os.environ)
    env.pop("DJANGO_SETTINGS_MODULE", None)  # each benchmark picks its own settings
    return subprocess.run([PY, "-m", "bench", *args], cwd=ROOT, env=env).returncode


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"run", "test", "bench"}:
        print(__doc__)
        return 2
    if argv[0] == "run":
        return run()
    if argv[0] == "bench":
        return bench(argv[1:])
    return test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
