import functools
import json
import re
import unicodedata
import zoneinfo
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxLengthValidator,
    MaxValueValidator,
    MinValueValidator,
    RegexValidator,
    URLValidator,
)
from django.db import models
from django.db.models import (
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Lower, Upper
from django.db.models.query import ModelIterable
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from django_prometheus.models import ExportModelOperationsMixin
from localflavor.br.br_states import STATE_CHOICES

from encontros import public_cache

from . import covers, recurrence
from .edit_tokens import hash_edit_token
from .search import normalize, search_terms
from .time_zones import BRASILIA, time_zone_for_city, validate_time_zone

# How long a process keeps every technology at most, should the cache miss a change
# (see TechnologyQuerySet.in_name_order).
TECHNOLOGIES_KEPT_SECONDS = 300
# An event without an end is considered to be happening for this long.
DEFAULT_DURATION = timedelta(hours=3)

http_url_validator = URLValidator(schemes=["http", "https"])

# Dates far outside this range are typos, and overflow when shifted between time zones.
EVENT_YEARS = range(1970, 2101)


def validate_event_year(moment):
    if moment.year not in EVENT_YEARS:
        raise ValidationError(
            _("Use a year between %(first)s and %(last)s."),
            code="year_out_of_range",
            params={"first": EVENT_YEARS[0], "last": EVENT_YEARS[-1]},
        )


def technology_slug(name):
    """What makes a technology itself: names with the same slug are one technology,
    and the database refuses a second one (the slug is unique).

    Case is folded character by character (Unicode case folding, not Python's
    lower(), whose final-sigma rule makes "ΑΣ" and "Ασ" differ), so every pair of
    names that a database's lower() calls equal has one slug. "C#" and "C++" must
    not both become "c".
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return slugify(folded.replace("#", " sharp").replace("+", "p"), allow_unicode=True)


TECHNOLOGY_NAME_MAX_LENGTH = 50
TECHNOLOGY_SLUG_MAX_LENGTH = 60


def validate_technology_name(name):
    """What every door (form, API, admin) accepts as the name of a technology."""
    shown = name if len(name) <= 20 else name[:20] + "…"
    slug = technology_slug(name)
    if len(name) > TECHNOLOGY_NAME_MAX_LENGTH or len(slug) > TECHNOLOGY_SLUG_MAX_LENGTH:
        raise ValidationError(
            _("“%(name)s” is too long for a technology name (at most %(max)s characters)."),
            code="too_long",
            params={"name": shown, "max": TECHNOLOGY_NAME_MAX_LENGTH},
        )
    if not slug:
        raise ValidationError(
            _("“%(name)s” is not a valid technology name: use letters or digits."),
            code="invalid_name",
            params={"name": shown},
        )


# Control characters other than tab and line breaks: invisible to people, and
# refused by XML (the Atom and RSS feeds).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def validate_no_control_characters(text):
    if CONTROL_CHARACTERS.search(text):
        raise ValidationError(
            _("Remove the invisible control characters from this text."),
            code="control_characters",
        )


# Everything that some reader of the text (a calendar, a log, a CSV file, Python's
# str.splitlines) takes for the end of a line.
LINE_BREAKS = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def validate_single_line(text):
    """Names, titles and places are one line: a line break in them would start a
    new line in calendars and other one-line-per-value formats."""
    if LINE_BREAKS.search(text):
        raise ValidationError(_("Write this on a single line."), code="line_break")


SINGLE_LINE_TEXT = [validate_no_control_characters, validate_single_line]


MAX_TECHNOLOGIES = 10


def clean_technology_names(names):
    """The technology names of one event, as every door (form, API) accepts them:
    spaces collapsed, blanks and repeats (ignoring case) dropped, each name valid,
    at most MAX_TECHNOLOGIES."""
    cleaned = []
    for name in names:
        name = " ".join(name.split())
        if name and name.casefold() not in (known.casefold() for known in cleaned):
            cleaned.append(name)
    if len(cleaned) > MAX_TECHNOLOGIES:
        raise ValidationError(
            _("Use at most %(max)s technologies."),
            code="too_many",
            params={"max": MAX_TECHNOLOGIES},
        )
    for name in cleaned:
        validate_no_control_characters(name)
        validate_technology_name(name)
    return cleaned


class TechnologyQuerySet(models.QuerySet):
    def public(self):
        """Technologies of at least one public event (not of pending events only)."""
        return self.filter(Exists(Event.objects.public().filter(technologies=OuterRef("pk"))))

    def with_upcoming_event_counts(self):
        upcoming = Event.objects.published().upcoming()
        return self.annotate(
            upcoming_event_count=Count("events", filter=Q(events__in=upcoming), distinct=True)
        )

    def get_or_create_by_name(self, name):
        """The technology of that name, or of its former name, created when new."""
        name = " ".join(name.split())
        validate_technology_name(name)
        slug = technology_slug(name)
        if technology := self.by_slug(slug):
            return technology
        technology, _created = self.get_or_create(slug=slug, defaults={"name": name})
        return technology

    def in_name_order(self, *, fresh=False):
        """{pk: (rank by name, technology)} of every technology, as this process
        read them since public content last changed; fresh: read now."""

        def read():
            return {
                technology.pk: (rank, technology)
                for rank, technology in enumerate(Technology.objects.order_by("name", "pk"))
            }

        if fresh:
            return read()
        return public_cache.kept_until_content_changes(
            "technologies-in-name-order", read, seconds=TECHNOLOGIES_KEPT_SECONDS
        )

    def by_slug(self, slug):
        """The technology with this slug now, or the one that had it before a rename."""
        return self.by_slugs([slug]).get(slug)

    def by_slugs(self, slugs):
        """{slug: technology} for the given slugs that are, or were before a rename,
        the slug of a technology of this QuerySet (`Technology.objects.public()`:
        public ones only); a current slug wins over a former one."""
        if not slugs:
            return {}
        found = {technology.slug: technology for technology in self.filter(slug__in=slugs)}
        former = FormerTechnologySlug.objects.filter(
            slug__in=set(slugs) - set(found), technology__in=self
        )
        for former_slug in former.select_related("technology"):
            found[former_slug.slug] = former_slug.technology
        return found


class Technology(models.Model):
    name = models.CharField(
        _("name"),
        max_length=TECHNOLOGY_NAME_MAX_LENGTH,
        validators=SINGLE_LINE_TEXT,
    )
    slug = models.SlugField(
        _("slug"), max_length=TECHNOLOGY_SLUG_MAX_LENGTH, unique=True, allow_unicode=True
    )

    objects = TechnologyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("technology")
        verbose_name_plural = _("technologies")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('events:list')}?{urlencode({'technology': self.slug})}"

    def clean(self):
        try:
            validate_technology_name(self.name or "")
        except ValidationError as error:
            raise ValidationError({"name": error}) from None
        self.slug = technology_slug(self.name)
        if Technology.objects.exclude(pk=self.pk).filter(slug=self.slug).exists():
            raise ValidationError({"name": _("This technology already exists.")})


class FormerTechnologySlug(models.Model):
    """A slug a technology had before it was renamed: calendar subscriptions, widgets
    and shared links made with it keep finding the technology."""

    slug = models.SlugField(
        _("slug"), max_length=TECHNOLOGY_SLUG_MAX_LENGTH, unique=True, allow_unicode=True
    )
    technology = models.ForeignKey(
        Technology,
        on_delete=models.CASCADE,
        related_name="former_slugs",
        verbose_name=_("technology"),
    )

    class Meta:
        verbose_name = _("former technology slug")
        verbose_name_plural = _("former technology slugs")

    def __str__(self):
        return self.slug


class EventQuerySet(models.QuerySet):
    def published(self):
        """Published events, and only once their organizer's address is confirmed
        (see Event.email_confirmation_hash): staff approval alone does not make
        an unconfirmed event public."""
        return self.filter(status=Event.Status.PUBLISHED, email_confirmation_hash="")

    def public(self):
        """Events anyone may see: published ones and cancelled ones (shown as cancelled)."""
        return self.filter(PUBLIC)

    def awaiting_email_confirmation(self):
        return self.exclude(email_confirmation_hash="")

    def by_email_confirmation(self, token):
        return self.filter(email_confirmation_hash=hash_edit_token(token))

    def pending(self):
        return self.filter(status=Event.Status.PENDING)

    def upcoming(self, now=None):
        """Events not over yet, including those happening now, soonest first.

        No event lasts longer than the longest one, so none that started before
        now minus that duration is still on: that bound changes nothing in the
        result, and lets the database read the start index from about now on
        instead of sorting every upcoming event (see longest_duration()).
        """
        now = now or timezone.now()
        earliest_start = ExpressionWrapper(
            Value(now) - longest_duration(), output_field=models.DateTimeField()
        )
        return self.filter(effective_end__gte=now, starts_at__gte=earliest_start).order_by(
            "starts_at", "pk"
        )

    def past(self, now=None):
        """Events that are over, most recent first.

        An event ends no earlier than it starts, so the events that are over all
        started before now: the redundant bound lets the database read the start
        index backwards from now.
        """
        now = now or timezone.now()
        return self.filter(effective_end__lt=now, starts_at__lt=now).order_by("-starts_at", "-pk")

    def with_any_technology(self, technologies):
        """Events with at least one of these technologies, each event once.

        A semi-join rather than a join: no duplicates to remove, so the first
        page is read in index order instead of after a DISTINCT over every match.
        """
        tagged = Event.technologies.through.objects.filter(
            event_id=OuterRef("pk"), technology__in=technologies
        )
        return self.filter(Exists(tagged))

    def rows(self, start, stop):
        """Rows start to stop of this list (a page), read keys first: the page's
        keys come from the indexes where the filters allow, and only its rows from
        the table. Otherwise a filter matching thousands of events reads every one
        of them from the table to sort them, for a page of 20."""
        return self.filter(pk__in=self.values("pk")[start:stop])

    def by_edit_token(self, token, *, with_series_token=False):
        """The event of this edit token; with_series_token: or any date of the series
        whose token it is (the API narrows it down by slug)."""
        token_hash = hash_edit_token(token)
        if with_series_token:
            return self.filter(
                Q(edit_token_hash=token_hash) | Q(series__edit_token_hash=token_hash)
            )
        return self.filter(edit_token_hash=token_hash)

    def search(self, query):
        """Every word must appear, ignoring case and accents."""
        queryset = self
        for term in search_terms(query):
            queryset = queryset.filter(search_text__contains=term)
        return queryset

    def with_technologies(self):
        """Each event's technologies by name (Event.technology_list), read with the
        events themselves (see EventsWithTechnologies)."""
        queryset = self.annotate(technology_ids=TechnologyIds())
        queryset._iterable_class = EventsWithTechnologies
        return queryset

    def similar_to(self, *, title, starts_at, city):
        return self.filter(
            title__iexact=title.strip(), starts_at=starts_at, city__iexact=city.strip()
        )

    def duplicate_of(self, event):
        """An existing event that looks like the same one (see validate_not_duplicate)."""
        similar = self.similar_to(title=event.title, starts_at=event.starts_at, city=event.city)
        return similar.exclude(pk=event.pk).first() if event.pk else similar.first()

    def cities(self):
        """Distinct cities (ignoring case) with their number of events, for filter menus.

        Each row has `name` (one of its spellings) and `event_count`.
        """
        return (
            self.exclude(city="")
            .values(key=Lower("city"))
            .annotate(name=Min("city"), event_count=Count("pk"))
            .order_by("key")
        )


def public_events():
    """Public events with their technologies, where the public lists and pages
    start: built once per process, and copied for each use (QuerySet.all(), as
    Django's and DRF's views copy their class's queryset), since building the
    query costs more than copying it."""
    return _built_public_events().all()


@functools.cache
def _built_public_events():
    return Event.objects.public().with_technologies()


class PagedByKeys:
    """An event list as paginators take it (a count and slices), each slice read
    by EventQuerySet.rows()."""

    def __init__(self, events):
        self.events = events

    @property
    def ordered(self):
        return self.events.ordered

    def count(self):
        return self.events.count()

    def __getitem__(self, bounds):
        return self.events.rows(bounds.start, bounds.stop)


@functools.cache
def longest_duration():
    """The longest time any event lasts (from its start to its effective end), as
    a subquery: the database evaluates it once per query, from an index
    (Event.Meta.indexes)."""
    return LongestDuration()


class LongestDuration(models.Expression):
    """longest_duration()'s subquery. It reads no column of the query it is in,
    so its SQL is the same in every one: compiled once per database, rather
    than resolved and compiled again for every query of every request."""

    output_field = models.DurationField()
    compiled = {}

    def as_sql(self, compiler, connection):
        if connection.alias not in self.compiled:
            duration = ExpressionWrapper(
                F("effective_end") - F("starts_at"), output_field=models.DurationField()
            )
            subquery = Subquery(
                Event.objects.order_by()
                .annotate(duration=duration)
                .order_by("-duration")
                .values("duration")[:1],
                output_field=models.DurationField(),
            )
            sql, params = compiler.compile(subquery.resolve_expression(compiler.query))
            self.compiled[connection.alias] = (sql, tuple(params))
        return self.compiled[connection.alias]


class TechnologyIds(models.Func):
    """The ids of the event's technologies, as a list, read by a subquery in the
    events' own query: no second round trip for their links. Written as SQL
    rather than a Subquery, which would be resolved and compiled again for every
    query; only the event's key is an expression."""

    output_field = models.Field()

    def __init__(self):
        super().__init__(F("pk"))

    @staticmethod
    def links_sql(connection, aggregate):
        quote = connection.ops.quote_name
        technology_id = f"link.{quote('technology_id')}"
        return (
            f"SELECT {aggregate % technology_id} "
            f"FROM {quote(Event.technologies.through._meta.db_table)} link "
            f"WHERE link.{quote('event_id')} = %(expressions)s"
        )

    def as_sql(self, compiler, connection, **extra):
        # SQLite: a JSON array, as text.
        template = f"({self.links_sql(connection, 'JSON_GROUP_ARRAY(%s)')})"
        return super().as_sql(compiler, connection, template=template, **extra)

    def as_postgresql(self, compiler, connection, **extra):
        # ARRAY(subquery) rather than an aggregate: psycopg reads it as a list.
        template = f"ARRAY({self.links_sql(connection, '%s')})"
        return super().as_sql(compiler, connection, template=template, **extra)

    def get_db_converters(self, connection):
        if connection.vendor == "postgresql":
            return []
        return [lambda value, _expression, _connection: json.loads(value)]


class EventsWithTechnologies(ModelIterable):
    """Events with their technologies by name (Event.technology_list): their ids
    come with each event (TechnologyIds), the technologies themselves from those
    this process keeps until public content changes
    (Technology.objects.in_name_order()). Cheaper than a prefetch, which makes
    every technology again for each page."""

    def __iter__(self):
        events = list(super().__iter__())
        if events:
            technologies = Technology.objects.in_name_order()
            if any(
                technology_id not in technologies
                for event in events
                for technology_id in event.technology_ids
            ):
                # Created since this process last read them.
                technologies = Technology.objects.in_name_order(fresh=True)
            for event in events:
                event.technology_list = [
                    technology
                    for _rank, technology in sorted(
                        technologies[technology_id] for technology_id in event.technology_ids
                    )
                ]
        yield from events


class DuplicateEvent(ValidationError):
    """A new event with the title, start and city of an existing one (`existing`)."""

    def __init__(self, existing):
        super().__init__(
            _(
                "An event with the same title, start and city already exists. If yours is a "
                "different event, confirm that it is different and send it again."
            ),
            code="duplicate",
        )
        self.existing = existing


def validate_not_duplicate(event):
    """Submissions that repeat an existing event are refused until confirmed."""
    existing = Event.objects.duplicate_of(event)
    if existing is not None:
        raise DuplicateEvent(existing)


# Module-level so that the check constraints in Event.Meta can name them.
class EventMode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    ONLINE = "online", _("Online")
    HYBRID = "hybrid", _("Hybrid")


class EventStatus(models.TextChoices):
    PUBLISHED = "published", _("Published")
    PENDING = "pending", _("Pending approval")
    CANCELLED = "cancelled", _("Cancelled")
    # Refused by staff: never public, the reason shown to the organizer alone.
    REJECTED = "rejected", _("Rejected")


# Events anyone may see (EventQuerySet.public()); also the condition of the
# partial indexes that serve the public reads.
PUBLIC = Q(status__in=[EventStatus.PUBLISHED, EventStatus.CANCELLED], email_confirmation_hash="")


class SeriesQuerySet(models.QuerySet):
    def by_edit_token(self, token):
        return self.filter(edit_token_hash=hash_edit_token(token))

    def with_title(self):
        """Each series' title (Series.title) read in the same query, for lists."""
        first = Event.objects.filter(series=OuterRef("pk")).order_by("starts_at", "pk")
        return self.annotate(title=Subquery(first.values("title")[:1]))


class Series(models.Model):
    """A meetup that repeats: each date is an Event of its own (its page, slug,
    calendar UID and cancel state), made from the first one by this rule. The
    time zone is the events'. See events.recurrence."""

    frequency = models.CharField(_("repeats"), max_length=20, choices=recurrence.Frequency)
    interval = models.PositiveSmallIntegerField(
        _("interval"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(recurrence.MAX_INTERVAL)],
        help_text=_("Every how many weeks or months."),
    )
    weekday_position = models.SmallIntegerField(
        _("weekday of the month"),
        choices=recurrence.WeekdayPosition,
        null=True,
        blank=True,
    )
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("number of dates"), null=True, blank=True)
    # The organizer's one edit link for every date (see events.edit_tokens.derive_edit_token).
    edit_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = SeriesQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("series")
        verbose_name_plural = _("series")
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=recurrence.Frequency.values),
                name="series_frequency_valid",
            ),
            # As recurrence.Rule keeps it: only a rule on the same weekday has one.
            models.CheckConstraint(
                condition=Q(
                    frequency=recurrence.Frequency.MONTHLY_WEEKDAY,
                    weekday_position__isnull=False,
                )
                | (
                    ~Q(frequency=recurrence.Frequency.MONTHLY_WEEKDAY)
                    & Q(weekday_position__isnull=True)
                ),
                name="series_weekday_position_only_monthly_weekday",
            ),
        ]

    def __str__(self):
        return f"{self.title or '-'} ({self.get_frequency_display()})"

    def get_absolute_url(self):
        return reverse("events:series-calendar", kwargs={"pk": self.pk})

    @cached_property
    def title(self):
        """The title of its first date; None without dates."""
        return self.events.order_by("starts_at", "pk").values_list("title", flat=True).first()

    @property
    def rule(self):
        return recurrence.Rule(
            frequency=self.frequency,
            interval=self.interval,
            weekday_position=self.weekday_position,
            until=self.until,
            count=self.count,
        )


# The mixin exports inserts, updates and deletes of events on the metrics port.
class Event(ExportModelOperationsMixin("event"), models.Model):
    Mode = EventMode
    Status = EventStatus

    title = models.CharField(_("title"), max_length=200, validators=SINGLE_LINE_TEXT)
    slug = models.SlugField(_("slug"), max_length=255, unique=True, editable=False)
    description = models.TextField(
        _("description"),
        max_length=10_000,
        validators=[MaxLengthValidator(10_000), validate_no_control_characters],
        help_text=_("Plain text. Line breaks and links are kept; HTML is shown as text."),
    )
    starts_at = models.DateTimeField(_("starts at"), validators=[validate_event_year])
    ends_at = models.DateTimeField(
        _("ends at"), null=True, blank=True, validators=[validate_event_year]
    )
    # Blank only until clean() fills it in from the city.
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        default=BRASILIA,
        validators=[validate_time_zone],
        help_text=_("Start and end are times in this zone."),
    )
    mode = models.CharField(_("mode"), max_length=20, choices=Mode, default=Mode.IN_PERSON)
    city = models.CharField(_("city"), max_length=100, blank=True, validators=SINGLE_LINE_TEXT)
    state = models.CharField(
        _("state"),
        max_length=2,
        blank=True,
        choices=STATE_CHOICES,
        help_text=_("The state (UF) of the city."),
    )
    venue = models.CharField(_("venue"), max_length=200, blank=True, validators=SINGLE_LINE_TEXT)
    address = models.CharField(
        _("address"), max_length=300, blank=True, validators=SINGLE_LINE_TEXT
    )
    online_url = models.URLField(
        _("online URL"), max_length=500, blank=True, validators=[http_url_validator]
    )
    technologies = models.ManyToManyField(
        Technology, related_name="events", blank=True, verbose_name=_("technologies")
    )
    organizer_name = models.CharField(
        _("organizer name"), max_length=120, validators=SINGLE_LINE_TEXT
    )
    organizer_email = models.EmailField(
        _("organizer e-mail"),
        blank=True,
        help_text=_("Private: never shown publicly. The edit link is sent to it."),
    )
    url = models.URLField(
        _("website or registration URL"),
        max_length=500,
        blank=True,
        validators=[http_url_validator],
    )
    is_free = models.BooleanField(_("free"), default=True)
    # The name shared by the stored copies of the cover image (see events.covers),
    # and the size of the largest copy.
    cover = models.CharField(_("cover image"), max_length=100, blank=True, editable=False)
    cover_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    cover_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    price_from = models.DecimalField(
        _("price from"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("The cheapest ticket, or the only price."),
    )
    price_to = models.DecimalField(
        _("price up to"),
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text=_("The most expensive ticket, when prices vary."),
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        default="BRL",
        validators=[RegexValidator("^[A-Z]{3}$", _("Use a three-letter ISO 4217 code, e.g. BRL."))],
    )
    tickets_url = models.URLField(
        _("tickets URL"), max_length=500, blank=True, validators=[http_url_validator]
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PUBLISHED)
    rejection_reason = models.TextField(
        _("rejection reason"),
        max_length=1000,
        blank=True,
        validators=[MaxLengthValidator(1000), validate_no_control_characters],
        help_text=_("Sent to the organizer and shown on their edit page, never publicly."),
    )
    # The language the organizer wrote in: messages to them use it.
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # When the moderators' digest mentioned this pending event.
    moderators_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    cancellation_reason = models.TextField(
        _("cancellation reason"),
        max_length=500,
        blank=True,
        validators=[MaxLengthValidator(500), validate_no_control_characters],
        help_text=_("Optional, shown on the public page of a cancelled event."),
    )
    edit_token_hash = models.CharField(max_length=64, unique=True, editable=False)
    series = models.ForeignKey(
        Series,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("series"),
        editable=False,
    )
    # In approval mode, a submission that gives an address waits for a click on the
    # link e-mailed there (the hash of its token is kept here until then): an event
    # sent under someone else's address never becomes public, and moderators hear
    # of it only once it is confirmed. Empty: confirmed, or nothing to confirm.
    email_confirmation_hash = models.CharField(
        max_length=64, blank=True, default="", editable=False, db_index=True
    )
    # Normalised copy of the searchable text, kept up to date by events.services.
    # On PostgreSQL a trigram index serves searches (migration 0003).
    search_text = models.TextField(default="", editable=False)
    # The end, or the start plus DEFAULT_DURATION: stored, so that "upcoming" and
    # "past" are one indexed comparison. Kept by save().
    effective_end = models.DateTimeField(editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # One more for every change made through events.services: the API's ETag and
    # the calendar SEQUENCE, so clients and calendars can tell versions apart.
    revision = models.PositiveIntegerField(_("revision"), default=0, editable=False)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["status", "starts_at"]),
            models.Index(fields=["status", "effective_end", "starts_at"]),
            # The public lists in start order: the first page of "upcoming" and
            # "past" is read from here, and so is their count (the effective
            # end and the status are in the index: no table access).
            models.Index(
                fields=["starts_at", "id"],
                include=["effective_end", "status"],
                condition=PUBLIC,
                name="event_public_start_idx",
            ),
            # The city filter (iexact compares upper cases), in start order. It holds
            # every column that filter's count reads (the city itself included: the
            # planner reads an expression's column, not the expression), so a
            # count reads the index only, however many events the city has.
            models.Index(
                Upper("city"),
                "starts_at",
                "id",
                include=["effective_end", "city"],
                condition=PUBLIC,
                name="event_public_city_start_idx",
            ),
            # The sitemap's lastmod: the latest change of a public event.
            models.Index(fields=["updated_at"], condition=PUBLIC, name="event_public_updated_idx"),
            # longest_duration() reads the top of it.
            models.Index(F("effective_end") - F("starts_at"), name="event_duration_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
                violation_error_message=_("The end cannot be before the start."),
            ),
            models.CheckConstraint(
                condition=Q(mode=EventMode.ONLINE) | (~Q(city="") & ~Q(venue="")),
                name="event_in_person_has_place",
                violation_error_message=_(
                    "City and venue are required unless the event is online."
                ),
            ),
            models.CheckConstraint(
                condition=Q(mode=EventMode.IN_PERSON) | ~Q(online_url=""),
                name="event_online_has_url",
                violation_error_message=_("Online and hybrid events need an online URL."),
            ),
            models.CheckConstraint(condition=Q(mode__in=EventMode.values), name="event_mode_valid"),
            models.CheckConstraint(
                condition=Q(state="") | Q(state__in=[code for code, _name in STATE_CHOICES]),
                name="event_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=EventStatus.values),
                name="event_status_valid",
            ),
            models.CheckConstraint(condition=~Q(time_zone=""), name="event_has_time_zone"),
            models.CheckConstraint(
                condition=Q(is_free=False) | Q(price_from__isnull=True, price_to__isnull=True),
                name="event_free_has_no_price",
                violation_error_message=_("A free event has no price."),
            ),
            models.CheckConstraint(
                condition=Q(price_to__isnull=True)
                | Q(price_from__isnull=False, price_to__gte=models.F("price_from")),
                name="event_price_range_ordered",
                violation_error_message=_(
                    "The highest price needs a lowest price, and cannot be below it."
                ),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.starts_at is not None:
            self.effective_end = self.ends_at or self.starts_at + DEFAULT_DURATION
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"starts_at", "ends_at"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "effective_end"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("events:detail", kwargs={"slug": self.slug})

    def clean(self):
        if not self.time_zone:
            self.time_zone = time_zone_for_city(self.city)
        errors = {}
        if self.starts_at and self.ends_at and self.ends_at < self.starts_at:
            errors["ends_at"] = _("The end cannot be before the start.")
        if self.mode != self.Mode.ONLINE:
            for field in ("city", "venue"):
                if not getattr(self, field, "").strip():
                    errors[field] = _("Required unless the event is online.")
        if self.mode != self.Mode.IN_PERSON and not self.online_url:
            errors["online_url"] = _("Online and hybrid events need an online URL.")
        if self.is_free and (self.price_from is not None or self.price_to is not None):
            errors["price_from"] = _("A free event has no price.")
        elif self.price_to is not None and (
            self.price_from is None or self.price_to < self.price_from
        ):
            errors["price_to"] = _(
                "The highest price needs a lowest price, and cannot be below it."
            )
        if errors:
            raise ValidationError(errors)

    @cached_property
    def technology_list(self):
        """The event's technologies by name: as with_technologies() read them for
        many events at once, else one query. A plain list: no manager and query
        set made per event, as `technologies.all()` of a prefetch would (a
        noticeable part of a page of 20)."""
        return list(self.technologies.all())

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def awaiting_email_confirmation(self):
        return bool(self.email_confirmation_hash)

    def following_in_series(self):
        """This date and the later ones of its series (itself alone outside a series)."""
        if self.series_id is None:
            return Event.objects.filter(pk=self.pk)
        return Event.objects.filter(series_id=self.series_id).filter(
            Q(starts_at__gt=self.starts_at) | Q(starts_at=self.starts_at, pk__gte=self.pk)
        )

    def next_dates(self, limit=5):
        """The public upcoming dates of its series after this one."""
        if self.series_id is None:
            return Event.objects.none()
        return (
            Event.objects.public()
            .filter(series_id=self.series_id, starts_at__gt=self.starts_at)
            .upcoming()[:limit]
        )

    @property
    def is_pending(self):
        return self.status == self.Status.PENDING

    @property
    def is_rejected(self):
        return self.status == self.Status.REJECTED

    @property
    def organizer_can_cancel(self):
        """Organizers cancel published events only: cancelling a pending event
        would make it public without approval."""
        return self.status == self.Status.PUBLISHED

    def organizer_can_restore(self, now=None):
        """A cancellation can be undone until the event starts."""
        return self.is_cancelled and self.starts_at > (now or timezone.now())

    @property
    def has_price_range(self):
        return self.price_to is not None and self.price_to != self.price_from

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def local_starts_at(self):
        return self.starts_at.astimezone(self.zone)

    @property
    def local_effective_end(self):
        return self.effective_end.astimezone(self.zone)

    @property
    def has_place(self):
        return self.mode != self.Mode.ONLINE

    @property
    def city_and_state(self):
        return f"{self.city} ({self.state})" if self.city and self.state else self.city

    @property
    def full_address(self):
        return ", ".join(part for part in (self.venue, self.address, self.city_and_state) if part)

    def cover_files(self):
        """The names of the stored copies of the cover image."""
        return covers.variant_names(self.cover, self.cover_width) if self.cover else []

    def cover_sources(self):
        """{"webp": [(url, width), ...], "jpg": [...]}, or None without a cover."""
        return covers.sources(self.cover, self.cover_width) if self.cover else None

    def build_search_text(self):
        parts = [self.title, self.description, self.city, self.venue, self.organizer_name]
        parts += [technology.name for technology in self.technologies.all()]
        return normalize(" ".join(parts))


class StatusChange(models.Model):
    """One change of an event's status, whichever door it came through."""

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("event")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=EventStatus, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=EventStatus)
    channel = models.CharField(_("door"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("staff member"),
        help_text=_("Empty: the organizer, through the edit link or the API."),
    )
    changed_at = models.DateTimeField(_("changed at"), auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "pk"]
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"


class Report(models.Model):
    """A visitor's warning that something is wrong with an event."""

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or not a tech event")
        WRONG = "wrong", _("Wrong information")
        CANCELLED = "cancelled", _("The event was cancelled")
        OTHER = "other", _("Something else")

    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="reports", verbose_name=_("event")
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    text = models.TextField(
        _("details"),
        max_length=500,
        blank=True,
        validators=[MaxLengthValidator(500), validate_no_control_characters],
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.CheckConstraint(
                condition=Q(reason__in=["spam", "wrong", "cancelled", "other"]),
                name="report_reason_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.event}"


class RecoveryLinkQuerySet(models.QuerySet):
    def usable(self, now=None):
        return self.filter(expires_at__gt=now or timezone.now())

    def by_token(self, token):
        return self.filter(token_hash=hash_edit_token(token))


class RecoveryLink(models.Model):
    """A single-use link, e-mailed to an organizer on request, that issues a new
    edit link: for an event, or for a whole series (its dates' links with it).
    Kept apart from the edit token so that asking for one leaves the current edit
    link working until the recovery link is used. Stored as the hash of its token
    only."""

    LIFETIME = timedelta(hours=24)

    event = models.ForeignKey(
        Event,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recovery_links",
        verbose_name=_("event"),
    )
    series = models.ForeignKey(
        Series,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="recovery_links",
        verbose_name=_("series"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"))

    objects = RecoveryLinkQuerySet.as_manager()

    class Meta:
        verbose_name = _("recovery link")
        verbose_name_plural = _("recovery links")
        constraints = [
            models.CheckConstraint(
                condition=Q(event__isnull=False, series__isnull=True)
                | Q(event__isnull=True, series__isnull=False),
                name="recoverylink_event_or_series",
            ),
        ]

    def __str__(self):
        return f"{self.event or self.series} ({self.expires_at:%Y-%m-%d %H:%M})"

    @property
    def title(self):
        """The title of the event, or of the series, whose edit link it issues."""
        return self.event.title if self.series_id is None else self.series.title

    @classmethod
    def lifetime_hours(cls):
        return int(cls.LIFETIME.total_seconds() // 3600)
