import csv
import io
import re
import string

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.urls import reverse
from hypothesis import example, given, settings
from hypothesis import strategies as st

from events.admin import _csv_safe
from events.edit_tokens import hash_edit_token
from events.models import Event, Technology

from .factories import EventFactory, TechnologyFactory
from .helpers import EVENT_ADMIN_INLINES

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:events_event_changelist")


def run_action(client, action, events):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [event.pk for event in events]},
        follow=action != "export_csv",
    )


@pytest.fixture
def manager_client(client):
    user = User.objects.create_user("manager", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Event managers"))
    client.force_login(user)
    return client


class TestEventAdmin:
    def test_changelist_lists_filters_and_counts_pending(self, admin_client):
        EventFactory(title="Published one", technologies=[TechnologyFactory(name="Go")])
        EventFactory(title="Pending one", status=Event.Status.PENDING)
        response = admin_client.get(CHANGELIST)
        content = response.content.decode()
        assert response.status_code == 200
        assert "Published one" in content and "Pending one" in content
        assert "?status__exact=pending" in content
        assert response.context["pending_count"] == 1
        pending = admin_client.get(CHANGELIST, {"status__exact": "pending"})
        assert [e.title for e in pending.context["cl"].result_list] == ["Pending one"]

    def test_search_finds_by_technology_and_city(self, admin_client):
        EventFactory(title="Elixir night", technologies=[TechnologyFactory(name="Elixir")])
        EventFactory(title="Other", city="Natal")
        found = admin_client.get(CHANGELIST, {"q": "elixir"}).context["cl"].result_list
        assert [e.title for e in found] == ["Elixir night"]

    def test_site_header_uses_app_title(self, admin_client):
        assert "Encontros Tech" in admin_client.get(reverse("admin:index")).content.decode()

    def test_change_form_never_shows_the_token_hash(self, admin_client):
        event = EventFactory()
        content = admin_client.get(reverse("admin:events_event_change", args=[event.pk]))
        assert event.edit_token_hash not in content.content.decode()
        assert "edit_token_hash" not in content.content.decode()

    def test_adding_an_event_sets_slug_and_makes_it_searchable(self, admin_client):
        python = TechnologyFactory(name="Python")
        response = admin_client.post(
            reverse("admin:events_event_add"),
            {
                "title": "Admin Event",
                "status": "published",
                "description": "Created by staff.",
                "technologies": [python.pk],
                "starts_at_0": "2030-05-01",
                "starts_at_1": "19:00",
                "mode": "online",
                "online_url": "https://meet.example.org/x",
                "organizer_name": "Staff",
                "is_free": "True",
                "currency": "BRL",
                **EVENT_ADMIN_INLINES,
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        event = Event.objects.get()
        assert event.slug == "admin-event-2030-05-01"
        assert list(Event.objects.search("python")) == [event]

    @pytest.mark.parametrize(
        "action,before,after",
        [
            ("publish", Event.Status.PENDING, Event.Status.PUBLISHED),
            ("move_to_pending", Event.Status.PUBLISHED, Event.Status.PENDING),
            ("cancel", Event.Status.PUBLISHED, Event.Status.CANCELLED),
        ],
    )
    def test_status_actions(self, admin_client, action, before, after):
        events = EventFactory.create_batch(2, status=before)
        other = EventFactory(status=before)
        response = run_action(admin_client, action, events)
        assert response.status_code == 200
        assert set(Event.objects.filter(status=after)) == set(events)
        other.refresh_from_db()
        assert other.status == before

    def test_duplicate_creates_a_pending_copy(self, admin_client):
        event = EventFactory(title="Monthly", technologies=[TechnologyFactory(name="Rust")])
        run_action(admin_client, "duplicate", [event])
        copy = Event.objects.exclude(pk=event.pk).get()
        assert copy.status == Event.Status.PENDING
        assert copy.slug != event.slug
        assert copy.edit_token_hash != event.edit_token_hash
        assert [t.name for t in copy.technologies.all()] == ["Rust"]

    def test_export_csv_has_the_selection_with_formulas_neutralised(self, admin_client):
        event = EventFactory(title='=HYPERLINK("x")', organizer_email="o@example.org")
        EventFactory(title="Not selected")
        response = run_action(admin_client, "export_csv", [event])
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert len(rows) == 1
        assert rows[0]["title"] == '\'=HYPERLINK("x")'
        assert rows[0]["organizer_email"] == "o@example.org"

    @pytest.mark.parametrize(
        ("title", "exported"),
        [
            ('Meetup;=HYPERLINK("x")', 'Meetup;\'=HYPERLINK("x")'),
            ("a, +1", "a, '+1"),
            ("a;\t-1", "a;'\t-1"),
        ],
    )
    def test_export_csv_neutralises_formulas_after_either_separator(
        self, admin_client, title, exported
    ):
        event = EventFactory(title=title)

        response = run_action(admin_client, "export_csv", [event])

        (row,) = csv.DictReader(io.StringIO(response.content.decode()))
        assert row["title"] == exported

    def test_issue_edit_link_replaces_the_old_one(self, admin_client, client):
        event = EventFactory(edit_token="old-token")
        response = admin_client.post(
            CHANGELIST, {"action": "issue_edit_link", "_selected_action": [event.pk]}
        )
        token = re.search(r"/events/edit/([A-Za-z0-9_-]{43})/", response.content.decode())[1]
        event.refresh_from_db()
        assert "no-store" in response["Cache-Control"]
        # Never in the messages cookie, which anyone holding it can read.
        assert token not in str(response.cookies)
        assert not list(response.wsgi_request._messages)
        assert event.edit_token_hash == hash_edit_token(token)
        assert client.get(reverse("events:edit", kwargs={"token": token})).status_code == 200

    def test_deleting_in_admin_removes_the_event(self, admin_client):
        event = EventFactory()
        admin_client.post(reverse("admin:events_event_delete", args=[event.pk]), {"post": "yes"})
        assert not Event.objects.exists()


class TestTechnologyAdmin:
    def test_lists_event_counts(self, admin_client):
        go = TechnologyFactory(name="Go")
        EventFactory.create_batch(2, technologies=[go])
        response = admin_client.get(reverse("admin:events_technology_changelist"))
        assert response.context["cl"].result_list[0].event_count == 2

    def test_renaming_updates_slug_and_search(self, admin_client):
        tech = TechnologyFactory(name="Golang")
        event = EventFactory(technologies=[tech])
        admin_client.post(
            reverse("admin:events_technology_change", args=[tech.pk]), {"name": "Go Lang"}
        )
        tech.refresh_from_db()
        assert tech.slug == "go-lang"
        assert list(Event.objects.search("go lang")) == [event]

    def test_duplicate_name_ignoring_case_is_refused(self, admin_client):
        TechnologyFactory(name="Python", slug="python")
        response = admin_client.post(reverse("admin:events_technology_add"), {"name": "PYTHON"})
        assert response.status_code == 200
        assert response.context["adminform"].form.errors
        assert Technology.objects.count() == 1


class TestEventManagersGroup:
    def test_has_exactly_the_event_and_technology_permissions(self):
        group = Group.objects.get(name="Event managers")
        codenames = set(group.permissions.values_list("codename", flat=True))
        assert codenames == {
            f"{action}_{model}"
            for action in ["add", "change", "delete", "view"]
            for model in ["event", "technology"]
        }

    def test_member_can_moderate_events(self, manager_client):
        event = EventFactory(status=Event.Status.PENDING)
        assert manager_client.get(CHANGELIST).status_code == 200
        run_action(manager_client, "publish", [event])
        event.refresh_from_db()
        assert event.status == Event.Status.PUBLISHED

    def test_member_cannot_manage_users(self, manager_client):
        response = manager_client.get(reverse("admin:auth_user_changelist"))
        assert response.status_code == 403

    def test_staff_without_the_group_cannot_see_events(self, client):
        user = User.objects.create_user("plain", password="x", is_staff=True)
        client.force_login(user)
        assert client.get(CHANGELIST).status_code == 403
        assert not Permission.objects.filter(user=user).exists()


def test_duplicating_an_event_with_a_long_title_keeps_it_within_limits(admin_client):
    event = EventFactory(title="x" * 200)
    run_action(admin_client, "duplicate", [event])
    copy = Event.objects.exclude(pk=event.pk).get()
    assert len(copy.title) == 200
    assert copy.title.endswith("(copy)") or copy.title.endswith("(cópia)")


def test_deleting_a_technology_removes_it_from_search(admin_client):
    tech = TechnologyFactory(name="Cobol")
    event = EventFactory(technologies=[tech])
    admin_client.post(reverse("admin:events_technology_delete", args=[tech.pk]), {"post": "yes"})
    assert not Technology.objects.exists()
    assert list(Event.objects.search("cobol")) == []
    assert Event.objects.filter(pk=event.pk).exists()


def test_the_app_is_named_in_the_visitors_language(admin_client):
    response = admin_client.get(reverse("admin:index"))

    assert '<a href="/admin/events/"' in response.content.decode()
    assert ">Eventos<" in response.content.decode()


ADMIN_LISTS = [CHANGELIST, reverse("admin:events_technology_changelist")]
ADMIN_QUERY_NAMES = ["q", "city", "status__exact", "mode__exact", "technologies__id__exact"]
ADMIN_QUERY_NAMES += ["starts_at__gte", "starts_at__year", "o", "p", "e"]
TEXT_WITH_NUL = st.builds(
    lambda before, after: f"{before}\x00{after}",
    st.text(max_size=8),
    st.text(max_size=8),
)


class TestAdminQueriesWithNulBytes:
    """PostgreSQL cannot compare text with a NUL byte: such filters are a 400."""

    @given(
        url=st.sampled_from(ADMIN_LISTS),
        name=st.sampled_from(ADMIN_QUERY_NAMES),
        value=TEXT_WITH_NUL,
    )
    @settings(max_examples=60)
    def test_admin_lists_refuse_any_filter_holding_a_nul_byte(self, admin_client, url, name, value):
        response = admin_client.get(url, {name: value})

        assert response.status_code == 400

    @given(term=TEXT_WITH_NUL)
    @settings(max_examples=30)
    def test_autocomplete_refuses_any_term_holding_a_nul_byte(self, admin_client, term):
        query = {
            "term": term,
            "app_label": "events",
            "model_name": "event",
            "field_name": "technologies",
        }

        response = admin_client.get(reverse("admin:autocomplete"), query)

        assert response.status_code == 400

    @pytest.mark.parametrize("query", ["q=%00", "city=%00", "technologies__id__exact=1%00"])
    def test_the_reported_filters_are_400s(self, admin_client, query):
        assert admin_client.get(f"{CHANGELIST}?{query}").status_code == 400


FORMULA_STARTS = "=+-@\uff1d\uff0b\uff0d\uff20"
# Characters that some spreadsheets drop before reading a cell, so that they may
# reveal a formula behind them.
DROPPED_BEFORE_A_CELL = string.whitespace + '"\x1c\x1d\x1e\x1f\x85\xa0\u2028\u2029\u3000'


def reads_as_a_formula(field):
    """Whether a spreadsheet could run the field: a formula character at its start,
    or behind a tab or carriage return that a spreadsheet drops."""
    first_visible = field.lstrip(DROPPED_BEFORE_A_CELL)[:1]
    return bool(first_visible) and first_visible in FORMULA_STARTS


@given(
    cells=st.lists(
        st.text(alphabet=st.sampled_from(FORMULA_STARTS + "\t\r,;\"\n 'ab1") | st.characters()),
        min_size=1,
        max_size=4,
    )
)
@example(cells=["a;\t-1"])
@settings(max_examples=300)
def test_no_exported_cell_reads_as_a_formula_in_either_separator_convention(cells):
    written = io.StringIO()
    csv.writer(written).writerow([_csv_safe(cell) for cell in cells])
    output = written.getvalue()

    # Read by a CSV parser with each separator, and split naively as the most
    # careless reader would (every separator and line break starts a cell).
    fields = [
        field
        for delimiter in ",;"
        for row in csv.reader(io.StringIO(output, newline=""), delimiter=delimiter)
        for field in row
    ]
    fields += re.split(r"[,;\r\n]", output)
    assert not [field for field in fields if reads_as_a_formula(field)], output
