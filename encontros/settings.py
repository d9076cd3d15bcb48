"""Settings for Encontros Tech.

Every environment runs this one module; environments differ only by
environment variables (a `.env` file beside manage.py is read when present).
See `.env.example` for the full list.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)


def _required_in_production(name, value):
    if not value and not DEBUG:
        raise ImproperlyConfigured(f"{name} must be set when DEBUG is false.")
    return value


# A development key is only acceptable while DEBUG is on; production must set one.
SECRET_KEY = _required_in_production("SECRET_KEY", env.str("SECRET_KEY", default="")) or (
    "django-insecure-development-only-key"
)
ALLOWED_HOSTS = _required_in_production("ALLOWED_HOSTS", env.list("ALLOWED_HOSTS", default=[])) or [
    "localhost",
    "127.0.0.1",
    "[::1]",
]
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

APP_TITLE = env.str("APP_TITLE", default="Encontros Tech")
EVENTS_REQUIRE_APPROVAL = env.bool("EVENTS_REQUIRE_APPROVAL", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.sitemaps",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "django_filters",
    "django_prometheus",
    "rest_framework",
    "rest_framework.authtoken",
    "corsheaders",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "events",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "encontros.middleware.PublicReadCorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "encontros.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "encontros.urls"
WSGI_APPLICATION = "encontros.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "encontros.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Encontros Tech <noreply@encontros.tech>"
)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", _("Portuguese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="America/Sao_Paulo")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Abuse limits for anonymous visitors, counted per client in the default cache
# (shared by every process once CACHE_URL points at Redis).
EVENTS_SUBMISSION_RATE = env.str("EVENTS_SUBMISSION_RATE", default="10/h")
EVENTS_EDIT_TOKEN_RATE = env.str("EVENTS_EDIT_TOKEN_RATE", default="30/m")
EVENTS_FORM_MIN_SECONDS = 3
RATELIMIT_VIEW = "events.views.rate_limited"
# True behind a load balancer that appends the client address to X-Forwarded-For.
TRUST_X_FORWARDED_FOR = env.bool("TRUST_X_FORWARDED_FOR", default=False)
RATELIMIT_IP_META_KEY = "encontros.client_ip.client_ip"

# REST API (events/api/, routed in encontros/api_router.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Staff use a token issued in the admin, or their admin session (with CSRF).
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # OPTIONS answers 405 like any undocumented method (CORS preflights excepted).
    "DEFAULT_METADATA_CLASS": None,
    "EXCEPTION_HANDLER": "events.api.exceptions.exception_handler",
    # Throttles identify clients like the site's rate limits (encontros/client_ip.py):
    # the balancer's X-Forwarded-For hop when trusted, else REMOTE_ADDR. By default
    # DRF would trust the whole header, which a client can forge.
    "NUM_PROXIES": 1 if TRUST_X_FORWARDED_FOR else 0,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Anonymous event creation through the API, per client (count/period with s, m, h or d).
API_CREATE_THROTTLE_RATE = env.str("API_CREATE_THROTTLE_RATE", default="20/h")

SPECTACULAR_SETTINGS = {
    "TITLE": f"{APP_TITLE} API",
    "DESCRIPTION": (
        "Read and publish tech events. Every error answers with the `Error` body: a "
        "`message` and, for invalid input, `errors` per field or query parameter."
    ),
    "VERSION": "1.0.0",
    "SCHEMA_PATH_PREFIX": "/api/",
    "SERVE_INCLUDE_SCHEMA": False,
    # Separate request and response components: technologies are names on input and
    # objects on output, and read-only fields are not part of what clients send.
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "EventMode": "events.models.Event.Mode",
        "EventStatus": "events.models.Event.Status",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "events.api.schema.allow_empty_query_values",
        "events.api.schema.require_answer_fields",
        "events.api.schema.add_examples",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Other sites may read the public API from the browser (GET only, see encontros/middleware.py).
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_ALL_ORIGINS = not CORS_ALLOWED_ORIGINS
CORS_URLS_REGEX = r"^/api/(events/(?!by-token/)|technologies/|cities/|schema/)"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
