"""The catalogue as a spreadsheet (CSV): export, and an import that validates before it applies.

Import is two steps: `validate` reads the whole file and names every problem of every row
(row number, column, what is wrong) and the changes it would make; nothing is written.
`apply` writes a report without problems, all rows in one transaction, through the same
rules as the admin (services.coordination: scope, history, second approval for the
critical facts of emergency listings). Columns the import does not read are listed.
Bounded: MAX_BYTES, MAX_ROWS, and importing.MAX_TEXT per cell.
"""

import csv
import io
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from services import coordination, importing
from services.csvcell import neutralise, restore
from services.importing import Problem
from services.models import Category, Service

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000

# Columns written by export and read by import (last_verified_at is export only).
TEXT_FIELDS = [
    "name",
    "name_en",
    "description_nb",
    "eligibility_nb",
    "how_it_works_nb",
    "website",
    "email",
    "chat_url",
    "hours_note_nb",
]
COLUMNS = [
    "slug",
    "organisation",
    "status",
    "is_emergency",
    *TEXT_FIELDS,
    "phones",
    "categories",
    "review_interval_days",
    "last_verified_at",
]
REQUIRED_COLUMNS = ["slug", "organisation", "name", "status"]
IMPORT_COLUMNS = [c for c in COLUMNS if c != "last_verified_at"]
FORM_FIELDS = [
    *TEXT_FIELDS,
    "slug",
    "organisation",
    "status",
    "is_emergency",
    "review_interval_days",
]
TRUE = {"ja", "yes", "true", "1", "x"}
FALSE = {"nei", "no", "false", "0", ""}


def _phones_text(service: Service) -> str:
    return "; ".join(
        f"{p.number} | {p.label_nb}" if p.label_nb else p.number for p in service.phones.all()
    )


def export_csv(queryset) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    rows = queryset.select_related("organisation").prefetch_related("phones", "categories")
    for service in rows.order_by("slug"):
        values = {
            "slug": service.slug,
            "organisation": service.organisation.slug,
            "status": service.status,
            "is_emergency": "ja" if service.is_emergency else "nei",
            "phones": _phones_text(service),
            "categories": "; ".join(c.slug for c in service.categories.all()),
            "review_interval_days": service.review_interval_days,
            "last_verified_at": service.last_verified_at.isoformat()
            if service.last_verified_at
            else "",
            **{name: getattr(service, name) for name in TEXT_FIELDS},
        }
        writer.writerow([neutralise(values[c]) for c in COLUMNS])
    return "\ufeff" + out.getvalue()  # a BOM so spreadsheet programs read UTF-8


class ImportForm(forms.ModelForm):
    class Meta:
        model = Service
        fields = FORM_FIELDS


@dataclass
class Row:
    line: int
    slug: str
    action: str = "unchanged"  # create | update | unchanged
    changes: list = field(default_factory=list)  # (column, old, new)
    errors: list[Problem] = field(default_factory=list)
    form: ImportForm | None = None
    phones: list | None = None
    categories: list | None = None


@dataclass
class ImportReport:
    filename: str = ""
    rows: list = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)  # of the file as a whole
    ignored: list[str] = field(default_factory=list)  # columns the import does not read

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(r.errors for r in self.rows)

    @property
    def problems(self) -> list[Problem]:
        return [*self.errors, *(p for r in self.rows for p in r.errors)]

    @property
    def changed_rows(self) -> list:
        return [r for r in self.rows if r.action != "unchanged"]


def _parse_phones(text: str, problem) -> list[dict]:
    phones = []
    for part in [p.strip() for p in text.split(";") if p.strip()]:
        number, _sep, label = part.partition("|")
        row = {"number": number.strip(), "label_nb": label.strip(), "label_en": ""}
        try:
            coordination.phone_check(row)
        except ValidationError:
            problem("phones", _("Ugyldig telefonnummer: %(number)s") % {"number": row["number"]})
        phones.append(row)
    return phones


def validate(text: str, *, user, filename: str = "regneark.csv") -> ImportReport:
    """Reads the whole sheet and names every problem of every row; writes nothing."""
    report = ImportReport(filename=filename)

    def file_problem(line, column, message):
        report.errors.append(Problem(filename, line, column, message))

    if len(text.encode("utf-8")) > MAX_BYTES:
        file_problem("-", "-", _("Filen er større enn 2 MB."))
        return report
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [(h or "").strip() for h in (reader.fieldnames or [])]
    except csv.Error as error:
        file_problem(1, "-", _("Kan ikke leses som CSV: %(error)s") % {"error": error})
        return report
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        columns = ", ".join(missing)
        file_problem(1, "-", _("Mangler kolonner: %(columns)s") % {"columns": columns})
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        columns = ", ".join(twice)
        file_problem(1, "-", _("Kolonner som står to ganger: %(columns)s") % {"columns": columns})
    if missing or twice:
        return report
    report.ignored = [h for h in header if h not in IMPORT_COLUMNS]
    reader.fieldnames = header
    context = _Context(user)
    try:
        for number, raw in enumerate(reader, start=2):
            if number - 1 > MAX_ROWS:
                file_problem(number, "-", _("For mange rader (høyst %(max)d).") % {"max": MAX_ROWS})
                break
            report.rows.append(_validate_row(number, raw, context, filename))
    except csv.Error as error:
        message = _("Kan ikke leses som CSV: %(error)s") % {"error": error}
        file_problem(reader.line_num, "-", message)
    return report


class _Context:
    """What every row is checked against: the user's organisations, the categories."""

    def __init__(self, user):
        self.user = user
        self.organisations = {o.slug: o for o in coordination.organisations_for(user)}
        self.categories = {c.slug: c for c in Category.objects.all()}
        self.seen: set[str] = set()


def _cells(raw: dict, problem) -> dict:
    if None in raw:
        problem("-", _("Flere verdier enn kolonner."))
    cells = {}
    for name, value in raw.items():
        if name not in IMPORT_COLUMNS:
            continue
        value = restore((value or "").strip())
        if len(value) > importing.MAX_TEXT:
            problem(name, _("Lengre enn %(max)d tegn.") % {"max": importing.MAX_TEXT})
            value = ""
        cells[name] = value
    return cells


def _validate_row(number: int, raw: dict, context: _Context, filename: str) -> Row:
    row = Row(line=number, slug="")

    def problem(column, message):
        row.errors.append(Problem(filename, number, column, str(message)))

    cells = _cells(raw, problem)
    row.slug = cells.get("slug", "")
    service = None
    if not row.slug or row.slug != slugify(row.slug):
        problem("slug", _("Ugyldig kortnavn."))
    elif row.slug in context.seen:
        problem("slug", _("Kortnavnet står to ganger i filen."))
    else:
        context.seen.add(row.slug)
        service = Service.objects.select_related("organisation").filter(slug=row.slug).first()
        if service is not None and not coordination.scope_of(context.user).stewards(service):
            problem("slug", _("Du forvalter ikke denne oppføringen."))
            service = None
    organisation = context.organisations.get(cells.get("organisation", ""))
    if organisation is None:
        problem("organisation", _("Ukjent organisasjon, eller en du ikke forvalter."))
    emergency = cells.get("is_emergency", "").lower()
    if emergency not in TRUE | FALSE:
        problem("is_emergency", _("akutt hjelp må være «ja» eller «nei»."))
    initial = ImportForm(instance=service).initial if service else {}
    data = {**initial, **{k: v for k, v in cells.items() if k in FORM_FIELDS}}
    data["organisation"] = organisation.pk if organisation else None
    if "is_emergency" in cells:
        data["is_emergency"] = emergency in TRUE
    data.setdefault("review_interval_days", 182)
    if not data.get("review_interval_days"):
        data["review_interval_days"] = initial.get("review_interval_days", 182)
    row.form = ImportForm(data=data, instance=service)
    reported = {p.field for p in row.errors}
    if not row.form.is_valid():
        for name, messages in row.form.errors.items():
            if name not in reported:
                for message in messages:
                    problem("-" if name == "__all__" else name, message)
    if "phones" in cells:
        row.phones = _parse_phones(cells["phones"], problem)
    if "categories" in cells:
        slugs = [s.strip() for s in cells["categories"].split(";") if s.strip()]
        unknown = [s for s in slugs if s not in context.categories]
        if unknown:
            problem("categories", _("Ukjente kategorier: %(list)s") % {"list": ", ".join(unknown)})
        row.categories = [context.categories[s] for s in slugs if s in context.categories]
    if row.errors:
        return row
    _describe_changes(row, service, initial, cells)
    return row


def _describe_changes(row: Row, service: Service | None, initial: dict, cells: dict) -> None:
    if service is None:
        row.action = "create"
        row.changes = [
            (name, "", str(row.form.cleaned_data.get(name, "")))
            for name in ["name", "organisation", "status"]
        ]
        return
    for name in row.form.changed_data:
        row.changes.append((name, str(initial.get(name, "")), str(row.form.cleaned_data[name])))
    current_phones = coordination.phone_rows(service)
    if row.phones is not None:
        # The sheet carries no English labels: keep those of numbers that stay.
        english = {p["number"]: p["label_en"] for p in current_phones}
        for phone in row.phones:
            phone["label_en"] = english.get(phone["number"], "")
    if row.phones is not None and row.phones != current_phones:
        row.changes.append(("phones", _phones_text(service), cells["phones"]))
    if row.categories is not None and {c.pk for c in row.categories} != set(
        service.categories.values_list("pk", flat=True)
    ):
        old = "; ".join(service.categories.values_list("slug", flat=True))
        row.changes.append(("categories", old, cells["categories"]))
    if row.changes:
        row.action = "update"


@transaction.atomic
def apply(report: ImportReport, *, user) -> dict:
    """Write a validated report. Refuses a report with errors."""
    if report.has_errors:
        raise ValueError("the report has errors")
    result = {"created": 0, "updated": 0, "pending": 0}
    for row in report.changed_rows:
        service = row.form.save(commit=False)
        waiting = coordination.service_save(
            service=service, user=user, phones=row.phones, reason="spreadsheet import"
        )
        result["pending"] += waiting is not None
        if row.categories is not None:
            service.categories.set(row.categories)
        result["created" if row.action == "create" else "updated"] += 1
    return result
