import pytest

pytestmark = pytest.mark.browser


def test_home_page_opens_in_chromium_with_its_title(page):
    # Given the portal is running
    # When a resident opens the home page
    page.goto("/")
    # Then the browser shows the portal's title
    assert "Veiviser" in page.title()
