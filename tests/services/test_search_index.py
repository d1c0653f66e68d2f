"""The search index follows every change: save, delete, categories, renames and bulk loads."""

import json

import pytest
from django.core.management import call_command
from django.utils import translation

from services.models import Category, Organisation, Service
from services.search import rebuild, reindex, search_services
from services.search.models import SearchDocument, SearchTerm

pytestmark = pytest.mark.django_db


def slugs(query, filters=None):
    return [s.slug for s in search_services(query, filters).services]


@pytest.fixture
def service():
    return Service.objects.get(slug="kirkens-sos")


def test_a_renamed_service_is_found_by_its_new_name(service):
    assert service.slug not in slugs("blåbærsyltetøy")
    service.name = "Blåbærsyltetøy-telefonen"
    service.save()
    assert slugs("blåbærsyltetøy")[0] == service.slug


def test_a_new_keyword_is_found_at_once(service):
    service.keywords_nb += "\nsnøskredfare"
    service.save()
    assert service.slug in slugs("snøskredfare")


def test_a_deleted_service_leaves_the_index_and_its_words(service):
    service.name = "Kvitveisstjerne"
    service.save()
    assert SearchTerm.objects.filter(term="kvitveisstjerne").exists()
    pk = service.pk
    service.phones.all().delete()
    Service.objects.filter(pk=pk).delete()
    assert not SearchDocument.objects.filter(service_id=pk).exists()
    assert not SearchTerm.objects.filter(term="kvitveisstjerne").exists()
    assert slugs("kvitveisstjerne") == []


def test_adding_and_removing_a_category_changes_what_finds_the_service(service):
    category = Category.objects.get(slug="menneskehandel")
    assert service.slug not in slugs("menneskehandel")
    service.categories.add(category)
    assert service.slug in slugs("menneskehandel")
    service.categories.remove(category)
    assert service.slug not in slugs("menneskehandel")


def test_clearing_a_category_from_its_side_reindexes_its_services():
    category = Category.objects.get(slug="menneskehandel")
    category.name_nb = "Rabarbragrøt"
    category.save()
    assert len(slugs("rabarbragrøt")) == category.services.published().count() > 1
    category.services.clear()
    assert slugs("rabarbragrøt") == []


def test_a_renamed_category_renames_what_its_services_are_found_by():
    category = Category.objects.get(slug="rus")
    category.name_nb = "Gjøkungeavhengighet"
    category.save()
    members = set(category.services.published().values_list("slug", flat=True))
    found = set(slugs("gjøkungeavhengighet"))
    assert members <= found, members - found


def test_a_renamed_organisation_is_found(service):
    organisation = service.organisation
    organisation.name = "Tranebærforeningen"
    organisation.save()
    assert service.slug in slugs("tranebærforeningen")


def test_document_frequencies_match_a_full_rebuild_after_edits(service):
    service.name = "Noe helt nytt om rus"
    service.save()
    service.categories.clear()
    incremental = dict(SearchTerm.objects.values_list("term", "df"))
    rebuild()
    assert incremental == dict(SearchTerm.objects.values_list("term", "df"))


def test_bulk_writes_are_indexed_by_reindex(service):
    Service.objects.filter(pk=service.pk).update(name="Multekrem-linjen")  # no signal
    assert service.slug not in slugs("multekrem")
    reindex([service])
    assert service.slug in slugs("multekrem")


def test_loading_a_changed_catalogue_updates_the_index(tmp_path, settings):
    from tests.conftest import FIXTURES

    data = json.loads((FIXTURES / "catalogue.json").read_text(encoding="utf-8"))
    entry = next(s for s in data["services"] if s["slug"] == "rio")
    entry["keywords_nb"].append("kantarellsuppe")
    entry["categories"] = ["rus", "menneskehandel"]
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command(
        "load_catalogue",
        str(path),
        municipalities=str(FIXTURES / "municipalities.json"),
        verbosity=0,
    )
    assert slugs("kantarellsuppe") == ["rio"]
    assert "rio" in slugs("menneskehandel")
    assert SearchDocument.objects.count() == Service.objects.count()


def test_every_service_has_a_document_after_the_demo_load():
    assert SearchDocument.objects.count() == Service.objects.count() == 73
    assert Organisation.objects.exists()


def test_postgresql_builds_the_vector_with_the_simple_configuration(service):
    """The terms are lemmas prepared in Python; PostgreSQL only weighs them (no stemmer of
    its own, which would fold English lemmas together and match what SQLite does not)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the stored vector is PostgreSQL's")
    service.name = "Planlegging og kartlegging"
    service.name_en = "Temper and temporary"
    service.save()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT vector = setweight(to_tsvector('simple', name_terms), 'A') || "
            "setweight(to_tsvector('simple', tag_terms), 'B') || "
            "setweight(to_tsvector('simple', body_terms), 'C') || "
            "setweight(to_tsvector('simple', extra_terms), 'D') "
            "FROM services_searchdocument WHERE service_id = %s",
            [service.pk],
        )
        assert cursor.fetchone()[0]
    # The query side takes the same path: the renamed service is found by its words.
    assert service.slug in slugs("kartlegging")


def test_an_english_word_does_not_match_another_that_shares_its_beginning(service):
    service.name_en = "Temporary housing"
    service.save()
    with translation.override("en"):
        assert service.slug not in slugs("temper")
        assert service.slug in slugs("temporary")


def test_migrate_indexes_services_that_have_no_search_document():
    # Given a database whose services predate the search index
    SearchDocument.objects.all().delete()
    SearchTerm.objects.all().delete()
    assert search_services("krisesenter").total == 0
    # When the deploy runs migrate
    call_command("migrate", verbosity=0)
    # Then search finds them again
    assert SearchDocument.objects.count() == Service.objects.count()
    assert search_services("krisesenter").total > 0


def test_a_change_of_languages_or_contact_forms_reaches_the_facet_counts():
    from services.models import DeliveryMode, Language

    service = Service.objects.get(slug="vern-for-eldre")
    service.name = "Multebærtelefonen"
    service.save()

    def counts():
        found = search_services("multebærtelefonen").counts
        return {name: found.get(name, {}) for name in ("language", "delivery_mode")}

    service.languages.clear()
    service.delivery_modes.clear()
    assert counts()["language"] == {} and counts()["delivery_mode"] == {}
    service.languages.add(Language.objects.get(code="se"))
    service.delivery_modes.add(DeliveryMode.objects.get(code="outreach"))
    assert counts()["language"] == {"se": 1}
    assert counts()["delivery_mode"] == {"outreach": 1}
