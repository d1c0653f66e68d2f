"""Keeping the search index current.

`reindex(services)` rebuilds the documents of some services and adjusts the
vocabulary's document frequencies by the difference; `rebuild()` recomputes
everything (bulk loads, the benchmark, `manage.py rebuild_search_index`).
Signals (see `signals.py`) call `reindex` on every save and delete of a service,
a change of its categories or target groups, and a rename of an organisation,
category or target group. Inside `deferred()`, as during `load_catalogue`, the
services are collected and indexed once at the end.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterable
from contextlib import contextmanager
from functools import lru_cache

from django.db import connection, transaction

from services.models import Category, Service, TargetGroup
from services.search.models import SearchDocument, SearchTerm
from services.search.text import LANGUAGES, display_word, terms

BATCH = 2000
_state = threading.local()


_SENTENCE_RE = re.compile(r"(?<=[.!?\n])\s+")


@lru_cache(maxsize=50_000)
def _sentence_terms(sentence: str, language: str) -> str:
    return " ".join(terms(sentence, language))


def _text(language: str, *parts: str) -> str:
    """The index terms of some texts in one language; sentences repeat across listings,
    so each is read once."""
    out = []
    for part in parts:
        if part:
            out.extend(_sentence_terms(s, language) for s in _SENTENCE_RE.split(part))
    return " ".join(t for t in out if t)


TEXT_FIELDS = [
    "id",
    "name",
    "name_en",
    "keywords_nb",
    "keywords_en",
    "description_nb",
    "eligibility_nb",
    "how_it_works_nb",
    "description_en",
    "eligibility_en",
    "how_it_works_en",
    "organisation__name",
]


def document_fields(row: dict, categories: list[dict], groups: list[dict]) -> dict[str, str]:
    """The index terms of a service by weight class (A name, B tags, C texts, D English
    texts), each text read in its own language. `categories` and `groups` are the labels
    of its categories and target groups by language (``{"nb": …, "nn": …, "en": …}``)."""
    labels = categories + groups
    return {
        "name_terms": " ".join([_text("nb", row["name"]), _text("en", row["name_en"])]).strip(),
        "tag_terms": " ".join(
            [
                *(_text(lang, label[lang]) for label in labels for lang in LANGUAGES),
                _text("nb", row["keywords_nb"]),
                _text("en", row["keywords_en"]),
            ]
        ).strip(),
        "body_terms": _text(
            "nb",
            row["description_nb"],
            row["eligibility_nb"],
            row["how_it_works_nb"],
            row["organisation__name"] or "",
        ),
        "extra_terms": _text(
            "en", row["description_en"], row["eligibility_en"], row["how_it_works_en"]
        ),
    }


def _labels(through, fk: str, model, ids: list[int]) -> dict[int, list[dict]]:
    """Each service's categories (or target groups): their names by language and slug."""
    names = {
        pk: {"nb": nb, "nn": nn, "en": en, "slug": slug}
        for pk, nb, nn, en, slug in model.objects.values_list(
            "pk", "name_nb", "name_nn", "name_en", "slug"
        )
    }
    labels: dict[int, list[dict]] = {}
    for service_id, target in through.objects.filter(service_id__in=ids).values_list(
        "service_id", fk
    ):
        labels.setdefault(service_id, []).append(names[target])
    return labels


def _codes(through, fk: str, ids: list[int]) -> dict[int, list[str]]:
    codes: dict[int, list[str]] = {}
    for service_id, code in through.objects.filter(service_id__in=ids).values_list(
        "service_id", fk
    ):
        codes.setdefault(service_id, []).append(code)
    return codes


def build_documents(ids: list[int]) -> list[SearchDocument]:
    """Documents for the services with these ids, read with plain value queries (no model objects)."""
    rows = Service.objects.filter(pk__in=ids).values(*TEXT_FIELDS)
    categories = _labels(Service.categories.through, "category_id", Category, ids)
    groups = _labels(Service.target_groups.through, "targetgroup_id", TargetGroup, ids)
    languages = _codes(Service.languages.through, "language_id", ids)
    modes = _codes(Service.delivery_modes.through, "deliverymode_id", ids)
    documents = []
    for row in rows:
        pk = row["id"]
        own_categories, own_groups = categories.get(pk, []), groups.get(pk, [])
        documents.append(
            SearchDocument(
                service_id=pk,
                **document_fields(row, own_categories, own_groups),
                category_slugs=" ".join(sorted(c["slug"] for c in own_categories)),
                group_slugs=" ".join(sorted(g["slug"] for g in own_groups)),
                language_codes=" ".join(sorted(languages.get(pk, []))),
                mode_codes=" ".join(sorted(modes.get(pk, []))),
            )
        )
    return documents


def reindex(services: Iterable[Service | int]) -> None:
    """Bring the documents of these services (instances or ids) up to date."""
    ids = sorted({s if isinstance(s, int) else s.pk for s in services if s is not None})
    if not ids:
        return
    if getattr(_state, "pending", None) is not None:
        _state.pending.update(ids)
        return
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            _reindex_batch(ids[start : start + BATCH])


def _reindex_batch(ids: list[int]) -> None:
    old = {
        d.service_id: d.term_set()
        for d in SearchDocument.objects.filter(service_id__in=ids).only(
            "service_id", "name_terms", "tag_terms", "body_terms", "extra_terms"
        )
    }
    documents = build_documents(ids)
    delta: Counter[str] = Counter()
    for document in documents:
        new = document.term_set()
        before = old.get(document.service_id, set())
        delta.update(new - before)
        delta.subtract(before - new)
    for service_id in set(old) - {d.service_id for d in documents}:
        delta.subtract(old[service_id])
    SearchDocument.objects.filter(service_id__in=ids).delete()
    SearchDocument.objects.bulk_create(documents)
    _add_frequencies(delta)


def remove(service_ids: Iterable[int]) -> None:
    """Drop the documents of services about to be deleted."""
    ids = list(service_ids)
    delta: Counter[str] = Counter()
    for document in SearchDocument.objects.filter(service_id__in=ids):
        delta.subtract(document.term_set())
    SearchDocument.objects.filter(service_id__in=ids).delete()
    _add_frequencies(delta)


def _add_frequencies(delta: Counter[str]) -> None:
    rows = [(term[:64], n, display_word(term)[:64]) for term, n in delta.items() if n]
    table = SearchTerm._meta.db_table
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 500):
            chunk = rows[start : start + 500]
            values = ", ".join(["(%s, %s, %s)"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} (term, df, word) VALUES {values} "
                f"ON CONFLICT (term) DO UPDATE SET df = {table}.df + excluded.df",
                [v for row in chunk for v in row],
            )
        cursor.execute(f"DELETE FROM {table} WHERE df <= 0")


def rebuild(batch: int = BATCH) -> int:
    """Recompute every document and the vocabulary. Returns the number of documents."""
    with transaction.atomic():
        SearchDocument.objects.all().delete()
        SearchTerm.objects.all().delete()
        frequencies: Counter[str] = Counter()
        ids = list(Service.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(ids), batch):
            documents = build_documents(ids[start : start + batch])
            for document in documents:
                frequencies.update(document.term_set())
            SearchDocument.objects.bulk_create(documents, batch_size=500)
        SearchTerm.objects.bulk_create(
            [
                SearchTerm(term=t[:64], df=n, word=display_word(t)[:64])
                for t, n in frequencies.items()
            ],
            batch_size=1000,
        )
    return len(ids)


@contextmanager
def deferred():
    """Collect the services saved inside the block and index them once at its end."""
    if getattr(_state, "pending", None) is not None:
        yield
        return
    _state.pending = set()
    try:
        yield
        pending = _state.pending
    finally:
        _state.pending = None
    reindex(pending)
