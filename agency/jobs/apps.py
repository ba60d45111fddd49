"""The jobs app; job kinds are registered by importing each app's `jobs` and `tasks` modules."""

from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.module_loading import autodiscover_modules


class JobsConfig(AppConfig):
    name = "agency.jobs"
    label = "jobs"
    verbose_name = "Jobs"

    def ready(self) -> None:
        # Web processes must know every kind (its queue, its label) as well as workers do.
        autodiscover_modules("jobs", "tasks")
        post_delete.connect(_ad_account_deleted, sender="campaigns.AdAccount",
                            dispatch_uid="jobs.ad_account_schedules")


def _ad_account_deleted(sender, instance, **kwargs) -> None:
    """An ad account leaving the agency takes its schedules with it."""
    from agency.jobs.scheduling import ad_account_schedules_remove

    ad_account_schedules_remove(ad_account_id=instance.pk)
