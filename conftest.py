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


def pytest_runtest_setup(item):
    from django.conf import settings

    if (
        item.get_closest_marker("postgres")
        and "postgresql" not in (settings.DATABASES["default"]["ENGINE"])
    ):
        # `make test` runs again on PostgreSQL in CI (DATABASE_URL), where these run.
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")


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
def collected_static():
    """Static files collected with the production storage, as the Docker build does
    (for the tests that run the production server)."""
    from events.tests.servers import manage, production_environment

    manage("collectstatic", "--noinput", "--verbosity", "0", environment=production_environment())
