from datetime import UTC

import pytest

from referrals import workflow
from referrals.models import Referral, ReferralEvent
from services.models import Service
from tests.factories import CaseFactory, ReferralFactory

pytestmark = pytest.mark.django_db
Status = Referral.Status


@pytest.fixture
def referral(caseworker_a, caseworker_b):
    return ReferralFactory(case=CaseFactory(created_by=caseworker_a))


def test_a_referral_goes_from_draft_to_completed_with_an_event_per_step(
    referral, caseworker_a, caseworker_b
):
    workflow.referral_send(referral=referral, by=caseworker_a)
    workflow.referral_acknowledge(referral=referral, by=caseworker_b)
    workflow.referral_accept(referral=referral, by=caseworker_b, note="Vi ringer")
    workflow.referral_complete(referral=referral, by=caseworker_b)
    referral.refresh_from_db()
    assert referral.status == Status.COMPLETED
    assert referral.closed_at is not None
    assert [(e.status, e.actor) for e in referral.events.all()] == [
        (Status.SENT, caseworker_a),
        (Status.ACKNOWLEDGED, caseworker_b),
        (Status.ACCEPTED, caseworker_b),
        (Status.COMPLETED, caseworker_b),
    ]


def test_an_illegal_step_is_refused_with_a_clear_message(referral, caseworker_b, caseworker_a):
    workflow.referral_send(referral=referral, by=caseworker_a)
    with pytest.raises(workflow.WorkflowError) as error:
        workflow.referral_accept(referral=referral, by=caseworker_b)
    assert str(error.value) == workflow.ILLEGAL_STEP % {"status": "Sendt"}
    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_declining_needs_a_reason(referral, caseworker_a, caseworker_b):
    workflow.referral_send(referral=referral, by=caseworker_a)
    workflow.referral_acknowledge(referral=referral, by=caseworker_b)
    with pytest.raises(workflow.WorkflowError, match=str(workflow.DECLINE_REASON_REQUIRED)):
        workflow.referral_decline(referral=referral, by=caseworker_b, reason="  ")
    workflow.referral_decline(referral=referral, by=caseworker_b, reason="Utenfor vårt område")
    assert referral.events.last().note == "Utenfor vårt område"


def test_only_the_receiver_acts_on_a_received_referral(referral, caseworker_a):
    workflow.referral_send(referral=referral, by=caseworker_a)
    with pytest.raises(workflow.WorkflowError, match=str(workflow.NOT_RECEIVER)):
        workflow.referral_acknowledge(referral=referral, by=caseworker_a)


def test_only_the_sender_withdraws(referral, caseworker_a, caseworker_b):
    workflow.referral_send(referral=referral, by=caseworker_a)
    with pytest.raises(workflow.WorkflowError, match=str(workflow.NOT_SENDER)):
        workflow.referral_withdraw(referral=referral, by=caseworker_b)
    workflow.referral_withdraw(referral=referral, by=caseworker_a)
    assert referral.status == Status.WITHDRAWN


def test_forwarding_makes_a_new_referral_in_the_same_case_once_the_basis_is_confirmed(
    referral, caseworker_a, caseworker_b
):
    target = Service.objects.get(slug="demo-sortland-rus-og-psykisk-helse")
    workflow.referral_send(referral=referral, by=caseworker_a)
    workflow.referral_acknowledge(referral=referral, by=caseworker_b)
    with pytest.raises(workflow.WorkflowError, match=str(workflow.FORWARD_BASIS_NOT_CONFIRMED)):
        workflow.referral_forward(
            referral=referral, by=caseworker_b, to_service=target, basis_confirmed=False
        )
    new = workflow.referral_forward(
        referral=referral, by=caseworker_b, to_service=target, basis_confirmed=True
    )
    referral.refresh_from_db()
    assert referral.status == Status.FORWARDED
    assert (new.case, new.service, new.status, new.forwarded_from) == (
        referral.case,
        target,
        Status.SENT,
        referral,
    )


def test_a_service_without_assigned_staff_cannot_receive(caseworker_a):
    case = CaseFactory(created_by=caseworker_a)
    # Sortland's services have no staff in this test (no caseworker_b fixture).
    service = Service.objects.get(slug="demo-sortland-voldskoordinator")
    with pytest.raises(workflow.WorkflowError, match=str(workflow.SERVICE_CANNOT_RECEIVE)):
        workflow.referral_create(
            case=case, service=service, by=caseworker_a, reason="x", request="y"
        )


def test_events_cannot_be_changed(referral):
    event = referral.events.first() or ReferralEvent.objects.create(
        referral=referral, status=Status.DRAFT, actor=referral.created_by
    )
    event.note = "endret"
    with pytest.raises(ValueError):
        event.save()


def test_deadlines_follow_the_urgency(settings):
    from datetime import datetime

    friday = datetime(2026, 11, 20, 12, tzinfo=UTC)
    assert workflow.due_at("acute", friday).day == 21
    assert workflow.due_at("priority", friday).day == 23
    # ten working days from a Friday: two weeks later.
    assert workflow.due_at("ordinary", friday).day == 4
