"""Load the municipality list and the catalogue file into the database.

The file is validated completely before anything is written, and the write is
one transaction: a bad file changes nothing. Loading is idempotent: a record
whose data did not change is not saved again, so running twice changes
nothing and a changed service is updated in place (same id, same slug).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from services import coordination
from services import search as search_index
from services.models import (
    Category,
    County,
    DeliveryMode,
    Language,
    Location,
    Municipality,
    OpeningHours,
    Organisation,
    Service,
    TargetGroup,
    stable_uuid,
)

WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$")

# Names of the delivery modes and languages the catalogue may use, in nb / nn / en.
DELIVERY_MODES = {
    "phone": ("Telefon", "Telefon", "Phone"),
    "chat": ("Chat", "Chat", "Chat"),
    "in_person": ("Oppmøte", "Oppmøte", "In person"),
    "digital": ("Digitalt", "Digitalt", "Online"),
    "outreach": ("Oppsøkende", "Oppsøkjande", "Outreach"),
}
LANGUAGES = {
    "nb": ("Norsk", "Norsk", "Norwegian"),
    "nn": ("Nynorsk", "Nynorsk", "Norwegian Nynorsk"),
    "se": ("Nordsamisk", "Nordsamisk", "Northern Sami"),
    "en": ("Engelsk", "Engelsk", "English"),
    "ar": ("Arabisk", "Arabisk", "Arabic"),
    "so": ("Somali", "Somali", "Somali"),
    "ti": ("Tigrinja", "Tigrinja", "Tigrinya"),
    "fa": ("Persisk", "Persisk", "Persian"),
    "ur": ("Urdu", "Urdu", "Urdu"),
    "pl": ("Polsk", "Polsk", "Polish"),
    "lt": ("Litauisk", "Litauisk", "Lithuanian"),
    "uk": ("Ukrainsk", "Ukrainsk", "Ukrainian"),
    "ru": ("Russisk", "Russisk", "Russian"),
    "tr": ("Tyrkisk", "Tyrkisk", "Turkish"),
    "ku": ("Kurdisk", "Kurdisk", "Kurdish"),
    "th": ("Thai", "Thai", "Thai"),
    "vi": ("Vietnamesisk", "Vietnamesisk", "Vietnamese"),
    "es": ("Spansk", "Spansk", "Spanish"),
    "fr": ("Fransk", "Fransk", "French"),
    "de": ("Tysk", "Tysk", "German"),
}


class CatalogueError(Exception):
    """A problem in the file, naming the record and the field."""


@dataclass
class LoadReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    pending: int = 0  # changes to emergency listings waiting for a second approval

    def count(self, kind: str, outcome: str) -> None:
        bucket = getattr(self, outcome)
        bucket[kind] = bucket.get(kind, 0) + 1

    def total(self, kind: str) -> int:
        return sum(b.get(kind, 0) for b in (self.created, self.updated, self.unchanged))

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def read_json(path: Path) -> dict[str, Any]:
    try:
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError as exc:
        raise CatalogueError(f"{path}: file not found") from exc
    except UnicodeDecodeError as exc:
        raise CatalogueError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except json.JSONDecodeError as exc:
        raise CatalogueError(f"{path}: not valid JSON (line {exc.lineno}: {exc.msg})") from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: the top level must be an object")
    return data


class _Reader:
    """Typed access to one record, with errors that name it."""

    def __init__(self, where: str, record: Any):
        if not isinstance(record, dict):
            raise CatalogueError(f"{where}: must be an object")
        self.where = where
        self.record = record

    def fail(self, name: str, problem: str) -> CatalogueError:
        return CatalogueError(f"{self.where}: field '{name}': {problem}")

    def get(self, name: str, kinds: tuple[type, ...], *, required: bool = True) -> Any:
        if name not in self.record:
            if required:
                raise self.fail(name, "is missing")
            return None
        value = self.record[name]
        if value is None and not required:
            return None
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            expected = " or ".join(k.__name__ for k in kinds)
            raise self.fail(name, f"must be {expected}, not {type(value).__name__}")
        return value

    def text(self, name: str, *, required: bool = True, max_length: int | None = None) -> str:
        value = self.get(name, (str,), required=required)
        if value is None:
            return ""
        value = value.strip()
        if required and not value:
            raise self.fail(name, "must not be empty")
        if max_length and len(value) > max_length:
            raise self.fail(name, f"is longer than {max_length} characters")
        return value

    def slug(self, name: str = "slug") -> str:
        value = self.text(name, max_length=100)
        if not SLUG_RE.match(value):
            raise self.fail(name, f"{value!r} is not a slug (lowercase a-z, 0-9 and hyphens)")
        return value

    def strings(self, name: str, *, required: bool = True) -> list[str]:
        value = self.get(name, (list,), required=required) or []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                raise self.fail(f"{name}[{i}]", "must be a string")
        return [item.strip() for item in value if item.strip()]

    def sub(self, name: str, *, required: bool = True) -> _Reader | None:
        value = self.get(name, (dict,), required=required)
        return None if value is None else _Reader(f"{self.where}.{name}", value)


def _check_number(reader: _Reader, name: str, digits: int) -> str:
    value = reader.text(name)
    if not re.fullmatch(rf"[0-9]{{{digits}}}", value):
        raise reader.fail(name, f"{value!r} is not a {digits}-digit number")
    return value


def parse_municipalities(data: dict) -> tuple[list[dict], list[dict]]:
    top = _Reader("municipalities file", data)
    counties, municipalities = [], []
    county_numbers = set()
    for i, raw in enumerate(top.get("counties", (list,))):
        r = _Reader(f"counties[{i}]", raw)
        number = _check_number(r, "number", 2)
        counties.append(
            {
                "number": number,
                "name": r.text("name"),
                "name_official": r.text("name_official", required=False),
            }
        )
        county_numbers.add(number)
    for i, raw in enumerate(top.get("municipalities", (list,))):
        r = _Reader(f"municipalities[{i}]", raw)
        number = _check_number(r, "number", 4)
        county = _check_number(r, "county_number", 2)
        if county not in county_numbers:
            raise r.fail("county_number", f"unknown county {county!r}")
        municipalities.append(
            {
                "number": number,
                "name": r.text("name"),
                "name_official": r.text("name_official", required=False),
                "county_id": county,
            }
        )
    return counties, municipalities


def _parse_time(reader: _Reader, row: dict, name: str) -> dt.time:
    value = row.get(name)
    if not isinstance(value, str) or not TIME_RE.match(value):
        raise reader.fail(name, f"{value!r} is not a time HH:MM")
    if value == "24:00":
        return dt.time(0, 0)
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def _parse_hours(r: _Reader) -> tuple[str, list[tuple]]:
    value = r.record.get("hours")
    if value is None:
        return Service.HoursMode.UNKNOWN, []
    if value == "24/7":
        return Service.HoursMode.ALWAYS, []
    if not isinstance(value, list) or not value:
        raise r.fail("hours", 'must be "24/7", a non-empty list of rows, or null')
    rows = []
    for i, raw in enumerate(value):
        row = _Reader(f"{r.where}.hours[{i}]", raw)
        days = row.strings("days")
        if not days:
            raise row.fail("days", "must name at least one day")
        opens = _parse_time(row, raw, "opens")
        closes = _parse_time(row, raw, "closes")
        if opens == closes and raw.get("closes") != "24:00":
            raise row.fail("closes", "is the same as 'opens'")
        overnight = closes <= opens
        for day in days:
            if day not in WEEKDAYS:
                raise row.fail("days", f"{day!r} is not one of {', '.join(WEEKDAYS)}")
            rows.append((WEEKDAYS[day], opens, closes, overnight))
    if len({(d, o) for d, o, _c, _n in rows}) != len(rows):
        raise r.fail("hours", "two periods start at the same time on the same day")
    return Service.HoursMode.SCHEDULED, sorted(rows)


@dataclass
class ParsedService:
    fields: dict[str, Any]
    categories: list[str]
    target_groups: list[str]
    languages: list[str]
    delivery_modes: list[str]
    counties: list[str]
    municipalities: list[str]
    phones: list[tuple]
    locations: list[dict]
    hours: list[tuple]


def parse_catalogue(data: dict, known_municipalities: set[str], known_counties: set[str]):
    top = _Reader("catalogue file", data)
    categories, target_groups, organisations, services = [], [], [], []

    for i, raw in enumerate(top.get("taxonomy", (list,))):
        r = _Reader(f"taxonomy[{i}]", raw)
        categories.append(
            {
                "slug": r.slug(),
                "name_nb": r.text("name_nb", max_length=120),
                "name_nn": r.text("name_nn", max_length=120),
                "name_en": r.text("name_en", max_length=120),
                "description_nb": r.text("description_nb", required=False),
                "description_en": r.text("description_en", required=False),
                "position": i,
            }
        )
    for i, raw in enumerate(top.get("target_groups", (list,))):
        r = _Reader(f"target_groups[{i}]", raw)
        target_groups.append(
            {
                "slug": r.slug(),
                "name_nb": r.text("name_nb", max_length=120),
                "name_nn": r.text("name_nn", max_length=120),
                "name_en": r.text("name_en", max_length=120),
                "position": i,
            }
        )
    org_types = set(Organisation.Type.values)
    for i, raw in enumerate(top.get("organisations", (list,))):
        r = _Reader(f"organisations[{i}]", raw)
        slug = r.slug()
        r.where = f"organisations[{i}] ({slug})"
        org_type = r.text("type")
        if org_type not in org_types:
            raise r.fail("type", f"{org_type!r} is not one of {', '.join(sorted(org_types))}")
        municipality = r.get("municipality", (str,), required=False)
        if municipality is not None and municipality not in known_municipalities:
            raise r.fail("municipality", f"unknown municipality number {municipality!r}")
        organisations.append(
            {
                "slug": slug,
                "name": r.text("name", max_length=200),
                "type": org_type,
                "website": r.text("website", required=False),
                "municipality_id": municipality,
                "is_demo": bool(r.get("demo", (bool,), required=False)),
            }
        )

    _unique(categories, "taxonomy")
    _unique(target_groups, "target_groups")
    _unique(organisations, "organisations")
    known = {
        "categories": {c["slug"] for c in categories},
        "target_groups": {t["slug"] for t in target_groups},
        "organisations": {o["slug"] for o in organisations},
    }
    for i, raw in enumerate(top.get("services", (list,))):
        services.append(_parse_service(i, raw, known, known_municipalities, known_counties))
    _unique([s.fields for s in services], "services")
    return categories, target_groups, organisations, services


def _unique(records: list[dict], where: str) -> None:
    seen = set()
    for i, record in enumerate(records):
        if record["slug"] in seen:
            raise CatalogueError(f"{where}[{i}]: field 'slug': {record['slug']!r} appears twice")
        seen.add(record["slug"])


def _members(r: _Reader, name: str, values: list[str], allowed: set[str], what: str) -> list[str]:
    for value in values:
        if value not in allowed:
            raise r.fail(name, f"unknown {what} {value!r}")
    return sorted(set(values))


def _parse_service(i, raw, known, known_municipalities, known_counties) -> ParsedService:
    r = _Reader(f"services[{i}]", raw)
    slug = r.slug()
    r.where = f"services[{i}] ({slug})"
    status = r.text("status")
    if status not in Service.Status.values:
        raise r.fail("status", f"{status!r} is not one of {', '.join(Service.Status.values)}")
    organisation = r.text("organisation")
    if organisation not in known["organisations"]:
        raise r.fail("organisation", f"unknown organisation {organisation!r}")

    who = r.sub("who_it_serves")
    contact = r.sub("contact")
    hours_mode, hours = _parse_hours(r)

    cost = r.text("cost")
    cost_en = r.text("cost_en", required=False)
    is_free = cost.lower() == "free"

    referral_required = r.get("referral_required", (bool,), required=False)

    coverage = r.record.get("coverage")
    counties, municipalities, national = [], [], False
    if coverage == "national":
        national = True
    elif isinstance(coverage, dict):
        cov = _Reader(f"{r.where}.coverage", coverage)
        municipalities = _members(
            cov,
            "municipalities",
            cov.strings("municipalities", required=False),
            known_municipalities,
            "municipality number",
        )
        counties = _members(
            cov,
            "counties",
            cov.strings("counties", required=False),
            known_counties,
            "county number",
        )
        if not municipalities and not counties:
            raise r.fail("coverage", "names no municipality or county")
    else:
        raise r.fail("coverage", 'must be "national" or an object with municipalities/counties')

    phones = []
    for j, raw_phone in enumerate(contact.get("phones", (list,))):
        p = _Reader(f"{contact.where}.phones[{j}]", raw_phone)
        number = p.text("number", max_length=30)
        if not re.fullmatch(r"\+?[0-9][0-9 ]*[0-9]", number):
            raise p.fail("number", f"{number!r} is not a phone number (digits and spaces)")
        phones.append(
            (j, number, p.text("label_nb", required=False), p.text("label_en", required=False))
        )

    locations = []
    address = contact.sub("address", required=False)
    if address is not None:
        kind = address.text("type")
        if kind not in Location.Kind.values:
            raise address.fail("type", f"{kind!r} is not one of {', '.join(Location.Kind.values)}")
        postal_code = address.text("postal_code", required=False)
        if postal_code and not re.fullmatch(r"[0-9]{4}", postal_code):
            raise address.fail("postal_code", f"{postal_code!r} is not a 4-digit postcode")
        municipality = address.get("municipality", (str,), required=False)
        if municipality is not None and municipality not in known_municipalities:
            raise address.fail("municipality", f"unknown municipality number {municipality!r}")
        locations.append(
            {
                "position": 0,
                "kind": kind,
                "street": address.text("street", required=False),
                "postal_code": postal_code,
                "city": address.text("city", required=False),
                "municipality_id": municipality,
                "is_confidential": bool(address.get("confidential", (bool,), required=False)),
                "note_nb": address.text("note_nb", required=False),
                "note_en": address.text("note_en", required=False),
            }
        )

    languages = r.strings("languages")
    delivery_modes = r.strings("delivery_modes")
    fields = {
        "slug": slug,
        "uuid": stable_uuid("service", slug),
        "name": r.text("name", max_length=200),
        "name_en": r.text("name_en", required=False, max_length=200),
        "organisation_slug": organisation,
        "status": status,
        "is_demo": bool(r.get("demo", (bool,), required=False)),
        "description_nb": r.text("description_nb"),
        "description_en": r.text("description_en", required=False),
        "eligibility_nb": who.text("eligibility_nb", required=False),
        "eligibility_en": who.text("eligibility_en", required=False),
        "how_it_works_nb": r.text("how_it_works_nb", required=False),
        "how_it_works_en": r.text("how_it_works_en", required=False),
        "keywords_nb": "\n".join(r.strings("keywords_nb", required=False)),
        "keywords_en": "\n".join(r.strings("keywords_en", required=False)),
        "website": contact.text("website", required=False),
        "email": contact.text("email", required=False),
        "chat_url": contact.text("chat_url", required=False),
        "hours_mode": hours_mode,
        "hours_note_nb": r.text("hours_note_nb", required=False),
        "hours_note_en": r.text("hours_note_en", required=False),
        "referral_required": referral_required,
        "referral_notes_nb": r.text("referral_notes_nb", required=False),
        "referral_notes_en": r.text("referral_notes_en", required=False),
        "is_free": is_free,
        "cost_nb": "" if is_free else cost,
        "cost_en": "" if is_free or cost_en.lower() == "free" else cost_en,
        "anonymous_possible": bool(r.get("anonymous_possible", (bool,))),
        "coverage_national": national,
        "is_emergency": bool(r.get("is_emergency", (bool,))),
        "accepts_electronic_referrals": bool(r.get("accepts_electronic_referrals", (bool,))),
        "source_url": r.text("source_url", required=False),
        "extra_source_urls": r.strings("extra_source_urls", required=False),
        "source_note": r.text("source_note", required=False),
        "desk_check": r.get("verified", (dict,), required=False),
    }
    return ParsedService(
        fields=fields,
        categories=_members(
            r, "categories", r.strings("categories"), known["categories"], "category"
        ),
        target_groups=_members(
            r,
            "who_it_serves.target_groups",
            who.strings("target_groups"),
            known["target_groups"],
            "target group",
        ),
        languages=_members(r, "languages", languages, set(LANGUAGES), "language code"),
        delivery_modes=_members(
            r, "delivery_modes", delivery_modes, set(DELIVERY_MODES), "delivery mode"
        ),
        counties=counties,
        municipalities=municipalities,
        phones=phones,
        locations=locations,
        hours=hours,
    )


def _upsert(model, lookup: dict, values: dict) -> tuple[Any, str]:
    """Create or update one row, saving only when a value differs."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values), "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if not changed:
        return obj, "unchanged"
    for name in changed:
        setattr(obj, name, values[name])
    obj.save()
    return obj, "updated"


def _upsert_counted(model, lookup: dict, values: dict, report: LoadReport, kind: str):
    obj, outcome = _upsert(model, lookup, values)
    report.count(kind, outcome)
    return obj


def _sync_m2m(manager, wanted_ids: set) -> bool:
    current = set(manager.values_list("pk", flat=True))
    if current == set(wanted_ids):
        return False
    manager.set(list(wanted_ids))
    return True


def _sync_children(queryset, model, service, rows: list[dict], compare: list[str]) -> bool:
    current = [tuple(getattr(o, f) for f in compare) for o in queryset]
    wanted = [tuple(row[f] for f in compare) for row in rows]
    if current == wanted:
        return False
    queryset.delete()
    model.objects.bulk_create([model(service=service, **row) for row in rows])
    return True


def ensure_reference_data() -> None:
    """Languages and delivery modes the catalogue refers to by code."""
    for code, (nb, nn, en) in LANGUAGES.items():
        Language.objects.get_or_create(
            code=code, defaults={"name_nb": nb, "name_nn": nn, "name_en": en}
        )
    for position, (code, (nb, nn, en)) in enumerate(DELIVERY_MODES.items()):
        DeliveryMode.objects.get_or_create(
            code=code, defaults={"name_nb": nb, "name_nn": nn, "name_en": en, "position": position}
        )


def load(catalogue_path: Path, municipalities_path: Path) -> LoadReport:
    """Validate both files completely, then write them in one transaction."""
    counties, municipalities = parse_municipalities(read_json(municipalities_path))
    catalogue = read_json(catalogue_path)
    categories, target_groups, organisations, services = parse_catalogue(
        catalogue,
        {m["number"] for m in municipalities}
        | set(Municipality.objects.values_list("number", flat=True)),
        {c["number"] for c in counties} | set(County.objects.values_list("number", flat=True)),
    )
    report = LoadReport()
    # The search index is brought up to date once, at the end of the transaction. Into an
    # empty catalogue nothing is public yet; later loads follow the coordinators' rules.
    with transaction.atomic(), search_index.deferred(), coordination.initial_load():
        ensure_reference_data()
        for row in counties:
            _upsert_counted(County, {"number": row.pop("number")}, row, report, "counties")
        for row in municipalities:
            _upsert_counted(
                Municipality, {"number": row.pop("number")}, row, report, "municipalities"
            )
        categories_by_slug = {
            row["slug"]: _upsert_counted(
                Category, {"slug": row.pop("slug")}, row, report, "categories"
            )
            for row in categories
        }
        groups_by_slug = {
            row["slug"]: _upsert_counted(
                TargetGroup, {"slug": row.pop("slug")}, row, report, "target_groups"
            )
            for row in target_groups
        }
        orgs_by_slug = {}
        for row in organisations:
            slug = row.pop("slug")
            row["uuid"] = stable_uuid("organisation", slug)
            orgs_by_slug[slug] = _upsert_counted(
                Organisation, {"slug": slug}, row, report, "organisations"
            )
        for parsed in services:
            _write_service(parsed, orgs_by_slug, categories_by_slug, groups_by_slug, report)
    return report


def _write_service(parsed: ParsedService, orgs, categories, groups, report: LoadReport) -> None:
    values = dict(parsed.fields)
    slug = values.pop("slug")
    values["organisation"] = orgs[values.pop("organisation_slug")]
    service = Service.objects.select_related("organisation").filter(slug=slug).first()
    outcome = "created" if service is None else "unchanged"
    service = service or Service(slug=slug)
    changed = [name for name, value in values.items() if getattr(service, name, None) != value]
    for name in changed:
        setattr(service, name, values[name])
    phones = [
        {"number": n, "label_nb": nb, "label_en": en} for _position, n, nb, en in parsed.phones
    ]
    phones_changed = outcome == "created" or phones != coordination.phone_rows(service)
    if changed or phones_changed:
        outcome = "updated" if outcome == "unchanged" and changed else outcome
        waiting = coordination.service_save(
            service=service, user=None, phones=phones, reason="load_catalogue"
        )
        report.pending += waiting is not None
    related_changed = [
        phones_changed,
        _sync_m2m(service.categories, {categories[s].pk for s in parsed.categories}),
        _sync_m2m(service.target_groups, {groups[s].pk for s in parsed.target_groups}),
        _sync_m2m(service.languages, set(parsed.languages)),
        _sync_m2m(service.delivery_modes, set(parsed.delivery_modes)),
        _sync_m2m(service.coverage_counties, set(parsed.counties)),
        _sync_m2m(service.coverage_municipalities, set(parsed.municipalities)),
        _sync_children(
            service.locations.all(),
            Location,
            service,
            [
                {**loc, "uuid": stable_uuid("location", f"{slug}:{loc['position']}")}
                for loc in parsed.locations
            ],
            LOCATION_FIELDS,
        ),
        _sync_children(
            service.opening_hours.all(),
            OpeningHours,
            service,
            [
                {"weekday": d, "opens": o, "closes": c, "closes_next_day": n}
                for d, o, c, n in parsed.hours
            ],
            ["weekday", "opens", "closes", "closes_next_day"],
        ),
    ]
    if outcome == "unchanged" and any(related_changed):
        # Only a related list changed: touch updated_at so API clients see it.
        outcome = "updated"
        Service.objects.filter(pk=service.pk).update(updated_at=timezone.now())
    report.count("services", outcome)


LOCATION_FIELDS = [
    "uuid",
    "position",
    "kind",
    "street",
    "postal_code",
    "city",
    "municipality_id",
    "is_confidential",
    "note_nb",
    "note_en",
]
