"""The query side, shared by both backends.

`parse()` turns what a resident typed into *concepts*: one per meaningful word
or phrase (stop words left out, so a long sentence keeps only what it is
about). Each concept has *alternatives* — the word's own term, synonyms from
`synonyms.txt`, an age turned into a target group — each with a weight.

`resolve()` then looks the terms up in the index vocabulary (one query) and adds
what only the vocabulary can tell: longer forms of the word (prefix), the parts
of a compound (``voldsutsatt`` → ``vold`` + ``utsatt``), and for a word the
index does not know, the nearest known words by edit distance (misspellings:
``sinemestring``, ``krisesneter``, ``rusbehanling``). Rare words weigh more
than common ones (inverse document frequency), so "hjelp" counts less than
"tvangsekteskap".

`score()` ranks one candidate document for the resolved query; the backends
only find the candidates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from services.search.text import stem, tokens

HERE = Path(__file__).resolve().parent
SYNONYMS_FILE = HERE / "synonyms.txt"
STOPWORDS_FILE = HERE / "stopwords.txt"

# Bounds that keep hostile or pasted input cheap.
MAX_QUERY_CHARS = 300
MAX_CONCEPTS = 12

# How much each kind of match is worth, relative to the word itself.
EXACT, INFLECTED, SYNONYM, COMPOUND, JOINED, FUZZY, AGE = 1.0, 0.85, 0.7, 0.75, 0.9, 0.8, 0.7
# Where a term is found: name, then categories/keywords/target groups, then the texts.
FIELD_WEIGHTS = {"name": 1.0, "tags": 0.9, "body": 0.5, "extra": 0.35}


# --- data files ----------------------------------------------------------------


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    words = set()
    for line in STOPWORDS_FILE.read_text(encoding="utf-8").splitlines():
        words.update(tokens(line.split("#", 1)[0]))
    return frozenset(words)


@dataclass(frozen=True)
class Synonyms:
    rules: dict[tuple[str, ...], tuple[tuple[str, ...], ...]]
    acute: frozenset[str]
    longest: int


def phrase_terms(phrase: str) -> tuple[str, ...]:
    """A phrase as the tuple of terms it is matched by (stop words kept: they shape phrases)."""
    return tuple(stem(t) for t in tokens(phrase))


def content_terms(phrase: str) -> tuple[str, ...]:
    stops = stop_words()
    return tuple(stem(t) for t in tokens(phrase) if t not in stops)


def parse_synonyms(text: str) -> Synonyms:
    rules: dict[tuple[str, ...], set[tuple[str, ...]]] = {}
    acute: set[str] = set()
    section = ""
    for raw_line in text.splitlines():
        line = raw_line.split("#", 1)[0].strip()
        if not line:
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1].strip().lower()
            continue
        if section == "acute":
            acute.update(t for part in line.split(",") for t in content_terms(part))
            continue
        if "=>" in line:
            left, right = line.split("=>", 1)
            keys = [phrase_terms(p) for p in left.split(",")]
            expansions = [content_terms(p) for p in right.split(",")]
        else:
            keys = [phrase_terms(p) for p in line.split(",")]
            expansions = [content_terms(p) for p in line.split(",")]
        expansions = [e for e in expansions if e]
        for key in keys:
            if key:
                rules.setdefault(key, set()).update(e for e in expansions if e != key)
    return Synonyms(
        rules={k: tuple(sorted(v)) for k, v in rules.items()},
        acute=frozenset(acute),
        longest=max((len(k) for k in rules), default=1),
    )


@lru_cache(maxsize=1)
def synonyms() -> Synonyms:
    return parse_synonyms(SYNONYMS_FILE.read_text(encoding="utf-8"))


# --- parsing -------------------------------------------------------------------


@dataclass
class Alternative:
    """Terms that together stand for a concept (one term, or the parts of a phrase)."""

    terms: tuple[str, ...]
    weight: float
    kind: str
    # How specific the terms are relative to the concept's most specific alternative (0–1].
    specificity: float = 1.0


@dataclass
class Concept:
    label: str
    alternatives: list[Alternative] = field(default_factory=list)
    idf: float = 1.0

    @property
    def main(self) -> Alternative:
        return self.alternatives[0]

    def add(self, terms: tuple[str, ...], weight: float, kind: str) -> None:
        if not terms:
            return
        for alt in self.alternatives:
            if alt.terms == terms:
                alt.weight = max(alt.weight, weight)
                return
        self.alternatives.append(Alternative(terms, weight, kind))


@dataclass
class ParsedQuery:
    text: str
    concepts: list[Concept]
    acute: bool = False
    corrections: dict[str, str] = field(default_factory=dict)
    truncated: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.concepts

    def all_terms(self) -> set[str]:
        return {t for c in self.concepts for a in c.alternatives for t in a.terms}


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")
_AGE_WORDS = {"aar", "aarig", "aaring", "years", "year", "aars"}


def clean(raw: str) -> tuple[str, bool]:
    text = _CONTROL_RE.sub(" ", raw or "").strip()
    truncated = len(text) > MAX_QUERY_CHARS
    return " ".join(text[:MAX_QUERY_CHARS].split()), truncated


def parse(raw: str) -> ParsedQuery:
    text, truncated = clean(raw)
    words = tokens(text)
    stems = [stem(w) for w in words]
    stops = stop_words()
    syn = synonyms()
    concepts: list[Concept] = []
    acute = False
    i = 0
    while i < len(words) and len(concepts) < MAX_CONCEPTS:
        matched = 0
        # The longest phrase from the synonym file that starts here.
        for n in range(min(syn.longest, len(words) - i), 1, -1):
            key = tuple(stems[i : i + n])
            if key in syn.rules:
                own = tuple(s for w, s in zip(words[i : i + n], key, strict=True) if w not in stops)
                concept = Concept(" ".join(words[i : i + n]))
                concept.add(own or key, EXACT, "phrase")
                for expansion in syn.rules[key]:
                    concept.add(expansion, SYNONYM, "synonym")
                concepts.append(concept)
                acute = acute or any(s in syn.acute for s in key)
                matched = n
                break
        if matched:
            i += matched
            continue
        word, term = words[i], stems[i]
        i += 1
        if word in stops:
            continue
        if word.isdigit() and i < len(words) and words[i] in _AGE_WORDS:
            age_concept = age_group(int(word))
            if age_concept:
                concepts.append(age_concept)
                i += 1
                continue
        concept = Concept(word)
        concept.add((term,), EXACT, "word")
        for expansion in syn.rules.get((term,), ()):
            concept.add(expansion, SYNONYM, "synonym")
        acute = acute or term in syn.acute
        concepts.append(concept)
    return ParsedQuery(
        text=text, concepts=_merge_duplicates(concepts), acute=acute, truncated=truncated
    )


def age_group(age: int) -> Concept | None:
    """'80 år' is about an older person, '16 år' about a young one."""
    if age >= 60 and age < 130:
        group = ("eldre",)
    elif 13 <= age < 20:
        group = ("ungdom",)
    elif age < 13:
        group = ("barn",)
    else:
        return None
    concept = Concept(f"{age} år")
    for word in group:
        concept.add((stem(word),), AGE, "age")
    return concept


def _merge_duplicates(concepts: list[Concept]) -> list[Concept]:
    seen: set[tuple[str, ...]] = set()
    kept = []
    for concept in concepts:
        if concept.main.terms in seen:
            continue
        seen.add(concept.main.terms)
        kept.append(concept)
    return kept


# --- resolving against the index vocabulary -------------------------------------


def lookup_candidates(query: ParsedQuery) -> tuple[set[str], set[str]]:
    """The terms to look up in the vocabulary, and the prefixes to expand."""
    lookup: set[str] = set(query.all_terms())
    prefixes: set[str] = set()
    for concept in query.concepts:
        main = concept.main.terms
        if len(main) == 1:
            term = main[0]
            if len(term) >= 4 and not term.isdigit():
                prefixes.add(term)
            lookup.update(p for split in compound_splits(term) for p in split)
    for a, b in zip(query.concepts, query.concepts[1:], strict=False):
        if len(a.main.terms) == 1 and len(b.main.terms) == 1:
            lookup.add(stem(a.label + b.label))
    return lookup, prefixes


def compound_splits(term: str) -> list[tuple[str, str]]:
    """Ways to read a term as two words (``voldsutsatt`` → ``vold`` + ``utsatt``)."""
    splits = []
    for i in range(3, len(term) - 2):
        head, tail = term[:i], term[i:]
        tail_term = stem(tail)
        splits.append((head, tail_term))
        # Linking letters: volds|utsatt, kvinne|helsehus, barne|vern.
        if head[-1] in "se" and len(head) > 3:
            splits.append((head[:-1], tail_term))
    return splits


def resolve(query: ParsedQuery, vocabulary: dict[str, int], total: int, fuzzy) -> None:
    """Add what the vocabulary tells to each concept; drop what the index cannot match.

    `vocabulary` maps every looked-up term (and every prefix expansion) the
    index knows to its document frequency; `fuzzy(terms)` returns, for unknown
    terms, their nearest known terms as ``{term: [(candidate, df), …]}``.
    """
    total = max(total, 1)
    unknown: list[str] = []
    for concept in query.concepts:
        main = concept.main.terms
        if len(main) != 1:
            continue
        term = main[0]
        for known in sorted(vocabulary):
            if known != term and known.startswith(term) and len(term) >= 4:
                weight = INFLECTED if len(known) - len(term) <= 3 else INFLECTED * 0.75
                concept.add((known,), weight, "prefix")
        if vocabulary.get(term, 0) >= 5:
            continue
        split = best_split(term, vocabulary)
        if split:
            concept.add(split, COMPOUND, "compound")
        elif term not in vocabulary and not term.isdigit() and len(term) >= 4:
            unknown.append(term)
    for a, b in zip(query.concepts, query.concepts[1:], strict=False):
        joined = stem(a.label + b.label)
        if joined in vocabulary and len(a.main.terms) == 1 and len(b.main.terms) == 1:
            a.add((joined,), JOINED, "joined")
            b.add((joined,), JOINED, "joined")
    if unknown:
        near = fuzzy(unknown)
        for concept in query.concepts:
            term = concept.main.terms[0] if len(concept.main.terms) == 1 else None
            if term in near:
                for candidate, df in near[term]:
                    vocabulary.setdefault(candidate, df)
                    concept.add((candidate,), FUZZY, "fuzzy")
                if near[term]:
                    query.corrections[concept.label] = near[term][0][0]
    for concept in query.concepts:
        concept.alternatives = [
            a for a in concept.alternatives if all(t in vocabulary for t in a.terms)
        ]
        if concept.alternatives:
            dfs = [min(vocabulary[t] for t in a.terms) for a in concept.alternatives]
            df = dfs[0] if concept.alternatives[0].weight >= EXACT else max(dfs)
            concept.idf = math.log(1 + total / (1 + df))
            idfs = [math.log(1 + total / (1 + d)) for d in dfs]
            top = max(idfs) or 1.0
            for alt, idf in zip(concept.alternatives, idfs, strict=True):
                # A synonym most services share ("vold") says less than a rare one.
                alt.specificity = 0.6 + 0.4 * idf / top
    query.concepts = [c for c in query.concepts if c.alternatives]


def best_split(term: str, vocabulary: dict[str, int]) -> tuple[str, str] | None:
    best = None
    for head, tail in compound_splits(term):
        if len(head) >= 3 and len(tail) >= 3 and head in vocabulary and tail in vocabulary:
            # Prefer the most balanced split: both parts carry meaning.
            key = min(len(head), len(tail))
            if best is None or key > best[0]:
                best = (key, (head, tail))
    return best[1] if best else None


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau–Levenshtein (optimal string alignment) distance, or limit + 1 when above it."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        row_min = i
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
            row_min = min(row_min, value)
        if row_min > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_distance(term: str) -> int:
    return 1 if len(term) <= 6 else 2


def nearest(term: str, candidates: list[tuple[str, int]], keep: int = 2) -> list[tuple[str, int]]:
    """The closest candidates within the allowed distance, most common first among equals."""
    limit = allowed_distance(term)
    scored = []
    for candidate, df in candidates:
        if candidate == term or len(candidate) < 3:
            continue
        distance = edit_distance(term, candidate, limit)
        if distance <= limit:
            scored.append((distance, -df, candidate))
    scored.sort()
    best = scored[0][0] if scored else 0
    return [(c, -negdf) for d, negdf, c in scored if d == best][:keep]


# --- scoring -------------------------------------------------------------------


@dataclass
class Document:
    """Where the query's terms occur in one indexed service: term → weight of the best field."""

    weights: dict[str, float]

    @classmethod
    def from_strings(
        cls, name: str, tags: str, body: str, extra: str, wanted: set[str] | None = None
    ) -> Document:
        weights: dict[str, float] = {}
        for text, weight in (
            (extra, FIELD_WEIGHTS["extra"]),
            (body, FIELD_WEIGHTS["body"]),
            (tags, FIELD_WEIGHTS["tags"]),
            (name, FIELD_WEIGHTS["name"]),
        ):
            terms = text.split()
            # Only the query's terms matter; a set intersection skips the rest in C.
            for term in terms if wanted is None else wanted.intersection(terms):
                weights[term] = weight
        return cls(weights)

    def field_weight(self, term: str) -> float:
        return self.weights.get(term, 0.0)


def score(query: ParsedQuery, document: Document) -> float:
    """How well a document answers the query, 0–1: the share of the query's meaning it covers."""
    total = sum(c.idf for c in query.concepts)
    if not total:
        return 0.0
    weights = document.weights
    gained = 0.0
    for concept in query.concepts:
        best = 0.0
        for alt in concept.alternatives:
            found = [weights.get(t, 0.0) for t in alt.terms]
            value = sum(found) / len(found)
            if 0.0 in found:
                # Part of a phrase or compound: half credit for the parts present.
                value *= 0.5
            value *= alt.weight * alt.specificity
            if value > best:
                best = value
        gained += concept.idf * best
    return gained / total
