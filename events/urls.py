from django.urls import path, register_converter

from . import feeds, views
from .edit_tokens import EDIT_TOKEN_PATTERN


class EditTokenConverter:
    # Anything else cannot be a token: a 404 before any lookup.
    regex = EDIT_TOKEN_PATTERN

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
    path("events/edit/<token:token>/restore/", views.event_restore, name="restore"),
    path("events/edit/<token:token>/delete/", views.event_delete, name="delete"),
    path(
        "events/edit/<token:token>/confirm-again/",
        views.email_confirmation_resend,
        name="confirm-email-again",
    ),
    path("events/edit/series/<token:token>/", views.series_edit, name="series-edit"),
    path("events/lost-link/", views.recovery_request, name="recovery"),
    path("events/lost-link/<token:token>/", views.recovery_use, name="recover"),
    path("events/confirm/<token:token>/", views.email_confirm, name="confirm-email"),
    path("events/<slug:slug>/", views.EventDetailView.as_view(), name="detail"),
    path("events/<slug:slug>/report/", views.event_report, name="report"),
    path("events/<slug:slug>.ics", feeds.event_calendar, name="event-calendar"),
    path(
        "events/<slug:slug>/card/<slug:version>.png",
        views.event_card,
        name="card",
    ),
    path("events/series/<int:pk>.ics", feeds.series_calendar, name="series-calendar"),
    path("feeds/events.ics", feeds.upcoming_calendar, name="calendar"),
    path("feeds/events.atom", feeds.UpcomingEventsAtomFeed(), name="atom"),
    path("feeds/events.rss", feeds.UpcomingEventsFeed(), name="rss"),
    path("embed/", views.EmbeddedEventListView.as_view(), name="embed"),
]
