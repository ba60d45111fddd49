"""The machine a benchmark ran on: CPU model, cores, RAM, Python, PostgreSQL, Redis."""

from __future__ import annotations

import os
import platform
import sys
from pathlib import Path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return None


def _postgres_version(database_url: str | None) -> str:
    if not database_url:
        return "not used"
    try:
        import psycopg

        with psycopg.connect(database_url, connect_timeout=2) as conn:
            return str(conn.execute("SHOW server_version").fetchone()[0])
    except Exception as exc:  # a figure of the report, never a reason to stop it
        return f"unavailable ({type(exc).__name__})"


def machine_lines(*, database_url: str | None = None) -> list[str]:
    ram = _ram_gib()
    return [
        f"machine: {_cpu_model()}, {os.cpu_count()} cores, "
        f"{f'{ram:.1f} GiB RAM' if ram else 'RAM unknown'}, {platform.system()} "
        f"{platform.release()}",
        f"software: Python {sys.version.split()[0]}, PostgreSQL "
        f"{_postgres_version(database_url)}",
    ]
