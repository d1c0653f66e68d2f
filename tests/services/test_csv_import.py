"""The coordinator's CSV import: every problem of every row in one pass, and all or nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from services import coordination, importing, spreadsheet
from services.demo import ensure_coordinator
from services.models import Service
from tests.factories import login

pytestmark = pytest.mark.django_db

HEADER = ",".join(spreadsheet.COLUMNS)


@pytest.fixture
def oslo_user():
    return ensure_coordinator("koordinator-oslo", "pw", first_name="Oslo", municipalities=["0301"])


def sheet(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def places(report) -> set[tuple]:
    return {(p.table, p.row, p.field) for p in report.problems}


GOOD = "ny-tjeneste,jurk,draft,nei,Ny tjeneste,,Beskrivelse,,,,,,,22 33 44 55,,182,"


def test_every_bad_field_of_a_row_is_named_at_once(oslo_user):
    bad = "ny-tjeneste,jurk,sometimes,kanskje,Ny,,Beskrivelse,,,ikke en lenke,x@,,,abc,ukjent,182,"
    report = spreadsheet.validate(sheet(bad), user=oslo_user, filename="ark.csv")
    fields = {p.field for p in report.rows[0].errors}
    assert {"status", "is_emergency", "website", "email", "phones", "categories"} <= fields
    assert all(p.table == "ark.csv" and p.row == 2 for p in report.problems)


def test_every_bad_row_is_named_and_a_good_row_beside_them_is_not_written(oslo_user):
    text = sheet(
        GOOD,
        "Ikke et kortnavn,jurk,draft,nei,X,,Y,,,,,,,,,182,",
        "demo-stavanger-trygg-bolig,stavanger-kommune,published,nei,Kapret,,x,,,,,,,,,182,",
        GOOD.replace("Ny tjeneste", "Samme kortnavn"),
    )
    report = spreadsheet.validate(text, user=oslo_user)
    assert {
        ("regneark.csv", 3, "slug"),
        ("regneark.csv", 4, "slug"),
        ("regneark.csv", 4, "organisation"),
        ("regneark.csv", 5, "slug"),
    } <= places(report)
    assert not report.rows[0].errors
    with pytest.raises(ValueError):
        spreadsheet.apply(report, user=oslo_user)
    assert not Service.objects.filter(slug="ny-tjeneste").exists()


def test_columns_the_import_does_not_read_are_listed_as_ignored(oslo_user):
    report = spreadsheet.validate(sheet(GOOD + ",x", header=HEADER + ",merknad"), user=oslo_user)
    assert report.ignored == ["last_verified_at", "merknad"]
    assert not report.has_errors


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (sheet(GOOD + ",x,y"), "Flere verdier enn kolonner"),
        (sheet(GOOD.replace("Beskrivelse", "x" * (importing.MAX_TEXT + 1))), "Lengre enn"),
        (sheet(GOOD, header="slug,name"), "Mangler kolonner"),
        (sheet(GOOD, header=HEADER.replace("name_en", "name")), "to ganger"),
        (sheet(GOOD.replace("Beskrivelse", '"' + "x" * 200_000 + '"')), "Kan ikke leses"),
        ("x" * (spreadsheet.MAX_BYTES + 1), "større enn 2 MB"),
    ],
)
def test_a_broken_or_oversized_sheet_is_a_report_line_not_a_traceback(oslo_user, text, words):
    report = spreadsheet.validate(text, user=oslo_user)
    assert report.has_errors
    assert words in " ".join(p.message for p in report.problems)


def test_a_sheet_with_too_many_rows_is_refused(oslo_user, monkeypatch):
    monkeypatch.setattr(spreadsheet, "MAX_ROWS", 2)
    rows = [GOOD.replace("ny-tjeneste", f"t-{n}") for n in range(3)]
    report = spreadsheet.validate(sheet(*rows), user=oslo_user)
    assert "For mange rader (høyst 2)." in [p.message for p in report.errors]


def test_the_import_page_lists_every_problem_with_its_row_and_column(client, oslo_user):
    login(client, oslo_user)
    text = sheet(
        "ny-tjeneste,jurk,sometimes,kanskje,Ny,,Beskrivelse,,,,,,,abc,,182,",
        "Ikke et kortnavn,jurk,draft,nei,X,,Y,,,,,,,,,182,",
    )
    upload = SimpleUploadedFile("tjenester.csv", text.encode(), content_type="text/csv")
    response = client.post("/admin/services/service/import/", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Filen har 4 feil" in html and "tjenester.csv" in html
    for column in ["<strong>status</strong>", "<strong>is_emergency</strong>", "<strong>phones"]:
        assert column in html
    assert not Service.objects.filter(slug="ny-tjeneste").exists()


def test_a_valid_sheet_is_written_whole(oslo_user):
    text = spreadsheet.export_csv(coordination.services_for(oslo_user))
    text += GOOD + "\n"
    report = spreadsheet.validate(text, user=oslo_user)
    assert not report.has_errors
    assert spreadsheet.apply(report, user=oslo_user)["created"] == 1
    assert Service.objects.get(slug="ny-tjeneste").phones.get().number == "22 33 44 55"
