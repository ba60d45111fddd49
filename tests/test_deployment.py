"""docker-compose.yml cannot run here (no Docker engine); these checks read it instead."""

from __future__ import annotations

import importlib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_the_whole_stack():
    services = _compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis", "migrate"} <= set(services)


def test_compose_commands_name_real_entry_points():
    services = _compose()["services"]
    module, _, attr = services["web"]["command"][1].partition(":")
    assert getattr(importlib.import_module(module), attr) is not None
    for name in ("worker", "beat"):
        command = services[name]["command"]
        assert command[:3] == ["celery", "-A", "agency"], name
        assert command[3] == name
    assert importlib.import_module("agency").celery_app.main == "adwright"


def test_every_queue_has_a_worker_and_beat_reads_the_database():
    from agency.jobs.registry import ALL_QUEUES

    services = _compose()["services"]
    consumed = set()
    for service in services.values():
        command = service.get("command") or []
        if command[:4] == ["celery", "-A", "agency", "worker"]:
            consumed |= set(command[command.index("-Q") + 1].split(","))
    assert consumed == set(ALL_QUEUES)
    beat = services["beat"]["command"]
    assert beat[beat.index("--scheduler") + 1] == (
        "django_celery_beat.schedulers:DatabaseScheduler")


def test_app_services_run_production_settings_against_postgres_and_redis():
    services = _compose()["services"]
    for name in ("web", "worker", "worker-publish", "worker-uploads", "worker-insights", "beat",
                 "migrate"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "agency.settings.production"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://redis:6379")
