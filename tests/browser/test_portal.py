"""The resident's portal in Chromium: quick exit, one-entry history, axe-core, small screens."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = pytest.mark.browser

CONFIDENTIAL_SLUG = "demo-stavanger-trygg-bolig"
AXE_PAGES = [
    "/",
    "/services/?q=kj%C3%A6resten+truer+meg&municipality=4601",
    f"/services/{CONFIDENTIAL_SLUG}/",
    f"/services/{CONFIDENTIAL_SLUG}/meld-feil/",
    "/skjul-sporene/",
    "/en/services/demo-stavanger-trygg-bolig/",
]


@pytest.fixture
def exit_to_healthz(settings):
    # The real neutral site cannot be reached offline; a same-origin page stands in for it.
    settings.QUICK_EXIT_URL = "/healthz"


def visit_three_pages_by_clicking(page) -> list[str]:
    page.goto("/")
    visited = [page.url]
    page.get_by_role("link", name="Vold i nære relasjoner").first.click()
    page.wait_for_url("**/services/?category=*")
    visited.append(page.url)
    page.locator("#results a").first.click()
    page.wait_for_url("**/services/*/")
    visited.append(page.url)
    return visited


def assert_back_reaches_no_portal_page(page, visited):
    page.wait_for_url("**/healthz")
    page.go_back()
    assert page.url not in visited
    assert "/services/" not in page.url
    assert page.url == "about:blank" or page.url.endswith("/healthz")


def test_moving_between_pages_keeps_one_history_entry(page):
    # Given a resident who has opened the portal
    # When they move through three pages by links
    visit_three_pages_by_clicking(page)
    # Then the tab's history did not grow with each page
    assert page.evaluate("history.length") <= 2


def test_quick_exit_button_leaves_no_portal_page_in_the_back_history(page, exit_to_healthz):
    # Given a resident who has visited three portal pages
    visited = visit_three_pages_by_clicking(page)
    # When they press "Forlat siden"
    page.get_by_role("link", name="Forlat siden").click()
    # Then going back reaches none of the portal pages
    assert_back_reaches_no_portal_page(page, visited)


def test_pressing_shift_three_times_leaves_no_portal_page_in_the_back_history(
    page, exit_to_healthz
):
    # Given a resident who has visited three portal pages
    visited = visit_three_pages_by_clicking(page)
    # When they press Shift three times
    for _ in range(3):
        page.keyboard.press("Shift")
    # Then going back reaches none of the portal pages
    assert_back_reaches_no_portal_page(page, visited)


def test_the_search_form_replaces_the_history_entry_too(page):
    page.goto("/")
    page.get_by_label("Hva trenger du hjelp med?").fill("kjæresten truer meg")
    page.get_by_label("Kommune (frivillig)").fill("Bergen")
    page.get_by_role("button", name="Søk").click()
    page.wait_for_url("**/services/?*municipality=4601*")
    assert page.evaluate("history.length") <= 2


@pytest.mark.parametrize("width", [1280, 320])
def test_axe_finds_no_violations_of_any_impact(browser, live_server, catalogue, width):
    # The budget is zero serious or critical; the pages have none of any impact, and keep it so.
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    axe = Axe()
    problems = {}
    for url in AXE_PAGES:
        page.goto(url)
        violations = axe.run(page).response["violations"]
        found = [f"{v['id']} ({v['impact']})" for v in violations]
        if found:
            problems[url] = found
    # The error report page with its error summary, too.
    page.goto(f"/services/{CONFIDENTIAL_SLUG}/meld-feil/")
    page.get_by_role("button", name="Send melding").click()
    page.wait_for_selector("[data-error-summary]")
    assert page.title().startswith("Feil: ")
    violations = axe.run(page).response["violations"]
    found = [f"{v['id']} ({v['impact']})" for v in violations]
    if found:
        problems["error summary"] = found
    context.close()
    assert problems == {}


@pytest.mark.parametrize("width", [320, 640])
def test_pages_fit_small_screens_and_200_percent_zoom_without_sideways_scrolling(
    browser, live_server, catalogue, width
):
    # 640 CSS pixels is a 1280-pixel window at 200 % zoom.
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 800}
    )
    page = context.new_page()
    for url in AXE_PAGES:
        page.goto(url)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, url
    context.close()


def test_keyboard_focus_is_visible_and_reaches_quick_exit_first(page):
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Hopp til innhold"
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const e = document.activeElement, s = getComputedStyle(e);"
        " return [e.textContent, s.outlineStyle, s.outlineWidth]; })()"
    )
    assert focused[0] == "Forlat siden"
    assert focused[1] != "none"
    assert focused[2] != "0px"


def test_the_error_summary_takes_focus_and_links_to_the_field(page):
    page.goto(f"/services/{CONFIDENTIAL_SLUG}/meld-feil/")
    page.get_by_role("button", name="Send melding").click()
    page.wait_for_selector("[data-error-summary]")
    assert page.evaluate("document.activeElement.dataset.errorSummary") == ""
    page.get_by_role("link", name="Skriv hva som er feil").click()
    assert page.evaluate("document.activeElement.id") == "id_message"


def test_reporting_an_error_keeps_the_visit_in_one_history_entry(page, exit_to_healthz):
    from services.models import ErrorReport

    # Given a resident on a service page who reports an error, first forgetting the message
    page.goto(f"/services/{CONFIDENTIAL_SLUG}/")
    page.get_by_role("link", name="Meld fra om feil i denne oppføringen").click()
    page.wait_for_url("**/meld-feil/")
    page.get_by_role("button", name="Send melding").click()
    page.wait_for_selector("[data-error-summary]")
    page.get_by_label("Åpningstider").check()
    page.get_by_label("Beskriv feilen").fill("Stengt på fredager.")
    page.get_by_role("button", name="Send melding").click()
    page.wait_for_url("**/meld-feil/takk/")
    # Then the report is saved and the whole visit is still one entry
    assert ErrorReport.objects.filter(service__slug=CONFIDENTIAL_SLUG).count() == 1
    assert page.evaluate("history.length") <= 2
    # And quick exit leaves nothing of the portal behind
    thanks = page.url
    for _ in range(3):
        page.keyboard.press("Shift")
    assert_back_reaches_no_portal_page(page, [thanks])
