"""Relevance: the development cases (tests/search-dev.json) and our own, on the database in use.

CI runs the suite on SQLite and on PostgreSQL, so every case runs on both backends.
Each case goes through the results page in its site language (`/`, `/nn/`, `/en/`),
as a resident would search. The bars are the search issue's: at least 95 % of the
cases meet `must_top5` and `must_top3`; every `must_top3` of an acute case and every
`must_not_appear` holds; every no-fit case gives the no-results help or a clearly
marked handful. The figures per tag are printed (`pytest -s`).
"""

import json
from collections import defaultdict
from pathlib import Path

import pytest
from django.db import connection, transaction

pytestmark = pytest.mark.django_db

HERE = Path(__file__).resolve().parent.parent
DEV_CASES = json.loads((HERE / "search-dev.json").read_text(encoding="utf-8"))["cases"]
PREFIX = {"nb": "", "nn": "/nn", "en": "/en"}

# Our own cases, for what the search was made to handle (new queries, not copies of the dev set).
OWN_CASES = [
    {"id": "plural-krisesentre", "query": "krisesentre", "municipality": None,
     "must_top5": ["krisesenter"]},
    {"id": "definite-krisesenteret", "query": "krisesenteret i stavanger", "municipality": "1103",
     "must_top5": ["krisesenteret-i-stavanger"]},
    {"id": "typo-krisesneter", "query": "krisesneter", "municipality": None,
     "must_top5": ["krisesenter"]},
    {"id": "typo-rusbehanling", "query": "rusbehanling", "municipality": None,
     "must_top5": ["trasoppklinikken"]},
    {"id": "compound-voldsutsatt", "query": "voldsutsatt", "municipality": None,
     "must_top5": ["vold-og-overgrepslinjen-116006"]},
    {"id": "compound-overgrepsutsatt", "query": "overgrepsutsatt barn", "municipality": None,
     "must_top5": ["statens-barnehus"]},
    {"id": "long-threat-at-home", "query": "samboeren min truer meg og jeg tør ikke dra hjem",
     "municipality": None, "must_top5": ["krisesenter"]},
    {"id": "ascii-oe-sproeyterom", "query": "sproeyterom", "municipality": "0301",
     "must_top5": ["prindsen-mottakssenter"]},
    {"id": "ascii-aa-paaroerende", "query": "paaroerende rus", "municipality": None,
     "must_top5": ["ivareta-parorendetelefonen"]},
    {"id": "english-rape", "query": "I was raped last night", "municipality": None,
     "language": "en", "must_top5": ["overgrepsmottak"], "must_top3": ["overgrepsmottak"],
     "tags": ["acute"]},
    {"id": "english-on-bokmal-site", "query": "my boyfriend beats me", "municipality": None,
     "must_top5": ["vold-og-overgrepslinjen-116006"]},
    {"id": "english-forced-marriage", "query": "my parents want to force me to marry",
     "municipality": None, "must_top5": ["rode-kors-telefonen-tvangsekteskap"]},
    {"id": "local-before-national", "query": "krisesenter", "municipality": "1870",
     "must_top5": ["krisesenteret-i-vesteralen"]},
    {"id": "archived-never", "query": "sinnemestringskurs stavanger", "municipality": "1103",
     "must_top5": [], "must_not_appear": ["demo-stavanger-sinnemestringskurs-2023"]},
    {"id": "draft-never", "query": "samtalegruppe pårørende", "municipality": "1870",
     "must_top5": [], "must_not_appear": ["demo-sortland-parorendegruppe"]},
    {"id": "lawyer-english", "query": "free lawyer for women", "municipality": None,
     "language": "en", "must_top5": ["jurk"]},
    {"id": "elderly-money", "query": "noen stjeler pensjonen til bestefar", "municipality": None,
     "must_top5": ["vern-for-eldre"]},
    {"id": "suicide-nynorsk-indirect", "query": "eg vil ikkje vere her lenger", "language": "nn",
     "municipality": None, "must_top5": ["medisinsk-nodtelefon-113"],
     "must_top3": ["medisinsk-nodtelefon-113"], "tags": ["acute"]},
    {"id": "knife-english", "query": "he has a knife and is outside the house",
     "language": "en", "municipality": "4601", "must_top5": ["nodnummer-112-politi"],
     "must_top3": ["nodnummer-112-politi"], "tags": ["acute"]},
    {"id": "victim-no-offender-programme", "query": "onkelen min forgrep seg på meg",
     "municipality": None, "must_top5": [],
     "must_not_appear": ["det-finnes-hjelp", "ny-kurs", "basis", "ros-relasjon-og-samspill",
                         "sotp-bergen-fengsel"]},
    {"id": "nofit-parking", "query": "parkeringsbot klage", "municipality": None,
     "must_top5": [], "tags": ["no-fit"]},
]  # fmt: skip
ALL_CASES = DEV_CASES + OWN_CASES
# A no-fit query may show at most this many results, and then marked as partly understood.
HANDFUL = 5


def search(client, case):
    params = {"q": case["query"]}
    if case.get("municipality"):
        params["municipality"] = case["municipality"]
    response = client.get(PREFIX[case.get("language", "nb")] + "/services/", params)
    assert response.status_code == 200
    return response


def ranked_slugs(client, case) -> list[str]:
    return [s.slug for s in search(client, case).context["found"].services]


def no_fit_is_honest(response) -> bool:
    """The no-results help, or a handful of results marked as a partial understanding."""
    found = response.context["found"]
    html = response.content.decode()
    if not found.total:
        return "help-now" in html
    return found.total <= HANDFUL and 'class="search-partial"' in html


def figures(client, cases):
    """Per tag: cases meeting must_top5, must_top3, must_not_appear and the no-fit rule."""
    table: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    failures: dict[str, list[str]] = defaultdict(list)
    for case in cases:
        response = search(client, case)
        slugs = [s.slug for s in response.context["found"].services]
        checks = {
            "top5": set(case["must_top5"]) <= set(slugs[:5]),
            "top3": set(case.get("must_top3") or []) <= set(slugs[:3]),
            "not": not set(case.get("must_not_appear") or []) & set(slugs[:5]),
        }
        if "no-fit" in case.get("tags", []):
            checks["nofit"] = no_fit_is_honest(response)
        for tag in [*case.get("tags", []), "ALL"]:
            for check, ok in checks.items():
                table[tag][check][0] += ok
                table[tag][check][1] += 1
        for check, ok in checks.items():
            if not ok:
                failures[check].append(f"{case['id']} ({case['query']}): got {slugs[:5]}")
    return table, failures


def print_figures(name, table, failures):
    print(f"\n[search relevance] {name} cases on {connection.vendor}")
    for tag in sorted(table, key=lambda t: (t != "ALL", t)):
        cells = "  ".join(f"{check} {ok}/{n}" for check, (ok, n) in sorted(table[tag].items()))
        print(f"  {tag:24s} {cells}")
    for check, missed in failures.items():
        for line in missed:
            print(f"  missed {check}: {line}")


@pytest.fixture(scope="module")
def dev_figures(django_db_setup, django_db_blocker):
    from django.test import Client

    # Searches write (searches that found nothing): roll them back, other tests start clean.
    with django_db_blocker.unblock(), transaction.atomic():
        table, failures = figures(Client(), DEV_CASES)
        transaction.set_rollback(True)
    print_figures("dev", table, failures)
    return table, failures


def share(table, check, tag="ALL"):
    ok, n = table[tag][check]
    return ok / n if n else 1.0


def test_most_dev_cases_have_their_services_in_the_top_five_and_top_three(dev_figures):
    table, failures = dev_figures
    assert share(table, "top5") >= 0.95, failures["top5"]
    assert share(table, "top3") >= 0.95, failures["top3"]


def test_every_acute_case_has_its_emergency_line_in_the_top_three(dev_figures):
    table, failures = dev_figures
    assert share(table, "top3", "acute") == 1.0, failures["top3"]


def test_no_case_shows_a_service_it_must_not_in_the_top_five(dev_figures):
    table, failures = dev_figures
    assert share(table, "not") == 1.0, failures["not"]


def test_every_no_fit_case_gets_the_help_or_a_marked_handful(dev_figures):
    table, failures = dev_figures
    assert table["no-fit"]["nofit"][1] >= 4
    assert share(table, "nofit", "no-fit") == 1.0, failures["nofit"]


def test_our_own_cases_meet_every_rule(client):
    table, failures = figures(client, OWN_CASES)
    print_figures("own", table, failures)
    assert share(table, "top5") >= 0.9, failures["top5"]
    assert share(table, "top3", "acute") == 1.0, failures["top3"]
    assert share(table, "not") == 1.0, failures["not"]
    assert share(table, "nofit", "no-fit") == 1.0, failures["nofit"]


@pytest.mark.parametrize("case", ALL_CASES, ids=[c["id"] for c in ALL_CASES])
def test_draft_and_archived_services_never_appear(client, case):
    slugs = ranked_slugs(client, case)
    assert "demo-stavanger-sinnemestringskurs-2023" not in slugs
    assert "demo-sortland-parorendegruppe" not in slugs


def test_results_are_the_same_on_the_page_and_in_rank_order(client):
    response = client.get("/services/", {"q": "tvangsekteskap"})
    html = response.content.decode()
    ranked = [s.slug for s in response.context["found"].services][:5]
    positions = [html.index(f'href="/services/{slug}/"') for slug in ranked]
    assert positions == sorted(positions)
    assert '<ol id="results"' in html
