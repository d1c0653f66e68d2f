"""The results page's repeated parts, rendered in Python.

A results page repeats one result twenty times and one filter option about
sixty times. Written in Django's template language they cost about 0.4 ms a
result and 0.05 ms an option, half of the page's time, where the resident's
portal has a budget for the whole page (issue 4: a results page at 10,000
services answers at least 3 % of the requests a trivial view answers). Here
the same markup costs a tenth of that. The page around them stays in
templates/services/results.html; these tags are its only other part.

Everything shown is escaped by `format_html`; the labels are the same gettext
strings the template used, so the translations apply unchanged.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import truncatewords
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

register = template.Library()


def _lang(bokmal_fallback: bool) -> SafeString:
    return mark_safe(' lang="nb"') if bokmal_fallback else mark_safe("")


def _facts(service, municipality_chosen: bool) -> list[tuple[str, str]]:
    """(class, text) of each fact shown under a result."""
    facts = []
    if service.is_emergency:
        facts.append(("fact-emergency", _("Akutt hjelp")))
    if municipality_chosen:
        if service.search.is_local:
            facts.append(("", _("I din kommune")))
        elif service.search.is_county:
            facts.append(("", _("I ditt fylke")))
        elif service.coverage_national:
            facts.append(("", _("Hele landet")))
    if service.hours_mode == "always":
        facts.append(("fact-open", _("Døgnåpent")))
    elif service.open_state is None:
        facts.append(("fact-hours-unknown", _("Åpningstider ukjent – ring for å sjekke")))
    elif service.open_state:
        facts.append(("fact-open", _("Åpent nå")))
    else:
        closed = _("Stengt nå")
        if service.opens_next:
            when = date_filter(timezone.localtime(service.opens_next), "l H:i")
            closed += " – " + _("åpner %(when)s") % {"when": when}
        facts.append(("fact-closed", closed))
    if service.referral_required is True:
        facts.append(("", _("Krever henvisning")))
    elif service.referral_required is False:
        facts.append(("", _("Uten henvisning")))
    else:
        facts.append(("", _("Ukjent om det trengs henvisning")))
    if service.is_free:
        facts.append(("", _("Gratis")))
    if service.anonymous_possible:
        facts.append(("", _("Kan brukes anonymt")))
    return facts


def _result(service, municipality_chosen: bool) -> SafeString:
    facts = format_html_join(
        "",
        "<li{}>{}</li>",
        (
            (format_html(' class="{}"', css) if css else "", text)
            for css, text in _facts(service, municipality_chosen)
        ),
    )
    phone = service.first_phone
    phone_html = (
        format_html(
            '<p class="result-phone"><a href="{}">{}</a>{}</p>',
            phone.tel_uri,
            phone.number,
            format_html(" – {}", phone.label_nb) if phone.label_nb else "",
        )
        if phone
        else ""
    )
    return format_html(
        '<li class="result{}">\n'
        '<h3><a href="{}"{}>{}</a></h3>\n'
        '<p class="result-organisation">{}</p>\n'
        '<p class="result-description"{}>{}</p>\n'
        '<ul class="result-facts">{}</ul>\n'
        "{}</li>\n",
        " result-emergency" if service.is_emergency else "",
        reverse("services:detail", args=[service.slug]),
        _lang(service.localised_is_bokmal("name")),
        service.localised("name"),
        service.organisation_name,
        _lang(service.localised_is_bokmal("description")),
        truncatewords(service.localised("description"), 30),
        facts,
        phone_html,
    )


@register.simple_tag
def result_items(services, municipality=None) -> SafeString:
    """The `<li>` of each listed service (`SearchResults.listing`), in order."""
    return mark_safe("".join(_result(s, municipality is not None) for s in services))


@register.simple_tag
def facet_inputs(facet) -> SafeString:
    """The labelled inputs of one filter group (`services.search.Facet`): radio buttons
    with "all" first for the referral choice, check boxes otherwise. A flag's input is
    named after the flag (free=1); a group's after the group (category=<slug>)."""
    count = '<span class="count">({})</span>'
    if facet.name == "referral":
        rows = [
            format_html(
                '<label><input type="radio" name="referral" value=""{}> {}</label>',
                "" if facet.selected else mark_safe(" checked"),
                _("Alle"),
            )
        ]
        template_ = '<label><input type="radio" name="referral" value="{}"{}> {} ' + count
        rows += [
            format_html(
                template_ + "</label>",
                option.value,
                mark_safe(" checked") if option.selected else "",
                option.label,
                option.display,
            )
            for option in facet.options
        ]
    else:
        flags = facet.name == "flags"
        rows = [
            format_html(
                '<label><input type="checkbox" name="{}" value="{}"{}> {} ' + count + "</label>",
                option.value if flags else facet.name,
                "1" if flags else option.value,
                mark_safe(" checked") if option.selected else "",
                option.label,
                option.display,
            )
            for option in facet.options
        ]
    return mark_safe("\n".join(rows))


@register.simple_tag
def suggestion_query(found) -> str:
    """The results page's query string with the corrected query in place of the typed one
    (municipality kept, filters dropped: a new search)."""
    params = {"q": found.query.suggestion}
    if found.municipality is not None:
        params["municipality"] = found.municipality.number
    return urlencode(params)
