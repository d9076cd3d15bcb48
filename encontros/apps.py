from django.apps import AppConfig


class EncontrosConfig(AppConfig):
    """The project itself, for what every process does once at start-up."""

    name = "encontros"

    def ready(self):
        from axes.signals import user_locked_out

        from encontros.metrics import count_admin_login_lockout, publish_app_info
        from encontros.public_cache import content_changed
        from events.signals import public_content_changed

        publish_app_info()
        public_content_changed.connect(content_changed, dispatch_uid="public-cache")
        user_locked_out.connect(count_admin_login_lockout, dispatch_uid="admin-login-lockouts")
