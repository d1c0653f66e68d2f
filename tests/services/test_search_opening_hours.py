"""Opening hours: Norwegian public holidays, open now, the next opening."""

import datetime as dt

import pytest

from services.models import OpeningHours, Service
from services.opening import OSLO, easter_sunday, is_open_at, next_opening, public_holidays

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "year,easter",
    [(2024, dt.date(2024, 3, 31)), (2025, dt.date(2025, 4, 20)), (2026, dt.date(2026, 4, 5)),
     (2027, dt.date(2027, 3, 28)), (2038, dt.date(2038, 4, 25))],
)  # fmt: skip
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_the_twelve_norwegian_public_holidays_of_2026():
    days = set(public_holidays(2026))
    assert days == {
        dt.date(2026, 1, 1),
        dt.date(2026, 4, 2),  # skjærtorsdag
        dt.date(2026, 4, 3),  # langfredag
        dt.date(2026, 4, 5),
        dt.date(2026, 4, 6),
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 14),  # Kristi himmelfartsdag
        dt.date(2026, 5, 17),
        dt.date(2026, 5, 24),  # pinse
        dt.date(2026, 5, 25),
        dt.date(2026, 12, 25),
        dt.date(2026, 12, 26),
    }


def oslo(*args):
    return dt.datetime(*args, tzinfo=OSLO)


@pytest.fixture
def office():
    service = Service.objects.get(slug="kirkens-sos")
    service.hours_mode = "scheduled"
    service.save()
    service.opening_hours.all().delete()
    for day in range(5):
        OpeningHours.objects.create(
            service=service, weekday=day, opens=dt.time(8), closes=dt.time(16)
        )
    # Friday night into Saturday.
    OpeningHours.objects.create(
        service=service, weekday=4, opens=dt.time(22), closes=dt.time(2), closes_next_day=True
    )
    return Service.objects.prefetch_related("opening_hours").get(pk=service.pk)


def test_open_during_its_hours_and_closed_outside_them(office):
    assert is_open_at(office, oslo(2026, 11, 18, 9, 0)) is True
    assert is_open_at(office, oslo(2026, 11, 18, 16, 0)) is False
    assert is_open_at(office, oslo(2026, 11, 21, 12, 0)) is False  # Saturday


def test_an_overnight_period_runs_past_midnight(office):
    assert is_open_at(office, oslo(2026, 11, 20, 23, 30)) is True
    assert is_open_at(office, oslo(2026, 11, 21, 1, 30)) is True
    assert is_open_at(office, oslo(2026, 11, 21, 2, 30)) is False


def test_closed_on_a_public_holiday(office):
    assert is_open_at(office, oslo(2026, 5, 14, 10, 0)) is False  # Ascension Day, a Thursday
    assert is_open_at(office, oslo(2026, 12, 25, 10, 0)) is False


def test_the_next_opening_skips_weekends_and_holidays(office):
    assert next_opening(office, oslo(2026, 11, 18, 17, 0)) == oslo(2026, 11, 19, 8, 0)
    assert next_opening(office, oslo(2026, 11, 21, 12, 0)) == oslo(2026, 11, 23, 8, 0)
    # Wednesday 23 Dec 2026 evening: 24th is a Thursday, 25th and 26th are holidays.
    assert next_opening(office, oslo(2026, 12, 24, 17, 0)) == oslo(2026, 12, 28, 8, 0)


def test_unknown_hours_are_never_open_and_have_no_next_opening():
    service = Service.objects.filter(hours_mode="unknown").first()
    assert is_open_at(service, oslo(2026, 11, 18, 12, 0)) is None
    assert next_opening(service, oslo(2026, 11, 18, 12, 0)) is None


def test_a_service_open_day_and_night_is_always_open():
    service = Service.objects.get(slug="nodnummer-112-politi")
    assert is_open_at(service, oslo(2026, 12, 25, 3, 0)) is True


@pytest.mark.parametrize(
    "when",
    [oslo(2026, 11, 18, 9, 0), oslo(2026, 11, 21, 1, 30), oslo(2026, 11, 22, 23, 0),
     oslo(2026, 12, 25, 10, 0)],
)  # fmt: skip
def test_the_results_list_says_what_the_service_page_says_about_hours_and_phone(office, when):
    from services.search import search_services

    found = search_services("", {}, now=when)
    listed = [s for n in range(1, 5) for s in found.listing(n).object_list]
    assert office.pk in {s.pk for s in listed}
    assert any(s.open_state is False for s in listed)
    full = Service.objects.prefetch_related("opening_hours", "phones").in_bulk(
        [s.pk for s in listed]
    )
    for service in listed:
        whole = full[service.pk]
        assert service.open_state == is_open_at(whole, when), service.slug
        expected_next = next_opening(whole, when) if service.open_state is False else None
        assert service.opens_next == expected_next, service.slug
        assert service.first_phone == next(iter(whole.phones.all()), None), service.slug
