"""A logged-in staff member who asks for a case or referral they may not see gets the
same 404 as for one that does not exist, and the refusal is in the access log that the
record's own agency reads."""

import uuid

import pytest

from referrals.models import AccessLog
from services.models import Membership
from tests.factories import CaseFactory, ReferralFactory, login, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def referral(caseworker_a, caseworker_b):
    return ReferralFactory(case=CaseFactory(created_by=caseworker_a))


def test_a_refused_referral_is_logged_against_it(client, referral, outsider):
    login(client, outsider)
    assert client.get(f"/referrals/r/{referral.public_id}/").status_code == 404
    entry = AccessLog.objects.get(action=AccessLog.Action.REFUSED)
    assert (entry.user, entry.referral, entry.case_id) == (outsider, referral, referral.case_id)


def test_a_refused_case_is_logged_against_it(client, referral, outsider):
    login(client, outsider)
    assert client.get(f"/referrals/cases/{referral.case.public_id}/").status_code == 404
    entry = AccessLog.objects.get(action=AccessLog.Action.REFUSED)
    assert (entry.user, entry.case) == (outsider, referral.case)


def test_the_refused_person_learns_nothing_and_the_owners_admin_sees_the_attempt(
    client, referral, outsider
):
    login(client, outsider)
    other = uuid.uuid4()
    refused = client.get(f"/referrals/r/{referral.public_id}/")
    unknown = client.get(f"/referrals/r/{other}/")
    assert refused.status_code == unknown.status_code == 404
    # The same page but for the address itself (the language links repeat it).
    assert refused.text.replace(str(referral.public_id), "ID") == unknown.text.replace(
        str(other), "ID"
    )
    admin = staff("olav", "oslo-kommune", role=Membership.Role.AGENCY_ADMIN)
    log = login(client, admin).get("/referrals/log/").text
    assert "charlie" in log and "nektet tilgang" in log


def test_ids_that_name_no_record_and_anonymous_visitors_write_nothing(client, referral, outsider):
    client.get(f"/referrals/r/{referral.public_id}/")  # not logged in: sent to the login
    login(client, outsider)
    client.get(f"/referrals/r/{uuid.uuid4()}/")
    assert not AccessLog.objects.filter(action=AccessLog.Action.REFUSED).exists()


def test_the_entitled_read_is_logged_as_a_read_not_a_refusal(client, referral, caseworker_a):
    login(client, caseworker_a)
    assert client.get(f"/referrals/r/{referral.public_id}/").status_code == 200
    assert not AccessLog.objects.filter(action=AccessLog.Action.REFUSED).exists()
