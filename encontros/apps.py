from django.apps import AppConfig


class EncontrosConfig(AppConfig):
    """The project itself, for what every process does once at start-up."""

    name = "encontros"

    def ready(self):
        from axes.signals import user_locked_out
        from django.db.backends.signals import connection_created

        from encontros.metrics import count_admin_login_lockout, publish_app_info
        from encontros.postgresql import use_compiled_timestamp_loader
        from encontros.public_cache import content_changed
        from events.signals import public_content_changed

        publish_app_info()
        public_content_changed.connect(content_changed, dispatch_uid="public-cache")
        user_locked_out.connect(count_admin_login_lockout, dispatch_uid="admin-login-lockouts")
        connection_created.connect(use_compiled_timestamp_loader, dispatch_uid="timestamp-loader")
