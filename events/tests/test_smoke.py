import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_lists_an_upcoming_event(client, event):
    response = client.get(reverse("events:list"))
    assert response.status_code == 200
    assert event.title in response.content.decode()
