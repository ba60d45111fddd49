"""`python -m bench <name> [--size N]`: run one benchmark (or `all`) and print its figures."""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from datetime import UTC, datetime

from bench.env import SERVER_URL, say
from bench.machine import machine_lines

# name -> (module, what --size means, full size, tiny size for the smoke test)
BENCHMARKS = {
    "bulk_launch": ("bench.bulk_launch", "N campaigns x N ad sets x N ads", 10, 2),
    "throttle": ("bench.throttle", "days of insights backfilled (and days/9 syncs)", 90, 1),
    "insights_ingest": ("bench.insights_ingest", "daily insight rows", 1_000_000, 2_000),
    "reports_load": ("bench.reports_load", "ads with a year of daily rows", 1000, 4),
    "page_weight": ("bench.page_weight", "ads in the dashboard's account", 100, 4),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 dev.py bench", description=__doc__)
    parser.add_argument("name", choices=[*BENCHMARKS, "all"])
    parser.add_argument("--size", default=None,
                        help="a number (see each benchmark), or 'tiny' (the smoke test's)")
    parser.add_argument("--no-machine", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.no_machine:
        print(f"Adwright benchmarks, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
        for line in machine_lines(database_url=SERVER_URL):
            print(line, flush=True)
    if args.name == "all":
        # One process per benchmark: each sets Django up on a database of its own.
        failed = 0
        for name in BENCHMARKS:
            extra = ["--size", args.size] if args.size else []
            failed |= subprocess.call([sys.executable, "-m", "bench", name, "--no-machine",
                                       *extra])
        return failed
    for name in [args.name]:
        module_name, meaning, full, tiny = BENCHMARKS[name]
        if args.size is None:
            size = full
        elif args.size == "tiny":
            size = tiny
        else:
            size = int(args.size)
        print(f"\n{name} (size {size}: {meaning}; full size {full})", flush=True)
        say(f"{name} at size {size}")
        importlib.import_module(module_name).run(size=size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
