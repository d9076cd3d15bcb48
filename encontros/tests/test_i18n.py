import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from events.tests.helpers import require_executable

PT_BR_CATALOG = Path(settings.BASE_DIR) / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po"


@pytest.mark.django_db
def test_pages_are_in_portuguese_by_default(client):
    content = client.get(reverse("events:list")).content.decode()
    assert '<html lang="pt-br">' in content
    assert "Próximos eventos de tecnologia" in content


@pytest.mark.django_db
def test_language_switch_turns_the_site_to_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/events/past/"})
    assert response.status_code == 302
    assert response["Location"] == "/events/past/"
    content = client.get(reverse("events:list")).content.decode()
    assert '<html lang="en">' in content
    assert "Upcoming tech events" in content
    client.post(reverse("set_language"), {"language": "pt-br", "next": "/"})
    assert "Próximos eventos" in client.get(reverse("events:list")).content.decode()


@pytest.mark.django_db
def test_form_errors_are_in_portuguese(client):
    response = client.post(reverse("events:create"), {})
    assert "Este campo é obrigatório." in response.content.decode()


def test_compiled_catalog_matches_the_translations():
    catalog = polib.pofile(PT_BR_CATALOG)
    with translation.override("pt-br"):
        for entry in catalog:
            if entry.msgid_plural:
                assert (
                    translation.ngettext(entry.msgid, entry.msgid_plural, 1)
                    == (entry.msgstr_plural[0])
                )
            else:
                assert translation.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_every_visible_string_is_translated(tmp_path):
    """makemessages on a copy of the project finds no string without a translation."""
    require_executable("xgettext")
    project = tmp_path / "project"
    shutil.copytree(
        settings.BASE_DIR,
        project,
        ignore=shutil.ignore_patterns(".*", "node_modules", "staticfiles", "test-artifacts"),
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "pt_BR", "--no-obsolete"],
        cwd=project,
        check=True,
        capture_output=True,
        env={"DEBUG": "true", "PATH": "/usr/bin:/bin"},
    )
    catalog = polib.pofile(project / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po")
    missing = [entry.msgid for entry in catalog.untranslated_entries() + catalog.fuzzy_entries()]
    assert missing == []


@pytest.mark.django_db
def test_browser_language_does_not_override_the_default(client):
    content = client.get(reverse("events:list"), headers={"accept-language": "en-US,en"})
    assert '<html lang="pt-br">' in content.content.decode()


@pytest.mark.django_db
def test_unknown_language_cookie_falls_back_to_portuguese(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx-nope"
    assert '<html lang="pt-br">' in client.get(reverse("events:list")).content.decode()
