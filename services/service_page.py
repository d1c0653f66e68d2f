"""Everything the public service page shows, read in five plain queries.

The page is the portal's most visited one after the results, so it avoids
Django's prefetch machinery (whose query compilation cost more than the page's
template): one query for the service with its organisation, one UNION ALL for
its categories, target groups, languages and delivery modes, and one raw query
each for phones, locations and opening hours.
"""

from dataclasses import dataclass

from django.db import connection
from django.shortcuts import get_object_or_404

from services.models import (
    Category,
    DeliveryMode,
    Language,
    Location,
    OpeningHours,
    Phone,
    Service,
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


def _names_sql() -> str:
    """One UNION ALL over the four many-to-many relations, names included."""
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
            f"SELECT '{kind}', r.{key}, r.name_nb, r.name_nn, r.name_en, {position} "
            f"FROM {through.db_table} m JOIN {table} r ON r.{pk} = m.{target_column} "
            f"WHERE m.{through.get_field('service').column} = %s"
        )
    return " UNION ALL ".join(parts)


def _set_prefetched(instance, name: str, rows: list) -> None:
    """Hand rows to `instance.<name>.all()` as if prefetch_related had read them."""
    queryset = getattr(instance, name).all()
    queryset._result_cache = rows
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[name] = queryset


def service_page(slug: str) -> ServicePage:
    """The published service `slug` and what its page shows; 404 when there is none."""
    service = get_object_or_404(
        Service.objects.published().select_related("organisation", "organisation__municipality"),
        slug=slug,
    )
    named = {"c": [], "t": [], "l": [], "d": []}
    with connection.cursor() as cursor:
        cursor.execute(_names_sql(), [service.pk] * 4)
        for kind, key, name_nb, name_nn, name_en, position in cursor.fetchall():
            named[kind].append((position, key, name_nb, name_nn, name_en))
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
    phones = list(
        Phone.objects.raw(
            f"SELECT * FROM {Phone._meta.db_table} WHERE service_id = %s ORDER BY position, id",
            [service.pk],
        )
    )
    locations = list(
        Location.objects.raw(
            f"SELECT l.*, m.name AS municipality_name FROM {Location._meta.db_table} l "
            f"LEFT JOIN {Location._meta.get_field('municipality').related_model._meta.db_table} m"
            " ON m.number = l.municipality_id WHERE l.service_id = %s ORDER BY l.position, l.id",
            [service.pk],
        )
    )
    hours = list(
        OpeningHours.objects.raw(
            f"SELECT * FROM {OpeningHours._meta.db_table} WHERE service_id = %s"
            " ORDER BY weekday, opens",
            [service.pk],
        )
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
    )
