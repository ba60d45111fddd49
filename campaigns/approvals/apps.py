from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "campaigns.approvals"
    label = "approvals"
    verbose_name = "Client approval"

    def ready(self) -> None:
        # The publish gate (every publish path asks it) and the edit watcher.
        from campaigns.approvals import gates, signals  # noqa: F401
