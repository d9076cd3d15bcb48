import fcntl
import os
import time
from types import SimpleNamespace

import hypothesis
import pytest

# Property-based tests: the same examples on every run (a failure reproduces), no
# example database left in the checkout, no time limit (speed is for benchmarks),
# and Django's per-test fixtures (client, db) shared by a test's examples.
hypothesis.settings.register_profile(
    "encontros",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        hypothesis.HealthCheck.function_scoped_fixture,
        hypothesis.HealthCheck.too_slow,
    ],
)
hypothesis.settings.load_profile("encontros")


def pytest_configure(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        # On SQLite each test process has its test database in memory (Django's
        # default, said here because pytest-django knows SQLite only by Django's own
        # engine name, not the metrics one of settings.py, and would otherwise name a
        # database file for each pytest-xdist worker).
        database.setdefault("TEST", {})["NAME"] = ":memory:"


def pytest_runtest_setup(item):
    from django.conf import settings

    if (
        item.get_closest_marker("postgres")
        and "postgresql" not in (settings.DATABASES["default"]["ENGINE"])
    ):
        # `make test` runs again on PostgreSQL in CI (DATABASE_URL), where these run.
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")


@pytest.fixture(autouse=True, scope="session")
def _test_process_settings():
    from django.test import override_settings

    with override_settings(
        # Nothing in this process serves the collected static files (the storage
        # below needs none): they are for the production server's tests
        # (collected_static), and another pytest-xdist worker may be collecting
        # them while WhiteNoise, in each test client and the live server, would
        # read their folder.
        STATIC_ROOT=None,
        # Users made with a password (admin_user, the browser's staff) take
        # milliseconds instead of a deliberately slow hash each.
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    ):
        yield


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs `collectstatic`; the production smoke test covers it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def clear_caches():
    """Forget rate-limit counters, public answers and pieces, in the cache and in this
    process, and the layout's rendered header and footer."""
    from django.core.cache import cache, caches

    from encontros import public_cache
    from events import fragments

    cache.clear()
    caches["template_fragments"].clear()
    public_cache.local_store.clear()
    fragments.store.clear()
    public_cache.local_version.forget()
    public_cache.forget_kept()


@pytest.fixture(autouse=True)
def _rate_limit_windows_stay_put(monkeypatch):
    # django-ratelimit counts in windows fixed to the clock (a minute for "3/m"): the
    # few requests of a test that straddle the end of one, which a busy machine makes
    # likely, would be counted anew. Within a test the clock of its windows stands still.
    import django_ratelimit.core

    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate-limit counters and public answers live in the cache: every test starts with none.
    clear_caches()
    yield
    clear_caches()


@pytest.fixture
def cold_caches():
    """A function that empties every cache, for a test that needs several cold reads."""
    return clear_caches


@pytest.fixture(autouse=True)
def _default_language():
    # A request activates its page's language in the test's thread, where
    # reverse() would keep using it: every test starts in the default language.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def event(db):
    from events.tests.factories import EventFactory

    return EventFactory()


@pytest.fixture
def english(client):
    """Pages in English, the language of the source strings that tests look for:
    reverse() gives their /en/ addresses."""
    from django.utils import translation

    with translation.override("en"):
        yield client


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """Static files collected with the production storage, as the Docker build does
    (for the tests that run the production server). Once per run: with several
    workers (pytest-xdist), the first one collects while the others wait."""
    from events.tests.servers import manage, production_environment

    run_directory = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        # A worker's temporary directory is inside the run's.
        run_directory = run_directory.parent
    with open(run_directory / "collectstatic.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        collected = run_directory / "collectstatic.done"
        if not collected.exists():
            manage(
                "collectstatic",
                "--noinput",
                "--verbosity",
                "0",
                environment=production_environment(),
            )
            collected.touch()
