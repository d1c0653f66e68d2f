"""manage.py export_hsds / import_hsds: both forms, the specification's examples, the round trip."""

import csv
import io
import json
import shutil

import pytest
from django.core.management import CommandError, call_command
from jsonschema import Draft202012Validator, FormatChecker

from services.hsds import mapping
from services.hsds.export import TABLES
from services.hsds.importer import import_path
from services.models import (
    Category,
    ErrorReport,
    Location,
    Organisation,
    Service,
    TargetGroup,
)
from tests.hsds.helpers import EXAMPLES, assert_valid, errors, official

pytestmark = pytest.mark.django_db


def export_to(folder) -> dict[str, bytes]:
    call_command("export_hsds", str(folder), verbosity=0)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def rows(folder, table):
    with open(folder / f"{table}.csv", newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_export_writes_every_table_of_the_specification_a_datapackage_and_the_json_form(
    tmp_path,
):
    files = export_to(tmp_path)
    spec_tables = {p.stem for p in (EXAMPLES / "csv").glob("*.csv")}
    assert spec_tables <= {name.removesuffix(".csv") for name in files}
    for table in spec_tables:
        spec_header = (EXAMPLES / "csv" / f"{table}.csv").read_text().splitlines()[0].split(",")
        header = files[f"{table}.csv"].decode().splitlines()[0].split(",")
        assert header[: len(spec_header)] == spec_header, table
    package = json.loads(files["datapackage.json"])
    assert {r["path"] for r in package["resources"]} == {f"{t}.csv" for t in TABLES}
    services = json.loads(files["services.json"])
    assert len(services) == Service.objects.published().count() == len(rows(tmp_path, "services"))
    for doc in services:
        assert_valid("service.json", doc)
    for doc in json.loads(files["organizations.json"]):
        assert_valid("organization.json", doc)


def _typed(row: dict, properties: dict) -> dict:
    """A CSV row as the JSON values the tabular schema describes (an empty cell is no value)."""
    typed = {}
    for key, value in row.items():
        if value == "" or key not in properties:
            continue
        kind = properties[key].get("type")
        typed[key] = float(value) if kind == "number" else value
    return typed


def test_every_exported_csv_row_is_valid_by_the_official_tabular_schema(tmp_path):
    export_to(tmp_path)
    tables = official("tabular.json").schema["properties"]
    validated = 0
    for name, table in tables.items():
        item = table["items"]
        validator = Draft202012Validator(item, format_checker=FormatChecker())
        for row in rows(tmp_path, item["path"].removesuffix(".csv")):
            document = _typed(row, item["properties"])
            assert errors(validator, document) == [], (name, row["id"])
            assert set(item.get("tabular_required", [])) <= set(document), (name, row["id"])
            validated += 1
    assert validated > 500


def test_the_confidential_address_is_in_no_exported_file(tmp_path):
    location = Location.objects.get(service__slug="demo-stavanger-trygg-bolig")
    assert location.is_confidential
    files = export_to(tmp_path)
    for name, content in files.items():
        assert b"Skjermveien" not in content, name
        assert b'"4014"' not in content and b",4014," not in content, name
    exported = [r for r in rows(tmp_path, "locations") if r["id"] == str(location.uuid)]
    assert exported[0]["confidential_address"] == "true"
    assert exported[0]["latitude"] == "" and exported[0]["municipality_number"] == "1103"
    assert not [r for r in rows(tmp_path, "addresses") if r["location_id"] == str(location.uuid)]


def fixed_examples(tmp_path):
    """The specification's examples with their two values no Norwegian catalogue can hold
    (a point at latitude 100, a US postcode) replaced, so that they import whole."""
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    for path in [*folder.glob("*.json"), *folder.glob("csv/*.csv")]:
        text = path.read_text()
        text = text.replace('"latitude": 100', '"latitude": 59.91')
        text = text.replace('"longitude": 101', '"longitude": 10.75')
        text = text.replace(",100,101,", ",59.91,10.75,").replace("ABC 1234", "0150")
        path.write_text(text)
    return folder


def test_the_specifications_json_examples_import_as_drafts(tmp_path):
    report = import_path(fixed_examples(tmp_path))
    assert report.problems == [] and report.written
    service = Service.objects.get(uuid="ac148810-d857-441c-9679-408f346de14b")
    assert service.status == Service.Status.DRAFT
    assert service.name == "Community Counselling"
    assert service.organisation.name
    assert report.created >= 1 and report.skipped == 0
    assert service.phones.exists() and service.locations.exists()
    assert service.opening_hours.exists()
    # What the catalogue does not keep is named, not dropped silently.
    assert "service_full.json, felt interpretation_services: ignorert" in "\n".join(
        report.ignored_lines()
    )


def test_the_specifications_csv_examples_are_refused_whole_and_each_bad_value_named_with_its_place(
    tmp_path,
):
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="ingenting er importert"):
        call_command("import_hsds", str(EXAMPLES / "csv"), stdout=out, stderr=err)
    assert "locations.csv, rad 2, felt latitude" in err.getvalue()  # (100, 101) is not on Earth
    assert "addresses.csv, rad 2, felt postal_code" in err.getvalue()
    assert "ingenting er lagret" in out.getvalue()
    assert not Service.objects.filter(uuid="ac148810-d857-441c-9679-408f346de14b").exists()
    assert not Organisation.objects.filter(uuid="d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610").exists()


def test_every_bad_value_of_every_row_is_reported_in_one_pass_and_nothing_is_imported(tmp_path):
    folder = fixed_examples(tmp_path) / "csv"
    lines = (folder / "services.csv").read_text().splitlines()
    lines.append(lines[1].replace("ac148810-d857-441c-9679-408f346de14b", "not-a-uuid"))
    lines.append(
        lines[1]
        .replace("ac148810-d857-441c-9679-408f346de14b", "0c3b0c7e-6b0a-4d8e-9f5a-1d2e3f405162")
        .replace("email@example.com", "not an email")
        .replace("http://example.com", "not a url")
    )
    (folder / "services.csv").write_text("\n".join(lines) + "\n")
    before = Service.objects.count()
    report = import_path(folder)
    places = {(p.table, p.row, p.field) for p in report.problems}
    assert ("services.csv", 3, "id") in places
    assert {("services.csv", 4, "email"), ("services.csv", 4, "url")} <= places
    assert not report.written and Service.objects.count() == before
    assert not Service.objects.filter(uuid="ac148810-d857-441c-9679-408f346de14b").exists()


def test_importing_twice_changes_nothing_the_second_time(tmp_path):
    folder = fixed_examples(tmp_path) / "csv"
    first = import_path(folder)
    snapshot = _snapshot("ac148810-d857-441c-9679-408f346de14b")
    second = import_path(folder)
    assert (first.created, second.created, second.updated) == (1, 0, 1)
    assert _snapshot("ac148810-d857-441c-9679-408f346de14b") == snapshot
    assert Organisation.objects.filter(uuid="d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610").count() == 1


def _snapshot(service_uuid):
    service = Service.objects.get(uuid=service_uuid)
    service.status = Service.Status.PUBLISHED
    doc = mapping.service_doc(service)
    doc.pop("last_modified")
    return doc


def test_an_import_never_overwrites_a_published_listing_but_flags_a_different_version(tmp_path):
    export_to(tmp_path)
    services = json.loads((tmp_path / "services.json").read_text())
    target = next(d for d in services if d["id"] == str(Service.objects.published().first().uuid))
    original = Service.objects.get(uuid=target["id"])
    unchanged = import_path(tmp_path / "services.json")
    assert unchanged.unchanged == len(services) and unchanged.kept_published == 0
    target["description"] = "Endret beskrivelse fra en annen katalog."
    (tmp_path / "one.json").write_text(json.dumps([target]))
    report = import_path(tmp_path / "one.json")
    assert report.kept_published == 1
    service = Service.objects.get(uuid=target["id"])
    assert service.description_nb == original.description_nb
    assert service.status == Service.Status.PUBLISHED
    assert (
        ErrorReport.objects.filter(service=service, field="hsds_import", status="open").count() == 1
    )


def _empty_catalogue():
    ErrorReport.objects.all().delete()
    Service.objects.all().delete()
    Organisation.objects.all().delete()
    Category.objects.all().delete()
    TargetGroup.objects.all().delete()


@pytest.mark.parametrize("form", ["csv", "json"])
def test_export_import_into_an_empty_catalogue_and_export_again_gives_the_same_files(
    tmp_path, form
):
    first = export_to(tmp_path / "first")
    _empty_catalogue()
    source = tmp_path / "first" / ("services.csv" if form == "csv" else "services.json")
    report = import_path(source)
    assert report.problems == [] and report.created == len(json.loads(first["services.json"]))
    assert not Service.objects.published().exists()  # drafts until a coordinator approves them
    Service.objects.update(status=Service.Status.PUBLISHED)
    second = export_to(tmp_path / "second")
    assert second.keys() == first.keys()
    for name in first:
        assert second[name] == first[name], name


def test_the_example_documents_themselves_are_valid_by_the_schemas_the_tests_use():
    example = json.loads((EXAMPLES / "service_full.json").read_text())
    assert errors(official("service.json"), example) == []


def test_a_long_import_shows_its_progress_on_stderr(tmp_path):
    export_to(tmp_path)
    err = io.StringIO()
    call_command("import_hsds", str(tmp_path), "--every=20", stdout=io.StringIO(), stderr=err)
    total = len(json.loads((tmp_path / "services.json").read_text()))
    assert f"… 20/{total} tjenester lest" in err.getvalue()
    assert f"… {total}/{total} tjenester lest" in err.getvalue()


def test_import_reads_the_profiles_municipality_coverage_and_access_path(tmp_path):
    export_to(tmp_path)
    source = Service.objects.get(slug="demo-stavanger-trygg-bolig")
    expected = (
        set(source.coverage_municipalities.values_list("number", flat=True)),
        source.referral_required,
        sorted(source.who_may_refer),
        source.anonymous_possible,
    )
    _empty_catalogue()
    import_path(tmp_path / "services.json")
    service = Service.objects.get(uuid=source.uuid)
    assert service.status == Service.Status.DRAFT
    assert (
        set(service.coverage_municipalities.values_list("number", flat=True)),
        service.referral_required,
        sorted(service.who_may_refer),
        service.anonymous_possible,
    ) == expected
    location = service.locations.get()
    assert location.is_confidential and location.municipality_id == "1103"
    assert location.street == "" and location.postal_code == ""
