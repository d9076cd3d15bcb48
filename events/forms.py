import copy
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, RegexValidator, URLValidator
from django.db import models
from django.forms.boundfield import BoundField
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext_lazy as _

from . import covers
from .models import Event, clean_technology_names


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
        if isinstance(widget, forms.CheckboxInput):
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
    return model_field.formfield(**kwargs)


DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


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


class EventForm(forms.ModelForm):
    default_renderer = SiteFormRenderer()

    cover_image = CoverField(
        label=_("Cover image"),
        required=False,
        help_text=_(
            "Optional: a flyer or photo shown on the event's page. JPEG, PNG or WebP, at most 5 MB."
        ),
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
        ]
        widgets = {
            "starts_at": DATETIME_INPUT,
            "ends_at": DATETIME_INPUT,
            "description": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["technology_names"] = ", ".join(
                technology.name for technology in self.instance.technologies.all()
            )
        self.order_fields(
            ["title", "description", "starts_at", "ends_at", "mode", "technology_names"]
        )

    def changes(self):
        """The event's fields that this submission changes, with their new values."""
        return {
            name: getattr(self.instance, name)
            for name in self.changed_data
            if name in self._meta.fields
        }


class EventEditForm(EventForm):
    """The organizer's edit form. It remembers which revision of the event it
    showed, so that a change saved meanwhile by someone else is not overwritten
    unseen."""

    # Optional: a page opened before the site asked for it saves as it always did.
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["revision"] = self.instance.revision
        self.changed_meanwhile = False

    def warn_changed_meanwhile(self, current):
        """Show the organizer's values again, with a warning; sending them once more
        replaces `current`, the version saved meanwhile."""
        self.data = self.data.copy()
        self.data[self.add_prefix("revision")] = current.revision
        self.changed_meanwhile = True


class EventSubmissionForm(EventForm):
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
