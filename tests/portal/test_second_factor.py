"""With REQUIRE_2FA, a session that gave only the password reaches nothing but the
public pages and the pages that finish logging in: checked on every URL of the
project, so a URL added later is covered without anyone remembering it."""

import pytest

from portal.middleware import open_without_second_factor
from services.models import ChangeSuggestion, Membership, Service
from tests.factories import ReferralFactory, staff
from tests.urlwalk import walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def password_only(client, settings):
    """An agency admin who is also a superuser, logged in with the password alone: only
    the missing second factor can stand between them and any page."""
    settings.REQUIRE_2FA = True
    user = staff(
        "dagny",
        "sortland-kommune",
        ["demo-sortland-voldskoordinator"],
        role=Membership.Role.AGENCY_ADMIN,
    )
    user.is_staff = user.is_superuser = True
    user.save()
    client.force_login(user)
    return client, user


def _staff_urls(user):
    referral = ReferralFactory(case__created_by=user)
    samples = {
        "uuid": referral.public_id,
        "slug": "demo-sortland-voldskoordinator",
        "object_id": Service.objects.get(slug="demo-sortland-voldskoordinator").pk,
        "int": user.membership.pk,
        "pk": user.membership.pk,
        "str": "1",
    }
    urls = [url for url in walk(samples) if not _open(url.path)]
    return urls


def _open(path):
    from django.urls import resolve

    return open_without_second_factor(resolve(path))


def test_every_staff_url_sends_a_password_only_session_to_the_second_factor(password_only):
    client, user = password_only
    refused = []
    for url in _staff_urls(user):
        for method in (client.get, client.post):
            response = method(url.path)
            assert response.status_code == 302, (method.__name__, url)
            assert response["Location"].startswith("/accounts/2fa/"), (method.__name__, url)
        refused.append(url.view_name)
    # The walk reached the staff, admin and suggestion pages, not just a few.
    assert {"coordination:suggest", "referrals:detail", "admin:index"} <= set(refused)
    assert len(refused) > 150


def test_a_password_only_session_cannot_suggest_a_change(password_only):
    client, _user = password_only
    before = ChangeSuggestion.objects.count()
    response = client.post(
        "/suggest/demo-sortland-voldskoordinator/",
        {"name": "Overtatt", "description": "x", "note": "fra en stjålet sesjon"},
    )
    assert response["Location"].startswith("/accounts/2fa/")
    assert ChangeSuggestion.objects.count() == before


def test_the_public_pages_stay_open_to_a_password_only_session(password_only):
    client, _user = password_only
    assert client.get("/").status_code == 200
    assert client.get("/services/demo-sortland-voldskoordinator/").status_code == 200
    assert client.get("/api/hsds/").status_code == 200


def test_without_require_2fa_the_staff_pages_open_with_the_password(password_only, settings):
    client, _user = password_only
    settings.REQUIRE_2FA = False
    assert client.get("/referrals/").status_code == 200
    assert client.get("/suggest/demo-sortland-voldskoordinator/").status_code == 200
