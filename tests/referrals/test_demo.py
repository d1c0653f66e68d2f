import pytest
from django.core.management import call_command

from referrals.models import Referral
from services.models import Membership

pytestmark = pytest.mark.django_db


def test_load_demo_creates_three_staff_and_referrals_from_a_to_b_only(settings):
    settings.DEBUG = True
    call_command("load_demo", verbosity=0)
    call_command("load_demo", verbosity=0)
    a, b, c = (Membership.objects.get(user__username=f"ansatt-{x}") for x in "abc")
    assert (a.organisation.slug, b.organisation.slug, c.organisation.slug) == (
        "oslo-kommune",
        "sortland-kommune",
        "stavanger-kommune",
    )
    assert sorted(b.services.values_list("slug", flat=True)) == [
        "demo-sortland-rus-og-psykisk-helse",
        "demo-sortland-voldskoordinator",
    ]
    assert a.services.exists() and c.services.exists()
    referrals = Referral.objects.all()
    assert {r.case.created_by.username for r in referrals} == {"ansatt-a"}
    assert {r.service.organisation.slug for r in referrals} == {"sortland-kommune"}
    assert sorted(referrals.values_list("status", flat=True)) == ["accepted", "draft", "sent"]
    assert not Referral.objects.visible_to(c.user).exists()
    assert Referral.objects.visible_to(b.user).count() == 2
    assert a.user.check_password("veiviser-demo")
