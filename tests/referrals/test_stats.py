"""Referral flow per service on the coordinator's dashboard: counts and timings, nothing personal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import Referral
from referrals.stats import referral_flow, referral_flow_panel
from services.models import Service
from tests.factories import CaseFactory, ReferralFactory, staff

pytestmark = pytest.mark.django_db


def test_referrals_are_counted_per_service_by_status_with_the_median_time_to_acknowledge():
    sender = staff("alice", "oslo-kommune")
    case = CaseFactory(created_by=sender)
    sent = timezone.now() - timedelta(days=2)
    for hours, status in [(2, "acknowledged"), (4, "accepted"), (9, "declined")]:
        ReferralFactory(
            case=case, status=status, sent_at=sent, acknowledged_at=sent + timedelta(hours=hours)
        )
    ReferralFactory(case=case, status=Referral.Status.SENT, sent_at=sent)
    ReferralFactory(case=case, status=Referral.Status.DRAFT)

    [row] = referral_flow(Service.objects.filter(slug="demo-sortland-voldskoordinator"))
    assert row["total"] == 4  # drafts are not counted
    assert row["counts"]["sent"] == 1
    assert row["counts"]["declined"] == 1
    assert row["median_hours_to_acknowledge"] == 4.0


def test_the_panel_holds_no_personal_data_and_only_the_given_services():
    sender = staff("alice", "oslo-kommune")
    ReferralFactory(case=CaseFactory(created_by=sender), status="sent", sent_at=timezone.now())
    panel = referral_flow_panel(None, Service.objects.filter(slug="demo-sortland-voldskoordinator"))
    text = repr(panel)
    assert "Kari Nordmann" not in text and "Utsatt for vold" not in text and "alice" not in text
    assert len(panel["rows"]) == 1
    other = referral_flow_panel(None, Service.objects.filter(organisation__municipality="0301"))
    assert other["rows"] == []
