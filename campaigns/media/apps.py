from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "campaigns.media"
    label = "media"
    verbose_name = "Media library"

    def ready(self) -> None:
        from campaigns.media import jobs  # noqa: F401  (registers the media.push job kind)
