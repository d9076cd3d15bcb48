from django.urls import path, register_converter

from . import feeds, views


class EditTokenConverter:
    # token_urlsafe(32) gives 43 characters; anything else cannot be a token.
    regex = "[A-Za-z0-9_-]{43}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(EditTokenConverter, "token")

app_name = "events"
urlpatterns = [
    path("", views.FilteredEventListView.as_view(), name="list"),
    path("events/past/", views.FilteredEventListView.as_view(past=True), name="past"),
    path("events/new/", views.event_create, name="create"),
    path("events/edit/<token:token>/", views.event_edit, name="edit"),
    path("events/edit/<token:token>/cancel/", views.event_cancel, name="cancel"),
    path("events/edit/<token:token>/delete/", views.event_delete, name="delete"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="detail"),
    path("events/<slug:slug>.ics", feeds.event_calendar, name="event-calendar"),
    path(
        "events/<slug:slug>/card/<slug:language>/<slug:version>.png",
        views.event_card,
        name="card",
    ),
    path("feeds/events.ics", feeds.upcoming_calendar, name="calendar"),
    path("feeds/events.atom", feeds.UpcomingEventsAtomFeed(), name="atom"),
    path("feeds/events.rss", feeds.UpcomingEventsFeed(), name="rss"),
    path("embed/", views.EmbeddedEventListView.as_view(), name="embed"),
]
