"""How the search reads people's words: language, phrases, situations, safety rules, honesty.

Unit tests of the query side (`services.search.text`, `query`, `vocabulary`) with the seed
vocabulary, plus the safety rules and the correction rules through `search_services`.
"""

import pytest

from services.search import search_services
from services.search.query import parse
from services.search.text import read_query, term, terms
from services.search.vocabulary import current

pytestmark = pytest.mark.django_db


def read(text, site="nb"):
    language, words = read_query(text, site)
    return language, {w.text: (w.language, w.term) for w in words if not w.stop}


# --- language -------------------------------------------------------------------


def test_an_english_query_on_the_bokmal_site_is_read_as_english():
    language, words = read("I was raped last night", "nb")
    assert language == "en"
    assert words["raped"] == ("en", "rape")


def test_inflected_english_is_reduced_to_english_lemmas():
    assert [term(w, "en") for w in ("threatening", "drinking", "hurting", "abused")] == [
        "threaten",
        "drink",
        "hurt",
        "abuse",
    ]


def test_english_words_never_go_through_norwegian_rules():
    assert term("temper", "en") != term("temporary", "en")
    assert terms("I'm scared", "en") == ["scare"]


def test_nynorsk_and_dialect_forms_meet_their_bokmal_lemmas():
    language, words = read("eg vert slegen av sambuaren min", "nb")
    assert language == "nn"
    assert words["slegen"][1] == term("slår", "nb") == "slaa"
    assert term("borna", "nn") == term("barn", "nb")


def test_pronouns_and_fillers_of_every_variety_are_stop_words():
    for text, site in [("æ e mæ", "nb"), ("eg ikkje heller", "nn"), ("I'm not sure", "en")]:
        assert read(text, site)[1].keys() <= {"heller", "sure"}


def test_inflected_norwegian_compounds_meet_on_both_sides():
    assert term("krisesentre", "nb") == term("krisesenteret", "nb") == "krisesenter"


# --- phrases and situations -----------------------------------------------------------


def test_a_phrase_counts_as_a_phrase_with_one_word_inside_it():
    query = parse("jeg orker virkelig ikke mer", "nb", current())
    assert "suicide" in query.urgencies


def test_a_passive_sentence_is_not_read_as_the_active_one():
    query = parse("eg vert slegen av kjærasten min", "nn", current())
    assert "at_risk" in query.personas
    assert "uses_violence" not in query.personas


def test_fearing_that_someone_else_will_harm_is_not_read_as_ones_own_violence():
    query = parse("jeg er redd for at mannen min skal skade barna", "nb", current())
    assert "uses_violence" not in query.personas


def test_fearing_to_harm_others_shows_the_intent_to_get_help_to_stop():
    query = parse("jeg er redd for at jeg skal skade kjæresten min", "nb", current())
    assert "uses_violence" in query.personas
    assert not query.urgencies


@pytest.mark.parametrize(
    "query,urgent",
    [
        ("han slår meg nå", True),
        ("kjæresten min slår meg, hva gjør jeg nå", False),
        ("jeg ble voldtatt, hva gjør jeg nå", False),
    ],
)
def test_a_bare_now_makes_danger_acute_but_a_question_is_not_a_time(query, urgent):
    assert bool(parse(query, "nb", current()).urgencies) is urgent


def test_without_a_municipality_national_services_come_before_other_places_local_ones():
    found = slugs("jeg ble voldtatt i natt")
    assert found[0] == "overgrepsmottak"
    assert found.index("overgrepsmottaket-oslo") > 2


def test_a_fresh_sexual_assault_is_acute_and_an_old_one_is_not():
    assert parse("han voldtok meg i natt", "nb", current()).urgencies == ["sexual_assault"]
    assert parse("jeg ble voldtatt for mange år siden", "nb", current()).urgencies == []


def test_a_child_who_is_hit_is_a_child_in_danger():
    query = parse("jeg er 12 og pappa slår meg", "nb", current())
    assert "child" in query.personas
    assert "child_danger" in query.urgencies


def test_a_term_added_to_a_concept_works_on_the_next_search():
    from services.search.models import Concept, ConceptTerm

    assert not parse("grevlingtrøbbel", "nb", current()).personas
    ConceptTerm.objects.create(
        concept=Concept.objects.get(slug="vold-mot-meg"), language="nb", text="grevlingtrøbbel"
    )
    assert "at_risk" in parse("grevlingtrøbbel", "nb", current()).personas


# --- safety rules ----------------------------------------------------------------------


def slugs(query, municipality=None, language="nb"):
    filters = {"municipality": municipality} if municipality else None
    return [s.slug for s in search_services(query, filters, language=language).services]


@pytest.mark.parametrize(
    "query,line",
    [
        ("jeg vil ikke leve mer", "medisinsk-nodtelefon-113"),
        ("he says he will kill me", "nodnummer-112-politi"),
        ("mannen min har en kniv og truer meg", "nodnummer-112-politi"),
        ("kameraten min svarer ikke og har tatt en overdose", "medisinsk-nodtelefon-113"),
    ],
)
def test_an_acute_query_puts_its_line_in_the_top_three(query, line):
    assert line in slugs(query)[:3]


def test_a_fresh_assault_shows_the_local_overgrepsmottak_first():
    found = slugs("jeg ble voldtatt i går kveld", "1103")
    assert found[0] == "overgrepsmottaket-sor-rogaland"
    assert "vold-og-overgrepslinjen-116006" in found[:3]


def test_a_victim_never_gets_offender_or_prison_programmes_in_the_top_five():
    offender = {"det-finnes-hjelp", "ny-kurs", "basis", "ros-relasjon-og-samspill"}
    for query in ["jeg ble misbrukt som barn", "hjelp i fengsel etter overgrep mot meg"]:
        assert not offender & set(slugs(query)[:5])


def test_someone_who_fears_harming_others_gets_help_to_stop_before_victims_services():
    found = slugs("redd jeg skal skade barna mine når jeg blir sint")
    assert found.index("alternativ-til-vold") < found.index("krisesenter")


# --- honesty ---------------------------------------------------------------------------


def test_a_correct_word_is_never_corrected():
    for query in ["det skjedde i natt", "på byen i helga", "sitter inne"]:
        assert search_services(query).query.corrections == {}


@pytest.mark.parametrize(
    "typed,word",
    [
        ("krisesneter", "krisesenter"),
        ("sinemestring", "sinnemestring"),
        ("tvangsektskap", "tvangsekteskap"),
        ("overgrepsmotak", "overgrepsmottak"),
        ("rusbehanling", "rusbehandling"),
    ],
)
def test_a_misspelling_is_corrected_to_the_same_real_word_on_every_database(typed, word):
    # CI runs this on SQLite and on PostgreSQL: both must give exactly these words.
    found = search_services(typed)
    assert found.query.corrections == {typed: word}
    assert found.query.suggestion == word
    assert found.total > 0


def test_the_page_offers_the_corrected_search(client):
    html = client.get("/services/", {"q": "krisesneter", "municipality": "1870"}).content.decode()
    assert "Mente du:" in html
    assert 'href="?q=krisesenter&amp;municipality=1870"' in html


def test_words_the_search_did_not_understand_are_named(client):
    response = client.get("/services/", {"q": "søke om bostøtte"})
    html = response.content.decode()
    assert "Vi forstod ikke" in html and "bostøtte" in html
    assert 'class="help-now"' in html or 'class="search-partial"' in html


def test_a_query_nothing_fits_gets_the_no_results_help(client):
    response = client.get("/services/", {"q": "fornye førerkort"})
    assert response.context["found"].total == 0
    assert "116 006" in response.content.decode()
