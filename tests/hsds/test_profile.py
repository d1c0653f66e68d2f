"""The Norwegian profile: RFC 7386 merge patches over the canonical schemas, served by the API."""

import json

import pytest
from jsonschema import Draft202012Validator

from services.hsds.profile import (
    COMPILED,
    PROFILED_SCHEMAS,
    apply_profile,
    load_patches,
    merge_patch,
)
from tests.hsds.helpers import COMPILED as CANONICAL
from tests.hsds.helpers import errors, official, profiled

# The examples of RFC 7386, appendix A.
RFC_7386 = [
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, None, None),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
]


@pytest.mark.parametrize(("target", "patch", "result"), RFC_7386)
def test_merge_patch_follows_the_examples_of_rfc_7386(target, patch, result):
    assert merge_patch(target, patch) == result


@pytest.mark.parametrize("name", PROFILED_SCHEMAS)
def test_the_committed_profiled_schemas_are_the_canonical_ones_with_the_patches_applied(name):
    canonical = json.loads((CANONICAL / name).read_text())
    assert json.loads((COMPILED / name).read_text()) == apply_profile(canonical, load_patches())
    Draft202012Validator.check_schema(json.loads((COMPILED / name).read_text()))


def test_the_profile_adds_optional_fields_to_every_nested_location_and_service_area():
    schema = profiled("service.json").schema
    location = schema["properties"]["service_at_locations"]["items"]["properties"]["location"]
    assert {"municipality_number", "county_number", "confidential_address"} <= set(
        location["properties"]
    )
    assert "municipality_number" not in location.get("required", [])
    area = schema["properties"]["service_areas"]["items"]
    assert {"municipality_number", "county_number", "national"} <= set(area["properties"])
    assert {"referral_required", "who_may_refer", "anonymous_use"} <= set(schema["properties"])


def test_the_profiled_schema_rejects_what_the_official_one_lets_pass():
    doc = {"id": "ac148810-d857-441c-9679-408f346de14b", "name": "X", "status": "active"}
    bad = {**doc, "who_may_refer": ["neighbour"], "anonymous_use": "ja"}
    assert errors(official("service_list.json"), bad) == []
    assert len(errors(profiled("service_list.json"), bad)) == 2
    assert errors(profiled("service_list.json"), doc) == []


@pytest.mark.django_db
def test_the_profile_patches_and_compiled_schemas_are_served(client):
    index = json.loads(client.get("/api/hsds/profile/").content)
    for url in list(index["patches"].values()) + list(index["compiled"].values()):
        response = client.get(url.removeprefix("http://testserver"))
        assert response.status_code == 200, url
        assert json.loads(response.content)
    assert client.get("/api/hsds/profile/patches/..%2Fapi.py").status_code == 404
    assert client.get("/api/hsds/profile/other/service.json").status_code == 404
