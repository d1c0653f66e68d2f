"""The README's steps, followed literally on an empty database (SQLite, or PostgreSQL when
the suite runs on it), end in a logged-in staff page: `migrate` is enough to prepare it."""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(settings.BASE_DIR)
PASSWORD = "a long passphrase for the first coordinator"


@pytest.fixture
def empty_database(tmp_path):
    """The URL of a new, empty database on the same server as the tests' one."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    db = connection.settings_dict
    name = f"{db['NAME']}_readme_{uuid.uuid4().hex[:8]}"
    server = {
        "host": db["HOST"],
        "port": db["PORT"] or 5432,
        "user": db["USER"],
        "dbname": "postgres",
    }
    with psycopg.connect(**server, password=db["PASSWORD"] or None, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    try:
        yield f"postgres://{db['USER']}{password}@{db['HOST']}:{server['port']}/{name}"
    finally:
        with psycopg.connect(**server, password=db["PASSWORD"] or None, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_readme_steps_lead_from_an_empty_database_to_a_logged_in_staff_page(
    empty_database, tmp_path
):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "REQUIRE_2FA"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": empty_database,
            "DJANGO_SECRET_KEY": "readme-path-" + "k" * 40,
            "ALLOWED_HOSTS": "veiviser.test",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
            "STATIC_ROOT": str(tmp_path / "static"),
        }
    )
    env.pop("CACHE_URL", None)  # the default: Django's database cache

    def run(*args):
        result = subprocess.run(
            [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
        )
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    run("manage.py", "migrate", "--noinput")
    run("manage.py", "load_catalogue")
    run("manage.py", "createsuperuser", "--noinput", "--username=forste", "--email=f@example.no")
    run("manage.py", "collectstatic", "--noinput")
    steps = json.loads(run("-m", "tests.portal.readme_staff_login", "forste", PASSWORD))
    assert steps == {
        "login": [302, "/accounts/2fa/?next=%2Fadmin%2F"],
        "link": 302,
        "confirm": [302, "/admin/"],
        "admin": 200,
        "dashboard": 200,
    }
