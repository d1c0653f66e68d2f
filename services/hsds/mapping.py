"""The catalogue as Open Referral HSDS 3 documents, with the Norwegian profile's fields.

One place decides what is public: only published services, and a confidential
location never carries its street, postcode or coordinates. The API, the JSON
export and the tabular export all build their rows from the functions here.

Identifiers are stable across reloads: services, organisations and locations
carry the loader's slug-derived UUIDs; taxonomies, terms and the child records
(phones, schedules, service areas, languages, attributes) derive theirs from
those with `stable_uuid`.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Prefetch

from services.models import Location, Municipality, Organisation, Service, stable_uuid

HSDS_VERSION = "3.0"
COUNTRY = "NO"
CONFIDENTIAL_NOTE = "Adressen er skjermet og oppgis ved kontakt."
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

# The catalogue's three vocabularies are published as HSDS taxonomies.
TAXONOMIES = {
    "category": ("Veiviser: kategorier", "Hva tjenesten hjelper med."),
    "target_group": ("Veiviser: målgrupper", "Hvem tjenesten er for."),
    "delivery_mode": ("Veiviser: kontaktformer", "Hvordan tjenesten gis."),
}


def taxonomy_id(kind: str) -> str:
    return str(stable_uuid("taxonomy", kind))


def term_id(kind: str, key: str) -> str:
    return str(stable_uuid(kind, key))


def iso_datetime(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    value = value.astimezone(dt.UTC)
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _clean(doc: dict, keep: tuple = ()) -> dict:
    """Drops optional keys without a value; HSDS formats (uri, email) reject empty strings."""
    return {k: v for k, v in doc.items() if k in keep or (v is not None and v != "")}


# --- querysets ---------------------------------------------------------------


def published_services():
    return Service.objects.published()


def full_services(queryset=None):
    """Published services with everything a full HSDS service needs, in constant queries."""
    queryset = published_services() if queryset is None else queryset
    return queryset.select_related("organisation__municipality").prefetch_related(
        "phones",
        "opening_hours",
        Prefetch("locations", Location.objects.select_related("municipality__county")),
        "categories",
        "target_groups",
        "languages",
        "delivery_modes",
        "coverage_counties",
        Prefetch("coverage_municipalities", Municipality.objects.select_related("county")),
    )


def public_organisations():
    """Organisations with at least one published service."""
    return (
        Organisation.objects.filter(services__status=Service.Status.PUBLISHED)
        .distinct()
        .select_related("municipality")
    )


def public_locations():
    return Location.objects.filter(service__status=Service.Status.PUBLISHED).select_related(
        "municipality__county", "service"
    )


# --- taxonomies --------------------------------------------------------------


def taxonomy_doc(kind: str) -> dict:
    name, description = TAXONOMIES[kind]
    return {
        "id": taxonomy_id(kind),
        "name": name,
        "description": description,
        "version": "1",
    }


def term_doc(kind: str, obj, *, with_taxonomy: bool = True) -> dict:
    key = obj.code if kind == "delivery_mode" else obj.slug
    doc = {
        "id": term_id(kind, key),
        "code": key,
        "name": obj.name_nb,
        "description": getattr(obj, "description_nb", "") or obj.name_nb,
        "taxonomy": TAXONOMIES[kind][0],
        "taxonomy_id": taxonomy_id(kind),
        "language": "nb",
    }
    if with_taxonomy:
        doc["taxonomy_detail"] = taxonomy_doc(kind)
    return doc


def service_terms(service: Service) -> list[tuple[str, object]]:
    """The service's terms in a stable order: kind, then code."""
    terms = [("category", c) for c in sorted(service.categories.all(), key=lambda c: c.slug)]
    terms += [
        ("target_group", t) for t in sorted(service.target_groups.all(), key=lambda t: t.slug)
    ]
    terms += [
        ("delivery_mode", d) for d in sorted(service.delivery_modes.all(), key=lambda d: d.code)
    ]
    return terms


def attribute_doc(service: Service, kind: str, obj) -> dict:
    term = term_doc(kind, obj)
    return {
        "id": str(stable_uuid("attribute", f"{service.uuid}:{term['id']}")),
        "link_id": str(service.uuid),
        "taxonomy_term_id": term["id"],
        "link_type": kind,
        "link_entity": "service",
        "value": term["code"],
        "taxonomy_term": term,
    }


# --- organisations -----------------------------------------------------------


def organisation_doc(org: Organisation) -> dict:
    return _clean(
        {
            "id": str(org.uuid),
            "name": org.name,
            "description": str(Organisation.Type(org.type).label),
            "website": org.website,
            # Norwegian profile
            "organisation_type": org.type,
            "municipality_number": org.municipality_id,
            "county_number": org.municipality.county_id if org.municipality_id else None,
        },
        keep=("description",),
    )


# --- locations ---------------------------------------------------------------


def address_is_complete(loc: Location) -> bool:
    return bool(loc.street and loc.postal_code and loc.city and loc.municipality_id)


def location_doc(loc: Location, service: Service) -> dict:
    """A location as the public may see it: a confidential one has no street, postcode or point."""
    municipality = loc.municipality
    description = loc.note_nb
    if loc.is_confidential:
        description = " ".join(p for p in [loc.note_nb, CONFIDENTIAL_NOTE] if p)
    doc = {
        "id": str(loc.uuid),
        "location_type": "postal" if loc.kind == Location.Kind.POSTAL else "physical",
        "organization_id": str(service.organisation.uuid) if service else None,
        "name": service.name if service else None,
        "description": description,
        # Norwegian profile
        "municipality_number": loc.municipality_id,
        "municipality_name": municipality.name if municipality else None,
        "county_number": municipality.county_id if municipality else None,
        "city": loc.city,
        "confidential_address": loc.is_confidential,
    }
    if not loc.is_confidential:
        if loc.latitude is not None and loc.longitude is not None:
            doc["latitude"] = float(loc.latitude)
            doc["longitude"] = float(loc.longitude)
        if address_is_complete(loc):
            doc["addresses"] = [address_doc(loc)]
    doc = _clean(doc)
    doc.setdefault("addresses", [])
    return doc


def address_doc(loc: Location) -> dict:
    return {
        "id": str(stable_uuid("address", str(loc.uuid))),
        "location_id": str(loc.uuid),
        "address_1": loc.street,
        "city": loc.city,
        "region": loc.municipality.name,
        "state_province": loc.municipality.county.name,
        "postal_code": loc.postal_code,
        "country": COUNTRY,
        "address_type": "postal" if loc.kind == Location.Kind.POSTAL else "physical",
    }


def service_at_location_id(loc: Location) -> str:
    """Each location belongs to exactly one service, so the link shares the location's id."""
    return str(loc.uuid)


def service_at_location_doc(loc: Location, service: Service) -> dict:
    return {
        "id": service_at_location_id(loc),
        "service_id": str(service.uuid),
        "location_id": str(loc.uuid),
        "location": location_doc(loc, service),
    }


# --- services ----------------------------------------------------------------


def service_list_doc(service: Service) -> dict:
    """The one-to-one fields of a service (an item of a /services page)."""
    return _clean(
        {
            "id": str(service.uuid),
            "organization_id": str(service.organisation.uuid),
            "name": service.name,
            "alternate_name": service.name_en,
            "description": service.description_nb,
            "url": service.website,
            "email": service.email,
            "status": "active" if service.status == Service.Status.PUBLISHED else "inactive",
            "application_process": service.how_it_works_nb,
            "fees_description": service.cost_nb or ("Gratis" if service.is_free else ""),
            "eligibility_description": service.eligibility_nb,
            "assured_date": service.last_verified_at.astimezone(dt.UTC).date().isoformat()
            if service.last_verified_at
            else None,
            "last_modified": iso_datetime(service.updated_at),
            # Norwegian profile: the access path
            "referral_required": service.referral_required,
            "who_may_refer": list(service.who_may_refer or []),
            "referral_notes": service.referral_notes_nb,
            "anonymous_use": service.anonymous_possible,
            "free": service.is_free,
            "emergency": service.is_emergency,
        },
        keep=("who_may_refer",),
    )


def phone_docs(service: Service) -> list[dict]:
    return [
        _clean(
            {
                "id": str(stable_uuid("phone", f"{service.uuid}:{i}")),
                "service_id": str(service.uuid),
                "number": phone.number,
                "type": "voice",
                "description": phone.label_nb,
            }
        )
        for i, phone in enumerate(service.phones.all())
    ]


def schedule_docs(service: Service) -> list[dict]:
    base = {"service_id": str(service.uuid), "freq": "WEEKLY", "wkst": "MO"}
    if service.hours_mode == Service.HoursMode.ALWAYS:
        return [
            {
                **base,
                "id": str(stable_uuid("schedule", f"{service.uuid}:always")),
                "byday": ",".join(WEEKDAYS),
                "opens_at": "00:00",
                "closes_at": "00:00",
                "description": "Døgnåpent (24/7)",
            }
        ]
    if service.hours_mode != Service.HoursMode.SCHEDULED:
        return []
    docs = []
    for hours in service.opening_hours.all():
        doc = {
            **base,
            "id": str(stable_uuid("schedule", f"{service.uuid}:{hours.weekday}:{hours.opens}")),
            "byday": WEEKDAYS[hours.weekday],
            "opens_at": f"{hours.opens:%H:%M}",
            "closes_at": f"{hours.closes:%H:%M}",
        }
        if hours.closes_next_day:
            doc["notes"] = "Stenger neste døgn."
        docs.append(doc)
    return docs


def service_area_docs(service: Service) -> list[dict]:
    sid = str(service.uuid)
    docs = []
    if service.coverage_national:
        docs.append(
            {
                "id": str(stable_uuid("service_area", f"{sid}:{COUNTRY}")),
                "service_id": sid,
                "name": "Hele landet",
                "extent_type": "text",
                "extent": "Norge",
                "national": True,
            }
        )
    for county in sorted(service.coverage_counties.all(), key=lambda c: c.number):
        docs.append(
            {
                "id": str(stable_uuid("service_area", f"{sid}:county:{county.number}")),
                "service_id": sid,
                "name": county.name,
                "extent_type": "text",
                "extent": county.name,
                "county_number": county.number,
            }
        )
    for m in sorted(service.coverage_municipalities.all(), key=lambda m: m.number):
        docs.append(
            {
                "id": str(stable_uuid("service_area", f"{sid}:municipality:{m.number}")),
                "service_id": sid,
                "name": m.name,
                "extent_type": "text",
                "extent": m.name,
                "municipality_number": m.number,
                "county_number": m.county_id,
            }
        )
    return docs


def language_docs(service: Service) -> list[dict]:
    return [
        {
            "id": str(stable_uuid("language", f"{service.uuid}:{lang.code}")),
            "service_id": str(service.uuid),
            "name": lang.name_nb,
            "code": lang.code,
        }
        for lang in sorted(service.languages.all(), key=lambda lang: lang.code)
    ]


def service_doc(service: Service) -> dict:
    """The full nested service (a /services/{id} answer and an item of services.json)."""
    doc = service_list_doc(service)
    doc.update(
        {
            "phones": phone_docs(service),
            "schedules": schedule_docs(service),
            "service_areas": service_area_docs(service),
            "service_at_locations": [
                service_at_location_doc(loc, service) for loc in service.locations.all()
            ],
            "languages": language_docs(service),
            "organization": organisation_doc(service.organisation),
            "funding": [],
            "cost_options": [],
            "required_documents": [],
            "contacts": [],
            "attributes": [attribute_doc(service, k, o) for k, o in service_terms(service)],
            "metadata": [],
        }
    )
    return doc
