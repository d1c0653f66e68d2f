"""Demo accounts of the catalogue side (coordinators). Called by `manage.py load_demo`."""

from django.contrib.auth import get_user_model


def ensure_user(username: str, password: str, **fields):
    """Create or update a demo user; idempotent (the password is set only when it differs)."""
    user, _ = get_user_model().objects.update_or_create(username=username, defaults=fields)
    if not user.check_password(password):
        user.set_password(password)
        user.save(update_fields=["password"])
    return user


def create_accounts(password: str) -> list[tuple[str, str, str]]:
    """Return (username, role, path) for each account created."""
    ensure_user(
        "koordinator-nasjonal",
        password,
        first_name="Nasjonal",
        last_name="koordinator",
        email="koordinator-nasjonal@example.invalid",
        is_staff=True,
        is_superuser=True,
        is_active=True,
    )
    return [("koordinator-nasjonal", "national coordinator", "/admin/")]
