"""No secret key, no start: with debug off, manage.py and gunicorn refuse to run without
DJANGO_SECRET_KEY (or with the development key) and say why, without a traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
MESSAGE = "DJANGO_SECRET_KEY is not set"


def _env(**values):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REQUIRE_2FA"))}
    env.update({"DJANGO_SETTINGS_MODULE": "portal.settings", "ALLOWED_HOSTS": "veiviser.test"})
    env.update(values)
    return env


def _manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "env",
    [
        {"DJANGO_DEBUG": "0"},
        {},  # debug is off by default
        {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "  "},
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "django-insecure-veiviser-local-development-only",
        },
    ],
)
def test_manage_py_refuses_to_start_without_a_secret_key(env):
    result = _manage("check", **env)
    assert result.returncode != 0
    assert MESSAGE in result.stderr
    assert "Traceback" not in result.stderr


def test_gunicorn_refuses_to_start_without_a_secret_key():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0", "portal.wsgi"],
        cwd=ROOT,
        env=_env(DJANGO_DEBUG="0"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert MESSAGE in result.stderr
    assert "Traceback" not in result.stderr
    assert "Booting worker" not in result.stderr


def test_manage_py_starts_with_a_secret_key_or_in_local_development():
    assert _manage("check", DJANGO_SECRET_KEY="a-real-key-" + "z" * 40).returncode == 0
    assert _manage("check", DJANGO_DEBUG="1").returncode == 0


def test_the_tests_sign_with_their_own_key_not_the_development_key():
    assert settings.SECRET_KEY != "django-insecure-veiviser-local-development-only"
    assert not settings.DEBUG
