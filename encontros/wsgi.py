from django.core.wsgi import get_wsgi_application

from encontros.startup import load_settings_or_exit

load_settings_or_exit()
django_application = get_wsgi_application()

# Imported once the apps are loaded, which the middleware's imports need.
from encontros.middleware import PublicCacheHits  # noqa: E402

application = PublicCacheHits(django_application)
