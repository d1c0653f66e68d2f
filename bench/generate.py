"""Generated catalogues for the benchmarks: `populate(n, seed=1)`.

Adds n services with realistic Norwegian text to a database that has the demo
catalogue loaded (it loads it first if not). The text is recombined from the
demo catalogue's own sentences, keywords and names, with place names from the
municipality list, so word frequencies look like a real catalogue: a few very
common words ("hjelp", "vold", "tilbud") and a long tail. Everything is written
with bulk_create and indexed once at the end (`services.search.rebuild`).
Deterministic for a given seed.
"""

from __future__ import annotations

import random
import re
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BATCH = 5000

NAME_PATTERNS = [
    "Krisesenteret i {place}",
    "Rustjenesten i {place}",
    "Familievernkontoret {place}",
    "Voldskoordinator – {place} kommune",
    "Overgrepsmottaket i {place}",
    "Psykisk helse og rus – {place} kommune",
    "Barnevernvakten i {place}",
    "Støttesenter for kriminalitetsutsatte – {place}",
    "Sinnemestringskurs i {place}",
    "Samtalegruppe for pårørende – {place}",
    "Lavterskeltilbud for unge i {place}",
    "Ungdomskontakt {place}",
    "Helsestasjon for ungdom – {place}",
    "Oppfølgingsteam etter soning – {place}",
    "Boligkontoret i {place}",
    "Legevakt {place}",
    "Konsultasjonsteam om vold og overgrep – {place}",
    "Alternativ til vold – {place}",
    "Ruspoliklinikken {place}",
    "Incestsenteret i {place}",
    "Frivilligsentralen {place} – noen å snakke med",
    "Tverrfaglig team mot negativ sosial kontroll – {place}",
    "Jurist i {place} – gratis rettshjelp",
    "Seniorkontakt {place}",
    "Ettervern og rusomsorg – {place}",
]
# A share of services with a visiting address, as in the demo catalogue (26 of 73).
ADDRESSED = 0.35
STREETS = ["Storgata", "Kirkegata", "Torggata", "Rådhusgata", "Sjøgata", "Jernbanegata"]
EXTRA_SENTENCES = [
    "Tilbudet gjelder innbyggere i {place}.",
    "Kontoret ligger sentralt i {place}, og det er kort vei fra bussen.",
    "Du kan ta kontakt selv, eller be fastlegen, NAV eller barnevernet om hjelp til å ta kontakt.",
    "Vi har samarbeid med politiet, legevakten og krisesenteret i {place}.",
    "Ansatte har taushetsplikt, og du bestemmer selv hva du vil fortelle.",
    "Tjenesten er gratis for deg som bor i {place}.",
    "Vi kan bruke tolk hvis du trenger det.",
]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in re.split(r"(?<=[.!?])\s+", text or "") if len(s.strip()) > 12]


def _ensure_catalogue() -> None:
    from services.loader import load
    from services.models import Category

    if not Category.objects.exists():
        load(ROOT / "fixtures" / "catalogue.json", ROOT / "fixtures" / "municipalities.json")


def populate(n: int, *, seed: int = 1) -> None:
    """Add n generated, published services (and an organisation per municipality)."""
    from django.db import transaction

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
        TargetGroup,
    )
    from services.search import rebuild

    _ensure_catalogue()
    rng = random.Random(seed)
    # Addresses from a stream of their own, so the services stay as they were.
    address_rng = random.Random(seed + 1_000_003)
    demo = list(Service.objects.published().filter(status="published"))
    descriptions = [s for d in demo for s in _sentences(d.description_nb)]
    eligibility = [s for d in demo for s in _sentences(d.eligibility_nb)]
    how = [s for d in demo for s in _sentences(d.how_it_works_nb)]
    keywords = sorted({k for d in demo for k in d.keyword_list("nb")})
    keywords_en = sorted({k for d in demo for k in d.keyword_list("en")})
    municipalities = list(Municipality.objects.select_related("county"))
    names = {m.number: m.name for m in municipalities}
    categories = list(Category.objects.values_list("pk", flat=True))
    groups = list(TargetGroup.objects.values_list("pk", flat=True))
    languages = list(Language.objects.values_list("code", flat=True))
    modes = list(DeliveryMode.objects.values_list("code", flat=True))
    prefix = f"gen{seed}"
    start = Service.objects.filter(slug__startswith=f"{prefix}-").count()

    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(
                    uuid=uuid.uuid4(),
                    slug=f"{prefix}-org-{start}-{m.number}",
                    name=f"{m.name} kommune",
                    type="municipality",
                    municipality=m,
                    is_demo=True,
                )
                for m in municipalities
            ]
        )
        if organisations[0].pk is None:
            by_slug = dict(
                Organisation.objects.filter(slug__startswith=f"{prefix}-org-{start}-").values_list(
                    "slug", "pk"
                )
            )
            for o in organisations:
                o.pk = o.id = by_slug[o.slug]
        org_by_municipality = {o.municipality_id: o for o in organisations}

        for batch_start in range(start, start + n, BATCH):
            batch_end = min(start + n, batch_start + BATCH)
            services, coverage = [], []
            for i in range(batch_start, batch_end):
                service, cover = _service(
                    rng, i, prefix, municipalities, org_by_municipality,
                    descriptions, eligibility, how, keywords, keywords_en,
                )  # fmt: skip
                services.append(service)
                coverage.append(cover)
            created = Service.objects.bulk_create(services)
            if created[0].pk is None:
                by_slug = dict(
                    Service.objects.filter(slug__in=[s.slug for s in services]).values_list(
                        "slug", "pk"
                    )
                )
                for s in created:
                    s.pk = s.id = by_slug[s.slug]
            _relations(rng, created, coverage, categories, groups, languages, modes)
            Phone.objects.bulk_create(
                Phone(service=s, number=f"{rng.randint(20, 99)} {rng.randint(10, 99)} "
                      f"{rng.randint(10, 99)} {rng.randint(10, 99)}")
                for s in created
            )  # fmt: skip
            hours = []
            for s in created:
                if s.hours_mode == "scheduled":
                    opens, closes = rng.choice(
                        [("08:00", "15:30"), ("09:00", "16:00"), ("10:00", "14:00")]
                    )
                    days = range(5) if rng.random() < 0.8 else range(3)
                    hours += [
                        OpeningHours(service=s, weekday=d, opens=opens, closes=closes) for d in days
                    ]
                    if rng.random() < 0.1:
                        hours.append(
                            OpeningHours(service=s, weekday=3, opens="18:00", closes="21:00")
                        )
            OpeningHours.objects.bulk_create(hours)
            Location.objects.bulk_create(
                _address(address_rng, s, names) for s in created if address_rng.random() < ADDRESSED
            )
        rebuild()
    analyze()


def _address(rng, service, names):
    """A visiting address in the organisation's municipality (one in ten confidential)."""
    from services.models import Location

    number = service.organisation.municipality_id
    return Location(
        service=service,
        street=f"{rng.choice(STREETS)} {rng.randint(1, 120)}",
        postal_code=f"{rng.randint(1, 9999):04d}",
        city=names.get(number, ""),
        municipality_id=number,
        latitude=f"{rng.uniform(58.0, 70.5):.6f}",
        longitude=f"{rng.uniform(5.0, 30.5):.6f}",
        is_confidential=rng.random() < 0.1,
    )


def analyze() -> None:
    """Fresh planner statistics after a bulk load (autovacuum would do it, later)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _service(
    rng, i, prefix, municipalities, orgs, descriptions, eligibility, how, keywords, keywords_en
):
    from services.models import Service

    municipality = rng.choice(municipalities)
    place = municipality.name
    roll = rng.random()
    if roll < 0.04:
        cover = ("national", None)
    elif roll < 0.2:
        cover = ("county", municipality.county_id)
    else:
        cover = ("municipality", municipality.number)
    name = rng.choice(NAME_PATTERNS).format(place=place)
    description = " ".join(rng.sample(descriptions, rng.randint(2, 4)))
    if rng.random() < 0.5:
        description += " " + rng.choice(EXTRA_SENTENCES).format(place=place)
    hours_roll = rng.random()
    hours_mode = "scheduled" if hours_roll < 0.6 else ("always" if hours_roll < 0.75 else "unknown")
    referral_roll = rng.random()
    referral = True if referral_roll < 0.35 else (False if referral_roll < 0.9 else None)
    free = rng.random() < 0.8
    service = Service(
        uuid=uuid.uuid4(),
        slug=f"{prefix}-{i}",
        name=name,
        name_en="",
        organisation=orgs[municipality.number],
        status="published",
        is_demo=True,
        description_nb=description,
        eligibility_nb=" ".join(rng.sample(eligibility, rng.randint(1, 2))),
        how_it_works_nb=" ".join(rng.sample(how, rng.randint(1, 3))),
        keywords_nb="\n".join(rng.sample(keywords, rng.randint(2, 5))),
        keywords_en="\n".join(rng.sample(keywords_en, rng.randint(1, 3))),
        hours_mode=hours_mode,
        referral_required=referral,
        is_free=free,
        cost_nb="" if free else "Egenandel etter vanlige satser.",
        anonymous_possible=rng.random() < 0.3,
        coverage_national=cover[0] == "national",
        is_emergency=rng.random() < 0.02,
    )
    return service, cover


def _relations(rng, created, coverage, categories, groups, languages, modes):
    """Many-to-many rows written with executemany: model instances would cost minutes at 100k."""
    from django.db import connection

    from services.models import Service

    rows = {name: [] for name in ("categories", "target_groups", "languages", "delivery_modes",
                                  "coverage_counties", "coverage_municipalities")}  # fmt: skip
    for service, (kind, key) in zip(created, coverage, strict=True):
        for c in rng.sample(categories, rng.randint(1, 3)):
            rows["categories"].append({"service_id": service.pk, "category_id": c})
        for g in rng.sample(groups, rng.randint(1, 4)):
            rows["target_groups"].append({"service_id": service.pk, "targetgroup_id": g})
        chosen = ["nb"] + rng.sample(languages, rng.randint(0, 2))
        for code in sorted(set(chosen)):
            rows["languages"].append({"service_id": service.pk, "language_id": code})
        for code in rng.sample(modes, rng.randint(1, 3)):
            rows["delivery_modes"].append({"service_id": service.pk, "deliverymode_id": code})
        if kind == "county":
            rows["coverage_counties"].append({"service_id": service.pk, "county_id": key})
        elif kind == "municipality":
            rows["coverage_municipalities"].append(
                {"service_id": service.pk, "municipality_id": key}
            )
    with connection.cursor() as cursor:
        for name, values in rows.items():
            if not values:
                continue
            through = getattr(Service, name).through
            columns = list(values[0])
            sql = (
                f"INSERT INTO {through._meta.db_table} ({', '.join(columns)}) "
                f"VALUES ({', '.join(['%s'] * len(columns))})"
            )
            cursor.executemany(sql, [tuple(v[c] for c in columns) for v in values])
