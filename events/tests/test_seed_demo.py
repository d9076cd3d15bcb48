import json

import pytest
from django.core.management import call_command

from events.management.commands.seed_demo import DEMO_EVENTS
from events.models import Event

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_realistic_events_once():
    call_command("seed_demo")
    count = Event.objects.count()
    assert count == len(json.loads(DEMO_EVENTS.read_text(encoding="utf-8")))
    assert 25 <= count <= 40
    assert Event.objects.filter(status=Event.Status.CANCELLED).count() == 1
    assert Event.objects.filter(status=Event.Status.PENDING).count() == 1
    assert Event.objects.published().upcoming().exists()
    assert Event.objects.published().past().exists()
    assert Event.objects.filter(mode=Event.Mode.ONLINE).exists()
    assert Event.objects.exclude(city="").values("city").distinct().count() >= 10
    assert list(Event.objects.search("sao paulo python"))

    call_command("seed_demo")
    assert Event.objects.count() == count
