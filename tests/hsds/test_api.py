"""The read-only HSDS API: paths, paging, errors, caching headers and validity by the schemas."""

import json
import uuid

import pytest
from django.utils import timezone

from services.hsds import mapping
from services.models import Category, Location, Service, stable_uuid
from tests.hsds.helpers import assert_valid, page_schema

pytestmark = pytest.mark.django_db

ENVELOPE = set(page_schema()["properties"]) | {"contents"}


def get_json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:300])
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def all_pages(client, path, per_page=20):
    pages, number = [], 1
    while True:
        separator = "&" if "?" in path else "?"
        page = get_json(client, f"{path}{separator}page={number}&per_page={per_page}")
        pages.append(page)
        if page["last_page"] or page["empty"]:
            return pages
        number += 1


def published():
    return Service.objects.published()


def test_root_names_the_hsds_version_the_profile_and_the_ignored_parameters(client):
    data = get_json(client, "/api/hsds/")
    assert data["version"] == "3.0"
    assert data["profile"].endswith("/api/hsds/profile/")
    assert {"format", "full", "minimal", "postcode", "proximity"} <= set(
        data["unsupported_parameters"]
    )
    profile = get_json(client, data["profile"].removeprefix("http://testserver"))
    assert set(profile["patches"]) == {"location", "organization", "service", "service_area"}


def test_every_published_service_is_valid_by_the_official_and_the_profiled_service_schema(client):
    services = list(published())
    assert len(services) >= 60
    for service in services:
        doc = get_json(client, f"/api/hsds/services/{service.uuid}")
        assert doc["id"] == str(service.uuid)
        assert_valid("service.json", doc)


def test_every_services_page_has_the_envelope_and_valid_items_and_lists_each_published_service_once(
    client,
):
    pages = all_pages(client, "/api/hsds/services", per_page=7)
    ids = []
    for number, page in enumerate(pages, start=1):
        assert set(page) == ENVELOPE
        assert page["page_number"] == number
        assert page["size"] == len(page["contents"])
        assert page["first_page"] == (number == 1)
        assert page["total_items"] == published().count()
        for item in page["contents"]:
            assert_valid("service_list.json", item)
            ids.append(item["id"])
    assert pages[-1]["last_page"] and len(pages) == pages[0]["total_pages"]
    assert sorted(ids) == sorted(str(u) for u in published().values_list("uuid", flat=True))


def test_organizations_pages_and_each_organization_are_valid_and_only_those_with_published_services(
    client,
):
    ids = []
    for page in all_pages(client, "/api/hsds/organizations", per_page=10):
        assert set(page) == ENVELOPE
        for item in page["contents"]:
            assert_valid("organization_list.json", item)
            ids.append(item["id"])
    expected = {str(s.organisation.uuid) for s in published().select_related("organisation")}
    assert set(ids) == expected
    for org_id in ids:
        doc = get_json(client, f"/api/hsds/organizations/{org_id}")
        assert_valid("organization.json", doc)
        assert doc["services"]


def test_service_at_locations_pages_and_items_are_valid(client):
    ids = []
    for page in all_pages(client, "/api/hsds/service_at_locations", per_page=25):
        assert set(page) == ENVELOPE
        for item in page["contents"]:
            assert_valid("service_at_location_list.json", item)
            ids.append(item["id"])
    assert len(ids) == Location.objects.filter(service__status="published").count()
    doc = get_json(client, f"/api/hsds/service_at_locations/{ids[0]}")
    assert_valid("service_at_location.json", doc)


def test_taxonomies_and_terms_are_listed_and_found_by_their_stable_ids(client):
    taxonomies = get_json(client, "/api/hsds/taxonomies")
    assert taxonomies["total_items"] == 3
    category = taxonomies["contents"][0]
    assert get_json(client, f"/api/hsds/taxonomies/{category['id']}")["name"] == category["name"]
    terms = get_json(client, f"/api/hsds/taxonomy_terms?taxonomy_id={category['id']}&per_page=100")
    assert terms["total_items"] == Category.objects.count()
    first = Category.objects.order_by("slug").first()
    term = get_json(client, f"/api/hsds/taxonomy_terms/{stable_uuid('category', first.slug)}")
    assert term["code"] == first.slug and term["taxonomy_id"] == category["id"]


def test_ids_are_derived_from_slugs_so_they_survive_a_reload_of_the_catalogue(client):
    service = published().first()
    doc = get_json(client, f"/api/hsds/services/{service.uuid}")
    assert doc["id"] == str(stable_uuid("service", service.slug))
    assert doc["organization"]["id"] == str(stable_uuid("organisation", service.organisation.slug))


def test_the_api_answers_without_redirect_language_prefix_or_cookies_and_allows_any_origin(client):
    response = client.get("/api/hsds/services")
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert not response.cookies
    assert client.get("/en/api/hsds/services").status_code == 404


def test_a_repeated_request_with_the_etag_or_the_date_gets_304(client):
    url = f"/api/hsds/services/{published().first().uuid}"
    first = client.get(url)
    assert first["ETag"] and first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"other"').status_code == 200
    page = client.get("/api/hsds/services?per_page=5")
    assert (
        client.get("/api/hsds/services?per_page=5", HTTP_IF_NONE_MATCH=page["ETag"]).status_code
        == 304
    )


@pytest.mark.parametrize(
    "query",
    [
        "page=-1",
        "page=0",
        "page=abc",
        "page=99999999999999999999999",
        "per_page=0",
        "per_page=101",
        "per_page=100000",
        "modified_after=yesterday",
        "organization_id=garbage",
        "taxonomy_term_id=1%27%20OR%201=1",
    ],
)
def test_bad_parameters_get_a_clear_400_in_json(client, query):
    data = get_json(client, f"/api/hsds/services?{query}", status=400)
    assert data["parameter"] == query.split("=")[0]
    assert data["error"]


@pytest.mark.parametrize(
    "path",
    ["services", "organizations", "taxonomies", "taxonomy_terms", "service_at_locations"],
)
def test_unknown_or_garbage_ids_get_404_in_json(client, path):
    for key in ["garbage", str(uuid.uuid4()), "%00", "1" * 300]:
        assert get_json(client, f"/api/hsds/{path}/{key}", status=404)["error"]


def test_per_page_accepts_1_to_100(client):
    assert get_json(client, "/api/hsds/services?per_page=1")["size"] == 1
    page = get_json(client, "/api/hsds/services?per_page=100")
    assert page["size"] == page["total_items"] == published().count()
    assert page["first_page"] and page["last_page"] and page["total_pages"] == 1


def test_a_page_past_the_end_is_empty_not_an_error(client):
    page = get_json(client, "/api/hsds/services?page=999")
    assert page["empty"] and page["size"] == 0 and page["last_page"]


def test_draft_services_are_not_published_by_the_api(client):
    service = published().first()
    Service.objects.filter(pk=service.pk).update(status=Service.Status.DRAFT)
    get_json(client, f"/api/hsds/services/{service.uuid}", status=404)
    ids = [i["id"] for i in get_json(client, "/api/hsds/services?per_page=100")["contents"]]
    assert str(service.uuid) not in ids


def test_services_filter_by_organization_term_and_modification_date(client):
    service = published().select_related("organisation").first()
    org = service.organisation
    page = get_json(client, f"/api/hsds/services?organization_id={org.uuid}&per_page=100")
    assert page["total_items"] == published().filter(organisation=org).count() >= 1
    assert {i["organization_id"] for i in page["contents"]} == {str(org.uuid)}

    category = Category.objects.filter(services__status="published").first()
    term = stable_uuid("category", category.slug)
    page = get_json(client, f"/api/hsds/services?taxonomy_term_id={term}&per_page=100")
    assert page["total_items"] == published().filter(categories=category).count() >= 1

    Service.objects.filter(pk=service.pk).update(
        updated_at=timezone.now() + timezone.timedelta(days=2)
    )
    tomorrow = (timezone.now() + timezone.timedelta(days=1)).date().isoformat()
    page = get_json(client, f"/api/hsds/services?modified_after={tomorrow}")
    assert [i["id"] for i in page["contents"]] == [str(service.uuid)]


def test_search_runs_the_portal_search(client):
    search = pytest.importorskip("services.search")
    if not hasattr(search, "search_services"):
        pytest.skip("services.search.search_services is not there yet")
    expected = search.search_services("vold").total
    page = get_json(client, "/api/hsds/services?search=vold&per_page=100")
    assert page["total_items"] == expected > 0
    for item in page["contents"]:
        assert_valid("service_list.json", item)


def test_a_services_page_takes_the_same_few_queries_whatever_its_size(
    client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for per_page in (5, 50, 100):
        with CaptureQueriesContext(connection) as ctx:
            client.get(f"/api/hsds/services?per_page={per_page}")
        counts.append(len(ctx))
    assert counts[0] == counts[1] == counts[2] <= 8
    with django_assert_max_num_queries(12):
        client.get(f"/api/hsds/services/{published().first().uuid}")


def all_api_bytes(client) -> bytes:
    chunks = [client.get("/api/hsds/").content]
    for path in ["services", "organizations", "service_at_locations", "taxonomy_terms"]:
        for page in all_pages(client, f"/api/hsds/{path}", per_page=100):
            chunks.append(json.dumps(page, ensure_ascii=False).encode())
            for item in page["contents"]:
                chunks.append(client.get(f"/api/hsds/{path}/{item['id']}").content)
    return b"\n".join(chunks)


def test_the_confidential_address_never_appears_in_any_api_answer(client):
    service = Service.objects.get(slug="demo-stavanger-trygg-bolig")
    location = service.locations.get()
    assert location.is_confidential and location.street == "Skjermveien 12"
    assert location.postal_code == "4014"
    body = all_api_bytes(client)
    assert b"Skjermveien" not in body
    assert b'"4014"' not in body and b":4014" not in body
    doc = get_json(client, f"/api/hsds/services/{service.uuid}")
    published_location = doc["service_at_locations"][0]["location"]
    assert published_location["confidential_address"] is True
    assert published_location["addresses"] == []
    assert "latitude" not in published_location and "longitude" not in published_location
    assert mapping.CONFIDENTIAL_NOTE in published_location["description"]
    assert published_location["municipality_number"] == "1103"


def test_an_incomplete_address_is_left_out_and_the_municipality_carried_by_the_profile(client):
    location = Location.objects.filter(
        service__status="published", is_confidential=False, municipality__isnull=False
    ).first()
    Location.objects.filter(pk=location.pk).update(street="")
    doc = get_json(client, f"/api/hsds/service_at_locations/{location.uuid}")
    assert doc["location"]["addresses"] == []
    assert doc["location"]["municipality_number"] == location.municipality_id
    assert_valid("service_at_location.json", doc)


def test_the_api_is_read_only(client):
    response = client.post("/api/hsds/services", {"name": "x"})
    assert response.status_code == 405
    assert json.loads(response.content)["error"]
    assert client.head("/api/hsds/services").status_code == 200


def test_unpublishing_a_listing_moves_the_last_modified_date_of_the_pages(client):
    first = client.get("/api/hsds/services")
    service = published().first()
    Service.objects.filter(pk=service.pk).update(
        status=Service.Status.ARCHIVED, updated_at=timezone.now() + timezone.timedelta(hours=1)
    )
    again = client.get("/api/hsds/services", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert again.status_code == 200


@pytest.mark.parametrize(
    "path", ["services", "organizations", "taxonomy_terms", "service_at_locations"]
)
def test_odd_search_text_is_searched_not_a_server_error(client, path):
    for text in ["%00", "%27%22%3B--", "a" * 500, "%F0%9F%98%80", "%C3%A6%C3%B8%C3%A5"]:
        page = get_json(client, f"/api/hsds/{path}?search={text}")
        assert set(page) == ENVELOPE
