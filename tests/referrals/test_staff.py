import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from referrals.models import AccessLog, Case
from services.models import Membership, Service
from tests.factories import CaseFactory, ReferralFactory, login, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_a(db):
    return staff("olav", "oslo-kommune", role=Membership.Role.AGENCY_ADMIN)


def test_an_agency_admin_invites_a_colleague_who_gets_a_set_password_link(client, admin_a, smtp):
    login(client, admin_a)
    oslo_service = Service.objects.get(slug="demo-oslo-voldskoordinator")
    response = client.post(
        reverse("referrals:staff_invite"),
        {
            "first_name": "Nina",
            "last_name": "Ny",
            "email": "nina@example.invalid",
            "username": "nina",
            "role": "caseworker",
            "services": [oslo_service.pk],
        },
    )
    assert response["Location"] == reverse("referrals:staff")
    nina = get_user_model().objects.get(username="nina")
    assert not nina.has_usable_password()
    assert nina.membership.organisation == admin_a.membership.organisation
    assert list(nina.membership.services.all()) == [oslo_service]
    assert [m["to"] for m in smtp.deliver()] == [["nina@example.invalid"]]
    assert "/accounts/password/reset/" in smtp.messages[0]["body"]


def test_an_invite_with_bad_input_keeps_what_was_typed(client, admin_a, caseworker_a):
    login(client, admin_a)
    response = client.post(
        reverse("referrals:staff_invite"),
        {"first_name": "Nina", "email": "ikke-epost", "username": "alice", "role": "caseworker"},
    )
    body = response.content.decode()
    assert "Det er et problem" in body and "Brukernavnet er i bruk" in body
    assert 'value="Nina"' in body


def test_an_agency_admin_assigns_services(client, admin_a, caseworker_a):
    login(client, admin_a)
    client.post(reverse("referrals:staff_services", args=[caseworker_a.membership.pk]), {})
    assert caseworker_a.membership.services.count() == 0


def test_deactivating_hands_open_cases_and_referrals_to_a_colleague_first(
    client, admin_a, caseworker_a, colleague_a, caseworker_b
):
    referral = ReferralFactory(case=CaseFactory(created_by=caseworker_a), status="sent")
    login(client, admin_a)
    url = reverse("referrals:staff_deactivate", args=[caseworker_a.membership.pk])
    response = client.post(url, {})
    assert "Velg en kollega som overtar sakene." in response.content.decode()
    caseworker_a.refresh_from_db()
    assert caseworker_a.is_active
    client.post(url, {"successor": colleague_a.pk})
    caseworker_a.refresh_from_db()
    referral.refresh_from_db()
    assert not caseworker_a.is_active and not Membership.objects.get(user=caseworker_a).is_active
    assert referral.case.created_by == colleague_a and referral.created_by == colleague_a
    assert Case.objects.visible_to(colleague_a).filter(pk=referral.case_id).exists()
    assert AccessLog.objects.filter(user=admin_a, case=referral.case, what="handover").exists()


def test_staff_pages_are_for_the_own_organisations_agency_admin_only(
    client, admin_a, caseworker_a, caseworker_b, agency_admin_b
):
    login(client, caseworker_a)
    assert client.get(reverse("referrals:staff")).status_code == 404
    login(client, agency_admin_b)
    url = reverse("referrals:staff_deactivate", args=[caseworker_a.membership.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"successor": caseworker_b.pk}).status_code == 404
