"""Start-up of every entry point (manage.py, WSGI, gunicorn's configuration).

A production process missing a required variable must say which one in a
single line, not in a traceback that log collectors split into pieces.
"""

import os
import sys

from django.core.exceptions import ImproperlyConfigured


class ConfigurationError(ImproperlyConfigured):
    """An environment variable is missing or has a value the site cannot use."""


def load_settings_or_exit():
    """The loaded settings; on a configuration error, print one line to stderr and exit 1."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "encontros.settings")
    from django.conf import settings

    try:
        settings.INSTALLED_APPS  # noqa: B018 (reading one setting loads them all)
    except ConfigurationError as error:
        sys.exit(f"Configuration error: {error}")
    return settings


def configuration_warnings(settings):
    """What a production server should say once when it starts: settings that work,
    but not as people may expect."""
    warnings = []
    if not settings.EMAIL_ENABLED:
        warnings.append(
            "EMAIL_URL is not set: no e-mail is sent; organizers see their edit link "
            "only on the page after submitting."
        )
    return warnings
