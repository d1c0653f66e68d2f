"""Everything the public service page shows, read in at most three plain queries.

The page is the portal's most visited one after the results, so it avoids
Django's query compilation and prefetch machinery (which cost more than the
page's template): one query for the service with its organisation, the
organisation's municipality and the published steward contact, one UNION ALL
for its categories, target groups, languages, delivery modes, phones and
opening hours, and one for its locations when it has any. On PostgreSQL every
query is a round trip, and the page has a budget (issue 4).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.http import Http404

from services.models import (
    Category,
    DeliveryMode,
    Language,
    Location,
    Municipality,
    OpeningHours,
    Organisation,
    Phone,
    Service,
    StewardContact,
    TargetGroup,
)


@dataclass
class ServicePage:
    service: Service
    categories: list[Category]
    target_groups: list[TargetGroup]
    languages: list[Language]
    delivery_modes: list[DeliveryMode]
    phones: list[Phone]
    locations: list[Location]
    # Who keeps the listing current, as published (None: not published yet).
    steward: StewardContact | None = None


def _rows_sql() -> str:
    """One UNION ALL over the four many-to-many relations (names included), the phones
    and the opening hours, in the common columns (kind, k, t1, t2, t3, i1, i2):

    - c/t/l/d (a category, target group, language, delivery mode): key, names nb, nn,
      en, position, 0;
    - p (a phone): number, label_nb, '', label_en, position, id;
    - h (an opening period): opens, closes (as text), '1' if it closes the next day,
      '', weekday, id.
    """
    parts = []
    for kind, field, model, key in [
        ("c", "categories", Category, "slug"),
        ("t", "target_groups", TargetGroup, "slug"),
        ("l", "languages", Language, "code"),
        ("d", "delivery_modes", DeliveryMode, "code"),
    ]:
        through = Service._meta.get_field(field).remote_field.through._meta
        target_column = through.get_field(model._meta.model_name).column
        table = model._meta.db_table
        pk = model._meta.pk.column
        position = "r.position" if hasattr(model, "position") else "0"
        parts.append(
            f"SELECT '{kind}', r.{key}, r.name_nb, r.name_nn, r.name_en, {position}, 0 "
            f"FROM {through.db_table} m JOIN {table} r ON r.{pk} = m.{target_column} "
            f"WHERE m.{through.get_field('service').column} = %s"
        )
    parts.append(
        "SELECT 'p', p.number, p.label_nb, '', p.label_en, p.position, p.id "
        f"FROM {Phone._meta.db_table} p WHERE p.service_id = %s"
    )
    parts.append(
        "SELECT 'h', CAST(h.opens AS TEXT), CAST(h.closes AS TEXT), "
        "CASE WHEN h.closes_next_day THEN '1' ELSE '' END, '', h.weekday, h.id "
        f"FROM {OpeningHours._meta.db_table} h WHERE h.service_id = %s"
    )
    return " UNION ALL ".join(parts)


_ROWS_SQL = _rows_sql()
PHONE_FIELDS = ["id", "service_id", "number", "label_nb", "label_en", "position"]
HOURS_FIELDS = ["id", "service_id", "weekday", "opens", "closes", "closes_next_day"]


def _time(text: str) -> dt.time:
    """A time the database gave as text ('08:00:00' on both databases)."""
    return dt.time.fromisoformat(text)


def _set_prefetched(instance, name: str, rows: list) -> None:
    """Hand rows to `instance.<name>.all()` as if prefetch_related had read them."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


_SERVICE_SQL = (
    "SELECT s.*, o.name AS o_name, o.municipality_id AS o_municipality, m.name AS m_name, "
    "c.id AS c_id, c.role AS c_role, c.email AS c_email, c.phone AS c_phone, "
    "EXISTS (SELECT 1 FROM services_location l WHERE l.service_id = s.id) AS has_locations "
    "FROM services_service s JOIN services_organisation o ON o.id = s.organisation_id "
    "LEFT JOIN services_municipality m ON m.number = o.municipality_id "
    "LEFT JOIN services_stewardcontact c "
    # StewardContact.key_for in SQL: the municipality's contact, or the national one.
    "ON c.key = COALESCE(o.municipality_id, %s) AND c.is_published "
    "WHERE s.slug = %s AND s.status = %s"
)


def _service(slug: str) -> tuple[Service, StewardContact | None]:
    """The published service `slug`, its organisation (name and municipality) and the
    published steward contact (as `services.coordination.steward_contact` finds it)."""
    found = list(
        Service.objects.raw(_SERVICE_SQL, [StewardContact.NATIONAL, slug, Service.Status.PUBLISHED])
    )
    if not found:
        raise Http404("No such published service.")
    service = found[0]
    alias = connection.alias
    organisation = Organisation.from_db(
        alias, ["id", "name", "municipality_id"], [service.organisation_id, service.o_name,
                                                   service.o_municipality]
    )  # fmt: skip
    organisation.municipality = (
        Municipality.from_db(alias, ["number", "name"], [service.o_municipality, service.m_name])
        if service.o_municipality
        else None
    )
    service.organisation = organisation
    steward = None
    if service.c_id is not None:
        steward = StewardContact.from_db(
            alias,
            ["id", "municipality_id", "role", "email", "phone", "is_published"],
            [service.c_id, service.o_municipality, service.c_role, service.c_email,
             service.c_phone, True],
        )  # fmt: skip
    return service, steward


def service_page(slug: str) -> ServicePage:
    """The published service `slug` and what its page shows; 404 when there is none."""
    service, steward = _service(slug)
    named = {"c": [], "t": [], "l": [], "d": []}
    alias = connection.alias
    phones, hours = [], []
    with connection.cursor() as cursor:
        cursor.execute(_ROWS_SQL, [service.pk] * 6)
        for kind, key, t1, t2, t3, i1, i2 in cursor.fetchall():
            if kind == "p":
                phones.append(Phone.from_db(alias, PHONE_FIELDS, [i2, service.pk, key, t1, t3, i1]))
            elif kind == "h":
                hours.append(
                    OpeningHours.from_db(
                        alias,
                        HOURS_FIELDS,
                        [i2, service.pk, int(i1), _time(key), _time(t1), t2 == "1"],
                    )
                )
            else:
                named[kind].append((i1, key, t1, t2, t3))
    phones.sort(key=lambda p: (p.position, p.pk))
    hours.sort(key=lambda h: (h.weekday, h.opens))
    build = {
        "c": lambda key, nb, nn, en: Category(slug=key, name_nb=nb, name_nn=nn, name_en=en),
        "t": lambda key, nb, nn, en: TargetGroup(slug=key, name_nb=nb, name_nn=nn, name_en=en),
        "l": lambda key, nb, nn, en: Language(code=key, name_nb=nb, name_nn=nn, name_en=en),
        "d": lambda key, nb, nn, en: DeliveryMode(code=key, name_nb=nb, name_nn=nn, name_en=en),
    }
    lists = {
        kind: [build[kind](*row[1:]) for row in sorted(rows, key=lambda r: (r[0], r[2]))]
        for kind, rows in named.items()
    }
    # Phone and chat lines have no address: no query for them.
    locations = (
        list(
            Location.objects.raw(
                f"SELECT l.*, m.name AS municipality_name FROM {Location._meta.db_table} l "
                f"LEFT JOIN {Municipality._meta.db_table} m ON m.number = l.municipality_id "
                "WHERE l.service_id = %s ORDER BY l.position, l.id",
                [service.pk],
            )
        )
        if service.has_locations
        else []
    )
    # services.opening reads service.opening_hours.all(): give it these rows.
    _set_prefetched(service, "opening_hours", hours)
    return ServicePage(
        service=service,
        categories=lists["c"],
        target_groups=lists["t"],
        languages=lists["l"],
        delivery_modes=lists["d"],
        phones=phones,
        locations=locations,
        steward=steward,
    )
