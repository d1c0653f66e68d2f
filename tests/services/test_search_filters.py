"""Filters on the results page: one FilterSet, counts per option, unknown facts are not guesses."""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from services.models import Municipality, OpeningHours, Service
from services.search import search_services

pytestmark = pytest.mark.django_db

# A Wednesday at noon, Oslo time, not a holiday.
NOON = dt.datetime(2026, 11, 18, 12, 0, tzinfo=dt.UTC) - dt.timedelta(hours=1)


def slugs(found):
    return [s.slug for s in found.services]


def test_a_municipality_shows_its_own_its_countys_and_national_services_only():
    found = search_services("", {"municipality": "1870"})
    sortland = Municipality.objects.get(number="1870")
    allowed = set(
        Service.objects.published().for_municipality(sortland).values_list("slug", flat=True)
    )
    assert set(slugs(found)) == allowed
    assert "oslo-krisesenter" not in slugs(found)
    assert "krisesenteret-i-vesteralen" in slugs(found)


def test_a_chosen_municipality_puts_the_local_service_before_national_ones():
    found = search_services("krisesenter", {"municipality": "1870"})
    assert slugs(found)[0] == "krisesenteret-i-vesteralen"


def test_an_unknown_referral_requirement_matches_neither_answer():
    unknown = set(
        Service.objects.published().filter(referral_required=None).values_list("slug", flat=True)
    )
    assert unknown
    yes = set(slugs(search_services("", {"referral": "yes"})))
    no = set(slugs(search_services("", {"referral": "no"})))
    assert not unknown & (yes | no)
    assert yes and no and not yes & no


def test_free_and_anonymous_filters_keep_only_such_services():
    found = search_services("", {"free": "1", "anonymous": "1"})
    services = Service.objects.filter(slug__in=slugs(found))
    assert services and all(s.is_free and s.anonymous_possible for s in services)


def test_several_categories_must_all_hold():
    found = search_services("", {"category": ["rus", "parorende"]})
    for service in Service.objects.filter(slug__in=slugs(found)):
        assert {"rus", "parorende"} <= set(service.categories.values_list("slug", flat=True))


@pytest.mark.parametrize(
    "filters",
    [{}, {"municipality": "0301"}, {"category": ["vold-i-naere-relasjoner"]}, {"free": "1"}],
)
def test_each_option_count_is_the_number_of_results_it_would_give(filters):
    found = search_services("vold", filters, now=NOON)
    for name in ("category", "target_group", "language", "delivery_mode", "referral"):
        for value, count in found.counts.get(name, {}).items():
            narrowed = dict(filters)
            if name == "referral":
                narrowed[name] = value
            else:
                narrowed[name] = [*filters.get(name, []), value]
            assert search_services("vold", narrowed, now=NOON).total == count, (name, value)
    for flag in ("free", "anonymous", "open_now"):
        count = found.counts[flag]["1"]
        assert search_services("vold", {**filters, flag: "1"}, now=NOON).total == count, flag


def test_open_now_never_includes_services_whose_hours_are_unknown():
    found = search_services("", {"open_now": "1"}, now=NOON)
    modes = set(Service.objects.filter(slug__in=slugs(found)).values_list("hours_mode", flat=True))
    assert "unknown" not in modes
    assert "always" in modes


def test_open_now_follows_the_weekly_hours_and_public_holidays():
    service = Service.objects.get(slug="kirkens-sos")
    service.hours_mode = "scheduled"
    service.save()
    OpeningHours.objects.filter(service=service).delete()
    OpeningHours.objects.create(service=service, weekday=2, opens=dt.time(9), closes=dt.time(15))
    wednesday_noon = dt.datetime(2026, 11, 18, 11, 0, tzinfo=dt.UTC)
    wednesday_evening = dt.datetime(2026, 11, 18, 17, 0, tzinfo=dt.UTC)
    # 17 May 2028 is a Wednesday and a public holiday.
    constitution_day = dt.datetime(2028, 5, 17, 10, 0, tzinfo=dt.UTC)
    assert "kirkens-sos" in slugs(
        search_services("kirkens sos", {"open_now": "1"}, now=wednesday_noon)
    )
    assert "kirkens-sos" not in slugs(
        search_services("kirkens sos", {"open_now": "1"}, now=wednesday_evening)
    )
    assert "kirkens-sos" not in slugs(
        search_services("kirkens sos", {"open_now": "1"}, now=constitution_day)
    )


def test_the_page_says_hours_unknown_call_to_check(client):
    service = Service.objects.filter(hours_mode="unknown", status="published").first()
    response = client.get("/services/", {"q": service.name})
    assert "Åpningstider ukjent – ring for å sjekke" in response.content.decode()


def test_filters_are_a_get_form_with_checkboxes_and_an_apply_button(client):
    html = client.get("/services/", {"q": "vold"}).content.decode()
    assert 'method="get"' in html
    assert 'type="checkbox" name="category"' in html
    assert "Bruk filtre" in html


def test_the_empty_state_shows_how_to_get_help_now(client):
    response = client.get("/services/", {"q": "xyzzyqwerty"})
    html = response.content.decode()
    assert "Ingen treff" in html
    assert 'href="tel:112"' in html or 'href="tel:116006"' in html


def test_a_search_that_finds_nothing_is_counted_for_the_coordinator(client):
    from services.models import UnansweredSearch

    client.get("/services/", {"q": "xyzzyqwerty"})
    assert UnansweredSearch.objects.exists()


def test_an_acute_query_keeps_an_emergency_line_near_the_top():
    found = search_services("han truer med å drepe meg", {"municipality": "0301"})
    assert any(s.is_emergency for s in list(found.services)[:3])


def query_count(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/services/", params).status_code == 200
    return len(queries)


def test_the_results_page_makes_the_same_small_number_of_queries_however_many_results(client):
    few = query_count(client, {"q": "chemsex"})
    many = query_count(client, {"q": "vold"})
    none = query_count(client, {"q": "xyzzyqwerty"})
    browse = query_count(client, {"municipality": "0301"})
    # One query more at most: opening hours are read only when a listed service is closed.
    assert abs(few - many) <= 1 and max(few, many) <= 12
    assert browse <= 12
    assert none <= 12 + 4  # plus counting the unanswered search


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"municipality": "1870"},
        {"municipality": "0301", "category": ["rus"]},
        {"category": ["rus", "parorende"], "anonymous": "1"},
        {"target_group": ["barn"], "free": "1"},
        {"language": ["en"], "delivery_mode": ["phone"]},
        {"referral": "yes"},
        {"referral": "no", "open_now": "1"},
    ],
)
@pytest.mark.parametrize("when", [NOON, NOON + dt.timedelta(hours=12)])
def test_the_row_condition_the_search_checks_is_the_filterset(filters, when):
    from services.filters import ServiceFilter
    from services.search import _as_multivalue

    municipality = Municipality.objects.filter(number=filters.get("municipality")).first()
    filterset = ServiceFilter(
        _as_multivalue(filters),
        queryset=Service.objects.published(),
        options={
            "category": [(s, s) for s in ("rus", "parorende")],
            "target_group": [("barn", "barn")],
            "language": [("en", "en")],
            "delivery_mode": [("phone", "phone")],
        },
        municipality=municipality,
        now=when,
    )
    condition, params = filterset.row_condition("r")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT r.id FROM services_service r WHERE {condition}", params)
        by_sql = {row[0] for row in cursor.fetchall()}
    assert by_sql == set(filterset.qs.values_list("id", flat=True))
    coverage = filterset.coverage_ids()
    assert (coverage is None) == (municipality is None)
    if coverage is not None:
        # The municipality's services read through indexes, then the other filters: the same set.
        coverage_sql, coverage_params = coverage
        rest, rest_params = filterset.row_condition("r", coverage=False)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT r.id FROM services_service r WHERE r.id IN ({coverage_sql}) AND {rest}",
                [*coverage_params, *rest_params],
            )
            assert {row[0] for row in cursor.fetchall()} == by_sql


@pytest.mark.parametrize(
    "query, filters",
    [
        ("krisesenter", {"municipality": "1870"}),
        ("vold", {"municipality": "0301", "category": ["vold-i-naere-relasjoner"]}),
        ("hjelp", {"municipality": "1103", "free": "1"}),
    ],
)
def test_common_words_with_a_municipality_find_the_same_services_as_ranked_ones(
    monkeypatch, query, filters
):
    """Words too common to rank are checked on the municipality's services only (PostgreSQL):
    the same services as when the database ranks every match, all within the filters."""
    from services.search import backends

    ranked = search_services(query, filters, now=NOON)
    monkeypatch.setattr(backends, "RANK_BUDGET", 0)  # every word "common": the sampled branch
    sampled = search_services(query, filters, now=NOON)
    assert sampled.ids and set(sampled.ids) == set(ranked.ids)
    municipality = Municipality.objects.get(number=filters["municipality"])
    allowed = set(
        Service.objects.published().for_municipality(municipality).values_list("id", flat=True)
    )
    assert set(sampled.ids) <= allowed


class _Inputs(HTMLParser):
    """The filter form's inputs: (type, name, value, checked) of each."""

    def __init__(self):
        super().__init__()
        self.inputs, self.in_filters = [], False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_filters = "search-filters" in (attrs.get("class") or "")
        elif tag == "input" and self.in_filters and attrs.get("type") in ("checkbox", "radio"):
            self.inputs.append((attrs["type"], attrs["name"], attrs["value"], "checked" in attrs))


def filter_inputs(html: str) -> list[tuple[str, str, str, bool]]:
    parser = _Inputs()
    parser.feed(html)
    return parser.inputs


def test_the_filter_form_shows_what_is_chosen_and_submits_it_again_without_javascript(client):
    chosen = {"q": "vold", "category": "vold-i-naere-relasjoner", "free": "1", "referral": "no"}
    html = client.get("/services/", chosen).text
    inputs = filter_inputs(html)
    checked = {(name, value) for _type, name, value, on in inputs if on}
    assert checked == {("category", "vold-i-naere-relasjoner"), ("free", "1"), ("referral", "no")}
    assert ("radio", "referral", "", False) in inputs  # "all" is not the choice now
    assert ("checkbox", "anonymous", "1", False) in inputs
    # What a browser sends for the checked inputs gives the same results again.
    again = client.get("/services/", {"q": "vold", **dict(checked)}).text
    assert filter_inputs(again) == inputs
    found = search_services("vold", chosen)
    assert [s.slug for s in found.page(1)] and all(
        f'/services/{s.slug}/"' in html for s in found.page(1)
    )


def test_without_a_choice_all_referral_answers_are_allowed(client):
    inputs = filter_inputs(client.get("/services/", {"q": "vold"}).text)
    assert ("radio", "referral", "", True) in inputs
    assert not [i for i in inputs if i[3] and i[2]]
