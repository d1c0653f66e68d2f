"""Need to know: every referral URL × every kind of user who must not see it."""

import pytest
from django.urls import reverse

from referrals import workflow
from referrals.models import AccessLog, Referral
from tests.factories import CaseFactory, ReferralFactory, login

pytestmark = pytest.mark.django_db

RECORD_URLS = [
    ("referrals:detail", "referral", "get"),
    ("referrals:case", "case", "get"),
    ("referrals:case_refer", "case", "get"),
    ("referrals:info_sheet", "case", "get"),
    ("referrals:send", "referral", "post"),
    ("referrals:acknowledge", "referral", "post"),
    ("referrals:accept", "referral", "post"),
    ("referrals:decline", "referral", "post"),
    ("referrals:forward", "referral", "post"),
    ("referrals:complete", "referral", "post"),
    ("referrals:withdraw", "referral", "post"),
    ("referrals:message", "referral", "post"),
]
POST_ONLY = [name for name, _kind, method in RECORD_URLS if method == "post"]
INTRUDERS = ["outsider", "colleague_a", "staff_coordinator", "coordinator"]


@pytest.fixture
def sent_referral(caseworker_a, caseworker_b):
    case = CaseFactory(created_by=caseworker_a)
    referral = ReferralFactory(case=case)
    return workflow.referral_send(referral=referral, by=caseworker_a)


def url_for(name, kind, referral):
    public_id = referral.public_id if kind == "referral" else referral.case.public_id
    return reverse(name, args=[public_id])


@pytest.mark.parametrize("intruder", INTRUDERS)
@pytest.mark.parametrize(("name", "kind", "method"), RECORD_URLS)
def test_people_without_need_to_know_get_404(
    client, request, sent_referral, intruder, name, kind, method
):
    login(client, request.getfixturevalue(intruder))
    url = url_for(name, kind, sent_referral)
    response = getattr(client, method)(url, {"note": "x", "reason": "x", "body": "x"})
    assert response.status_code == 404
    sent_referral.refresh_from_db()
    assert sent_referral.status == Referral.Status.SENT
    assert "Kari" not in response.content.decode()


@pytest.mark.parametrize(("name", "kind", "method"), RECORD_URLS)
def test_anonymous_visitors_are_sent_to_the_login_page(client, sent_referral, name, kind, method):
    url = url_for(name, kind, sent_referral)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("name", POST_ONLY)
def test_state_changes_refuse_get(client, caseworker_b, sent_referral, name):
    login(client, caseworker_b)
    assert client.get(reverse(name, args=[sent_referral.public_id])).status_code == 405


@pytest.mark.parametrize("name", ["referrals:inbox", "referrals:outbox", "referrals:case_new"])
@pytest.mark.parametrize("intruder", ["staff_coordinator", "coordinator"])
def test_users_without_a_membership_see_no_referral_pages(client, request, intruder, name):
    login(client, request.getfixturevalue(intruder))
    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", ["referrals:inbox", "referrals:outbox", "referrals:case_new"])
def test_list_pages_send_anonymous_visitors_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_outsiders_inbox_and_outbox_do_not_list_the_referral(client, outsider, sent_referral):
    login(client, outsider)
    for name in ("referrals:inbox", "referrals:outbox"):
        assert str(sent_referral.public_id) not in client.get(reverse(name)).content.decode()


def test_the_receiver_sees_the_referral_and_the_safe_contact_instructions(
    client, caseworker_b, sent_referral
):
    login(client, caseworker_b)
    response = client.get(reverse("referrals:detail", args=[sent_referral.public_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Kari Nordmann" in body
    assert "Trygg kontakt" in body
    assert "Etter klokka 16" in body
    assert "no-cache" in response["Cache-Control"]
    inbox = client.get(reverse("referrals:inbox")).content.decode()
    assert str(sent_referral.public_id) in inbox


def test_the_receiver_cannot_open_the_senders_case_page(client, caseworker_b, sent_referral):
    login(client, caseworker_b)
    assert (
        client.get(reverse("referrals:case", args=[sent_referral.case.public_id])).status_code
        == 404
    )


def test_receivers_do_not_see_drafts(client, caseworker_a, caseworker_b):
    draft = ReferralFactory(case=CaseFactory(created_by=caseworker_a))
    login(client, caseworker_b)
    assert client.get(reverse("referrals:detail", args=[draft.public_id])).status_code == 404


def test_an_added_colleague_and_the_agency_admin_see_the_case(
    client, caseworker_a, colleague_a, sent_referral
):
    from tests.factories import staff

    admin_a = staff("olav", "oslo-kommune", role="agency_admin")
    sent_referral.case.colleagues.add(colleague_a)
    for user in (colleague_a, admin_a):
        login(client, user)
        assert (
            client.get(reverse("referrals:case", args=[sent_referral.case.public_id])).status_code
            == 200
        )
        assert (
            client.get(reverse("referrals:detail", args=[sent_referral.public_id])).status_code
            == 200
        )


def test_the_receiving_organisations_agency_admin_sees_the_referral(
    client, agency_admin_b, sent_referral
):
    login(client, agency_admin_b)
    assert (
        client.get(reverse("referrals:detail", args=[sent_referral.public_id])).status_code == 200
    )


def test_a_deactivated_membership_sees_nothing(client, caseworker_b, sent_referral):
    caseworker_b.membership.is_active = False
    caseworker_b.membership.save()
    login(client, caseworker_b)
    assert (
        client.get(reverse("referrals:detail", args=[sent_referral.public_id])).status_code == 404
    )


def test_every_read_and_write_is_in_the_access_log(client, caseworker_b, sent_referral):
    login(client, caseworker_b)
    before = AccessLog.objects.count()
    client.get(reverse("referrals:detail", args=[sent_referral.public_id]))
    client.post(reverse("referrals:acknowledge", args=[sent_referral.public_id]))
    entries = list(AccessLog.objects.order_by("pk")[before:])
    assert [(e.user, e.referral, e.action) for e in entries] == [
        (caseworker_b, sent_referral, "read"),
        (caseworker_b, sent_referral, "read"),
        (caseworker_b, sent_referral, "update"),
    ]


def test_an_agency_admin_reads_the_log_of_their_own_organisations_records(
    client, agency_admin_b, outsider, sent_referral
):
    login(client, agency_admin_b)
    response = client.get(reverse("referrals:access_log"))
    assert response.status_code == 200
    assert str(sent_referral) in response.content.decode()
    login(client, outsider)
    assert client.get(reverse("referrals:access_log")).status_code == 404


def test_referral_urls_carry_only_random_identifiers(sent_referral):
    url = reverse("referrals:detail", args=[sent_referral.public_id])
    assert str(sent_referral.pk) + "/" not in url.split(str(sent_referral.public_id))[0]
    assert sent_referral.public_id.version == 4
