"""Template helpers for the public pages."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language

register = template.Library()

# Each language names itself, so a reader finds their own language in any interface.
SELF_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """Links to the current page (path and query) in each interface language."""
    request = context.get("request")
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    url = request.get_full_path() if request else "/"
    return [
        {
            "code": code,
            "name": SELF_NAMES.get(code, code),
            "url": translate_url(url, code),
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]
