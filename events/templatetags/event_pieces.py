from django import template

from events import fragments

register = template.Library()


@register.simple_tag
def render_event(template_name, event):
    """The event rendered alone by template_name, as kept by events.fragments
    (the template sees only `event`)."""
    return fragments.event_piece(template_name, event)
