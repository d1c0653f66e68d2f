"""The Oslo coordinator's round in the admin, in Chromium (real CSRF and referrer rules)."""

import pytest
from playwright.sync_api import expect

from services.demo import create_accounts, create_queue_items
from services.models import ChangeSuggestion, Service

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _password_only(settings):
    settings.REQUIRE_2FA = False


def test_the_oslo_coordinator_verifies_approves_and_cannot_reach_stavanger(page):
    create_accounts(PASSWORD)
    create_queue_items()

    # Given the Oslo coordinator logged in
    page.goto("/accounts/login/?next=/admin/services/service/dashboard/")
    page.get_by_label("Brukernavn").fill("koordinator-oslo")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    expect(page.get_by_role("heading", name="Oppføringer som skal kontrolleres")).to_be_visible()

    # When they mark a listing due for review as verified
    page.goto("/admin/services/service/?review=due")
    page.locator("#result_list tbody tr", has_text="RUSinfo").locator("input.action-select").check()
    page.select_option("select[name=action]", "mark_verified")
    page.locator("button[name=index]").click()
    expect(page.locator(".messagelist")).to_contain_text("1 merket som kontrollert")
    assert Service.objects.get(slug="rusinfo").verified_by.username == "koordinator-oslo"

    # And approve the agency's suggestion, seen side by side
    suggestion = ChangeSuggestion.objects.get(service__slug="demo-oslo-voldskoordinator")
    page.goto(f"/admin/services/changesuggestion/{suggestion.pk}/change/")
    expect(page.locator(".veiviser-new").first).to_be_visible()
    page.get_by_role("button", name="Godkjenn og ta i bruk").click()
    expect(page.locator(".messagelist")).to_contain_text("Godkjent")
    service = Service.objects.get(slug="demo-oslo-voldskoordinator")
    assert service.email == "voldskoordinator@oslo.kommune.example"

    # Then Stavanger's listings are out of reach, in the list and by direct address
    page.goto("/admin/services/service/?q=Trygg")
    expect(page.locator("#result_list")).to_have_count(0)
    stavanger = Service.objects.get(slug="demo-stavanger-trygg-bolig")
    response = page.goto(f"/admin/services/service/{stavanger.pk}/change/")
    assert response.status == 403
