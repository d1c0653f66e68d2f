"""Import of HSDS 3 data (the tabular data package or JSON) into the catalogue.

* All or nothing: a file (or folder) is imported in one transaction. Every problem of
  every record is reported in one pass, with its file, row or record, and field; if there
  is any, nothing is written. Wrong types, duplicate ids, unknown shapes, too deep nesting
  and oversized values are problems, never a traceback. Fields the importer does not keep
  are reported as ignored (per file and field, with a count), not dropped silently.
* Bounded: see `services.importing` for the limits (file size, records, text length,
  nesting depth).
* Idempotent: services, organisations and locations are upserted by their HSDS
  id (stored in `uuid`); a service's phones, hours, coverage, languages and
  terms are replaced by the imported ones.
* Imported listings arrive as **drafts** for a coordinator to review; they are
  never published by the import. A service that already exists and is
  **published** is left as it is: when the imported version differs, the
  import files a report on it (an ErrorReport, the coordinator's inbox for
  "this listing is wrong") and counts it as `kept_published`. An unpublished
  listing that once was a public emergency listing changes its critical facts only
  with a second coordinator's approval (services.coordination).
* The Norwegian profile's fields (municipality and county numbers, the
  confidential-address flag, the access path) are read when present.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db import IntegrityError, transaction
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import slugify

from services import coordination, importing
from services.csvcell import restore
from services.hsds import mapping
from services.importing import Problem
from services.models import (
    Category,
    County,
    DeliveryMode,
    ErrorReport,
    Language,
    Location,
    Municipality,
    OpeningHours,
    Organisation,
    Service,
    TargetGroup,
)

REFERRERS = set(Service.Referrer.values)
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ]*[0-9]$")
TIME_RE = re.compile(r"^([01][0-9]|2[0-4]):([0-5][0-9])(:[0-5][0-9](\.[0-9]+)?)?")
IMPORT_FLAG = "hsds_import"


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_published: int = 0
    skipped: int = 0
    pending: int = 0  # changes to emergency listings waiting for a second approval
    organisations_created: int = 0
    problems: list[Problem] = field(default_factory=list)
    ignored: dict[tuple[str, str], int] = field(default_factory=dict)  # (file, field): rows
    written: bool = False

    def problem(self, source: tuple, field_name: str, message: str) -> None:
        self.problems.append(Problem(source[0], source[1], field_name, message))

    def ignore(self, source: tuple, field_name: str) -> None:
        key = (str(source[0]).split(":")[0], re.sub(r"\[[0-9]+\]", "[]", field_name))
        self.ignored[key] = self.ignored.get(key, 0) + 1

    def ignored_lines(self) -> list[str]:
        return [
            f"{table}, felt {name}: ignorert (ikke lagret i katalogen), {count} rader"
            for (table, name), count in sorted(self.ignored.items())
        ]

    @property
    def processed(self) -> int:
        return self.created + self.updated + self.unchanged + self.kept_published + self.skipped

    def summary(self) -> str:
        return (
            f"{self.created} nye (utkast), {self.updated} oppdatert, {self.unchanged} uendret, "
            f"{self.kept_published} publiserte beholdt, {self.skipped} hoppet over, "
            f"{self.organisations_created} nye organisasjoner, "
            f"{self.pending} endringer venter på godkjenning, {len(self.problems)} problemer"
            + ("" if self.written else " – ingenting er lagret")
        )


# --- reading -----------------------------------------------------------------


def _src(doc: dict, default: tuple) -> tuple:
    return doc.get("_source", default)


def _too_big(path: Path, report: ImportReport) -> bool:
    if path.stat().st_size > importing.MAX_FILE_BYTES:
        report.problem((path.name, "-"), "-", importing.too_big_message())
        return True
    return False


def read_tabular(folder: Path, report: ImportReport) -> dict[str, list[dict]]:
    """{table: [row, ...]} from the CSV files; each row remembers its file and line."""
    names = {}
    try:
        package = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        names = {r["name"]: r["path"] for r in package.get("resources", []) if "path" in r}
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        pass
    tables: dict[str, list[dict]] = {}
    for path in sorted(folder.glob("*.csv")):
        tables[path.stem] = _read_csv(path, report)
    for name, rel in names.items():
        path = folder / str(rel)
        inside = path.resolve().is_relative_to(folder.resolve())  # no ../ out of the package
        if name not in tables and inside and path.is_file() and path.suffix == ".csv":
            tables[name] = _read_csv(path, report)
    return tables


def _read_csv(path: Path, report: ImportReport) -> list[dict]:
    if _too_big(path, report):
        return []
    rows = []
    with open(path, newline="", encoding="utf-8-sig", errors="strict") as handle:
        reader = csv.DictReader(handle)
        try:
            for i, row in enumerate(reader, start=2):
                if None in row:
                    report.problem((path.name, i), "-", "flere verdier enn kolonner")
                rows.append(
                    {
                        **{k: (restore(v) if v != "" else None) for k, v in row.items() if k},
                        "_source": (path.name, i),
                    }
                )
        except (csv.Error, UnicodeDecodeError) as error:
            report.problem((path.name, reader.line_num), "-", f"kan ikke leses som CSV: {error}")
    return rows


def _bool(value):
    if isinstance(value, bool) or value is None:
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "ja"):
        return True
    if text in ("false", "0", "no", "nei"):
        return False
    raise ValueError(value)


def _duplicate_ids(tables: dict[str, list[dict]], report: ImportReport) -> None:
    for rows in tables.values():
        first_seen = {}
        for row in rows:
            key = row.get("id")
            if isinstance(key, str) and key in first_seen:
                where = first_seen[key]
                report.problem(_src(row, where), "id", f"står to ganger (også rad {where[1]})")
            elif isinstance(key, str):
                first_seen[key] = _src(row, ("-", "-"))


def nest_tabular(tables: dict[str, list[dict]]) -> tuple[list[dict], dict[str, dict]]:
    """Turns the tables into full nested services (the JSON form) and organisations by id."""

    def by(table: str, key: str) -> dict[str, list[dict]]:
        grouped = defaultdict(list)
        for row in tables.get(table, []):
            if row.get(key):
                grouped[row[key]].append(row)
        return grouped

    organisations = {r["id"]: r for r in tables.get("organizations", []) if r.get("id")}
    locations = {r["id"]: r for r in tables.get("locations", []) if r.get("id")}
    terms = {r["id"]: r for r in tables.get("taxonomy_terms", []) if r.get("id")}
    addresses = by("addresses", "location_id")
    phones, schedules = by("phones", "service_id"), by("schedules", "service_id")
    areas, languages = by("service_areas", "service_id"), by("languages", "service_id")
    links, attributes = by("service_at_location", "service_id"), by("attributes", "link_id")
    services = []
    for row in tables.get("services", []):
        sid = row.get("id")
        doc = dict(row)
        if isinstance(doc.get("who_may_refer"), str):
            doc["who_may_refer"] = [c.strip() for c in doc["who_may_refer"].split(",") if c.strip()]
        doc["phones"] = phones.get(sid, [])
        doc["schedules"] = schedules.get(sid, [])
        doc["service_areas"] = areas.get(sid, [])
        doc["languages"] = languages.get(sid, [])
        doc["service_at_locations"] = []
        for link in links.get(sid, []):
            location = locations.get(link.get("location_id"))
            if location is None:
                doc["service_at_locations"].append({**link, "location": None})
                continue
            location = {**location, "addresses": addresses.get(location["id"], [])}
            doc["service_at_locations"].append({**link, "location": location})
        doc["attributes"] = [
            {**a, "taxonomy_term": terms.get(a.get("taxonomy_term_id"))}
            for a in attributes.get(sid, [])
        ]
        services.append(doc)
    return services, organisations


def _load_json(path: Path, report: ImportReport):
    if _too_big(path, report):
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        report.problem((path.name, "-"), "-", "ikke UTF-8-tekst")
        return None
    except json.JSONDecodeError as error:
        report.problem(
            (path.name, error.lineno), "-", f"ikke gyldig JSON (linje {error.lineno}: {error.msg})"
        )
        return None
    except RecursionError:
        data = None
    if data is None or importing.depth(data) > importing.MAX_DEPTH:
        report.problem((path.name, "-"), "-", importing.too_deep_message())
        return None
    return data


def read_json_documents(
    paths: list[Path], report: ImportReport
) -> tuple[list[dict], dict[str, dict], dict]:
    """Services, organisations and tabular tables found in JSON files of any HSDS shape."""
    services, organisations, tables = [], {}, defaultdict(list)
    for path in paths:
        data = _load_json(path, report)
        if data is None:
            continue
        if isinstance(data, dict) and data and all(k.endswith(".csv") for k in data):
            for name, rows in data.items():  # the specification's tabular.json
                if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
                    report.problem((path.name, "-"), name, "må være en liste av objekter")
                    continue
                tables[name.removesuffix(".csv")] += [
                    {**r, "_source": (f"{path.name}:{name}", i)} for i, r in enumerate(rows, 1)
                ]
            continue
        items = data.get("contents") if isinstance(data, dict) and "contents" in data else data
        items = [items] if isinstance(items, dict) else items
        if not isinstance(items, list):
            report.problem(
                (path.name, "-"), "-", "ukjent form: ventet et objekt, en liste eller en side"
            )
            continue
        for i, item in enumerate(items, start=1):
            _sort_document(item, (path.name, i), path, services, organisations, report)
    return services, organisations, tables


# HSDS documents a folder may hold that the import takes only as part of a service.
OTHER_DOCUMENTS = {"taxonomy", "taxonomies", "location", "locations", "base"}


def _sort_document(item, source, path, services, organisations, report) -> None:
    """One JSON document: a service, a service_at_location or an organisation with services."""
    if not isinstance(item, dict):
        report.problem(source, "-", f"ukjent form: ventet et objekt, ikke {_kind(item)}")
        return
    item = {**item, "_source": source}
    if "status" in item or "service_at_locations" in item:
        services.append(item)
    elif isinstance(item.get("service"), dict):  # a full service_at_location
        service = {**item["service"], "_source": source}
        if item.get("location") and not service.get("service_at_locations"):
            service["service_at_locations"] = [item]
        services.append(service)
    elif (
        "services" in item
        or "organization_identifiers" in item
        or (path.stem.startswith("organization") and "name" in item)
    ):
        organisations[str(item.get("id"))] = item
        nested_services = item.get("services") or []
        if not isinstance(nested_services, list):
            report.problem(source, "services", "må være en liste av objekter")
            return
        for n, nested in enumerate(nested_services, start=1):
            if isinstance(nested, dict):
                services.append(
                    {
                        "organization": {k: v for k, v in item.items() if k != "services"},
                        **nested,
                        "_source": (source[0], f"{source[1]}.{n}"),
                    }
                )
            else:
                report.problem(source, f"services[{n}]", "må være et objekt")
    elif path.stem.split("_")[0] in OTHER_DOCUMENTS:
        report.ignore(source, f"({path.stem.split('_')[0]})")  # read through the services
    else:
        report.problem(source, "-", "ukjent form: verken en tjeneste eller en organisasjon")


def _kind(value) -> str:
    return {
        dict: "et objekt",
        list: "en liste",
        str: "tekst",
        bool: "en sannhetsverdi",
        int: "et tall",
        float: "et tall",
    }.get(type(value), "ingenting")


def collect(path: Path, report: ImportReport) -> tuple[list[dict], dict[str, dict]]:
    path = Path(path)
    if path.is_file() and path.suffix == ".csv" or path.name == "datapackage.json":
        path = path.parent
    if path.is_dir() and (path / "services.csv").is_file():
        tables = read_tabular(path, report)
        _duplicate_ids({k: v for k, v in tables.items() if k != "services"}, report)
        return nest_tabular(tables)
    files = [path] if path.is_file() else sorted(path.glob("*.json"))
    if path.is_dir() and (path / "services.json").is_file():
        files = [path / n for n in ("organizations.json", "services.json") if (path / n).is_file()]
    services, organisations, tables = read_json_documents(files, report)
    if tables:
        _duplicate_ids({k: v for k, v in tables.items() if k != "services"}, report)
        more_services, more_orgs = nest_tabular(tables)
        services += more_services
        organisations.update(more_orgs)
    return services, organisations


# --- checking ----------------------------------------------------------------

TEXT, VALUE, CODES = "text", "value", "codes"
# Keys that link records together: read, never kept as data, never reported as ignored.
LINKS = {
    "_source", "id", "service_id", "organization_id", "location_id", "link_id",
    "taxonomy_term_id", "service_at_location_id", "contact_id", "phone_id", "program_id",
    "link_type", "link_entity", "taxonomy_id", "status", "language",
}  # fmt: skip
ADDRESS = {"address_1": TEXT, "city": TEXT, "postal_code": VALUE, "region": TEXT}
LOCATION = {
    "location_type": TEXT, "description": TEXT, "confidential_address": VALUE, "city": TEXT,
    "municipality_number": VALUE, "latitude": VALUE, "longitude": VALUE,
    "addresses": [ADDRESS],
}  # fmt: skip
TERM = {"code": VALUE, "name": TEXT, "description": TEXT}
ORGANISATION = {
    "name": TEXT, "organisation_type": TEXT, "municipality_number": VALUE, "website": TEXT,
}  # fmt: skip
SERVICE = {
    "name": TEXT, "alternate_name": TEXT, "description": TEXT, "url": TEXT, "email": TEXT,
    "application_process": TEXT, "eligibility_description": TEXT, "referral_notes": TEXT,
    "fees_description": TEXT, "referral_required": VALUE, "anonymous_use": VALUE,
    "free": VALUE, "emergency": VALUE, "assured_date": VALUE, "last_modified": VALUE,
    "who_may_refer": CODES,
    "organization": ORGANISATION,
    "phones": [{"number": VALUE, "description": TEXT}],
    "schedules": [{"byday": TEXT, "freq": TEXT, "opens_at": VALUE, "closes_at": VALUE}],
    "service_areas": [{"national": VALUE, "municipality_number": VALUE, "county_number": VALUE}],
    "languages": [{"code": TEXT}],
    "attributes": [{"taxonomy_term": TERM}],
    "service_at_locations": [{"location": LOCATION, "description": TEXT}],
}  # fmt: skip


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def check_shape(doc: dict, spec: dict, report: ImportReport, source: tuple, path="") -> bool:
    """Reports every value of the wrong type or size; lists the fields that are not kept."""
    ok = True
    for key, value in doc.items():
        name = f"{path}{key}"
        if key in LINKS:
            if isinstance(value, dict | list) and key != "_source":
                report.problem(source, name, f"må være en enkelt verdi, ikke {_kind(value)}")
                ok = False
            continue
        kind = spec.get(key)
        if kind is None:
            if not _empty(value):
                report.ignore(source, name)
            continue
        if value is None:
            continue
        problem = _type_problem(kind, value)
        if problem:
            report.problem(source, name, problem)
            ok = False
        elif isinstance(kind, dict):
            prefix = "" if "_source" in value else f"{name}."  # a CSV row names its own file
            ok &= check_shape(value, kind, report, _src(value, source), prefix)
        elif isinstance(kind, list):
            for n, item in enumerate(value):
                own = "_source" in item
                prefix = "" if own else f"{name}[{n}]."
                ok &= check_shape(item, kind[0], report, _src(item, source), prefix)
    return ok


def _type_problem(kind, value) -> str | None:
    if isinstance(kind, dict) and not isinstance(value, dict):
        return f"må være et objekt, ikke {_kind(value)}"
    if isinstance(kind, list) and not (
        isinstance(value, list) and all(isinstance(v, dict) for v in value)
    ):
        return f"må være en liste av objekter, ikke {_kind(value)}"
    if kind == TEXT and not isinstance(value, str):
        return f"må være tekst, ikke {_kind(value)}"
    if kind == VALUE and isinstance(value, dict | list):
        return f"må være en enkelt verdi, ikke {_kind(value)}"
    if kind == CODES and not (
        isinstance(value, str)
        or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    ):
        return f"må være en liste av koder, ikke {_kind(value)}"
    if isinstance(value, str) and len(value) > importing.MAX_TEXT:
        return importing.too_long_message()
    return None


# --- writing -----------------------------------------------------------------


def import_path(path, *, progress=None, every: int = 500) -> ImportReport:
    """Reads everything, checks everything, and writes it only if there was no problem."""
    report = ImportReport()
    services, organisations = collect(Path(path), report)
    if len(services) > importing.MAX_RECORDS:
        report.problem((Path(path).name, "-"), "-", importing.too_many_message())
        return report
    for organisation in organisations.values():
        fields = {k: v for k, v in organisation.items() if k != "services"}
        check_shape(fields, ORGANISATION, report, _src(organisation, ("organisations", "-")))
    cache = _Cache()
    first_seen: dict[tuple, tuple] = {}
    with transaction.atomic():
        for n, doc in enumerate(services, start=1):
            source = _src(doc, ("services", n))
            # Within one file an id is one record; across files the later one is read.
            key = (str(source[0]).split(":")[0], str(doc.get("id")))
            if key in first_seen and doc.get("id") is not None:
                report.problem(source, "id", f"står to ganger (også rad {first_seen[key][1]})")
            first_seen.setdefault(key, source)
            if not check_shape(doc, SERVICE, report, source):
                report.skipped += 1
            else:
                _import_one(doc, organisations, report, source, cache)
            if progress and (n % every == 0 or n == len(services)):
                progress(n, len(services))
        report.written = not report.problems
        transaction.set_rollback(not report.written)
    return report


def _import_one(doc, organisations, report, source, cache) -> None:
    try:
        with transaction.atomic():
            _import_service(doc, organisations, report, source, cache)
    except (IntegrityError, ValidationError, ValueError) as exc:
        report.skipped += 1
        report.problem(source, "-", f"kunne ikke lagres: {exc}")


class _Cache:
    def __init__(self):
        self.municipalities = dict(Municipality.objects.values_list("number", "county_id"))
        self.counties = set(County.objects.values_list("number", flat=True))
        self.languages = set(Language.objects.values_list("code", flat=True))
        self.delivery_modes = set(DeliveryMode.objects.values_list("code", flat=True))


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        return None


def _text(doc: dict, key: str, max_length: int | None = None) -> str:
    value = doc.get(key)
    value = "" if value is None else str(value).strip()
    return value[:max_length] if max_length else value


def _valid(validator, value: str, report, source, field_name) -> str:
    if not value:
        return ""
    try:
        validator(value)
    except ValidationError:
        report.problem(source, field_name, f"ugyldig verdi {value[:80]!r}; utelatt")
        return ""
    return value


def _organisation(doc, organisations, report, source) -> Organisation | None:
    raw = doc.get("organization") if isinstance(doc.get("organization"), dict) else None
    org_id = _uuid((raw or {}).get("id") or doc.get("organization_id"))
    if org_id is None:
        report.problem(source, "organization_id", "mangler eller er ikke en UUID")
        return None
    existing = Organisation.objects.filter(uuid=org_id).first()
    if existing:
        return existing
    raw = raw or organisations.get(str(org_id)) or organisations.get(doc.get("organization_id"))
    if not raw or not _text(raw, "name"):
        report.problem(source, "organization_id", f"ukjent organisasjon {org_id}")
        return None
    org_source = _src(raw, source)
    kind = _text(raw, "organisation_type")
    if kind and kind not in Organisation.Type.values:
        report.problem(org_source, "organisation_type", f"ukjent type {kind!r}")
    number = _text(raw, "municipality_number")
    municipality = Municipality.objects.filter(number=number).first() if number else None
    if number and municipality is None:
        report.problem(org_source, "municipality_number", f"ukjent kommunenummer {number!r}")
    name = _text(raw, "name", 200)
    report.organisations_created += 1
    return Organisation.objects.create(
        uuid=org_id,
        slug=f"{slugify(name)[:80] or 'org'}-{org_id.hex[:8]}",
        name=name,
        type=kind if kind in Organisation.Type.values else Organisation.Type.OTHER,
        website=_valid(URLValidator(), _text(raw, "website"), report, org_source, "website")[:200],
        municipality=municipality,
    )


def _flag_published(service: Service, doc: dict, report: ImportReport) -> None:
    """Keeps the public version; files a report for a coordinator when the import differs."""
    current = mapping.service_list_doc(service)
    keys = ["name", "description", "url", "email", "application_process", "eligibility_description"]
    if all((current.get(k) or "") == _text(doc, k) for k in keys):
        report.unchanged += 1
        return
    ErrorReport.objects.get_or_create(
        service=service,
        field=IMPORT_FLAG,
        status=ErrorReport.Status.OPEN,
        defaults={
            "message": "En HSDS-import inneholdt en annen versjon av denne publiserte oppføringen. "
            "Den publiserte versjonen er beholdt; sammenlign med kilden og oppdater ved behov."
        },
    )
    report.kept_published += 1


def _import_service(doc, organisations, report: ImportReport, source, cache: _Cache) -> None:
    sid = _uuid(doc.get("id"))
    name = _text(doc, "name", 200)
    if sid is None:
        report.problem(source, "id", "mangler eller er ikke en UUID; tjenesten er hoppet over")
        report.skipped += 1
        return
    if not name:
        report.problem(source, "name", "mangler; tjenesten er hoppet over")
        report.skipped += 1
        return
    existing = Service.objects.filter(uuid=sid).first()
    if existing and existing.status == Service.Status.PUBLISHED:
        _flag_published(existing, doc, report)
        return
    organisation = _organisation(doc, organisations, report, source)
    if organisation is None:
        report.skipped += 1
        return
    values = _service_values(doc, report, source)
    values.update(name=name, organisation=organisation)
    phones = _phones(doc.get("phones") or [], report, source)
    if existing:
        # HSDS has one language: keep the English labels of numbers that stay.
        english = {p["number"]: p["label_en"] for p in coordination.phone_rows(existing)}
        for phone in phones:
            phone["label_en"] = english.get(phone["number"], "")
        for key, value in values.items():
            setattr(existing, key, value)
        service = existing
        report.updated += 1
    else:
        service = Service(
            uuid=sid, slug=f"{slugify(name)[:80] or 'tjeneste'}-{sid.hex[:8]}", **values
        )
        report.created += 1
    if coordination.service_save(service=service, user=None, phones=phones, reason="HSDS import"):
        report.pending += 1
    _related(service, doc, report, source, cache)
    modified = _datetime(doc.get("last_modified"))
    Service.objects.filter(pk=service.pk).update(updated_at=modified or dt.datetime.now(dt.UTC))


def _datetime(value) -> dt.datetime | None:
    if not value:
        return None
    try:
        parsed = parse_datetime(str(value))
    except ValueError:
        return None
    if parsed and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


def _service_values(doc, report, source) -> dict:
    values = {
        "name_en": _text(doc, "alternate_name", 200),
        "description_nb": _text(doc, "description"),
        "website": _valid(URLValidator(), _text(doc, "url"), report, source, "url")[:500],
        "email": _valid(EmailValidator(), _text(doc, "email"), report, source, "email"),
        "how_it_works_nb": _text(doc, "application_process"),
        "eligibility_nb": _text(doc, "eligibility_description"),
        "referral_notes_nb": _text(doc, "referral_notes"),
    }
    flags = {}
    for key in ("referral_required", "anonymous_use", "free", "emergency"):
        try:
            flags[key] = _bool(doc.get(key))
        except ValueError:
            report.problem(source, key, f"ikke en sannhetsverdi: {doc.get(key)!r}")
            flags[key] = None
    values["referral_required"] = flags["referral_required"]
    values["anonymous_possible"] = bool(flags["anonymous_use"])
    values["is_emergency"] = bool(flags["emergency"])
    values["is_free"] = bool(flags["free"])
    values["cost_nb"] = "" if values["is_free"] else _text(doc, "fees_description")
    who = doc.get("who_may_refer") or []
    if not isinstance(who, list):
        who = [who]
    unknown = [c for c in who if c not in REFERRERS]
    if unknown:
        report.problem(source, "who_may_refer", f"ukjente koder {unknown}; utelatt")
    values["who_may_refer"] = [c for c in who if c in REFERRERS]
    assured = doc.get("assured_date")
    values["last_verified_at"] = None
    if assured:
        try:
            day = parse_date(str(assured)[:10])
        except ValueError:
            day = None
        if day is None:
            report.problem(source, "assured_date", f"ikke en dato: {assured!r}")
        else:
            values["last_verified_at"] = dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)
    return values


def _related(service: Service, doc, report, source, cache: _Cache) -> None:
    _hours(service, doc.get("schedules") or [], report, source)
    _coverage(service, doc.get("service_areas") or [], report, source, cache)
    codes = []
    for lang in doc.get("languages") or []:
        code = _text(lang, "code").lower()
        if code in cache.languages:
            codes.append(code)
        elif code:
            report.problem(_src(lang, source), "code", f"ukjent språkkode {code!r}; utelatt")
    service.languages.set(codes)
    _terms(service, doc.get("attributes") or [], report, source, cache)
    _locations(service, doc.get("service_at_locations") or [], report, source, cache)


def _phones(docs, report, source) -> list[dict]:
    rows = []
    for doc in docs:
        number = _text(doc, "number").strip("\"' ")
        number = re.sub(r"[^0-9+ ]", " ", number).strip()
        number = re.sub(r" +", " ", number)
        if not PHONE_RE.match(number) or len(number) > 30:
            report.problem(_src(doc, source), "number", "ikke et telefonnummer; utelatt")
            continue
        rows.append({"number": number, "label_nb": _text(doc, "description", 200)})
    return rows


def _time(value) -> dt.time | None:
    match = TIME_RE.match(_text({"v": value}, "v"))
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    return dt.time(0 if hour == 24 else hour, minute)


def _hours(service, docs, report, source) -> None:
    rows: dict[tuple, tuple] = {}
    always = False
    for doc in docs:
        src = _src(doc, source)
        days = [d.strip().upper()[-2:] for d in _text(doc, "byday").split(",") if d.strip()]
        if _text(doc, "freq") not in ("", "WEEKLY") or not days:
            report.problem(src, "freq", "bare ukentlige åpningstider med byday kan leses; utelatt")
            continue
        opens, closes = _time(doc.get("opens_at")), _time(doc.get("closes_at"))
        if opens is None or closes is None:
            report.problem(src, "opens_at", "åpner/stenger mangler eller er ikke HH:MM; utelatt")
            continue
        if set(days) == set(mapping.WEEKDAYS) and opens == closes == dt.time(0):
            always = True
            continue
        for day in days:
            if day not in mapping.WEEKDAYS:
                report.problem(src, "byday", f"ukjent ukedag {day!r}")
                continue
            weekday = mapping.WEEKDAYS.index(day)
            rows[(weekday, opens)] = (closes, closes <= opens)
    service.opening_hours.all().delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(service=service, weekday=w, opens=o, closes=c, closes_next_day=n)
        for (w, o), (c, n) in sorted(rows.items())
    )
    mode = Service.HoursMode.UNKNOWN
    if always:
        mode = Service.HoursMode.ALWAYS
    elif rows:
        mode = Service.HoursMode.SCHEDULED
    Service.objects.filter(pk=service.pk).update(hours_mode=mode)


def _coverage(service, docs, report, source, cache: _Cache) -> None:
    national, counties, municipalities = False, set(), set()
    for doc in docs:
        src = _src(doc, source)
        try:
            if _bool(doc.get("national")):
                national = True
                continue
        except ValueError:
            report.problem(src, "national", "ikke en sannhetsverdi")
        number = _text(doc, "municipality_number")
        county = _text(doc, "county_number")
        if number:
            if number in cache.municipalities:
                municipalities.add(number)
            else:
                report.problem(src, "municipality_number", f"ukjent kommunenummer {number!r}")
        elif county:
            if county in cache.counties:
                counties.add(county)
            else:
                report.problem(src, "county_number", f"ukjent fylkesnummer {county!r}")
    Service.objects.filter(pk=service.pk).update(coverage_national=national)
    service.coverage_counties.set(counties)
    service.coverage_municipalities.set(municipalities)


TERM_MODELS = {"category": Category, "target_group": TargetGroup}


def _term_kind(term: dict) -> str | None:
    code = _text(term, "code")
    for kind in mapping.TAXONOMIES:
        if _text(term, "taxonomy_id") == mapping.taxonomy_id(kind):
            return kind
        if code and _text(term, "id") == mapping.term_id(kind, code):
            return kind
    return None


def _terms(service, docs, report, source, cache: _Cache) -> None:
    found = {"category": set(), "target_group": set(), "delivery_mode": set()}
    for doc in docs:
        term = doc.get("taxonomy_term")
        if not isinstance(term, dict):
            continue
        kind, code = _term_kind(term), _text(term, "code")
        if kind is None:
            continue  # another directory's taxonomy: kept out of the catalogue's vocabularies
        if kind == "delivery_mode":
            if code in cache.delivery_modes:
                found[kind].add(code)
            else:
                report.problem(_src(term, source), "code", f"ukjent kontaktform {code!r}")
            continue
        slug = slugify(code)[:80]
        if not slug:
            report.problem(_src(term, source), "code", "mangler")
            continue
        name = _text(term, "name", 120) or slug
        defaults = {"name_nb": name, "name_nn": name, "name_en": name}
        if kind == "category":
            defaults["description_nb"] = _text(term, "description")
        obj, _ = TERM_MODELS[kind].objects.get_or_create(slug=slug, defaults=defaults)
        found[kind].add(obj.pk)
    service.categories.set(found["category"])
    service.target_groups.set(found["target_group"])
    service.delivery_modes.set(found["delivery_mode"])


def _locations(service, links, report, source, cache: _Cache) -> None:
    keep = []
    position = 0
    for link in links:
        location = link.get("location") if isinstance(link, dict) else None
        src = _src(link, source) if isinstance(link, dict) else source
        if not isinstance(location, dict):
            report.problem(src, "location_id", "ukjent sted; utelatt")
            continue
        src = _src(location, src)
        lid = _uuid(location.get("id"))
        if lid is None:
            report.problem(src, "id", "mangler eller er ikke en UUID; utelatt")
            continue
        if _text(location, "location_type") == "virtual":
            continue
        values = _location_values(location, report, src, cache)
        values["position"] = position
        position += 1
        owner = Location.objects.filter(uuid=lid).values_list("service_id", flat=True).first()
        if owner is not None and owner != service.pk:
            # The same HSDS location serves several services: each gets its own copy.
            lid = uuid.uuid5(lid, str(service.uuid))
        obj, _ = Location.objects.update_or_create(
            uuid=lid, defaults={**values, "service": service}
        )
        keep.append(obj.pk)
    service.locations.exclude(pk__in=keep).delete()


def _location_values(doc, report, src, cache: _Cache) -> dict:
    try:
        confidential = bool(_bool(doc.get("confidential_address")))
    except ValueError:
        report.problem(src, "confidential_address", "ikke en sannhetsverdi; regnet som skjermet")
        confidential = True
    note = _text(doc, "description")
    if note.endswith(mapping.CONFIDENTIAL_NOTE):
        note = note.removesuffix(mapping.CONFIDENTIAL_NOTE).strip()
    values = {
        "kind": Location.Kind.POSTAL
        if _text(doc, "location_type") == "postal"
        else Location.Kind.VISITING,
        "is_confidential": confidential,
        "note_nb": note,
        "street": "",
        "postal_code": "",
        "city": _text(doc, "city", 100),
        "latitude": None,
        "longitude": None,
        "municipality_id": None,
    }
    number = _text(doc, "municipality_number")
    if number:
        if number in cache.municipalities:
            values["municipality_id"] = number
        else:
            report.problem(src, "municipality_number", f"ukjent kommunenummer {number!r}")
    addresses = [a for a in doc.get("addresses") or [] if isinstance(a, dict)]
    if addresses:
        address = addresses[0]
        asrc = _src(address, src)
        values["street"] = _text(address, "address_1", 200)
        values["city"] = _text(address, "city", 100) or values["city"]
        postcode = _text(address, "postal_code").replace(" ", "")
        if re.fullmatch(r"[0-9]{4}", postcode):
            values["postal_code"] = postcode
        elif postcode:
            report.problem(asrc, "postal_code", f"ikke et norsk postnummer {postcode!r}; utelatt")
        if not values["municipality_id"] and _text(address, "region"):
            match = list(Municipality.objects.filter(name__iexact=_text(address, "region"))[:2])
            if len(match) == 1:
                values["municipality_id"] = match[0].number
    lat, lon = doc.get("latitude"), doc.get("longitude")
    if lat not in (None, "") and lon not in (None, ""):
        try:
            lat_d = Decimal(str(lat)).quantize(Decimal("0.000001"))
            lon_d = Decimal(str(lon)).quantize(Decimal("0.000001"))
            if not (-90 <= lat_d <= 90 and -180 <= lon_d <= 180):
                raise InvalidOperation
            values["latitude"], values["longitude"] = lat_d, lon_d
        except (InvalidOperation, ValueError):
            report.problem(src, "latitude", f"ugyldige koordinater ({lat}, {lon}); utelatt")
    return values
