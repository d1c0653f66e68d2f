import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_load_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG=1"):
        call_command("load_demo")
    assert not get_user_model().objects.filter(username="koordinator-nasjonal").exists()


def test_load_demo_creates_the_accounts_once_with_the_demo_password(settings, monkeypatch, capsys):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", "et-annet-passord")
    call_command("load_demo")
    call_command("load_demo")
    users = get_user_model().objects.filter(username="koordinator-nasjonal")
    assert users.count() == 1
    assert users.get().check_password("et-annet-passord")
    assert "koordinator-nasjonal" in capsys.readouterr().out
