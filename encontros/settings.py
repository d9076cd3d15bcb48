"""Settings for Encontros Tech.

Every environment runs this one module; environments differ only by
environment variables (a `.env` file beside manage.py is read when present).
See `.env.example` for the full list.
"""

from datetime import timedelta
from pathlib import Path

import botocore.config
import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from encontros.logging import FORMATTERS, logging_config
from encontros.startup import ConfigurationError

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DEBUG", default=False)


def _required_in_production(name, value):
    if not value and not DEBUG:
        raise ConfigurationError(f"{name} is not set; it is required when DEBUG is false.")
    return value


def _one_of(name, value, choices):
    if value not in choices:
        raise ConfigurationError(f"{name} must be one of {', '.join(choices)}, not {value!r}.")
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
# Where visitors reach the site's staff (footer, recovered edit link page); none shown when empty.
CONTACT_EMAIL = env.str("CONTACT_EMAIL", default="")
SERVICE_NAME = env.str("SERVICE_NAME", default="encontros-tech")
SERVICE_VERSION = env.str("SERVICE_VERSION", default="1.0.0")
# The `environment` label of the app_info metric (homologacao, production, ...).
ENVIRONMENT = env.str("ENVIRONMENT", default="development" if DEBUG else "production")
EVENTS_REQUIRE_APPROVAL = env.bool("EVENTS_REQUIRE_APPROVAL", default=False)
# Both set: every page and API answer asks for these credentials (HTTP basic auth),
# probes excepted. For a private environment such as homologation; production never
# sets them.
BASIC_AUTH_USERNAME = env.str("BASIC_AUTH_USERNAME", default="")
BASIC_AUTH_PASSWORD = env.str("BASIC_AUTH_PASSWORD", default="")
# The site's address in e-mails sent outside a request (the moderators' digest).
SITE_URL = env.str("SITE_URL", default="http://localhost:8000").rstrip("/")
# Pending events arriving within this many seconds share one e-mail to the moderators.
EVENTS_MODERATION_DIGEST_SECONDS = env.int("EVENTS_MODERATION_DIGEST_SECONDS", default=300)
EVENTS_REPORT_RATE = env.str("EVENTS_REPORT_RATE", default="5/h")

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
    "axes",
    "encontros",
    "events",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # Before SecurityMiddleware and CommonMiddleware: probes skip the host check and HTTPS redirect.
    "encontros.middleware.ProbeMiddleware",
    # Before anything that could fail: without credentials, nothing else runs.
    "encontros.middleware.BasicAuthMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "encontros.middleware.NulByteMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "encontros.middleware.DatabaseUnavailableMiddleware",
    # Hits skip everything below: the cache holds finished, compressed answers.
    "encontros.middleware.PublicCacheMiddleware",
    "encontros.middleware.PublicReadCorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "encontros.middleware.LanguageMiddleware",
    # Outside CommonMiddleware, so that the trailing-slash redirect of an edit link
    # gets its headers too, and outside RatelimitMiddleware, so that refused attempts do.
    "events.middleware.PrivateLinkMiddleware",
    "encontros.middleware.ApiRedirectMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Refuses logins from a locked-out username or client (see AXES_* below).
    "axes.middleware.AxesMiddleware",
    "encontros.middleware.BoundedLabelsPrometheusMiddleware",
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
# The same databases, with query and error counts exported on the metrics port
# (django-prometheus; on PostgreSQL, through encontros.postgresql).
_PROMETHEUS_DATABASE_ENGINES = {
    "django.db.backends.postgresql": "encontros.postgresql",
    "django.db.backends.sqlite3": "django_prometheus.db.backends.sqlite3",
}
DATABASES["default"]["ENGINE"] = _PROMETHEUS_DATABASE_ENGINES.get(
    DATABASES["default"]["ENGINE"], DATABASES["default"]["ENGINE"]
)
# Reuse connections across requests, but test a reused one first, so that
# after a database restart the next request reconnects instead of failing (on
# PostgreSQL from its socket, without a query: encontros.postgresql.base).
DATABASES["default"].setdefault("CONN_MAX_AGE", 60)
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    _database_options = DATABASES["default"].setdefault("OPTIONS", {})
    # An unreachable server fails a request (and the readiness probe) quickly.
    _database_options.setdefault("connect_timeout", 2)
    # Every statement, lock wait and forgotten transaction is bounded (seconds; 0
    # turns a bound off, e.g. for a long migration), so a slow or stuck database
    # fails one request instead of holding a worker until gunicorn kills it.
    _bounds = {
        "statement_timeout": env.float("DATABASE_STATEMENT_TIMEOUT", default=10),
        "lock_timeout": env.float("DATABASE_LOCK_TIMEOUT", default=5),
        "idle_in_transaction_session_timeout": env.float(
            "DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", default=60
        ),
    }
    _database_options["options"] = " ".join(
        [
            _database_options.get("options", ""),
            *(f"-c {name}={int(seconds * 1000)}" for name, seconds in _bounds.items()),
        ]
    ).strip()
    # A connection whose server or network went silent is noticed within about
    # keepalives_idle + keepalives_interval * keepalives_count seconds.
    _database_options.setdefault("keepalives", 1)
    _database_options.setdefault("keepalives_idle", env.int("DATABASE_KEEPALIVES_IDLE", default=30))
    _database_options.setdefault(
        "keepalives_interval", env.int("DATABASE_KEEPALIVES_INTERVAL", default=10)
    )
    _database_options.setdefault(
        "keepalives_count", env.int("DATABASE_KEEPALIVES_COUNT", default=3)
    )
    # Data sent but never acknowledged by the server's machine (milliseconds).
    _database_options.setdefault(
        "tcp_user_timeout", env.int("DATABASE_TCP_USER_TIMEOUT", default=30) * 1000
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# redis://host:6379/0 selects a Redis cache shared by every process. The site
# serves without it while Redis is down or slow (encontros/cache.py): each
# operation waits at most CACHE_SOCKET_TIMEOUT seconds, then Redis is left alone
# for CACHE_RETRY_AFTER seconds.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"].update(
        BACKEND="encontros.cache.FailSoftRedisCache",
        RETRY_AFTER=env.float("CACHE_RETRY_AFTER", default=2.0),
    )
    CACHES["default"].setdefault("OPTIONS", {}).update(
        socket_connect_timeout=env.float("CACHE_SOCKET_TIMEOUT", default=0.1),
        socket_timeout=env.float("CACHE_SOCKET_TIMEOUT", default=0.1),
    )
# The layout's header and footer, rendered once per language and process (the
# {% cache %} tags of templates/base.html): they change only with a deploy.
CACHES["template_fragments"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "template-fragments",
    "TIMEOUT": None,
}

# Anonymous reads served from the cache (encontros/public_cache.py). Writes show
# within PUBLIC_CACHE_VERSION_INTERVAL seconds on every process sharing the cache;
# answers also expire after PUBLIC_CACHE_SECONDS, since "upcoming" follows the clock
# (0 turns the cache off; answers are still compressed and carry validators).
PUBLIC_CACHE_SECONDS = env.int("PUBLIC_CACHE_SECONDS", default=60)
PUBLIC_CACHE_VERSION_INTERVAL = env.float("PUBLIC_CACHE_VERSION_INTERVAL", default=0.25)
# Memory each process may use for the answers it keeps itself.
PUBLIC_CACHE_LOCAL_BYTES = env.int("PUBLIC_CACHE_LOCAL_BYTES", default=16 * 1024 * 1024)
# Memory each process may use for the event cards and API representations that
# misses reuse (events/fragments.py).
PUBLIC_FRAGMENT_BYTES = env.int("PUBLIC_FRAGMENT_BYTES", default=4 * 1024 * 1024)
# s-maxage of public answers, for a CDN in front of the site (0: none may keep them).
HTTP_CACHE_SECONDS = env.int("HTTP_CACHE_SECONDS", default=0)


# Mail goes to the SMTP server that EMAIL_URL names (smtp+tls://user:password@host:587,
# any provider). Without one, a production process sends nothing (pages say so, and
# gunicorn warns at start); in development, messages are printed to the console.
# Production never prints them: they carry edit links and addresses.
EMAIL_URL = env.str("EMAIL_URL", default="")
EMAIL_ENABLED = bool(EMAIL_URL) or DEBUG
EMAIL_CONFIG = env.email_url_config(EMAIL_URL or ("consolemail://" if DEBUG else "dummymail://"))
if EMAIL_URL and not DEBUG and not EMAIL_CONFIG["EMAIL_BACKEND"].endswith("smtp.EmailBackend"):
    raise ConfigurationError(
        "EMAIL_URL must name an SMTP server (smtp://, smtp+tls://, smtp+ssl://) when DEBUG "
        "is false; leave it empty to send no e-mail."
    )
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Encontros Tech <noreply@encontros.tech>"
)

# Admin login brute-force protection (django-axes): failures are counted in the
# database, shared by every process and replica; after ADMIN_LOGIN_FAILURE_LIMIT
# failures, the username is locked (from any client) and so is the client (for
# any username), for ADMIN_LOGIN_LOCKOUT_MINUTES. Lockouts are logged and counted
# (admin_login_lockouts_total, see encontros.apps).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("ADMIN_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("ADMIN_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "encontros.proxy.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "429.html"
# The access log would store every admin login with its address, which we do not need.
AXES_DISABLE_ACCESS_LOG = True

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

# HTTPS is terminated at the load balancer; this one switch turns on everything
# that depends on it. The probes are never redirected (see
# encontros.middleware.ProbeMiddleware): Kubernetes calls them over plain HTTP.
# Whether a request came over HTTPS is gunicorn's decision alone: it reads
# X-Forwarded-Proto only from the load balancer's addresses (FORWARDED_ALLOW_IPS,
# gunicorn.conf.py), so SECURE_PROXY_SSL_HEADER, which would trust any client,
# stays unset.
SECURE_SSL = env.bool("SECURE_SSL", default=False)
SECURE_SSL_REDIRECT = SECURE_SSL
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
LANGUAGE_COOKIE_SECURE = SECURE_SSL
SECURE_HSTS_SECONDS = 365 * 24 * 60 * 60 if SECURE_SSL else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_SSL
SECURE_HSTS_PRELOAD = SECURE_SSL

LOG_LEVEL = _one_of(
    "LOG_LEVEL",
    env.str("LOG_LEVEL", default="INFO").upper(),
    ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
)
LOG_FORMAT = _one_of("LOG_FORMAT", env.str("LOG_FORMAT", default="simple"), list(FORMATTERS))
LOGGING = logging_config(
    level=LOG_LEVEL, format_name=LOG_FORMAT, service=SERVICE_NAME, version=SERVICE_VERSION
)

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (event cover images). Locally: MEDIA_ROOT, served by `runserver`.
# With MEDIA_STORAGE_BUCKET: S3-compatible object storage (e.g. DigitalOcean
# Spaces), which every replica shares; see .env.example.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_STORAGE_BUCKET = env.str("MEDIA_STORAGE_BUCKET", default="")
MEDIA_STORAGE_CUSTOM_DOMAIN = env.str("MEDIA_STORAGE_CUSTOM_DOMAIN", default="")
if MEDIA_STORAGE_BUCKET:
    _MEDIA_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": MEDIA_STORAGE_BUCKET,
            "endpoint_url": env.str("MEDIA_STORAGE_ENDPOINT_URL", default="") or None,
            "region_name": env.str("MEDIA_STORAGE_REGION", default="") or None,
            "access_key": _required_in_production(
                "MEDIA_STORAGE_ACCESS_KEY_ID", env.str("MEDIA_STORAGE_ACCESS_KEY_ID", default="")
            ),
            "secret_key": _required_in_production(
                "MEDIA_STORAGE_SECRET_ACCESS_KEY",
                env.str("MEDIA_STORAGE_SECRET_ACCESS_KEY", default=""),
            ),
            # The public address of the files (a CDN or the bucket's), without https://.
            "custom_domain": MEDIA_STORAGE_CUSTOM_DOMAIN or None,
            "default_acl": "public-read",
            "querystring_auth": False,
            "file_overwrite": False,
            # Covers never change under a name: browsers keep them for a year.
            "object_parameters": {"CacheControl": "public, max-age=31536000, immutable"},
            # An unreachable storage fails an upload in seconds, not minutes.
            "client_config": botocore.config.Config(
                connect_timeout=env.float("MEDIA_STORAGE_TIMEOUT", default=3.0),
                read_timeout=env.float("MEDIA_STORAGE_TIMEOUT", default=3.0),
                retries={"max_attempts": 2, "mode": "standard"},
            ),
        },
    }
else:
    _MEDIA_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Abuse limits for anonymous visitors, counted per client in the default cache
# (shared by every process once CACHE_URL points at Redis).
EVENTS_SUBMISSION_RATE = env.str("EVENTS_SUBMISSION_RATE", default="10/h")
EVENTS_EDIT_TOKEN_RATE = env.str("EVENTS_EDIT_TOKEN_RATE", default="30/m")
# "Lost your edit link?": requests per client, and per address asked for.
EVENTS_RECOVERY_RATE = env.str("EVENTS_RECOVERY_RATE", default="10/h")
EVENTS_RECOVERY_ADDRESS_RATE = env.str("EVENTS_RECOVERY_ADDRESS_RATE", default="3/h")
EVENTS_FORM_MIN_SECONDS = 3
RATELIMIT_VIEW = "encontros.views.rate_limited"
# Behind the load balancer, the visitor is the last X-Forwarded-For hop.
RATELIMIT_IP_META_KEY = "encontros.proxy.client_ip"
# A limit whose count is unknown (the cache is down) lets the request through.
RATELIMIT_FAIL_OPEN = True

# Content-Security-Policy on every answer (django-csp): the site's own scripts and
# styles only, from files (no inline code, so no nonce, which would change every
# answer and keep pages out of caches). Framing stays X-Frame-Options' job: the
# embed (events:embed) may be framed by other sites. ReDoc alone needs more
# (see encontros/api_router.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Cover images may be served from the object storage's own domain.
        "img-src": [SELF, "data:"]
        + ([f"https://{MEDIA_STORAGE_CUSTOM_DOMAIN}"] if MEDIA_STORAGE_CUSTOM_DOMAIN else []),
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}

# REST API (events/api/, routed in encontros/api_router.py).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Staff use a token issued in the admin, or their admin session (with CSRF).
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PARSER_CLASSES": ["events.api.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["drf_orjson_renderer.renderers.ORJSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # OPTIONS answers 405 like any undocumented method (CORS preflights excepted).
    "DEFAULT_METADATA_CLASS": None,
    "EXCEPTION_HANDLER": "events.api.exceptions.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
# Anonymous event creation through the API, per client (count/period with s, m, h or d).
API_CREATE_THROTTLE_RATE = env.str("API_CREATE_THROTTLE_RATE", default="20/h")

SPECTACULAR_SETTINGS = {
    "TITLE": f"{APP_TITLE} API",
    "DESCRIPTION": _(
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
        "events.api.schema.either_role_request",
        "events.api.schema.require_answer_fields",
        "events.api.schema.add_examples",
        "events.api.schema.add_links",
        "events.api.schema.document_uri_too_long",
        "events.api.schema.translate_untranslated_texts",
    ],
    "SWAGGER_UI_DIST": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Other sites may read the public API from the browser (GET only, see encontros/middleware.py).
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_ALLOW_ALL_ORIGINS = not CORS_ALLOWED_ORIGINS
CORS_URLS_REGEX = r"^/api/(events/(?!by-token/)|series/|technologies/|cities/|schema/)"
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
