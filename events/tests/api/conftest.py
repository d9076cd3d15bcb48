import pytest
from django.contrib.auth.models import Group, User
from rest_framework.test import APIClient

from events.tests.factories import EventFactory
from events.tests.helpers import EDIT_TOKEN, api_client_with_token_of


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def staff_client(db):
    """Staff without any events permission, authenticated with an API token."""
    return api_client_with_token_of(User.objects.create_user("staff", is_staff=True))


@pytest.fixture
def manager_client(db):
    """Staff in the "Event managers" group, authenticated with an API token."""
    user = User.objects.create_user("manager", is_staff=True)
    user.groups.add(Group.objects.get(name="Event managers"))
    return api_client_with_token_of(user)


@pytest.fixture
def owned_event(db):
    """A published event whose edit token (EDIT_TOKEN) the test knows."""
    return EventFactory(edit_token=EDIT_TOKEN, organizer_email="org@example.org")


@pytest.fixture
def event_payload():
    return {
        "title": "Python Floripa #42",
        "description": "Talks and pizza.",
        "starts_at": "2030-06-10T19:00:00-03:00",
        "ends_at": "2030-06-10T22:00:00-03:00",
        "mode": "in_person",
        "city": "Florianópolis",
        "venue": "ACATE",
        "technologies": ["Python", "Django"],
        "organizer_name": "Python Floripa",
        "organizer_email": "contato@pythonfloripa.org",
        "url": "https://pythonfloripa.org",
        "is_free": True,
    }
