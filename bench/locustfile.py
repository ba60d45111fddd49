"""The load of bench.reports_load: signed-in staff opening the dashboards and reading the
insights API, with a think time of 0.5-1.5 s between requests (locust, headless)."""

import json
import os
import random

from locust import HttpUser, between, task

PAGES = json.loads(os.environ.get("BENCH_PAGES", "{}"))
COOKIE = os.environ.get("BENCH_COOKIE", "")


class Staff(HttpUser):
    wait_time = between(0.5, 1.5)

    @task
    def open_a_page(self):
        name, path = random.choice(list(PAGES.items()))  # noqa: S311 - not for security
        self.client.get(path, name=name, headers={"Cookie": COOKIE})
