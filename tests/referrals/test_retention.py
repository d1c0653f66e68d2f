import pytest
from django.core.management import call_command
from django.utils import timezone

from referrals import workflow
from referrals.models import Case, Referral
from tests.factories import CaseFactory, ReferralFactory

pytestmark = pytest.mark.django_db


def closed_long_ago(caseworker_a, caseworker_b, days):
    referral = ReferralFactory(case=CaseFactory(created_by=caseworker_a))
    workflow.referral_send(referral=referral, by=caseworker_a)
    workflow.referral_acknowledge(referral=referral, by=caseworker_b)
    workflow.referral_decline(referral=referral, by=caseworker_b, reason="Kari passer ikke")
    long_ago = timezone.now() - timezone.timedelta(days=days)
    Referral.objects.filter(pk=referral.pk).update(closed_at=long_ago)
    Case.objects.filter(pk=referral.case_id).update(created_at=long_ago)
    return referral


def test_purge_erases_personal_fields_and_keeps_statistics(caseworker_a, caseworker_b, settings):
    settings.REFERRAL_RETENTION_DAYS = 365
    old = closed_long_ago(caseworker_a, caseworker_b, days=400)
    recent = closed_long_ago(caseworker_a, caseworker_b, days=30)
    call_command("purge_referrals", verbosity=0)
    old.refresh_from_db()
    old.case.refresh_from_db()
    assert old.case.person_name == "" and old.case.birth_year is None
    assert old.case.erased_at is not None
    assert (old.reason, old.request) == ("", "")
    assert all(event.note == "" for event in old.events.all())
    assert (old.status, old.service.slug, old.urgency) == (
        "declined",
        "demo-sortland-voldskoordinator",
        "ordinary",
    )
    assert old.sent_at is not None and old.closed_at is not None
    recent.case.refresh_from_db()
    assert recent.case.person_name == "Kari Nordmann"


def test_purge_leaves_cases_with_an_open_referral(caseworker_a, caseworker_b):
    old = closed_long_ago(caseworker_a, caseworker_b, days=400)
    ReferralFactory(case=old.case)  # still a draft
    call_command("purge_referrals", verbosity=0)
    old.case.refresh_from_db()
    assert old.case.person_name == "Kari Nordmann"


def test_purge_is_idempotent(caseworker_a, caseworker_b):
    from referrals.retention import purge

    closed_long_ago(caseworker_a, caseworker_b, days=400)
    assert purge() == 1
    assert purge() == 0
