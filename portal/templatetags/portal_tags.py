"""Template helpers for the public pages."""

from django import template
from django.conf import settings
from django.utils.translation import get_language

register = template.Library()

# Each language names itself, so a reader finds their own language in any interface.
SELF_NAMES = {"nb": "Bokmål", "nn": "Nynorsk", "en": "English"}


@register.simple_tag(takes_context=True)
def language_links(context) -> list[dict]:
    """Links to the current page (path and query) in each interface language.

    The public URLs are the same in every language, only prefixed (/nn/, /en/;
    bokmål has none), so swapping the prefix is enough: no resolve/reverse.
    """
    request = context.get("request")
    current = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    path = request.get_full_path() if request else "/"
    if current != settings.LANGUAGE_CODE and path.startswith(f"/{current}/"):
        path = path[len(current) + 1 :]
    return [
        {
            "code": code,
            "name": SELF_NAMES.get(code, code),
            "url": path if code == settings.LANGUAGE_CODE else f"/{code}{path}",
            "current": code == current,
        }
        for code, _name in settings.LANGUAGES
    ]


@register.filter
def localised(service, field: str) -> str:
    """`service.localised(field)`: the English text on /en/ where there is one, else bokmål."""
    return service.localised(field)


@register.filter
def in_bokmal(service, field: str) -> bool:
    """True when `localised` fell back to bokmål on a page in another language."""
    return service.localised_is_bokmal(field)
