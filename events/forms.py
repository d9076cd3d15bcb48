import copy
import time
from datetime import UTC

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, RegexValidator, URLValidator
from django.db import models
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import covers, recurrence
from .models import Event, Report, clean_technology_names, validate_no_control_characters
from .time_zones import (
    BRAZIL_TIME_ZONES,
    time_zone_for_city,
    time_zone_name,
    validate_time_zone,
    wall_clock_in_zone,
)


def _is_valid_for(validator, value):
    try:
        validator(value)
    except ValidationError:
        return False
    return True


# What HTML accepts as the value of typed inputs (https://html.spec.whatwg.org/#states-of-the-type-attribute).
_DATE = r"\d{4,}-\d{2}-\d{2}"
TYPED_INPUT_VALIDATORS = {
    "url": URLValidator(),
    "email": EmailValidator(),
    "date": RegexValidator(rf"^{_DATE}$"),
    "datetime-local": RegexValidator(rf"^{_DATE}[T ]\d{{2}}:\d{{2}}(:\d{{2}}(\.\d{{1,3}})?)?$"),
}


class SiteBoundField(BoundField):
    """Bootstrap classes on every widget; errors announced with the field (Django
    points aria-describedby at `<id>_error`, see includes/_field_errors.html)."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
            css_class = "form-check-input"
        elif isinstance(widget, forms.Select):
            css_class = "form-select"
        else:
            css_class = "form-control"
        if self.errors:
            css_class += " is-invalid"
        attrs["class"] = f"{attrs.get('class', '')} {css_class}".strip()
        return attrs

    def as_widget(self, widget=None, attrs=None, only_initial=False):
        """A typed value that its input type does not accept (`notaurl` in a URL
        input) would be invalid HTML: it is given back in a text input instead."""
        widget = widget or self.field.widget
        validator = TYPED_INPUT_VALIDATORS.get(getattr(widget, "input_type", None))
        value = self.value()
        if self.form.is_bound and validator and value and isinstance(value, str):
            if not _is_valid_for(validator, value):
                widget = copy.copy(widget)
                widget.input_type = "text"
        return super().as_widget(widget, attrs, only_initial)


class SiteFormRenderer(TemplatesSetting):
    field_template_name = "includes/_field.html"
    bound_field_class = SiteBoundField


class SiteForm(forms.Form):
    default_renderer = SiteFormRenderer()


def event_formfield(model_field, **kwargs):
    """Form fields for the event's model fields.

    Addresses typed without a scheme mean https. Dates are checked by the form
    field itself, before the form looks for duplicates with them.
    """
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    if isinstance(model_field, models.DateTimeField):
        kwargs["validators"] = model_field.validators
        kwargs["form_class"] = WallClockDateTimeField
    if isinstance(model_field, models.DecimalField):
        # "50,00" in Portuguese, "50.00" in English.
        kwargs["localize"] = True
        kwargs["widget"] = forms.TextInput(attrs={"inputmode": "decimal"})
    return model_field.formfield(**kwargs)


DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
EVENT_TIME_FIELDS = ("starts_at", "ends_at")


class EventTimeZoneFormMixin:
    """Start and end are typed as wall-clock times in the event's time zone.

    The form fields read them in the site's zone (or leave them naive); here they
    become moments in the chosen zone, or in the city's when none is chosen. An
    event being edited shows its times on its own clock.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            for name in EVENT_TIME_FIELDS:
                moment = getattr(self.instance, name)
                if moment:
                    self.initial[name] = moment.astimezone(self.instance.zone).replace(tzinfo=None)

    def clean(self):
        cleaned_data = super().clean()
        zone = cleaned_data.get("time_zone") or time_zone_for_city(cleaned_data.get("city", ""))
        try:
            validate_time_zone(zone)
        except forms.ValidationError as error:
            self.add_error("time_zone", error)
            return cleaned_data
        if "time_zone" in cleaned_data:
            cleaned_data["time_zone"] = zone
        for name in EVENT_TIME_FIELDS:
            value = cleaned_data.get(name)
            if value is None:
                continue
            if timezone.is_aware(value):
                value = timezone.localtime(value).replace(tzinfo=None)
            try:
                cleaned_data[name] = wall_clock_in_zone(value, zone)
            except forms.ValidationError as error:
                self.add_error(name, error)
        return cleaned_data


class WallClockDateTimeField(forms.DateTimeField):
    """A date and time as typed, without a zone: EventTimeZoneFormMixin gives it one.

    Reading it in the site's zone first would refuse times that only the site's
    clock skipped (daylight saving time in Brasília until 2019).
    """

    def to_python(self, value):
        # UTC has no skipped or repeated times: the wall-clock time passes unchanged.
        with timezone.override(UTC):
            value = super().to_python(value)
        return value.replace(tzinfo=None) if value is not None else None


class TechnologyNamesField(forms.CharField):
    """Comma-separated technology names, cleaned into a list (see clean_technology_names)."""

    def clean(self, value):
        return clean_technology_names(super().clean(value).split(","))


class CoverField(forms.FileField):
    """An optional cover image, cleaned into an events.covers.Cover: decoded and
    re-encoded here, whatever the file's name says."""

    widget = forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"})

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        return covers.process_upload(upload) if upload else None


def time_zone_choices(current=None):
    """Brazil's zones by their everyday names, and the event's own zone when it is another
    (set through the API)."""
    choices = [("", _("From the city (Brasília when unknown)")), *BRAZIL_TIME_ZONES]
    if current and current not in dict(BRAZIL_TIME_ZONES):
        choices.append((current, time_zone_name(current)))
    return choices


class EventForm(EventTimeZoneFormMixin, forms.ModelForm):
    default_renderer = SiteFormRenderer()

    cover_image = CoverField(
        label=_("Cover image"),
        required=False,
        help_text=_(
            "Optional: a flyer or photo shown on the event's page. JPEG, PNG or WebP, at most 5 MB."
        ),
    )

    # Chosen explicitly: neither answer is ticked in a new form.
    is_free = forms.TypedChoiceField(
        label=_("Price"),
        choices=[(True, _("Free")), (False, _("Paid"))],
        coerce=lambda value: value == "True",
        widget=forms.RadioSelect,
    )

    technology_names = TechnologyNamesField(
        label=_("Technologies"),
        required=False,
        max_length=600,
        help_text=_("Separated by commas, e.g. Python, Django, PostgreSQL."),
    )

    class Meta:
        model = Event
        formfield_callback = event_formfield
        fields = [
            "title",
            "description",
            "starts_at",
            "ends_at",
            "time_zone",
            "mode",
            "city",
            "state",
            "venue",
            "address",
            "online_url",
            "organizer_name",
            "organizer_email",
            "url",
            "is_free",
            "price_from",
            "price_to",
            "currency",
            "tickets_url",
        ]
        widgets = {
            "starts_at": DATETIME_INPUT,
            "ends_at": DATETIME_INPUT,
            "description": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.pop("is_free", None)
        if self.instance.pk and not self.is_bound:
            self.initial["technology_names"] = ", ".join(
                technology.name for technology in self.instance.technology_list
            )
        self.fields["currency"].required = False
        # Shown beside the label (templates/includes/_field.html); the model's
        # constraint decides.
        for name in ("city", "venue"):
            self.fields[name].required_when = _("required in person or hybrid")
        self.fields["currency"].widget.attrs.update(size=3, autocapitalize="characters")
        self.fields["time_zone"] = forms.ChoiceField(
            label=Event._meta.get_field("time_zone").verbose_name.capitalize(),
            choices=time_zone_choices(self.instance.time_zone if self.instance.pk else None),
            required=False,
            help_text=_("Type the start and end as clocks show them where the event happens."),
        )
        self.order_fields(
            [
                "title",
                "description",
                "starts_at",
                "ends_at",
                "time_zone",
                "mode",
                "technology_names",
            ]
        )

    def clean_currency(self):
        return (
            self.cleaned_data["currency"].strip().upper()
            or Event._meta.get_field("currency").get_default()
        )

    def changes(self):
        """The event's fields that this submission changes, with their new values."""
        changed = set(self.changed_data)
        if "time_zone" in changed:
            # The same wall-clock times in another zone are other moments.
            changed.update(EVENT_TIME_FIELDS)
        return {name: getattr(self.instance, name) for name in changed if name in self._meta.fields}


class EventEditForm(EventForm):
    """The organizer's edit form. It remembers which revision of the event it
    showed, so that a change saved meanwhile by someone else is not overwritten
    unseen. A date of a series asks whether the change is for it alone or for
    it and the following dates."""

    ONLY_THIS = "this"
    FOLLOWING = "following"

    # Optional: a page opened before the site asked for it saves as it always did.
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)
    scope = forms.ChoiceField(
        label=_("Apply the changes to"),
        choices=[
            (ONLY_THIS, _("Only this date")),
            (FOLLOWING, _("This date and the following ones")),
        ],
        initial=ONLY_THIS,
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "A new time moves the following dates by as much, on the same clock: "
            "19:00 becoming 20:00 here makes them 20:00 too."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["revision"] = self.instance.revision
        self.changed_meanwhile = False
        if self.instance.cover:
            self.fields["remove_cover"] = forms.BooleanField(
                label=_("Remove the cover image"),
                required=False,
                help_text=_("A new image sent with it replaces the cover instead."),
            )

        if self.instance.series_id is None:
            del self.fields["scope"]

    @property
    def for_following_dates(self):
        return self.cleaned_data.get("scope") == self.FOLLOWING

    def warn_changed_meanwhile(self, current):
        """Show the organizer's values again, with a warning; sending them once more
        replaces `current`, the version saved meanwhile."""
        self.data = self.data.copy()
        self.data[self.add_prefix("revision")] = current.revision
        self.changed_meanwhile = True


# events.recurrence's names for the rule's parts, and the form's.
RECURRENCE_FIELDS = {
    "frequency": "repeats",
    "interval": "repeat_interval",
    "weekday_position": "weekday_position",
    "until": "repeat_until",
    "count": "repeat_count",
}


class RecurrenceFormMixin(forms.Form):
    """The "repeats" part of the submission form: a series of dates from the
    start given (events.recurrence), checked date by date here."""

    repeats = forms.ChoiceField(
        label=_("How often"),
        choices=[("", _("Does not repeat")), *recurrence.Frequency.choices],
        required=False,
    )
    repeat_interval = forms.IntegerField(
        label=_("Every how many weeks or months"),
        min_value=1,
        max_value=recurrence.MAX_INTERVAL,
        initial=1,
        required=False,
        help_text=_("1: every week or month; 2: every other one; and so on."),
    )
    weekday_position = forms.TypedChoiceField(
        label=_("Which weekday of the month"),
        choices=[("", "—"), *recurrence.WeekdayPosition.choices],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("For “on the same weekday”: e.g. 2nd for the second Thursday."),
    )
    repeat_until = forms.DateField(
        label=_("Last date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    repeat_count = forms.IntegerField(
        label=_("Or number of dates"),
        min_value=2,
        max_value=recurrence.MAX_OCCURRENCES,
        required=False,
        help_text=_("Give a last date or a number of dates; a series covers a year at most."),
    )

    def clean(self):
        cleaned_data = super().clean()
        cleaned_data["recurrence"] = None
        if not cleaned_data.get("repeats") or self.errors:
            return cleaned_data
        rule = recurrence.Rule(
            frequency=cleaned_data["repeats"],
            interval=cleaned_data.get("repeat_interval") or 1,
            weekday_position=cleaned_data.get("weekday_position"),
            until=cleaned_data.get("repeat_until"),
            count=cleaned_data.get("repeat_count"),
        )
        starts_at = cleaned_data.get("starts_at")
        if starts_at is None:
            return cleaned_data
        try:
            recurrence.occurrences(
                rule,
                starts_at=starts_at,
                ends_at=cleaned_data.get("ends_at"),
                time_zone=cleaned_data.get("time_zone")
                or time_zone_for_city(cleaned_data.get("city", "")),
            )
        except ValidationError as error:
            self.add_series_error(error)
        else:
            cleaned_data["recurrence"] = rule
        return cleaned_data

    def add_series_error(self, error):
        """Show a refused series (a rule's or a date's ValidationError, by field) at
        the fields of this form: the rule's parts at their "repeats" fields."""
        errors = {
            RECURRENCE_FIELDS.get(name, name): messages
            for name, messages in error.error_dict.items()
        }
        self.add_error(None, ValidationError(errors))


class EventSubmissionForm(RecurrenceFormMixin, EventForm):
    """The anonymous submission form, with its defences against spam bots."""

    # Hidden from people by CSS and from keyboards and screen readers; bots that
    # fill every field reveal themselves.
    homepage = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    rendered_at = forms.CharField(widget=forms.HiddenInput)
    confirm_duplicate = forms.BooleanField(
        required=False, label=_("Yes, this is a different event: publish it anyway.")
    )

    signer = signing.TimestampSigner(salt="events.submission-form")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["rendered_at"] = self.signer.sign(str(int(time.time())))
        # The existing event that events.services.event_submit found this one repeats.
        self.duplicate = None

    def clean_homepage(self):
        if self.cleaned_data["homepage"]:
            raise forms.ValidationError(
                _(
                    "This looks like an automated submission. If you are a person, clear "
                    "the hidden “homepage” field and send again."
                )
            )
        return ""

    def clean_rendered_at(self):
        too_fast = forms.ValidationError(
            _(
                "The form was sent too quickly or has expired. Please review your event "
                "and send it again."
            ),
            code="too_fast",
        )
        try:
            rendered_at = int(self.signer.unsign(self.cleaned_data["rendered_at"], max_age=86400))
        except (signing.BadSignature, ValueError):
            rendered_at = None
        if rendered_at is None or time.time() - rendered_at < settings.EVENTS_FORM_MIN_SECONDS:
            # Restart the clock so that the next, slower attempt can succeed.
            self.data = self.data.copy()
            self.data[self.add_prefix("rendered_at")] = self.initial["rendered_at"]
            raise too_fast
        return rendered_at


class EventAdminForm(EventTimeZoneFormMixin, forms.ModelForm):
    """The admin's event form: times typed on the event's clock, as on the site."""

    remove_cover = forms.BooleanField(
        label=_("Remove the cover image"),
        required=False,
        help_text=_("Its files are deleted when you save."),
    )

    class Meta:
        model = Event
        formfield_callback = event_formfield
        # The admin adds the fields of its fieldsets.
        fields = [*EVENT_TIME_FIELDS, "time_zone"]


class EventCancelForm(SiteForm):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=500,
        validators=[validate_no_control_characters],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the event's public page, e.g. “The venue is closed for repairs.”"),
    )


class ReportForm(forms.ModelForm):
    default_renderer = SiteFormRenderer()

    class Meta:
        model = Report
        fields = ["reason", "text"]
        widgets = {"reason": forms.RadioSelect, "text": forms.Textarea(attrs={"rows": 3})}
        labels = {"reason": _("What is wrong?"), "text": _("Details (optional)")}


class RecoveryRequestForm(SiteForm):
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("The address you gave when you registered your events."),
        max_length=254,
    )
