from django.apps import AppConfig


class EncontrosConfig(AppConfig):
    """The project itself, for what every process does once at start-up."""

    name = "encontros"

    def ready(self):
        from encontros.metrics import publish_app_info
        from encontros.public_cache import content_changed
        from events.signals import public_content_changed

        publish_app_info()
        public_content_changed.connect(content_changed, dispatch_uid="public-cache")
