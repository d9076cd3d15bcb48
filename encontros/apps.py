from django.apps import AppConfig


class EncontrosConfig(AppConfig):
    """The project itself, for what every process does once at start-up."""

    name = "encontros"

    def ready(self):
        from axes.signals import user_locked_out

        from encontros.metrics import count_admin_login_lockout, publish_app_info

        publish_app_info()
        user_locked_out.connect(count_admin_login_lockout, dispatch_uid="admin-login-lockouts")
