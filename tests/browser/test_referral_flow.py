"""A referral from Oslo to Sortland, followed from both sides, in Chromium."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from referrals.models import Referral

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _password_only(settings):
    # The TOTP step has its own tests (tests/referrals/test_accounts.py).
    settings.REQUIRE_2FA = False


def log_in(page, username):
    page.goto("/accounts/login/")
    page.get_by_label("Brukernavn").fill(username)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()


def log_out(page):
    page.goto("/referrals/")
    page.get_by_role("button", name="Logg ut").click()
    expect(page).to_have_url(re.compile(r"/$"))


def assert_accessible(page):
    violations = Axe().run(page).response["violations"]
    serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == []


def test_a_referral_is_filed_answered_and_followed_and_an_outsider_sees_nothing(
    page, caseworker_a, caseworker_b, outsider
):
    # Given alice, a caseworker in Oslo, meets a person with trauma and substance-use needs
    log_in(page, "alice")
    page.get_by_role("link", name="Ny sak").first.click()
    page.get_by_label("Personens navn").fill("Kari Nordmann")
    page.get_by_label("Fødselsår").fill("1985")
    page.get_by_label("Vi kan sende SMS").check()
    page.get_by_label("Trygge tidspunkter").fill("Hverdager 10–14")
    page.get_by_label("Vold i nære relasjoner").check()
    page.get_by_label("Rus og avhengighet").check()
    page.get_by_label("Samtykke fra personen").check()
    # When she forgets the consent details, the form tells her and keeps what she typed
    page.get_by_role("button", name="Lagre saken og velg tjenester").click()
    expect(page.get_by_role("heading", name="Det er et problem")).to_be_visible()
    expect(page.get_by_label("Personens navn")).to_have_value("Kari Nordmann")
    assert_accessible(page)
    page.get_by_label("Dato for samtykke").fill("2026-11-01")
    page.get_by_label("Samtykke gitt av").fill("Personen selv")
    page.get_by_label("Hva samtykket gjelder").fill("Henvisning til Sortland")
    page.get_by_role("button", name="Lagre saken og velg tjenester").click()
    expect(page).to_have_url(re.compile(r"/refer/$"))
    # And refers her to Sortland's two services found with the portal's search
    page.get_by_label("Søk etter tjeneste").fill("Sortland")
    page.get_by_role("button", name="Søk", exact=True).click()
    expect(page).to_have_url(re.compile(r"refer/\?q=Sortland$"))
    page.wait_for_load_state()
    page.get_by_label(re.compile("Voldskoordinator – Sortland")).check()
    page.get_by_label(re.compile("Rus og psykisk helse.*Sortland|Sortland.*rus", re.I)).check()
    page.get_by_label("Prioritert").check()
    page.get_by_label("Bakgrunn for henvisningen").fill("Vold fra tidligere partner, drikker mye")
    page.get_by_label("Hva ber dere tjenesten om?").fill("Samtale snart")
    page.get_by_role("button", name="Send henvisning").click()
    expect(page.get_by_text("Henvisningene er sendt.")).to_be_visible()
    referrals = list(Referral.objects.order_by("service__name"))
    assert [r.status for r in referrals] == ["sent", "sent"]
    log_out(page)

    # When bob in Sortland acknowledges and accepts one and declines the other with a reason
    log_in(page, "bob")
    expect(page.get_by_role("heading", name="Mottatte henvisninger")).to_be_visible()
    assert_accessible(page)
    first, second = referrals
    page.goto(f"/referrals/r/{first.public_id}/")
    expect(page.get_by_text("Trygg kontakt – les før du tar kontakt")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Bekreft mottak").click()
    page.get_by_role("button", name="Aksepter").click()
    expect(page.locator("#referral-status")).to_have_text("Akseptert")
    page.goto(f"/referrals/r/{second.public_id}/")
    page.get_by_role("button", name="Bekreft mottak").click()
    page.get_by_role("button", name="Avslå").click()
    expect(page.get_by_role("heading", name="Det er et problem")).to_be_visible()
    page.get_by_label("Hvorfor avslår dere?").fill("Personen bor utenfor kommunen")
    page.get_by_role("button", name="Avslå").click()
    expect(page.locator("#referral-status")).to_have_text("Avslått")
    page.get_by_label("Ny melding").fill("Ta kontakt om dere trenger mer")
    page.get_by_role("button", name="Send melding").click()
    log_out(page)

    # Then alice follows both in her outbox, with the reason and the message
    log_in(page, "alice")
    page.goto("/referrals/sent/")
    expect(page.get_by_text("Akseptert")).to_be_visible()
    expect(page.get_by_text("Avslått")).to_be_visible()
    page.goto(f"/referrals/r/{second.public_id}/")
    expect(page.get_by_text("Personen bor utenfor kommunen")).to_be_visible()
    expect(page.get_by_text("Ta kontakt om dere trenger mer")).to_be_visible()
    page.goto(f"/referrals/cases/{first.case.public_id}/information/")
    expect(page.get_by_role("heading", name="Dine rettigheter")).to_be_visible()
    log_out(page)

    # And charlie in Stavanger finds nothing at any of the addresses
    log_in(page, "charlie")
    for url in (
        f"/referrals/r/{first.public_id}/",
        f"/referrals/r/{second.public_id}/",
        f"/referrals/cases/{first.case.public_id}/",
        f"/referrals/cases/{first.case.public_id}/information/",
    ):
        assert page.goto(url).status == 404
    page.goto("/referrals/")
    expect(page.get_by_text("Ingen henvisninger her.")).to_be_visible()
