"""schema.org data about events for search engines (JSON-LD), following the
requirements of Google's Event rich results."""

from .models import Event

SCHEMA = "https://schema.org/"

ATTENDANCE_MODES = {
    Event.Mode.IN_PERSON: SCHEMA + "OfflineEventAttendanceMode",
    Event.Mode.ONLINE: SCHEMA + "OnlineEventAttendanceMode",
    Event.Mode.HYBRID: SCHEMA + "MixedEventAttendanceMode",
}

# The site's events are in Brazil.
COUNTRY = "BR"


def _iso(moment):
    """In whole seconds: search engines read ISO 8601 without fractions of a second."""
    return moment.replace(microsecond=0).isoformat()


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
        "startDate": _iso(event.local_starts_at),
        "endDate": _iso(event.local_effective_end),
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
    technologies = [technology.name for technology in event.technology_list]
    if technologies:
        data["keywords"] = ", ".join(technologies)
    offers = _offers(event, page_url=page_url)
    if offers:
        data["offers"] = offers
    return data


def _offers(event, *, page_url):
    """What tickets cost, when the event is free or its price is known."""
    if not event.is_free and event.price_from is None:
        return None
    offer = {
        "@type": "Offer",
        "priceCurrency": event.currency,
        "availability": SCHEMA + "InStock",
        "url": event.tickets_url or event.url or page_url,
        "validFrom": _iso(event.created_at.astimezone(event.zone)),
    }
    if event.is_free:
        return {**offer, "price": 0}
    if event.has_price_range:
        return {
            **offer,
            "@type": "AggregateOffer",
            "lowPrice": str(event.price_from),
            "highPrice": str(event.price_to),
        }
    return {**offer, "price": str(event.price_from)}
