"""The national coordinator owns the search vocabulary: concepts and words in the admin,
a preview of what the search makes of a query, and words from searches that found nothing."""

import pytest

from services.demo import ensure_coordinator
from services.insights import MIN_SEARCHES, record_unanswered_search
from services.models import Category, UnansweredSearch
from services.search import search_services
from services.search.models import Concept, ConceptTerm
from tests.factories import login
from tests.services.test_admin_scope import form_data

pytestmark = pytest.mark.django_db

NEW_WORD = "kjeftesmell"  # not in the catalogue nor the seed vocabulary
CONCEPT = "psykisk-vold"  # its category: violence in close relationships
CATEGORY = "vold-i-naere-relasjoner"
PREVIEW = "/admin/services/concept/preview/"
ADD_WORDS = "/admin/services/concept/add-words/"
DASHBOARD = "/admin/services/service/dashboard/"


@pytest.fixture
def national_user():
    return ensure_coordinator("koordinator-nasjonal", "pw", first_name="Nasjonal", national=True)


@pytest.fixture
def national(client, national_user):
    return login(client, national_user)


@pytest.fixture
def oslo(client):
    user = ensure_coordinator("koordinator-oslo", "pw", first_name="Oslo", municipalities=["0301"])
    return login(client, user)


def concept():
    return Concept.objects.get(slug=CONCEPT)


def change_url(obj) -> str:
    return f"/admin/services/{obj._meta.model_name}/{obj.pk}/change/"


def found(query: str) -> list:
    return search_services(query).candidates


def add_word_in_the_admin(client, word: str = NEW_WORD, language: str = "nb"):
    url = change_url(concept())
    data = form_data(client.get(url))
    extra = data["terms-INITIAL_FORMS"]
    data[f"terms-{extra}-language"] = language
    data[f"terms-{extra}-text"] = word
    return client.post(url, data)


# --- Editing concepts and words ------------------------------------------------------------


def test_a_word_the_national_coordinator_adds_in_the_admin_works_on_the_next_search(national):
    assert found(NEW_WORD) == []
    assert NEW_WORD in search_services(NEW_WORD).query.unknown

    response = add_word_in_the_admin(national)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert concept().terms.filter(language="nb", text=NEW_WORD).exists()
    results = search_services(NEW_WORD)
    assert results.query.unknown == []
    assert CONCEPT in [c.source for c in results.query.concepts]
    assert results.candidates, "the new word finds nothing"
    assert CATEGORY in results.candidates[0].categories


def test_the_history_says_who_added_the_word(national, national_user):
    add_word_in_the_admin(national)

    term = ConceptTerm.objects.get(text=NEW_WORD)
    record = ConceptTerm.history.get(id=term.pk)
    assert record.history_type == "+"
    assert record.history_user == national_user
    assert Concept.history.filter(id=concept().pk, history_user=national_user).exists()
    html = national.get(f"/admin/services/concept/{concept().pk}/history/").content.decode()
    assert NEW_WORD in html
    assert "koordinator-nasjonal" in html


def test_removing_a_word_in_the_admin_takes_it_out_of_the_next_search(national):
    add_word_in_the_admin(national)
    assert found(NEW_WORD)
    url = change_url(concept())
    data = form_data(national.get(url))
    term = ConceptTerm.objects.get(text=NEW_WORD)
    index = next(k for k, v in data.items() if k.endswith("-id") and v == term.pk).split("-")[1]
    data[f"terms-{index}-DELETE"] = "on"
    data[f"terms-{data['terms-INITIAL_FORMS']}-language"] = "nb"  # the empty row, as shown

    response = national.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert not ConceptTerm.objects.filter(text=NEW_WORD).exists()
    assert found(NEW_WORD) == []
    assert ConceptTerm.history.filter(text=NEW_WORD, history_type="-").exists()


def test_the_national_coordinator_adds_a_concept(national):
    data = form_data(national.get("/admin/services/concept/add/"))
    data.update(
        {
            "name": "Krangel som skremmer",
            "slug": "krangel-som-skremmer",
            "persona": "at_risk",
            "weight": "1.0",
            "finds": "vold i nære relasjoner, krisesenter",
            "categories": [Category.objects.get(slug=CATEGORY).pk],
            "terms-0-language": "nn",
            "terms-0-text": "kjeftesmell heime",
        }
    )
    response = national.post("/admin/services/concept/add/", data)

    assert response.status_code == 302, response.context and response.context["errors"]
    results = search_services("kjeftesmell heime", language="nn")
    assert "krangel-som-skremmer" in [c.source for c in results.query.concepts]
    assert results.candidates


def test_a_municipal_coordinator_may_look_at_concepts_but_not_change_them(oslo):
    url = change_url(concept())
    assert oslo.get("/admin/services/concept/").status_code == 200
    page = oslo.get(url)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()

    assert add_word_in_the_admin(oslo).status_code == 403
    assert oslo.get("/admin/services/concept/add/").status_code == 403
    assert (
        oslo.post(f"/admin/services/concept/{concept().pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert not ConceptTerm.objects.filter(text=NEW_WORD).exists()
    assert Concept.objects.filter(slug=CONCEPT).exists()


@pytest.mark.parametrize(
    "url",
    ["/admin/services/concept/", PREVIEW + "?q=vold", ADD_WORDS, DASHBOARD],
)
def test_anonymous_visitors_and_staff_outside_the_admin_are_sent_to_log_in(client, outsider, url):
    assert client.get(url).status_code == 302
    login(client, outsider)  # agency staff, not admin staff
    assert client.get(url).status_code == 302


@pytest.mark.parametrize("url", ["/admin/services/concept/", PREVIEW + "?q=vold", ADD_WORDS])
def test_staff_who_are_no_coordinator_are_refused(client, staff_coordinator, url):
    login(client, staff_coordinator)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(
    "page",
    [
        "",
        "?q=kjæresten&persona__exact=at_risk",
        "add/",
        "{pk}/change/",
        "{pk}/history/",
        "preview/?q=jeg+vil+ikke+leve+lenger",
        "add-words/",
    ],
)
def test_the_vocabulary_pages_open_for_a_superuser(coordinator_client, page):
    url = "/admin/services/concept/" + page.format(pk=concept().pk)
    assert coordinator_client.get(url).status_code == 200


def test_the_concept_list_links_to_the_preview_for_every_coordinator(oslo):
    html = oslo.get("/admin/services/concept/").content.decode()
    assert PREVIEW in html
    assert ADD_WORDS not in html


def test_the_national_coordinator_can_pick_a_national_line_for_a_concept(national):
    response = national.get(
        "/admin/autocomplete/",
        {"app_label": "services", "model_name": "concept", "field_name": "lines", "term": "113"},
    )
    assert response.status_code == 200
    assert any("113" in row["text"] for row in response.json()["results"])


# --- Who the services of a category are for ----------------------------------------------


def test_the_national_coordinator_sets_the_audience_of_a_category_and_nothing_else(national):
    category = Category.objects.get(slug=CATEGORY)
    name = category.name_nb
    url = change_url(category)
    data = form_data(national.get(url))
    data.update({"audience": "professional", "name_nb": "Endret navn"})

    assert national.post(url, data).status_code == 302

    category.refresh_from_db()
    assert category.audience == "professional"
    assert category.name_nb == name


def test_the_national_coordinator_cannot_reorder_categories_from_the_list(national):
    response = national.get("/admin/services/category/")
    assert response.status_code == 200
    assert response.context["cl"].formset is None


def test_a_municipal_coordinator_cannot_set_the_audience_of_a_category(oslo):
    category = Category.objects.get(slug=CATEGORY)
    before = category.audience
    data = {"audience": "professional", "name_nb": "x", "name_nn": "x", "name_en": "x"}

    assert oslo.post(change_url(category), data).status_code == 403

    category.refresh_from_db()
    assert category.audience == before


# --- The preview ---------------------------------------------------------------------------


def test_the_preview_shows_what_the_search_understood_and_why_each_result_ranked(oslo):
    query = "kjæresten min slår meg"
    expected = search_services(query).candidates[:20]
    assert expected

    response = oslo.get(PREVIEW, {"q": query, "municipality": "0301", "language": "nb"})

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    rows = response.context["rows"]
    assert [row["candidate"].id for row in rows] == [
        c.id for c in search_services(query, {"municipality": "0301"}).candidates[:20]
    ]
    assert rows[0]["explanation"], "no explanation for the first result"
    html = response.content.decode()
    for row in rows[:3]:
        assert row["candidate"].name in html
    concept_labels = [c["label"] for c in response.context["concepts"]]
    assert concept_labels and all(f"«{label}»" in html for label in concept_labels)
    assert "vekt" in html and "treff" in html


@pytest.mark.parametrize(
    "language, text",
    [("nn", "Kva søket forstod"), ("en", "What the search understood")],
)
def test_the_preview_is_translated(language, text):
    from django.utils import translation

    with translation.override(language):
        assert translation.gettext("Hva søket forstod") == text


def test_the_preview_names_the_words_the_search_did_not_understand(national):
    response = national.get(PREVIEW, {"q": f"{NEW_WORD} bostøtte"})

    html = response.content.decode()
    assert response.status_code == 200
    assert NEW_WORD in response.context["parsed"].unknown
    assert f"{ADD_WORDS}?words=" in html  # the national coordinator may add them


@pytest.mark.parametrize("params", [{"q": "vold\x00"}, {"q": "vold", "municipality": "03\x0001"}])
def test_the_preview_refuses_a_nul_character_with_a_clear_answer(oslo, params):
    # A NUL byte in any staff parameter is refused before the view (portal/middleware.py).
    response = oslo.get(PREVIEW, params)
    assert response.status_code == 400
    assert Concept.objects.filter(slug=CONCEPT).exists()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": ""},
        {"q": "   "},
        {"q": "vold " * 5000},
        {"q": "<script>alert(1)</script>"},
        {"q": "vold", "municipality": "abcd"},
        {"q": "vold", "municipality": "9999"},
        {"q": "vold", "municipality": "0" * 500},
        {"q": "vold", "language": "xx"},
        {"q": "'; DROP TABLE services_concept; --", "language": "en"},
        {"search": "not-a-number"},
        {"search": "99999999999999999999999"},
    ],
)
def test_the_preview_answers_hostile_input_without_failing(oslo, params):
    response = oslo.get(PREVIEW, params)

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert Concept.objects.filter(slug=CONCEPT).exists()


def test_the_preview_says_what_is_wrong_with_a_bad_municipality(oslo):
    html = oslo.get(PREVIEW, {"q": "vold", "municipality": "9999"}).content.decode()
    assert "Fant ingen kommune med nummer 9999" in html


# --- Words from searches that found nothing --------------------------------------------------


def unanswered(text: str, municipality: str = "") -> UnansweredSearch:
    """A search that found nothing, often enough to be shown (insights.MIN_SEARCHES), without
    a municipality (the national coordinator's) or in `municipality`."""
    for _ in range(MIN_SEARCHES):
        record_unanswered_search(text, municipality)
    return UnansweredSearch.objects.get(query=text, municipality=municipality)


def test_the_dashboard_offers_to_add_the_words_of_a_search_that_found_nothing(national):
    row = unanswered(f"{NEW_WORD} hjemme")

    html = national.get(DASHBOARD).content.decode()

    assert f"{ADD_WORDS}?search={row.pk}" in html
    assert f"?words={NEW_WORD}" not in html  # residents' words stay out of URLs


def test_the_preview_of_a_search_that_found_nothing_shows_why(national):
    row = unanswered(f"{NEW_WORD} hjemme")

    response = national.get(PREVIEW, {"search": row.pk})

    assert response.status_code == 200
    assert response.context["form"]["q"].value() == f"{NEW_WORD} hjemme"
    assert NEW_WORD in response.context["parsed"].unknown


def test_the_dashboard_shows_no_such_offer_to_a_municipal_coordinator(oslo):
    row = unanswered(NEW_WORD, "0301")
    html = oslo.get(DASHBOARD).content.decode()
    assert NEW_WORD in html
    assert f"{ADD_WORDS}?search={row.pk}" not in html
    assert oslo.get(ADD_WORDS, {"search": row.pk}).status_code == 403
    response = oslo.post(ADD_WORDS, {"concept": concept().pk, "language": "nb", "words": NEW_WORD})
    assert response.status_code == 403
    assert not ConceptTerm.objects.filter(text=NEW_WORD).exists()


def test_the_add_words_form_adds_the_words_and_the_next_search_finds_them(national, national_user):
    row = unanswered(NEW_WORD)
    assert found(NEW_WORD) == []

    form = national.get(ADD_WORDS, {"search": row.pk})
    assert form.status_code == 200
    assert form.context["form"].initial["words"] == NEW_WORD
    assert NEW_WORD in form.context["unknown"]
    response = national.post(
        ADD_WORDS,
        {"concept": concept().pk, "language": "nb", "words": f"{NEW_WORD}\n\n  {NEW_WORD}  \n"},
    )

    assert response.status_code == 302
    assert response["Location"] == change_url(concept())
    assert list(concept().terms.filter(text=NEW_WORD).values_list("language", flat=True)) == ["nb"]
    assert ConceptTerm.history.get(text=NEW_WORD).history_user == national_user
    results = search_services(NEW_WORD)
    assert results.candidates and CATEGORY in results.candidates[0].categories


def test_adding_words_the_concept_already_has_changes_nothing(national):
    existing = concept().terms.first()
    count = ConceptTerm.objects.count()

    response = national.post(
        ADD_WORDS,
        {"concept": concept().pk, "language": existing.language, "words": existing.text.upper()},
        follow=True,
    )

    assert response.status_code == 200
    assert ConceptTerm.objects.count() == count
    assert "hadde allerede" in response.content.decode()


@pytest.mark.parametrize(
    "words, message",
    [
        ("", "Skriv minst ett ord"),
        ("  \n \n", "Skriv minst ett ord"),
        ("x" * 121, "høyst 120"),
    ],
)
def test_the_add_words_form_explains_what_is_wrong_and_saves_nothing(national, words, message):
    count = ConceptTerm.objects.count()

    response = national.post(ADD_WORDS, {"concept": concept().pk, "language": "nb", "words": words})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Feil:" in html
    assert "Det er et problem" in html and message in html
    assert ConceptTerm.objects.count() == count


@pytest.mark.parametrize(
    "params",
    [{"search": "0"}, {"search": "abc"}, {"search": "9" * 30}],
)
def test_the_add_words_form_opens_for_any_link(national, params):
    assert national.get(ADD_WORDS, params).status_code == 200


def test_a_nul_character_in_the_add_words_form_is_refused_and_nothing_saved(national):
    # A NUL byte in any staff parameter is refused before the view (portal/middleware.py).
    count = ConceptTerm.objects.count()
    for data in [
        {"concept": "\x00", "language": "nb", "words": NEW_WORD},
        {"concept": concept().pk, "language": "nb", "words": "vold\x00"},
    ]:
        assert national.post(ADD_WORDS, data).status_code == 400
    assert national.get(ADD_WORDS, {"words": "vold\x00" * 500}).status_code == 400
    assert ConceptTerm.objects.count() == count


def test_a_bad_concept_or_language_in_the_add_words_form_is_refused_with_a_message(national):
    count = ConceptTerm.objects.count()
    for data in [
        {"concept": "999999", "language": "nb", "words": NEW_WORD},
        {"concept": concept().pk, "language": "xx", "words": NEW_WORD},
    ]:
        response = national.post(ADD_WORDS, data)
        assert response.status_code == 200
        assert "Det er et problem" in response.content.decode()
    assert ConceptTerm.objects.count() == count
