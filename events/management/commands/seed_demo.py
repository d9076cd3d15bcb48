import json
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format

from events import services
from events.models import Event
from events.recurrence import Frequency, Rule, WeekdayPosition
from events.time_zones import time_zone_for_city

# One object per event; dates are relative to the day the command runs, so the
# demo always has upcoming and past events.
DEMO_EVENTS = Path(__file__).with_suffix(".json")
DESCRIPTION = (
    "{title}, organizado por {organizer}.\n\n"
    "Palestras, conversas e networking com a comunidade. Traga suas dúvidas e "
    "projetos!\n\nMais informações em https://example.org/eventos"
)


class Command(BaseCommand):
    help = "Create realistic demo events. Running it again creates nothing new."

    @transaction.atomic
    def handle(self, *args, **options):
        demo_events = json.loads(DEMO_EVENTS.read_text(encoding="utf-8"))
        created = 0
        for demo in demo_events:
            event = demo_event(demo)
            if not Event.objects.filter(title=event.title).exists():
                services.event_create(
                    event=event,
                    channel=services.Channel.DEMO,
                    technology_names=demo["technologies"],
                    moderated=False,
                )
                created += 1
        self.stdout.write(
            f"Demo data: {created} events created, {len(demo_events) - created} already there."
        )
        if not Event.objects.filter(title=DEMO_SERIES_TITLE).exists():
            _series, dates, _token = services.series_create(
                event=demo_series_first_event(),
                rule=DEMO_SERIES_RULE,
                channel=services.Channel.DEMO,
                technology_names=["Rust"],
                moderated=False,
            )
            self.stdout.write(f"Demo data: a monthly series of {len(dates)} dates created.")


# A meetup on the second Thursday of every month, for the next six months.
DEMO_SERIES_TITLE = "Rust BH: encontro mensal"
DEMO_SERIES_RULE = Rule(Frequency.MONTHLY_WEEKDAY, weekday_position=WeekdayPosition.SECOND, count=6)


def demo_series_first_event():
    """The first date of the demo series: the next second Thursday of a month."""
    day = timezone.localdate() + timedelta(days=1)
    while not (day.weekday() == 3 and 8 <= day.day <= 14):
        day += timedelta(days=1)
    starts_at = timezone.make_aware(datetime.combine(day, time(19)))
    return Event(
        title=DEMO_SERIES_TITLE,
        description=DESCRIPTION.format(title=DEMO_SERIES_TITLE, organizer="Rust BH"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2, minutes=30),
        mode=Event.Mode.IN_PERSON,
        city="Belo Horizonte",
        state="MG",
        venue="Espaço Comunidade Savassi",
        organizer_name="Rust BH",
        url="https://example.org/eventos",
        is_free=True,
    )


def demo_event(demo):
    day = timezone.localdate() + timedelta(days=demo["starts_in_days"])
    # The hour is on the city's own clock (Manaus is an hour behind Brasília).
    zone = time_zone_for_city(demo.get("city", ""))
    starts_at = datetime.combine(day, time(demo["starts_at_hour"]), tzinfo=ZoneInfo(zone))
    # A monthly meetup is named after the month it falls in.
    with translation.override("pt-br"):
        title = demo["title"].format(month=date_format(starts_at, "F").lower())
    online = demo["mode"] != Event.Mode.IN_PERSON
    meeting = title.lower().split(":")[0].replace(" ", "-")
    return Event(
        title=title,
        description=DESCRIPTION.format(title=title, organizer=demo["organizer"]),
        starts_at=starts_at,
        time_zone=zone,
        ends_at=starts_at + timedelta(hours=demo["hours"]),
        mode=demo["mode"],
        city=demo.get("city", ""),
        state=demo.get("state", ""),
        venue=demo.get("venue", ""),
        online_url=f"https://meet.example.org/{meeting}" if online else "",
        organizer_name=demo["organizer"],
        url="https://example.org/eventos",
        is_free=demo["is_free"],
        price_from=Decimal(demo["price_from"]) if "price_from" in demo else None,
        price_to=Decimal(demo["price_to"]) if "price_to" in demo else None,
        status=demo.get("status", Event.Status.PUBLISHED),
        cancellation_reason=demo.get("cancellation_reason", ""),
    )
