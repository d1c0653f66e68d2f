"""The coordinators' vocabulary of situations, compiled for the query side.

`Concept` and `ConceptTerm` (models.py) are what the national coordinator edits in
the admin; `concepts.toml` seeds a new installation (`load_seed`). `current()`
gives the compiled vocabulary: each phrase as the words it is matched by, each
concept's search words as terms, and who each category and target group is for.
It is kept in the process and rebuilt when the vocabulary changes: a save in this
process clears it at once (signals), and every search asks the database for the
vocabulary's version (one small query), so a term a coordinator adds in another
process works on the next search, with no deploy.
"""

from __future__ import annotations

import threading
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction

from services.search.text import LANGUAGES, fold, term, terms, words

HERE = Path(__file__).resolve().parent
SEED_FILE = HERE / "concepts.toml"


@dataclass(frozen=True)
class PhraseWord:
    """One word of a phrase: how it is written (folded) and its term in the phrase's language."""

    folded: str
    term: str


@dataclass(frozen=True)
class Phrase:
    words: tuple[PhraseWord, ...]
    concept: str
    language: str
    text: str


@dataclass
class CompiledConcept:
    slug: str
    name: str
    persona: str
    urgency: str
    acute_alone: bool
    weight: float
    finds: tuple[tuple[str, ...], ...]
    categories: frozenset[str]
    target_groups: frozenset[str]
    lines: tuple[int, ...]


@dataclass
class Vocabulary:
    concepts: dict[str, CompiledConcept] = field(default_factory=dict)
    # Phrases by the folded form and by the term of their first word.
    phrases: dict[str, list[Phrase]] = field(default_factory=dict)
    category_audience: dict[str, str] = field(default_factory=dict)
    group_audience: dict[str, str] = field(default_factory=dict)
    # Every single word of the vocabulary (folded → as written), for spelling suggestions.
    words: dict[str, str] = field(default_factory=dict)
    version: tuple = ()

    def phrases_at(self, word_keys: set[str]) -> list[Phrase]:
        found: dict[int, Phrase] = {}
        for key in word_keys:
            for phrase in self.phrases.get(key, ()):
                found[id(phrase)] = phrase
        return sorted(found.values(), key=lambda p: (-len(p.words), p.text))

    def by_urgency(self, urgency: str) -> list[CompiledConcept]:
        return [c for c in self.concepts.values() if c.urgency == urgency]


def compile_phrase(text: str, language: str, concept: str) -> Phrase | None:
    parts = tuple(PhraseWord(fold(w), term(w, language)) for w in words(text))
    parts = tuple(p for p in parts if p.term)
    return Phrase(parts, concept, language, text) if parts else None


def _finds(text: str) -> tuple[tuple[str, ...], ...]:
    """A concept's search words: each comma-separated entry as its bokmål terms."""
    out = []
    for entry in text.split(","):
        found = tuple(terms(entry, "nb"))
        if found and found not in out:
            out.append(found)
    return tuple(out)


def _version() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT COUNT(*) FROM services_concept), "
            "(SELECT MAX(updated_at) FROM services_concept), "
            "(SELECT COUNT(*) FROM services_conceptterm), "
            "(SELECT COUNT(*) FROM services_category WHERE audience <> ''), "
            "(SELECT COUNT(*) FROM services_targetgroup WHERE audience <> '')"
        )
        return (connection.alias, *cursor.fetchone())


def build() -> Vocabulary:
    """Compile the vocabulary from the database (a few queries)."""
    from services.models import Category, Service, TargetGroup
    from services.search.models import Concept, ConceptTerm

    vocabulary = Vocabulary(version=_version())
    concepts = list(Concept.objects.filter(is_active=True).prefetch_related("categories"))
    ids = [c.pk for c in concepts]
    groups: dict[int, set[str]] = {pk: set() for pk in ids}
    for concept_id, slug in Concept.target_groups.through.objects.filter(
        concept_id__in=ids
    ).values_list("concept_id", "targetgroup__slug"):
        groups[concept_id].add(slug)
    lines: dict[int, list[tuple]] = {pk: [] for pk in ids}
    for concept_id, service_id, emergency, name in Concept.lines.through.objects.filter(
        concept_id__in=ids, service__status=Service.Status.PUBLISHED
    ).values_list("concept_id", "service_id", "service__is_emergency", "service__name"):
        lines[concept_id].append((not emergency, name, service_id))
    for concept in concepts:
        vocabulary.concepts[concept.slug] = CompiledConcept(
            slug=concept.slug,
            name=concept.name,
            persona=concept.persona,
            urgency=concept.urgency,
            acute_alone=concept.acute_alone,
            weight=max(concept.weight, 0.0),
            finds=_finds(concept.finds),
            categories=frozenset(c.slug for c in concept.categories.all()),
            target_groups=frozenset(groups[concept.pk]),
            lines=tuple(pk for *_key, pk in sorted(lines[concept.pk])),
        )
    slugs = {c.pk: c.slug for c in concepts}
    for concept_id, language, text in ConceptTerm.objects.filter(concept_id__in=ids).values_list(
        "concept_id", "language", "text"
    ):
        phrase = compile_phrase(text, language, slugs[concept_id])
        if phrase is None:
            continue
        first = phrase.words[0]
        for key in {first.folded, first.term}:
            vocabulary.phrases.setdefault(key, []).append(phrase)
        if len(phrase.words) == 1:
            vocabulary.words.setdefault(first.folded, text.strip().lower())
    vocabulary.category_audience = dict(
        Category.objects.exclude(audience="").values_list("slug", "audience")
    )
    vocabulary.group_audience = dict(
        TargetGroup.objects.exclude(audience="").values_list("slug", "audience")
    )
    return vocabulary


_lock = threading.Lock()
_shared: dict[str, Vocabulary] = {}


def current() -> Vocabulary:
    """The compiled vocabulary of this database, rebuilt when its version changed."""
    version = _version()
    cached = _shared.get(connection.alias)
    if cached is not None and cached.version == version:
        return cached
    with _lock:
        vocabulary = build()
        _shared[connection.alias] = vocabulary
    return vocabulary


def clear() -> None:
    """Forget the compiled vocabulary (a coordinator saved a change)."""
    _shared.clear()


# --- the seed ------------------------------------------------------------------------


def read_seed(path: Path = SEED_FILE) -> dict:
    return tomllib.loads(path.read_text(encoding="utf-8"))


@transaction.atomic
def load_seed(path: Path = SEED_FILE) -> dict[str, int]:
    """Create the seed's concepts that do not exist yet (by slug) and set the audience of
    categories and target groups that have none; give a concept without categories, target
    groups or lines the seed's once the catalogue has them. Concepts a coordinator has edited are left alone, so
    running it again (every `load_catalogue` does) changes nothing. Returns counts."""
    from services.models import Category, Service, TargetGroup
    from services.search.models import Concept, ConceptTerm

    seed = read_seed(path)
    counts = {"created": 0, "filled": 0, "audiences": 0}
    for model, key in ((Category, "categories"), (TargetGroup, "target_groups")):
        for slug, audience in seed.get("audience", {}).get(key, {}).items():
            counts["audiences"] += model.objects.filter(slug=slug, audience="").update(
                audience=audience
            )
    categories = dict(Category.objects.values_list("slug", "pk"))
    groups = dict(TargetGroup.objects.values_list("slug", "pk"))
    services = dict(Service.objects.values_list("slug", "pk"))
    for entry in seed.get("concept", []):
        concept, created = Concept.objects.get_or_create(
            slug=entry["slug"],
            defaults={
                "name": entry["name"],
                "persona": entry.get("persona", ""),
                "urgency": entry.get("urgency", ""),
                "acute_alone": entry.get("acute_alone", True),
                "weight": entry.get("weight", 1.0),
                "finds": ", ".join(entry.get("finds", [])),
            },
        )
        if created:
            counts["created"] += 1
            ConceptTerm.objects.bulk_create(
                [
                    ConceptTerm(concept=concept, language=language, text=text)
                    for language in LANGUAGES
                    for text in dict.fromkeys(entry.get(language, []))
                ]
            )
        # What names the catalogue (categories, target groups, lines) is filled in once the
        # catalogue has it: `migrate` seeds an empty database before any catalogue exists.
        for related, known, key in (
            (concept.categories, categories, "categories"),
            (concept.target_groups, groups, "target_groups"),
            (concept.lines, services, "lines"),
        ):
            wanted = [known[s] for s in entry.get(key, []) if s in known]
            if wanted and not related.exists():
                related.set(wanted)
                counts["filled"] += 1
    clear()
    return counts
