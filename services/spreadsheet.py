"""The catalogue as a spreadsheet (CSV): export, and an import that validates before it applies.

Import is two steps: `validate` reads the whole file and reports per-row errors and the
changes it would make; nothing is written. `apply` writes a report without errors, through
the same rules as the admin (scope, history, second approval for emergency phone numbers).
"""

import csv
import io
from dataclasses import dataclass, field

from django import forms
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from services import coordination
from services.csvcell import neutralise, restore
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
    errors: list = field(default_factory=list)
    form: ImportForm | None = None
    phones: list | None = None
    categories: list | None = None


@dataclass
class ImportReport:
    rows: list = field(default_factory=list)
    errors: list = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(r.errors for r in self.rows)

    @property
    def changed_rows(self) -> list:
        return [r for r in self.rows if r.action != "unchanged"]


def _parse_phones(text: str, errors: list) -> list[dict]:
    phones = []
    for part in [p.strip() for p in text.split(";") if p.strip()]:
        number, _sep, label = part.partition("|")
        row = {"number": number.strip(), "label_nb": label.strip(), "label_en": ""}
        try:
            coordination.phone_check(row)
        except Exception:  # noqa: BLE001 - any validation failure is reported, not raised
            errors.append(_("Ugyldig telefonnummer: %(number)s") % {"number": row["number"]})
        phones.append(row)
    return phones


def validate(text: str, *, user) -> ImportReport:
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        report.errors.append(_("Mangler kolonner: %(columns)s") % {"columns": ", ".join(missing)})
        return report
    reader.fieldnames = header
    allowed_orgs = {o.slug: o for o in coordination.organisations_for(user)}
    categories = {c.slug: c for c in Category.objects.all()}
    seen = set()
    for number, raw in enumerate(reader, start=2):
        if number - 1 > MAX_ROWS:
            report.errors.append(_("For mange rader (høyst %(max)d).") % {"max": MAX_ROWS})
            break
        cells = {k: restore((v or "").strip()) for k, v in raw.items() if k in COLUMNS}
        row = Row(line=number, slug=cells.get("slug", ""))
        report.rows.append(row)
        if not row.slug or row.slug != slugify(row.slug):
            row.errors.append(_("Ugyldig kortnavn."))
            continue
        if row.slug in seen:
            row.errors.append(_("Kortnavnet står to ganger i filen."))
            continue
        seen.add(row.slug)
        service = Service.objects.select_related("organisation").filter(slug=row.slug).first()
        if service is not None and not coordination.scope_of(user).stewards(service):
            row.errors.append(_("Du forvalter ikke denne oppføringen."))
            continue
        organisation = allowed_orgs.get(cells.get("organisation", ""))
        if organisation is None:
            row.errors.append(_("Ukjent organisasjon, eller en du ikke forvalter."))
            continue
        emergency = cells.get("is_emergency", "").lower()
        if emergency not in TRUE | FALSE:
            row.errors.append(_("akutt hjelp må være «ja» eller «nei»."))
            continue
        initial = ImportForm(instance=service).initial if service else {}
        data = {**initial, **{k: v for k, v in cells.items() if k in FORM_FIELDS}}
        data["organisation"] = organisation.pk
        if "is_emergency" in cells:
            data["is_emergency"] = emergency in TRUE
        data.setdefault("review_interval_days", 182)
        if not data.get("review_interval_days"):
            data["review_interval_days"] = initial.get("review_interval_days", 182)
        row.form = ImportForm(data=data, instance=service)
        if not row.form.is_valid():
            for name, messages in row.form.errors.items():
                row.errors.extend(f"{name}: {m}" for m in messages)
            continue
        if "phones" in cells:
            row.phones = _parse_phones(cells["phones"], row.errors)
        if "categories" in cells:
            slugs = [s.strip() for s in cells["categories"].split(";") if s.strip()]
            unknown = [s for s in slugs if s not in categories]
            if unknown:
                row.errors.append(_("Ukjente kategorier: %(list)s") % {"list": ", ".join(unknown)})
            row.categories = [categories[s] for s in slugs if s in categories]
        if row.errors:
            continue
        if service is None:
            row.action = "create"
            row.changes = [
                (name, "", str(row.form.cleaned_data.get(name, "")))
                for name in ["name", "organisation", "status"]
            ]
            continue
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
    return report


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
