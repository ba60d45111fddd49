"""Reports under load: a year of daily rows for N ads (every level, breakdowns at account and
campaign level) in PostgreSQL; 50 concurrent signed-in users on the dashboard pages and the
insights API, served by gunicorn with production settings, driven by locust. Prints p50, p95,
p99 and requests per second per page, and the SQL queries per page (a separate pass through
Django's test client)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.env import ROOT, Stopwatch, bench_database, django_setup, figure, redis_check, say

USERS = 50
DAYS = 365


def run(*, size: int) -> None:
    from bench.server import SECRET_KEY

    redis_check()
    with bench_database() as url:
        django_setup(database_url=url, settings={"SECRET_KEY": SECRET_KEY})
        _run(ads=size, database_url=url)


def _run(*, ads: int, database_url: str) -> None:
    from bench.scenario import queries_per_page, reports_world
    from bench.server import gunicorn, session_cookie

    full = ads >= 100
    # The smoke test's tiny run: a month of rows, 5 users for 3 s, one gunicorn worker.
    days, seconds, users, workers = (DAYS, 60, USERS, 3) if full else (30, 3, 5, 1)
    say(f"storing {days} days of rows for {ads} ads")
    clock = Stopwatch()
    world = reports_world(ads=ads, days=days, database_url=database_url)
    figure("data", f"{world.rows:,} insight rows ({ads} ads, {days} days, breakdowns at "
                   f"account and campaign level), stored in {clock.seconds:.0f} s")
    paths = {**world.pages, **world.api}
    counted = queries_per_page(user=world.owner.user, paths=paths)
    with gunicorn(database_url=database_url, quick_static=not full, workers=workers) as base:
        cookie = session_cookie(world.owner.user)
        out = Path(tempfile.mkdtemp(prefix="adwright-bench-locust-")) / "run"
        env = {**os.environ, "BENCH_PAGES": json.dumps(paths), "BENCH_COOKIE": cookie}
        say(f"locust: {users} users for {seconds} s against {base}")
        ran = subprocess.run(
            [str(Path(sys.executable).with_name("locust")), "-f", str(ROOT / "bench" /
             "locustfile.py"), "--headless", "-u", str(users), "-r", str(users), "-t",
             f"{seconds}s", "--host", base, "--csv", str(out), "--only-summary",
             "--stop-timeout", "5", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, check=False, capture_output=True, text=True)
    if not Path(f"{out}_stats.csv").exists():
        raise RuntimeError(f"locust wrote no figures:\n{ran.stderr[-3000:]}")
    with open(f"{out}_stats.csv") as table:
        stats = {row["Name"]: row for row in csv.DictReader(table)}
    figure("load", f"{users} users, think time 0.5-1.5 s, {seconds} s, gunicorn {workers} "
                   "worker(s) (production settings) and PostgreSQL on this machine")
    for name in [*paths, "Aggregated"]:
        row = stats.get(name)
        if row is None:
            figure(name, "no requests")
            continue
        status, queries, alone = counted.get(name, (None, None, None))
        sql = (f"; {queries} SQL queries, {alone:.0f} ms alone (status {status})"
               if queries is not None else "")
        figure(name, f"p50 {row['50%']} ms, p95 {row['95%']} ms, p99 {row['99%']} ms, "
                     f"{float(row['Requests/s']):.1f} req/s, {row['Request Count']} requests, "
                     f"{row['Failure Count']} failed{sql}")
