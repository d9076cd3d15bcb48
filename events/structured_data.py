"""schema.org data about events for search engines (JSON-LD), following the
requirements of Google's Event rich results."""

from django.utils import timezone

from .models import Event

SCHEMA = "https://schema.org/"

ATTENDANCE_MODES = {
    Event.Mode.IN_PERSON: SCHEMA + "OfflineEventAttendanceMode",
    Event.Mode.ONLINE: SCHEMA + "OnlineEventAttendanceMode",
    Event.Mode.HYBRID: SCHEMA + "MixedEventAttendanceMode",
}
# The site's events are in Brazil; a free event still needs a currency in an Offer.
CURRENCY = "BRL"
COUNTRY = "BR"


def _iso(moment):
    return timezone.localtime(moment).replace(microsecond=0).isoformat()


def _place(event):
    address = {"@type": "PostalAddress", "addressLocality": event.city, "addressCountry": COUNTRY}
    if event.state:
        address["addressRegion"] = event.state
    if event.address:
        address["streetAddress"] = event.address
    return {"@type": "Place", "name": event.venue, "address": address}


def _virtual_location(event):
    return {"@type": "VirtualLocation", "url": event.online_url}


def _location(event):
    if event.mode == Event.Mode.IN_PERSON:
        return _place(event)
    if event.mode == Event.Mode.ONLINE:
        return _virtual_location(event)
    return [_place(event), _virtual_location(event)]


def event_json_ld(event, *, page_url, image_urls=()):
    """The schema.org Event describing a public event, as a dict ready for JSON."""
    organizer = {"@type": "Organization", "name": event.organizer_name}
    if event.url:
        organizer["url"] = event.url
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.title,
        "description": event.description,
        "startDate": _iso(event.starts_at),
        "endDate": _iso(event.effective_end),
        "eventStatus": SCHEMA + ("EventCancelled" if event.is_cancelled else "EventScheduled"),
        "eventAttendanceMode": ATTENDANCE_MODES[event.mode],
        "location": _location(event),
        "organizer": organizer,
        # Community events are run by the group that organizes them.
        "performer": {"@type": "PerformingGroup", "name": event.organizer_name},
        "url": page_url,
    }
    if image_urls:
        data["image"] = list(image_urls)
    technologies = [technology.name for technology in event.technologies.all()]
    if technologies:
        data["keywords"] = ", ".join(technologies)
    data["offers"] = {
        "@type": "Offer",
        "availability": SCHEMA + "InStock",
        "url": event.url or page_url,
        "validFrom": _iso(event.created_at),
    }
    if event.is_free:
        data["offers"].update(price=0, priceCurrency=CURRENCY)
    return data
