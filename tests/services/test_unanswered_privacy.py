"""What residents typed and found nothing for is shown to a coordinator only when it
came from at least three searches in the period, and only to the coordinator of the
municipality the search chose (national coordinators: searches without one)."""

import pytest
from django.core.cache import cache

from services import coordination, insights
from services.demo import ensure_coordinator
from services.models import UnansweredSearch
from tests.factories import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def oslo():
    return ensure_coordinator("k-oslo", "pw", first_name="Oslo", municipalities=["0301"])


@pytest.fixture
def national():
    return ensure_coordinator("k-nasjonal", "pw", first_name="Nasjonal", national=True)


def _shown(user) -> list[str]:
    return [row["query"] for row in insights.top_unanswered(coordination.scope_of(user))]


def _search(text, municipality="", times=1):
    for _ in range(times):
        insights.record_unanswered_search(text, municipality)


def test_a_text_searched_fewer_than_three_times_is_not_shown(oslo):
    _search("kari nordmann", "0301", times=2)
    assert _shown(oslo) == []
    _search("kari nordmann", "0301")
    assert _shown(oslo) == ["kari nordmann"]


def test_coordinators_see_only_the_searches_that_chose_their_municipality(oslo, national):
    _search("hjelp med gjeld", "0301", times=3)
    _search("trygg bolig natt", "1103", times=3)
    _search("hjelp på samisk", "", times=3)
    assert _shown(oslo) == ["hjelp med gjeld"]
    assert _shown(national) == ["hjelp på samisk"]


def test_three_searches_spread_over_municipalities_do_not_add_up_for_one_of_them(oslo):
    _search("sjelden tekst", "0301", times=2)
    _search("sjelden tekst", "1103", times=1)
    assert _shown(oslo) == []


def test_a_municipality_that_is_not_on_the_list_is_not_stored():
    _search("noe", "Kari")
    _search("noe", "9999")
    assert list(UnansweredSearch.objects.values_list("municipality", flat=True)) == [""]


def test_the_results_page_records_the_municipality_the_search_chose(client):
    cache.clear()
    for _ in range(3):
        client.get("/services/", {"q": "xqzv plutonium", "municipality": "0301"})
    row = UnansweredSearch.objects.get(query="xqzv plutonium")
    assert (row.municipality, row.count) == ("0301", 3)


def test_the_admin_list_of_unanswered_searches_follows_the_same_rule(client, oslo):
    _search("hjelp med gjeld", "0301", times=3)
    _search("kari nordmann", "0301", times=1)
    _search("trygg bolig natt", "1103", times=3)
    html = login(client, oslo).get("/admin/services/unansweredsearch/").text
    assert "hjelp med gjeld" in html
    assert "kari nordmann" not in html and "trygg bolig natt" not in html
