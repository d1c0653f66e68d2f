import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from services.models import County, Location, Municipality, OpeningHours, Phone, Service

pytestmark = pytest.mark.django_db


def violates(create) -> bool:
    try:
        with transaction.atomic():
            create()
    except IntegrityError:
        return True
    return False


@pytest.fixture
def service():
    return Service.objects.get(slug="oslo-krisesenter")


def test_municipality_numbers_have_four_digits():
    county = County.objects.get(number="03")
    assert violates(lambda: Municipality.objects.create(number="301", name="X", county=county))
    assert violates(lambda: Municipality.objects.create(number="03a1", name="X", county=county))


def test_service_slugs_are_unique(service):
    assert violates(
        lambda: Service.objects.create(
            slug=service.slug, name="Kopi", organisation=service.organisation, description_nb="x"
        )
    )


def test_opening_hours_must_close_after_they_open(service):
    assert violates(
        lambda: OpeningHours.objects.create(
            service=service, weekday=0, opens=dt.time(16), closes=dt.time(8)
        )
    )


def test_overnight_hours_must_be_marked_explicitly(service):
    OpeningHours.objects.create(
        service=service, weekday=4, opens=dt.time(22), closes=dt.time(2), closes_next_day=True
    )
    assert violates(
        lambda: OpeningHours.objects.create(
            service=service, weekday=5, opens=dt.time(8), closes=dt.time(16), closes_next_day=True
        )
    )


def test_several_periods_a_day_are_allowed_but_not_two_starting_together(service):
    OpeningHours.objects.create(service=service, weekday=1, opens=dt.time(8), closes=dt.time(11))
    OpeningHours.objects.create(service=service, weekday=1, opens=dt.time(12), closes=dt.time(15))
    assert violates(
        lambda: OpeningHours.objects.create(
            service=service, weekday=1, opens=dt.time(8), closes=dt.time(9)
        )
    )


def test_weekday_must_be_a_day_of_the_week(service):
    assert violates(
        lambda: OpeningHours.objects.create(
            service=service, weekday=7, opens=dt.time(8), closes=dt.time(9)
        )
    )


def test_phone_numbers_are_digits_and_spaces(service):
    assert violates(lambda: Phone.objects.create(service=service, number="ring oss"))
    Phone.objects.create(service=service, number="116 006")


def test_postcodes_have_four_digits(service):
    assert violates(lambda: Location.objects.create(service=service, postal_code="12a4"))


def test_a_free_service_has_no_price_text(service):
    service.is_free = True
    service.cost_nb = "300 kr"
    assert violates(service.save)


def test_published_excludes_draft_and_archived():
    published = Service.objects.published()
    assert published.filter(status__in=["draft", "archived"]).count() == 0
    assert Service.objects.exclude(status="published").count() == 2


def test_for_municipality_gives_local_county_and_national_services():
    sortland = Municipality.objects.get(number="1870")
    slugs = set(
        Service.objects.published().for_municipality(sortland).values_list("slug", flat=True)
    )
    assert "krisesenteret-i-vesteralen" in slugs
    assert "vold-og-overgrepslinjen-116006" in slugs
    assert "krisesenteret-i-stavanger" not in slugs


def test_never_verified_services_are_due_for_review():
    assert Service.objects.review_due().count() == Service.objects.count()
