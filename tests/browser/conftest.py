"""Browser tests: Debian's Chromium driven by the Python playwright package.

Playwright's own browser download does not work here, so the tests launch the
system Chromium by path. Without Chromium they are skipped with a plain
reason, except when VEIVISER_REQUIRE_BROWSER is set (CI), where a missing
browser is a failure.
"""

import os
import shutil

import pytest
from django.core.management import call_command

from services.models import Service

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(config, items):
    if chromium_path() or os.environ.get("VEIVISER_REQUIRE_BROWSER"):
        return
    skip = pytest.mark.skip(
        reason="Chromium is not installed (apt-get install chromium): browser tests skipped"
    )
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    path = chromium_path()
    if path is None:
        pytest.fail("VEIVISER_REQUIRE_BROWSER is set but Chromium is not installed")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def catalogue(transactional_db):
    """Live-server tests flush the database after each test: load the catalogue again."""
    if not Service.objects.exists():
        call_command("load_catalogue", verbosity=0)


@pytest.fixture
def page(browser, live_server, catalogue):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_page(browser, live_server, catalogue):
    context = browser.new_context(
        base_url=live_server.url,
        viewport={"width": 320, "height": 640},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    yield page
    context.close()
