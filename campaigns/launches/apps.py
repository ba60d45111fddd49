from django.apps import AppConfig


class LaunchesConfig(AppConfig):
    name = "campaigns.launches"
    label = "launches"
    verbose_name = "Templates and variants"
