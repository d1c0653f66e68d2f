"""HSDS benchmark: SQL queries per API answer, and time and peak memory of a large export.

`python -m bench hsds [--hsds-services=N]` (default N = 100 000). Works in a
throw-away SQLite database in a temporary folder: migrate, load the demo
catalogue, count the queries of /api/hsds/services?per_page=50 and of one full
service, add N generated services (bench/generate.py `populate`), count again,
then run `export_hsds` in a child process and read its peak resident memory
(getrusage of the child: the whole process, Python and Django included).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.common import BENCH_SECRET_KEY, option, run_child

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVICES = 100_000
PEAK_LIMIT_MB = 300
QUERY_LIMIT = 8


def run(argv) -> dict:
    n = option(argv, "hsds-services", DEFAULT_SERVICES)
    folder = Path(tempfile.mkdtemp(prefix="veiviser-hsds-bench-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_SECRET_KEY": BENCH_SECRET_KEY,
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
    }
    try:
        demo = run_child("bench.hsds", env, "prepare")
        populated = run_child("bench.hsds", env, "populate", str(n))
        started = time.monotonic()
        exported = run_child("bench.hsds", env, "export", str(folder / "export"))
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall = time.monotonic() - started
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    results = {
        "queries_services_page_50_demo": demo["page"],
        "queries_services_page_50_populated": populated["page"],
        "queries_services_page_5_populated": populated["page_small"],
        "queries_full_service": demo["service"],
        "services_exported": exported["services"],
        "export_seconds": round(exported["seconds"], 1),
        "export_wall_seconds": round(wall, 1),
        "export_peak_rss_mb": round(exported["peak_rss_mb"], 1),
        "children_peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "populate_seconds": round(populated["seconds"], 1),
        "export_mb_on_disk": round(exported["bytes"] / 1e6, 1),
    }
    ok_queries = (
        results["queries_services_page_50_demo"]
        == results["queries_services_page_50_populated"]
        == results["queries_services_page_5_populated"]
        <= QUERY_LIMIT
    )
    results["queries_constant_and_within_limit"] = ok_queries
    results["export_peak_within_limit"] = results["export_peak_rss_mb"] <= PEAK_LIMIT_MB
    print(f"\nHSDS ({n} generated services + the demo catalogue)")
    for key, value in results.items():
        print(f"  {key:<40} {value}")
    return results


# --- child processes ---------------------------------------------------------


def _setup():
    import django

    django.setup()


def _queries() -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from services.models import Service

    with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        return _count_queries(Client(), CaptureQueriesContext, connection, Service)


def _count_queries(client, CaptureQueriesContext, connection, Service) -> dict:  # noqa: N803
    counts = {}
    for key, url in [
        ("page", "/api/hsds/services?per_page=50"),
        ("page_small", "/api/hsds/services?per_page=5"),
    ]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, response.content[:200]
        counts[key] = len(ctx)
    service = Service.objects.published().order_by("pk").first()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(f"/api/hsds/services/{service.uuid}").status_code == 200
    counts["service"] = len(ctx)
    return counts


def _prepare() -> dict:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0)
    return _queries()


def _populate(n: int) -> dict:
    started = time.monotonic()
    try:
        from bench.generate import populate
    except ModuleNotFoundError as exc:
        if exc.name != "bench.generate":
            raise
        populate = _populate_fallback
    populate(n)
    return {**_queries(), "seconds": time.monotonic() - started}


def _populate_fallback(n: int, *, seed: int = 1) -> None:
    """Copies of the demo services (until bench/generate.py is there)."""
    import random
    import uuid as uuidlib

    from services.models import Location, OpeningHours, Phone, Service

    rng = random.Random(seed)
    templates = list(Service.objects.published().prefetch_related("categories"))
    through = Service.categories.through
    for start in range(0, n, 5000):
        batch = []
        for i in range(start, min(n, start + 5000)):
            t = rng.choice(templates)
            batch.append(
                Service(
                    uuid=uuidlib.uuid4(),
                    slug=f"bench-{i}",
                    name=f"{t.name} {i}",
                    organisation_id=t.organisation_id,
                    status="published",
                    description_nb=t.description_nb,
                    eligibility_nb=t.eligibility_nb,
                    how_it_works_nb=t.how_it_works_nb,
                    website=t.website,
                    hours_mode="scheduled",
                    referral_required=t.referral_required,
                    who_may_refer=t.who_may_refer,
                    is_free=t.is_free,
                    cost_nb=t.cost_nb,
                )
            )
        created = Service.objects.bulk_create(batch)
        if created[0].pk is None:
            by_slug = dict(
                Service.objects.filter(slug__in=[s.slug for s in batch]).values_list("slug", "pk")
            )
            for s in created:
                s.pk = s.id = by_slug[s.slug]
        Phone.objects.bulk_create(Phone(service=s, number="22 00 00 00") for s in created)
        OpeningHours.objects.bulk_create(
            OpeningHours(service=s, weekday=d, opens="08:00", closes="15:30")
            for s in created
            for d in range(5)
        )
        Location.objects.bulk_create(
            Location(
                service=s, uuid=uuidlib.uuid4(), street="Storgata 1", postal_code="0155",
                city="Oslo", municipality_id="0301",
            )
            for s in created
        )  # fmt: skip
        categories = [c.pk for t in templates for c in t.categories.all()]
        through.objects.bulk_create(
            through(service_id=s.pk, category_id=rng.choice(categories)) for s in created
        )


def _export(folder: str) -> dict:
    from services.hsds.export import export

    started = time.monotonic()
    counts = export(Path(folder))
    seconds = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = sum(p.stat().st_size for p in Path(folder).iterdir())
    return {"services": counts["services"], "seconds": seconds, "peak_rss_mb": peak, "bytes": size}


if __name__ == "__main__":
    _setup()
    command, *rest = sys.argv[1:]
    if command == "prepare":
        out = _prepare()
    elif command == "populate":
        out = _populate(int(rest[0]))
    elif command == "export":
        out = _export(rest[0])
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(out))
