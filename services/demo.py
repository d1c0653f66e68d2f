"""Demo accounts of the catalogue side (coordinators). Called by `manage.py load_demo`."""

from django.contrib.auth import get_user_model

from services.coordination import coordinator_group
from services.models import (
    ChangeSuggestion,
    CoordinatorScope,
    ErrorReport,
    Municipality,
    Service,
    StewardContact,
)

STEWARD_CONTACTS = {
    "0301": ("Koordinator for hjelpetilbud, Oslo kommune", "hjelpetilbud@oslo.kommune.example"),
    "1103": (
        "Koordinator for hjelpetilbud, Stavanger kommune",
        "hjelpetilbud@stavanger.kommune.example",
    ),
    None: ("Nasjonal koordinator for Veiviser", "koordinator@veiviser.example"),
}


def ensure_user(username: str, password: str, **fields):
    """Create or update a demo user; idempotent (the password is set only when it differs)."""
    user, _ = get_user_model().objects.update_or_create(username=username, defaults=fields)
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def ensure_coordinator(
    username: str, password: str, *, first_name: str, municipalities=(), national=False
):
    user = ensure_user(
        username,
        password,
        first_name=first_name,
        last_name="koordinator",
        email=f"{username}@example.invalid",
        is_staff=True,
        is_superuser=False,
        is_active=True,
    )
    user.groups.add(coordinator_group())
    scope, _ = CoordinatorScope.objects.update_or_create(
        user=user, defaults={"is_national": national}
    )
    scope.municipalities.set(Municipality.objects.filter(number__in=municipalities))
    return user


def create_accounts(password: str) -> list[tuple[str, str, str]]:
    """Return (username, role, path) for each account created."""
    ensure_coordinator(
        password=password, username="koordinator-oslo", first_name="Oslo", municipalities=["0301"]
    )
    ensure_coordinator(
        password=password,
        username="koordinator-stavanger",
        first_name="Stavanger",
        municipalities=["1103"],
    )
    ensure_coordinator(
        password=password, username="koordinator-nasjonal", first_name="Nasjonal", national=True
    )
    for number, (role, email) in STEWARD_CONTACTS.items():
        StewardContact.objects.update_or_create(
            key=number or "national",
            defaults={
                "municipality": Municipality.objects.filter(number=number).first(),
                "role": role,
                "email": email,
                "is_published": True,
            },
        )
    return [
        ("koordinator-oslo", "coordinator, Oslo (0301)", "/admin/"),
        ("koordinator-stavanger", "coordinator, Stavanger (1103)", "/admin/"),
        ("koordinator-nasjonal", "national coordinator (national listings, approvals)", "/admin/"),
    ]


def create_queue_items() -> None:
    """A resident's error report and an agency's suggestion for Oslo to work on (idempotent).

    Runs after the referrals demo, whose `ansatt-a` works at Oslo kommune.
    """
    jurk = Service.objects.filter(slug="jurk").first()
    if jurk and not ErrorReport.objects.filter(service=jurk, field="demo").exists():
        ErrorReport.objects.create(
            service=jurk,
            field="demo",
            message="Demo: Nettstedet mangler. JURK har nettsiden https://jurk.no.",
        )
    service = Service.objects.filter(slug="demo-oslo-voldskoordinator").first()
    staff = get_user_model().objects.filter(username="ansatt-a").first()
    if service and not ChangeSuggestion.objects.filter(service=service).exists():
        ChangeSuggestion.objects.create(
            service=service,
            created_by=staff,
            note="Demo: vi har fått egen e-postadresse og nye åpningstider.",
            proposed={
                "email": "voldskoordinator@oslo.kommune.example",
                "hours_note_nb": "Hverdager 08.00–15.30. Ring først.",
            },
        )
