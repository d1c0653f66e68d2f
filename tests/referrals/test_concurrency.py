"""Two people press "accept" and "decline" at the same moment: only one wins."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections

from referrals import workflow
from referrals.models import Referral
from services.models import Service
from tests.factories import CaseFactory, ReferralFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs two real connections with row locks: run with DATABASE_URL=postgres://…")
    # Transactional tests start from a flushed database after other live tests.
    if not Service.objects.exists():
        call_command("load_catalogue", verbosity=0)


def test_two_simultaneous_decisions_cannot_both_succeed(caseworker_a, caseworker_b, agency_admin_b):

    referral = ReferralFactory(case=CaseFactory(created_by=caseworker_a))
    workflow.referral_send(referral=referral, by=caseworker_a)
    workflow.referral_acknowledge(referral=referral, by=caseworker_b)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(step, user, **kwargs):
        try:
            copy = Referral.objects.get(pk=referral.pk)
            barrier.wait(timeout=10)
            step(referral=copy, by=user, **kwargs)
            outcomes.append("ok")
        except workflow.WorkflowError as error:
            outcomes.append(str(error))
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=(workflow.referral_accept, caseworker_b)),
        threading.Thread(
            target=act, args=(workflow.referral_decline, agency_admin_b), kwargs={"reason": "Nei"}
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == sorted(["ok", str(workflow.CHANGED_MEANWHILE)])
    referral.refresh_from_db()
    assert referral.status in (Referral.Status.ACCEPTED, Referral.Status.DECLINED)
    assert referral.events.filter(status__in=["accepted", "declined"]).count() == 1
