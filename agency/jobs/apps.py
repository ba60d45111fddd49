"""The jobs app; job kinds are registered by importing each app's `jobs` and `tasks` modules."""

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "agency.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        # Web processes must know every kind (its queue, its label) as well as workers do.
        autodiscover_modules("jobs", "tasks")
