"""`Cache-Control: no-store` on everything private: every URL answered to a logged-in
user, every page that is not public, every error page (checked on the whole URLconf)."""

import pytest
from django.test import Client
from django.urls import path

from portal.middleware import CACHEABLE_NAMESPACES
from tests.factories import login
from tests.urlwalk import walk

pytestmark = pytest.mark.django_db


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


@pytest.fixture
def coordinator_logged_in(client, coordinator):
    return login(client, coordinator)


def test_everything_answered_to_a_logged_in_user_says_no_store(coordinator_logged_in):
    client = coordinator_logged_in
    urls = walk({"slug": "demo-oslo-voldskoordinator", "object_id": 1, "str": "1"})
    stored = [url.path for url in urls if not _no_store(client.get(url.path))]
    assert stored == []
    assert len(urls) > 150


def test_every_page_that_is_not_public_says_no_store_to_anyone(client):
    urls = [u for u in walk() if u.view_name.split(":")[0] not in CACHEABLE_NAMESPACES]
    stored = [url.path for url in urls if not _no_store(client.get(url.path))]
    assert stored == []
    for page in ("/accounts/password/reset/", "/accounts/password/reset/sent/"):
        assert _no_store(client.get(page))


def test_error_pages_say_no_store(client):
    assert client.get("/no/such/page/").status_code == 404
    assert _no_store(client.get("/no/such/page/"))
    assert _no_store(client.get("/api/hsds/services/no-such-service"))


def _broken(request):
    raise RuntimeError("something broke")


urlpatterns = [path("broken/", _broken)]


def test_the_500_page_says_no_store(settings):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert _no_store(response)


def test_published_api_data_may_still_be_cached_for_anonymous_clients(client):
    response = client.get("/api/hsds/taxonomies")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
