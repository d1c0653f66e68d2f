"""Public pages benchmark: weight and SQL budgets, then requests per second under gunicorn.

`python -m bench pages [--pages-services=N] [--pages-seconds=S] [--pages-database=D]`
(defaults 10 000, 6 and sqlite). In a throw-away database (SQLite in a temporary
folder, or with D=postgresql the database veiviser_pages_bench on 127.0.0.1,
dropped and created anew): migrate, load the demo
catalogue, add N generated services (bench/generate.py `populate`), collect the
static files. Then, in a child process, every public page type is fetched with
Django's test client: HTML bytes, the CSS and JS it links (uncompressed), SQL
queries, and checks for web fonts, images and other hosts. Last, gunicorn with
2 sync workers on 127.0.0.1 serves the same database and a bounded load (a few
client threads, S seconds per URL set, at most MAX_REQUESTS each) measures
requests per second of /bench-ping (a trivial view through the same middleware),
the results page and the service page. Ping is measured before and after and
averaged, so the ratios hold even on a busy machine.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from bench.common import (
    BENCH_SECRET_KEY,
    ensure_pg_database,
    option,
    postgres_reachable,
    run_child,
)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVICES = 10_000
DEFAULT_SECONDS = 6
CLIENTS = 4
MAX_REQUESTS = 20_000
BUDGET_TOTAL = 80 * 1024
BUDGET_HTML = 30 * 1024
BUDGET_QUERIES = 12
RATIO_RESULTS = 0.03
RATIO_SERVICE = 0.15
# With --pages-database=postgresql: a throw-away database, dropped and created each run.
PG_DATABASE = "veiviser_pages_bench"
QUERIES = ["vold", "kjæresten truer meg", "rus", "voldtekt", "krisesenter", "sinne", "barn"]
MUNICIPALITIES = ["0301", "4601", "5001", "1103", "", ""]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/bench-ping")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer within 30 s")


def _load(port: int, urls: list[str], seconds: float) -> dict:
    """Requests per second from CLIENTS threads, each for `seconds`, at most MAX_REQUESTS."""
    done, errors = [0], [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client(seed):
        rng = random.Random(seed)
        while time.monotonic() < stop_at:
            with lock:
                if done[0] + errors[0] >= MAX_REQUESTS:
                    return
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("GET", rng.choice(urls))
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except OSError:
                ok = False
            finally:
                conn.close()
            with lock:
                done[0] += ok
                errors[0] += not ok

    started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"rps": round(done[0] / elapsed, 1), "requests": done[0], "errors": errors[0]}


def run(argv) -> dict:
    n = option(argv, "pages-services", DEFAULT_SERVICES)
    seconds = option(argv, "pages-seconds", DEFAULT_SECONDS)
    database = option(argv, "pages-database", "sqlite")
    if database not in ("sqlite", "postgresql"):
        raise SystemExit("--pages-database is sqlite or postgresql")
    if database == "postgresql" and not postgres_reachable():
        raise SystemExit("--pages-database=postgresql: no PostgreSQL answers on 127.0.0.1:5432")
    folder = Path(tempfile.mkdtemp(prefix="veiviser-pages-bench-"))
    url = (
        ensure_pg_database(PG_DATABASE, fresh=True)
        if database == "postgresql"
        else f"sqlite:///{folder / 'bench.sqlite3'}"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.pages_settings",
        "DATABASE_URL": url,
        "BENCH_STATIC_ROOT": str(folder / "static"),
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": BENCH_SECRET_KEY,
    }
    gunicorn = None
    try:
        prepared = run_child("bench.pages", env, "prepare", str(n))
        pages = run_child("bench.pages", env, "measure")
        port = _free_port()
        gunicorn = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--worker-class",
                "sync",
                "--access-logfile",
                os.devnull,
                "portal.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_until_up(port)
        results_urls = [
            "/services/?" + urlencode({"q": q, **({"municipality": m} if m else {})})
            for q in QUERIES
            for m in MUNICIPALITIES
        ]
        service_urls = [f"/services/{slug}/" for slug in prepared["slugs"]]
        _load(port, ["/bench-ping"], 1)  # warm both workers
        ping_before = _load(port, ["/bench-ping"], seconds)
        results_load = _load(port, results_urls, seconds)
        service_load = _load(port, service_urls, seconds)
        ping_after = _load(port, ["/bench-ping"], seconds)
    finally:
        if gunicorn is not None:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=15)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        shutil.rmtree(folder, ignore_errors=True)
    ping_rps = (ping_before["rps"] + ping_after["rps"]) / 2
    ratio_results = round(results_load["rps"] / ping_rps, 3) if ping_rps else 0
    ratio_service = round(service_load["rps"] / ping_rps, 3) if ping_rps else 0
    results = {
        "database": database,
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "cpu_count": os.cpu_count(),
        "services": prepared["services"],
        "pages": pages["pages"],
        "all_pages_within_budgets": pages["ok"],
        "rps_ping": round(ping_rps, 1),
        "rps_ping_before_after": [ping_before["rps"], ping_after["rps"]],
        "rps_results": results_load["rps"],
        "rps_service": service_load["rps"],
        "ratio_results": ratio_results,
        "ratio_service": ratio_service,
        "ratio_results_ok": ratio_results >= RATIO_RESULTS,
        "ratio_service_ok": ratio_service >= RATIO_SERVICE,
        "load_errors": ping_before["errors"]
        + results_load["errors"]
        + service_load["errors"]
        + ping_after["errors"],
    }
    _print(n, results)
    return results


def _print(n: int, results: dict) -> None:
    print(
        f"\nPublic pages ({results['services']} published services, {results['database']}; "
        "budgets: total <= 80 KB,"
    )
    print("HTML <= 30 KB, <= 12 queries, no web fonts, no images but inline SVG, no other hosts)")
    print(f"  {'page':<22} {'HTML KB':>8} {'total KB':>9} {'queries':>8}  ok")
    for name, page in results["pages"].items():
        print(
            f"  {name:<22} {page['html_bytes'] / 1024:8.1f} {page['total_bytes'] / 1024:9.1f}"
            f" {page['queries']:8d}  {'yes' if page['ok'] else 'NO: ' + ', '.join(page['problems'])}"
        )
    print(
        f"  gunicorn, 2 sync workers, 127.0.0.1 (load average {results['load_average_1min_at_end']}"
        f" on {results['cpu_count']} CPUs; the ratios fall as other processes load the machine):"
    )
    print(f"  {'/bench-ping (trivial)':<34} {results['rps_ping']:8.1f} req/s")
    print(
        f"  {'results page':<34} {results['rps_results']:8.1f} req/s"
        f"  ratio {results['ratio_results']:.3f} (>= {RATIO_RESULTS})"
    )
    print(
        f"  {'service page':<34} {results['rps_service']:8.1f} req/s"
        f"  ratio {results['ratio_service']:.3f} (>= {RATIO_SERVICE})"
    )


# --- child processes ---------------------------------------------------------


def _prepare(n: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    from bench.generate import populate
    from services.models import Service

    call_command("migrate", verbosity=0)
    call_command("load_catalogue", verbosity=0)
    if n:
        populate(n)
    call_command("collectstatic", verbosity=0, interactive=False)
    slugs = list(Service.objects.published().order_by("?").values_list("slug", flat=True)[:500])
    return {"services": Service.objects.published().count(), "slugs": slugs}


ASSET = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"]+)"')
FOREIGN = re.compile(
    r"<(?:script|link|img|iframe|frame|embed|object|source|video|audio)\b[^>]*"
    r"(?:src|href)=\"(?:https?:)?//",
    re.I,
)


def _measure() -> dict:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from services.models import Service

    service = Service.objects.published().filter(is_demo=True).order_by("slug").first()
    big = Service.objects.published().order_by("-pk").first()
    pages = {
        "home": "/",
        "home (en)": "/en/?municipality=4601",
        "results": "/services/?q=kj%C3%A6resten+truer+meg&municipality=4601",
        "results (empty q)": "/services/",
        "service": f"/services/{service.slug}/",
        "service (generated)": f"/services/{big.slug}/",
        "service (nn)": f"/nn/services/{service.slug}/",
        "report error": f"/services/{service.slug}/meld-feil/",
        "choose municipality": "/finn/?municipality=her",
        "covering tracks": "/skjul-sporene/",
        "accessibility": "/tilgjengelighet/",
        "privacy": "/personvern/",
    }
    client = Client()
    report, all_ok = {}, True
    static_root = Path(settings.STATIC_ROOT)
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        html = response.content
        assets, problems = 0, []
        for asset in ASSET.findall(html.decode()):
            path = static_root / asset.removeprefix(settings.STATIC_URL)
            if not path.exists():
                path = Path(finders.find(asset.removeprefix(settings.STATIC_URL)))
            body = path.read_bytes()
            assets += len(body)
            if b"@font-face" in body or re.search(rb"url\((?!\"?data:image/svg)", body):
                problems.append(f"font or image in {asset}")
        text = html.decode()
        if response.status_code != 200:
            problems.append(f"status {response.status_code}")
        if "<img" in text or "<picture" in text:
            problems.append("img element")
        if FOREIGN.search(text):
            problems.append("another host")
        if len(html) > BUDGET_HTML:
            problems.append("HTML over 30 KB")
        if len(html) + assets > BUDGET_TOTAL:
            problems.append("total over 80 KB")
        if len(queries) > BUDGET_QUERIES:
            problems.append(f"{len(queries)} queries")
        report[name] = {
            "url": url,
            "html_bytes": len(html),
            "total_bytes": len(html) + assets,
            "queries": len(queries),
            "ok": not problems,
            "problems": problems,
        }
        all_ok = all_ok and not problems
    return {"pages": report, "ok": all_ok}


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    if command == "prepare":
        out = _prepare(int(rest[0]))
    elif command == "measure":
        out = _measure()
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(out, ensure_ascii=False))
