"""E-mails go through a real SMTP server and carry no personal data."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from referrals import workflow
from referrals.models import ReminderSent
from tests.factories import CaseFactory, ReferralFactory

pytestmark = pytest.mark.django_db(transaction=True)

PERSONAL = ["Kari", "Nordmann", "1985", "vold", "Etter klokka", "Samtale"]


@pytest.fixture(autouse=True)
def _catalogue():
    from services.models import Service

    if not Service.objects.exists():
        call_command("load_catalogue", verbosity=0)


def assert_no_personal_data(messages):
    for message in messages:
        text = message["subject"] + message["body"]
        for word in PERSONAL:
            assert word.lower() not in text.lower(), word


def test_sending_a_referral_mails_the_receiving_staff_a_link_only(smtp, caseworker_a, caseworker_b):
    referral = ReferralFactory(case=CaseFactory(created_by=caseworker_a))
    workflow.referral_send(referral=referral, by=caseworker_a)
    assert [m["to"] for m in smtp.messages] == [[caseworker_b.email]]
    assert str(referral.public_id) in smtp.messages[0]["body"]
    assert_no_personal_data(smtp.messages)


def test_status_changes_and_messages_mail_the_other_side(smtp, caseworker_a, caseworker_b):
    referral = ReferralFactory(case=CaseFactory(created_by=caseworker_a))
    workflow.referral_send(referral=referral, by=caseworker_a)
    workflow.referral_acknowledge(referral=referral, by=caseworker_b)
    workflow.message_post(referral=referral, by=caseworker_b, body="Kari Nordmann ringte oss")
    workflow.message_post(referral=referral, by=caseworker_a, body="Takk")
    assert [m["to"] for m in smtp.messages] == [
        [caseworker_b.email],
        [caseworker_a.email],
        [caseworker_a.email],
        [caseworker_b.email],
    ]
    assert_no_personal_data(smtp.messages)


def test_reminders_go_out_once_per_referral_per_day(smtp, caseworker_a, caseworker_b):
    referral = ReferralFactory(case=CaseFactory(created_by=caseworker_a))
    workflow.referral_send(referral=referral, by=caseworker_a)
    smtp.messages.clear()
    type(referral).objects.filter(pk=referral.pk).update(
        due_at=timezone.now() - timezone.timedelta(hours=1)
    )
    call_command("send_referral_reminders", verbosity=0)
    call_command("send_referral_reminders", verbosity=0)
    assert [m["to"] for m in smtp.messages] == [[caseworker_b.email]]
    assert ReminderSent.objects.filter(referral=referral).count() == 1
    assert_no_personal_data(smtp.messages)


def test_acknowledged_or_not_yet_due_referrals_get_no_reminder(smtp, caseworker_a, caseworker_b):
    due = ReferralFactory(case=CaseFactory(created_by=caseworker_a))
    workflow.referral_send(referral=due, by=caseworker_a)
    smtp.messages.clear()
    call_command("send_referral_reminders", verbosity=0)
    assert smtp.messages == []
