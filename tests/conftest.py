from pathlib import Path

import pytest
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
    client.force_login(coordinator)
    return client


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
