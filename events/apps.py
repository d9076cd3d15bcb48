from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    # The admin's section title, in the visitor's language.
    verbose_name = _("Events")
