"""import_hsds is all or nothing: every problem of every record in one report, never a traceback."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from services import importing
from services.hsds.importer import import_path
from services.models import Service

pytestmark = pytest.mark.django_db

NEW_ID = "0c3b0c7e-6b0a-4d8e-9f5a-1d2e3f405162"


@pytest.fixture
def doc(tmp_path):
    """One full service as the export writes it, under a new id (so it would be created)."""
    call_command("export_hsds", str(tmp_path / "export"), verbosity=0)
    service = Service.objects.get(slug="jurk")
    docs = json.loads((tmp_path / "export" / "services.json").read_text())
    found = next(d for d in docs if d["id"] == str(service.uuid))
    return {**found, "id": NEW_ID}


def run(tmp_path, data, name="in.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return import_path(path)


def places(report) -> set[tuple]:
    return {(p.table, p.row, p.field) for p in report.problems}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"phones": "x"}, "phones", "liste av objekter"),
        ({"service_areas": 5}, "service_areas", "liste av objekter"),
        ({"name": {"nb": "Navn"}}, "name", "tekst"),
        ({"who_may_refer": {"gp": True}}, "who_may_refer", "liste av koder"),
        ({"phones": [{"number": ["22", "33"]}]}, "phones[0].number", "enkelt verdi"),
        ({"schedules": ["mandag"]}, "schedules", "liste av objekter"),
        ({"description": "x" * (importing.MAX_TEXT + 1)}, "description", "lengre enn"),
        ({"id": {"uuid": NEW_ID}}, "id", "enkelt verdi"),
    ],
)
def test_a_value_of_the_wrong_type_or_size_is_a_report_line_and_nothing_is_written(
    tmp_path, doc, change, field, words
):
    report = run(tmp_path, [{**doc, **change}])
    problem = next(p for p in report.problems if p.field == field)
    assert (problem.table, problem.row) == ("in.json", 1) and words in problem.message
    assert not report.written
    assert not Service.objects.filter(uuid=NEW_ID).exists()


def test_every_problem_of_every_record_is_in_one_report(tmp_path, doc):
    second = {**doc, "id": "1c3b0c7e-6b0a-4d8e-9f5a-1d2e3f405162"}
    report = run(
        tmp_path,
        [
            {**doc, "phones": "x", "name": 5, "email": "ikke en adresse"},
            {**second, "service_areas": 5, "url": "ikke en lenke"},
        ],
    )
    assert {("in.json", 1, "phones"), ("in.json", 1, "name"), ("in.json", 2, "service_areas")} <= (
        places(report)
    )
    assert not Service.objects.filter(uuid__in=[NEW_ID, second["id"]]).exists()


def test_a_good_record_beside_a_bad_one_is_not_written_either(tmp_path, doc):
    good = {**doc, "id": "1c3b0c7e-6b0a-4d8e-9f5a-1d2e3f405162", "name": "God tjeneste"}
    report = run(tmp_path, [good, {**doc, "phones": "x"}])
    assert report.created == 1 and not report.written
    assert not Service.objects.filter(name="God tjeneste").exists()


def test_a_duplicate_id_in_one_file_is_a_problem(tmp_path, doc):
    report = run(tmp_path, [doc, {**doc, "name": "Annen versjon"}])
    assert ("in.json", 2, "id") in places(report)
    assert not Service.objects.filter(uuid=NEW_ID).exists()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("42", "ukjent form"),
        ('"tekst"', "ukjent form"),
        ('["en", "to"]', "ukjent form"),
        ('{"contents": 5}', "ukjent form"),
        ('[{"hva": "ingen tjeneste"}]', "verken en tjeneste"),
        ('{"id": 1', "ikke gyldig JSON"),
        ("[" * 100_000 + "]" * 100_000, "dypere enn"),
        (json.dumps({"status": "active", "x": [[[[[[[[[[[[[[1]]]]]]]]]]]]]]}), "dypere enn"),
    ],
)
def test_an_unknown_shape_broken_or_too_deep_document_is_a_report_line(tmp_path, data, words):
    report = run(tmp_path, data)
    assert report.problems and words in " ".join(p.message for p in report.problems)
    assert not report.written


def test_a_file_over_the_size_limit_is_not_read(tmp_path, doc, monkeypatch):
    monkeypatch.setattr(importing, "MAX_FILE_BYTES", 100)
    report = run(tmp_path, [doc])
    assert "større enn" in report.problems[0].message
    assert not Service.objects.filter(uuid=NEW_ID).exists()


def test_fields_the_importer_does_not_keep_are_listed_as_ignored(tmp_path, doc):
    report = run(tmp_path, [{**doc, "wait_time": "To uker", "alert": "Stengt i juli"}])
    assert report.problems == [] and report.written
    lines = report.ignored_lines()
    assert "in.json, felt wait_time: ignorert (ikke lagret i katalogen), 1 rader" in lines
    assert any(line.startswith("in.json, felt alert: ignorert") for line in lines)


def test_the_command_names_the_problems_and_exits_without_a_traceback(tmp_path, doc):
    (tmp_path / "in.json").write_text(json.dumps([{**doc, "phones": "x"}]))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 problemer: ingenting er importert"):
        call_command("import_hsds", str(tmp_path / "in.json"), stdout=io.StringIO(), stderr=err)
    assert "in.json, rad 1, felt phones: må være en liste av objekter" in err.getvalue()


def test_a_csv_row_with_more_values_than_columns_is_a_problem(tmp_path):
    call_command("export_hsds", str(tmp_path / "csv"), verbosity=0)
    phones = tmp_path / "csv" / "phones.csv"
    lines = phones.read_text().splitlines()
    lines[1] += ",en verdi for mye"
    phones.write_text("\n".join(lines) + "\n")
    report = import_path(tmp_path / "csv")
    assert ("phones.csv", 2, "-") in places(report) and not report.written
