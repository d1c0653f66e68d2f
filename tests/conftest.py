from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management import call_command

FIXTURES = Path(settings.BASE_DIR) / "fixtures"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test database starts with the demo catalogue loaded once."""
    with django_db_blocker.unblock():
        call_command("load_catalogue", str(FIXTURES / "catalogue.json"), verbosity=0)


@pytest.fixture
def coordinator(django_user_model):
    return django_user_model.objects.create_superuser(
        "koordinator", "koordinator@example.invalid", "correct horse battery staple"
    )


@pytest.fixture
def coordinator_client(client, coordinator):
    # With REQUIRE_2FA the admin wants a verified second factor, as after a TOTP login.
    from tests.factories import login

    return login(client, coordinator)


# --- Referral personas: alice sends from Oslo, bob receives in Sortland. ------------
@pytest.fixture
def caseworker_a(db):
    from tests.factories import staff

    return staff("alice", "oslo-kommune", ["demo-oslo-voldskoordinator"])


@pytest.fixture
def colleague_a(db):
    """Same organisation as alice, not involved in her cases."""
    from tests.factories import staff

    return staff("anna", "oslo-kommune", ["demo-oslo-voldskoordinator"])


@pytest.fixture
def caseworker_b(db):
    from tests.factories import staff

    return staff(
        "bob",
        "sortland-kommune",
        ["demo-sortland-voldskoordinator", "demo-sortland-rus-og-psykisk-helse"],
    )


@pytest.fixture
def agency_admin_b(db):
    from services.models import Membership
    from tests.factories import staff

    return staff("berit", "sortland-kommune", role=Membership.Role.AGENCY_ADMIN)


@pytest.fixture
def outsider(db):
    """Staff of another organisation (Stavanger), with its own e-referral services."""
    from tests.factories import staff

    return staff("charlie", "stavanger-kommune", ["demo-stavanger-voldskoordinator"])


@pytest.fixture
def staff_coordinator(django_user_model):
    """A catalogue coordinator: staff flag, no membership."""
    return django_user_model.objects.create_user("koordinator-oslo", is_staff=True)


@pytest.fixture(scope="session", autouse=True)
def _static_files_without_collectstatic():
    """Production serves collected, hashed files; tests serve them from the source folders."""
    from django.test.utils import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # The test client and live server speak plain HTTP.
    with override_settings(
        STORAGES=storages, WHITENOISE_USE_FINDERS=True, SECURE_SSL_REDIRECT=False
    ):
        yield


@pytest.fixture
def smtp(settings):
    """A real SMTP server on a free loopback port; Django's SMTP backend points at it."""
    from tests.smtp import Inbox, free_port

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()
