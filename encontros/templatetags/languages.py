from dataclasses import dataclass

from django import template
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.urls import Resolver404, resolve, translate_url
from django.utils import translation

register = template.Library()


@dataclass(frozen=True)
class Alternate:
    code: str
    name: str
    url: str
    is_current: bool
    is_default: bool


@register.simple_tag(takes_context=True)
def language_alternates(context):
    """The current page in each language, as absolute addresses: the hreflang
    links and the language switch. None for a page no URL pattern serves, or
    for the error page of a request to a host this site does not serve."""
    request = context.get("request")
    if request is None:
        return []
    path = request.get_full_path()
    try:
        resolve(request.path_info)
        request.get_host()
    except (Resolver404, DisallowedHost):
        return []
    current = translation.get_language()
    return [
        Alternate(
            code=code,
            name=translation.get_language_info(code)["name_local"],
            url=request.build_absolute_uri(translate_url(path, code)),
            is_current=code == current,
            is_default=code == settings.LANGUAGE_CODE,
        )
        for code, _name in settings.LANGUAGES
    ]
