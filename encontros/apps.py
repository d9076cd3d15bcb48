from django.apps import AppConfig


class EncontrosConfig(AppConfig):
    """The project itself, for what every process does once at start-up."""

    name = "encontros"

    def ready(self):
        from encontros.metrics import publish_app_info

        publish_app_info()
