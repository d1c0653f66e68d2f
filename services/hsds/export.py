"""Export of the published catalogue as HSDS 3: the tabular data package and the JSON form.

Streamed: services are read in chunks (with their related rows prefetched per
chunk) and every CSV row and JSON document is written as soon as it is built,
so memory does not grow with the size of the catalogue.

Written to DIR:
* one CSV per HSDS table, named and laid out as the specification's
  examples/csv (the Norwegian profile's fields as extra columns at the end),
  and `datapackage.json` describing them;
* `services.json` (the full nested services), `organizations.json`,
  `taxonomies.json` and `taxonomy_terms.json`.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from services.csvcell import neutralise
from services.hsds import mapping
from services.models import Category, DeliveryMode, TargetGroup

# Columns per table: the specification's, then the profile's.
TABLES: dict[str, list[str]] = {
    "organizations": [
        "id", "name", "alternate_name", "description", "email", "website", "tax_status",
        "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id",
        "organisation_type", "municipality_number", "county_number",
    ],
    "programs": ["id", "organization_id", "name", "alternate_name", "description"],
    "services": [
        "id", "organization_id", "program_id", "name", "alternate_name", "description", "url",
        "email", "status", "interpretation_services", "application_process",
        "fees_description", "wait_time", "fees", "accreditations", "eligibility_description",
        "minimum_age", "maximum_age", "assured_date", "assurer_email", "licenses", "alert",
        "last_modified",
        "referral_required", "who_may_refer", "referral_notes", "anonymous_use", "free",
        "emergency",
    ],
    "attributes": ["id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"],
    "service_at_location": ["id", "service_id", "location_id", "description"],
    "locations": [
        "id", "location_type", "url", "organization_id", "name", "alternate_name",
        "description", "transportation", "latitude", "longitude", "external_identifier",
        "external_identifier_type",
        "municipality_number", "municipality_name", "county_number", "city",
        "confidential_address",
    ],
    "phones": [
        "id", "location_id", "service_id", "organization_id", "contact_id",
        "service_at_location_id", "number", "extension", "type", "description",
    ],
    "contacts": [
        "id", "organization_id", "service_id", "service_at_location_id", "location_id", "name",
        "title", "department", "email",
    ],
    "addresses": [
        "id", "location_id", "attention", "address_1", "address_2", "city", "region",
        "state_province", "postal_code", "country", "address_type",
    ],
    "schedules": [
        "id", "service_id", "location_id", "service_at_location_id", "valid_from", "valid_to",
        "dtstart", "timezone", "until", "count", "wkst", "freq", "interval", "byday",
        "byweekno", "bymonthday", "byyearday", "description", "opens_at", "closes_at",
        "schedule_link", "attending_type", "notes",
    ],
    "funding": ["id", "organization_id", "service_id", "source"],
    "service_areas": [
        "id", "service_id", "name", "description", "extent", "extent_type", "uri",
        "municipality_number", "county_number", "national",
    ],
    "required_documents": ["id", "service_id", "document", "uri"],
    "languages": ["id", "service_id", "location_id", "phone_id", "name", "code", "note"],
    "taxonomies": ["id", "name", "description", "uri", "version"],
    "taxonomy_terms": [
        "id", "code", "name", "description", "parent_id", "taxonomy", "language", "taxonomy_id",
        "term_uri",
    ],
    "cost_options": [
        "id", "service_id", "valid_from", "valid_to", "option", "currency", "amount",
        "amount_description",
    ],
    "accessibility": ["id", "location_id", "description", "details", "url"],
    "organization_identifiers": [
        "id", "organization_id", "identifier_scheme", "identifier_type", "identifier",
    ],
    "metadata": [
        "id", "resource_id", "resource_type", "last_action_date", "last_action_type",
        "field_name", "previous_value", "replacement_value", "updated_by",
    ],
    "meta_table_descriptions": ["id", "name", "language", "character_set"],
}  # fmt: skip

TYPES = {
    "latitude": "number",
    "longitude": "number",
    "minimum_age": "number",
    "maximum_age": "number",
    "year_incorporated": "number",
    "extension": "number",
    "amount": "number",
    "timezone": "number",
    "count": "number",
    "interval": "number",
    "last_modified": "datetime",
    "assured_date": "date",
    "referral_required": "boolean",
    "anonymous_use": "boolean",
    "free": "boolean",
    "emergency": "boolean",
    "confidential_address": "boolean",
    "national": "boolean",
}
PROFILE_COLUMNS = {
    "organisation_type", "municipality_number", "municipality_name", "county_number", "city",
    "confidential_address", "referral_required", "who_may_refer", "referral_notes",
    "anonymous_use", "free", "emergency", "national",
}  # fmt: skip
CHUNK = 1000


def cell(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)


def datapackage() -> dict:
    return {
        "name": "veiviser-hsds",
        "title": "Veiviser – hjelpetjenester (Open Referral HSDS 3.0, norsk profil)",
        "profile": "tabular-data-package",
        "hsds_version": mapping.HSDS_VERSION,
        "hsds_profile": "/api/hsds/profile/",
        "resources": [
            {
                "name": table,
                "path": f"{table}.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {
                            "name": column,
                            "type": TYPES.get(column, "string"),
                            **({"profile": "no"} if column in PROFILE_COLUMNS else {}),
                        }
                        for column in columns
                    ],
                    "primaryKey": "id",
                },
            }
            for table, columns in TABLES.items()
        ],
    }


class _Tables:
    """One open CSV writer per table."""

    def __init__(self, folder: Path):
        self.files = {}
        self.writers = {}
        for table, columns in TABLES.items():
            handle = open(folder / f"{table}.csv", "w", newline="", encoding="utf-8")  # noqa: SIM115
            writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
            writer.writeheader()
            self.files[table] = handle
            self.writers[table] = writer

    def write(self, table: str, doc: dict) -> None:
        self.writers[table].writerow(
            {k: neutralise(cell(v)) for k, v in doc.items() if not _nested(v)}
        )

    def close(self) -> None:
        for handle in self.files.values():
            handle.close()


def _nested(value) -> bool:
    return isinstance(value, dict) or (
        isinstance(value, list) and any(isinstance(v, dict) for v in value)
    )


def _json_array(path: Path, docs) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("[")
        for doc in docs:
            handle.write(",\n" if count else "\n")
            handle.write(json.dumps(doc, ensure_ascii=False, sort_keys=True))
            count += 1
        handle.write("\n]\n")
    return count


def iter_services(queryset=None, chunk: int = CHUNK):
    """Full published services in a stable order, prefetched chunk by chunk."""
    queryset = mapping.full_services(queryset).order_by("name", "pk")
    return queryset.iterator(chunk_size=chunk)


def export(folder: Path, *, queryset=None, progress=None) -> dict[str, int]:
    """Writes both forms into `folder`; returns the number of rows per table."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(TABLES, 0)
    tables = _Tables(folder)

    def row(table, doc):
        tables.write(table, doc)
        counts[table] += 1

    def services_docs():
        for n, service in enumerate(iter_services(queryset), start=1):
            doc = mapping.service_doc(service)
            row("services", doc)
            for phone in doc["phones"]:
                row("phones", phone)
            for schedule in doc["schedules"]:
                row("schedules", schedule)
            for area in doc["service_areas"]:
                row("service_areas", area)
            for language in doc["languages"]:
                row("languages", language)
            for attribute in doc["attributes"]:
                row("attributes", attribute)
            for link in doc["service_at_locations"]:
                row("service_at_location", link)
                row("locations", link["location"])
                for address in link["location"]["addresses"]:
                    row("addresses", address)
            if progress and n % 10000 == 0:
                progress(n)
            yield doc

    try:
        _json_array(folder / "services.json", services_docs())
        organisations = [
            mapping.organisation_doc(o)
            for o in mapping.public_organisations().order_by("name", "pk")
        ]
        for doc in organisations:
            row("organizations", doc)
        _json_array(folder / "organizations.json", organisations)
        taxonomies = [mapping.taxonomy_doc(kind) for kind in mapping.TAXONOMIES]
        for doc in taxonomies:
            row("taxonomies", doc)
        _json_array(folder / "taxonomies.json", taxonomies)
        terms = [
            mapping.term_doc("category", c, with_taxonomy=False) for c in _by(Category, "slug")
        ]
        terms += [
            mapping.term_doc("target_group", t, with_taxonomy=False)
            for t in _by(TargetGroup, "slug")
        ]
        terms += [
            mapping.term_doc("delivery_mode", d, with_taxonomy=False)
            for d in _by(DeliveryMode, "code")
        ]
        for doc in terms:
            row("taxonomy_terms", doc)
        _json_array(folder / "taxonomy_terms.json", terms)
    finally:
        tables.close()
    (folder / "datapackage.json").write_text(
        json.dumps(datapackage(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return counts


def _by(model, order: str):
    """Terms that a published service uses, so drafts' vocabulary does not leak."""
    return model.objects.filter(services__status="published").distinct().order_by(order)
