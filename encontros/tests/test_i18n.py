import re
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
from events.tests.pages import page_metadata

PT_BR_CATALOG = Path(settings.BASE_DIR) / "locale" / "pt_BR" / "LC_MESSAGES" / "django.po"


@pytest.mark.django_db
def test_pages_are_in_portuguese_by_default(client):
    content = client.get(reverse("events:list")).content.decode()
    assert '<html lang="pt-br">' in content
    assert "Próximos eventos de tecnologia" in content


@pytest.mark.django_db
def test_english_lives_under_en_and_each_page_links_its_other_language(client, event):
    portuguese_url = event.get_absolute_url()
    with translation.override("en"):
        english_url = event.get_absolute_url()
    portuguese = client.get(portuguese_url)
    english = client.get(english_url)

    assert english_url == f"/en{portuguese_url}"
    assert '<html lang="en">' in english.content.decode()
    assert english["Content-Language"] == "en"
    for page in [portuguese, english]:
        metadata = page_metadata(page)
        assert metadata.alternate_languages() == {
            "pt-br": f"http://testserver{portuguese_url}",
            "en": f"http://testserver{english_url}",
            "x-default": f"http://testserver{portuguese_url}",
        }
    assert f'href="http://testserver{english_url}"' in portuguese.content.decode()
    assert f'href="http://testserver{portuguese_url}"' in english.content.decode()


@pytest.mark.django_db
def test_the_language_switch_keeps_the_filters(client):
    content = client.get(reverse("events:list"), {"city": "Recife"}).content.decode()
    assert 'href="http://testserver/en/?city=Recife"' in content


@pytest.mark.django_db
def test_the_header_and_footer_are_rendered_once_per_language_with_each_page_s_switch(
    client, event, settings
):
    settings.PUBLIC_CACHE_SECONDS = 0
    layout = {"includes/_header.html", "includes/_footer.html"}
    event_url = event.get_absolute_url()
    first = client.get(reverse("events:list"))
    again = client.get(reverse("events:list"))
    event_page = client.get(event_url).content.decode()
    english = client.get(f"/en{reverse('events:list')}").content.decode()

    assert layout <= {template.name for template in first.templates}
    assert not layout & {template.name for template in again.templates}
    assert again.content == first.content
    # The header's language switch leads to this page in English.
    assert re.search(f'<a [^>]*href="http://testserver/en{event_url}"', event_page)
    assert 'href="/en/events/past/"' in english


@pytest.mark.django_db
def test_anonymous_pages_set_no_cookie_and_carry_no_csrf_token(client, event):
    for url in [reverse("events:list"), event.get_absolute_url(), "/en/", reverse("events:past")]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.cookies == {}, url
        assert "csrfmiddlewaretoken" not in response.content.decode(), url
        assert "Cookie" not in response.get("Vary", ""), url


@pytest.mark.django_db
def test_forms_keep_their_csrf_protection(client):
    response = client.get(reverse("events:create"))
    assert "csrfmiddlewaretoken" in response.content.decode()
    assert settings.CSRF_COOKIE_NAME in response.cookies


@pytest.mark.django_db
def test_an_old_language_cookie_does_not_change_the_page_at_an_address(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    content = client.get(reverse("events:list")).content.decode()
    assert '<html lang="pt-br">' in content
    assert "Próximos eventos" in content


@pytest.mark.django_db
def test_the_old_language_form_leads_to_the_page_in_the_chosen_language(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/events/past/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/events/past/"
    assert '<html lang="en">' in client.get(response["Location"]).content.decode()


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
        # Not the tools, nor what tests and servers write (maybe right now: pytest-xdist).
        ignore=shutil.ignore_patterns(
            ".*", "node_modules", "staticfiles", "test-artifacts", "__pycache__"
        ),
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
