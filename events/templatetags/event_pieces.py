from django import template
from django.template.loader import render_to_string
from django.utils.translation import get_language

from events import fragments

register = template.Library()


@register.simple_tag
def render_event(template_name, event):
    """The event rendered alone by template_name, as kept by events.fragments
    (the template sees only `event`)."""
    return fragments.event_piece(template_name, event)


@register.simple_tag(takes_context=True)
def filters_form(context):
    """The list pages' search and filter form (events/_filters.html), kept by
    language, list, filter values and menus: the same values give the same form."""
    filterset, past = context["filterset"], context["past"]
    key = ("filters", get_language(), past, context["menus_version"], filterset.query_string())
    names = ["filterset", "past", "cities", "technologies"]
    return fragments.kept(
        key,
        lambda: render_to_string("events/_filters.html", {name: context[name] for name in names}),
    )
