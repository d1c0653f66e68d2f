"""Demo staff and referrals for `manage.py load_demo` (idempotent)."""

from django.utils import timezone

from referrals import workflow
from referrals.models import Case, Referral
from services.demo import ensure_user
from services.models import Category, Membership, Organisation, Service

DEMO_PERSON = "Demo Demosen (oppdiktet)"


def _staff(username, password, org_slug, first, last, service_slugs, role="caseworker"):
    user = ensure_user(
        username,
        password,
        first_name=first,
        last_name=last,
        email=f"{username}@example.invalid",
        is_active=True,
    )
    membership, _ = Membership.objects.update_or_create(
        user=user,
        defaults={
            "organisation": Organisation.objects.get(slug=org_slug),
            "role": role,
            "is_active": True,
        },
    )
    membership.services.set(Service.objects.filter(slug__in=service_slugs))
    return user


def create_demo(password: str) -> list[tuple[str, str, str]]:
    a = _staff("ansatt-a", password, "oslo-kommune", "Anne", "Aas", ["demo-oslo-voldskoordinator"])
    b = _staff(
        "ansatt-b",
        password,
        "sortland-kommune",
        "Bjørn",
        "Berg",
        ["demo-sortland-voldskoordinator", "demo-sortland-rus-og-psykisk-helse"],
        role="agency_admin",
    )
    _staff(
        "ansatt-c",
        password,
        "stavanger-kommune",
        "Cecilie",
        "Caspersen",
        ["demo-stavanger-voldskoordinator", "demo-stavanger-trygg-bolig"],
    )
    if not Case.objects.filter(created_by=a).exists():
        _demo_referrals(a, b)
    return [
        ("ansatt-a", "caseworker, Oslo kommune (sends)", "/referrals/sent/"),
        ("ansatt-b", "agency admin, Sortland kommune (receives)", "/referrals/"),
        ("ansatt-c", "caseworker, Stavanger kommune (not involved)", "/referrals/"),
    ]


def _demo_referrals(a, b) -> None:
    violence = Service.objects.get(slug="demo-sortland-voldskoordinator")
    substance = Service.objects.get(slug="demo-sortland-rus-og-psykisk-helse")
    case = workflow.case_create(
        by=a,
        person_name=DEMO_PERSON,
        birth_year=1990,
        may_call=True,
        may_text=True,
        safe_times="Hverdager 10–14",
        legal_basis=Case.LegalBasis.CONSENT,
        consent_date=timezone.localdate(),
        consent_given_by="Personen selv",
        consent_scope="Henvisning til voldskoordinator og rustjeneste i Sortland",
        needs=Category.objects.filter(slug__in=["vold-i-naere-relasjoner", "rus"]),
    )
    common = {"case": case, "by": a, "reason": "Demo: flyttet nylig.", "request": "Samtale."}
    sent = workflow.referral_create(service=violence, urgency=Referral.Urgency.PRIORITY, **common)
    workflow.referral_send(referral=sent, by=a)
    accepted = workflow.referral_create(service=substance, **common)
    workflow.referral_send(referral=accepted, by=a)
    workflow.referral_acknowledge(referral=accepted, by=b)
    workflow.referral_accept(referral=accepted, by=b, note="Vi ringer i morgen.")
    workflow.referral_create(service=violence, **common)  # a draft
