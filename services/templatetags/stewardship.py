from django import template

from services.coordination import steward_contact as _steward_contact

register = template.Library()


@register.simple_tag
def steward_contact(service):
    """The published contact of whoever keeps `service` current, or None."""
    return _steward_contact(service)
