"""The query side, shared by both backends.

`parse()` reads what a person typed, in its language (`text.read_query`), and
turns it into *concepts*:

* phrases and words of the coordinators' vocabulary (`vocabulary.py`) become the
  situation they name — what the person needs (categories, target groups, the
  words listings use for it), who they are (persona) and how urgent it is; a
  phrase may have one other word inside it, and every form of a word counts;
* every other word that is not a stop word becomes a concept of its own;
* an age ("jeg er 13", "80 år") says who the person is about.

`resolve()` then looks the terms up in the index vocabulary (one query) and adds
what only the index can tell: longer forms of a word (prefix), the parts of a
compound (``voldsutsatt`` → ``vold`` + ``utsatt``), and, for a word that neither
the index, the vocabulary nor the language's dictionary knows, the nearest known
word (a misspelling: ``sinemestring``). A correctly spelled word is never
"corrected": one the catalogue does not use is named as not understood. Rare
words weigh more than common ones (inverse document frequency).

`score()` ranks one candidate document for the resolved query; the backends only
find the candidates.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from services.search.text import (
    LANGUAGES,
    NORWEGIAN,
    Word,
    display_word,
    is_known,
    read_query,
    term,
)
from services.search.vocabulary import CompiledConcept, Phrase, Vocabulary

# Bounds that keep hostile or pasted input cheap.
MAX_QUERY_CHARS = 300
MAX_CONCEPTS = 12

# How much each kind of match is worth, relative to the word itself.
EXACT, INFLECTED, SYNONYM, COMPOUND, JOINED, FUZZY, AGE = 1.0, 0.85, 0.75, 0.75, 0.9, 0.8, 0.7
# Where a term is found: name, then categories/keywords/target groups, then the texts.
FIELD_WEIGHTS = {"name": 1.0, "tags": 0.9, "body": 0.5, "extra": 0.5}
# What a listing in one of a concept's categories (or target groups) adds to its match.
CATEGORY_CREDIT, GROUP_CREDIT = 0.45, 0.15
# What being one of the services the vocabulary names for a situation adds (its lines: the
# overgrepsmottak for a rape, also when the query is not acute).
LINE_CREDIT = 0.35
# A concept's weight in a query lies between these (inverse document frequency, clamped):
# a rare word matters more than a common one, but one word never drowns the rest.
MIN_WEIGHT, MAX_WEIGHT, VOCABULARY_WEIGHT = 0.5, 4.0, 2.5
# Urgencies by how soon help must come; the lines of the first come first.
URGENCY_ORDER = ("danger", "child_danger", "suicide", "medical", "sexual_assault")
# Urgencies that only mark time ("nå", "i natt"): they make a situation acute.
MARKERS = ("now", "recent")
# Words of one phrase may have this many other words between them.
PHRASE_GAP = 1
_FIRST_PERSON = {"jeg", "eg", "æ", "e", "i", "i'm", "im"}
_BE = {"er", "e", "am", "'m"}
_AGE_WORDS = {"år", "aar", "års", "årig", "åring", "years", "year", "yo"}
# Words that turn "I hit" into "I am hit", or name who does it ("slått *av* sønnen" is not
# "slår sønnen"): a phrase never skips over them.
_PASSIVE = frozenset(
    [
        "blir",
        "ble",
        "blitt",
        "bli",
        "vert",
        "vart",
        "blei",
        "vore",
        "verte",
        "er",
        "var",
        "was",
        "were",
        "been",
        "being",
        "get",
        "got",
        "am",
        "is",
        "are",
        "av",
        "by",
    ]
)


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
    # The vocabulary concept it comes from ("" for a plain word).
    source: str = ""
    weight: float = 1.0
    categories: frozenset[str] = frozenset()
    target_groups: frozenset[str] = frozenset()
    # The services the vocabulary names for the situation (its lines).
    services: frozenset[int] = frozenset()
    # The query words it stands for, in their languages.
    words: tuple[Word, ...] = ()

    @property
    def main(self) -> Alternative:
        return self.alternatives[0]

    @property
    def understood(self) -> bool:
        return bool(self.alternatives or self.categories or self.target_groups)

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
    language: str = "nb"
    personas: set[str] = field(default_factory=set)
    urgencies: list[str] = field(default_factory=list)
    # Services an acute query shows first, in order.
    lines: list[int] = field(default_factory=list)
    # Misspelled word → the real word the search used instead.
    corrections: dict[str, str] = field(default_factory=dict)
    # Words the search did not understand (as typed).
    unknown: list[str] = field(default_factory=list)
    truncated: bool = False

    @property
    def acute(self) -> bool:
        return bool(self.urgencies)

    @property
    def is_empty(self) -> bool:
        return not self.concepts

    @property
    def understood(self) -> bool:
        """Did any word of the query mean something the catalogue is about?"""
        return any(c.understood for c in self.concepts)

    @property
    def mostly_unknown(self) -> bool:
        """Do the words the search did not understand carry most of the query's meaning?"""
        if not self.unknown:
            return False
        if not any(c.source for c in self.concepts):
            # Only words the listings happen to use, no situation the vocabulary knows.
            return True
        known = sum(c.idf for c in self.concepts if c.understood and c.weight >= 1.0)
        return len(self.unknown) * MAX_WEIGHT * 0.5 >= known

    def all_terms(self) -> set[str]:
        return {t for c in self.concepts for a in c.alternatives for t in a.terms}

    @property
    def suggestion(self) -> str:
        """The query with each misspelled word replaced by the real word the search used."""
        if not self.corrections:
            return ""
        out = self.text
        for typed, word in self.corrections.items():
            out = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", word, out, flags=re.IGNORECASE)
        return out


_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def clean(raw: str) -> tuple[str, bool]:
    text = _CONTROL_RE.sub(" ", raw or "").strip()
    truncated = len(text) > MAX_QUERY_CHARS
    return " ".join(text[:MAX_QUERY_CHARS].split()), truncated


def _keys(word: Word) -> set[str]:
    """The forms a query word is matched by in phrases: as written and its term in each
    language of its family (a bokmål phrase also meets a nynorsk form of its words)."""
    family = NORWEGIAN if word.language in NORWEGIAN else ("en",)
    return {word.folded, word.term, *(term(word.text, lang) for lang in family)} - {""}


def _family(language: str) -> tuple[str, ...]:
    return NORWEGIAN if language in NORWEGIAN else ("en",)


def _match_phrase(
    phrase: Phrase, keys: list[set[str]], read: list[Word], start: int
) -> list[int] | None:
    """The positions of the query's words that `phrase` matches from word `start`, or None.

    One other word may stand between two words of a phrase ("slår *ofte* meg"), but not
    one that turns it around: "eg *vert* slegen" is not "eg slår"."""
    if read[start].language not in _family(phrase.language):
        return None
    positions = [start]
    for part in phrase.words[1:]:
        for step in range(1, PHRASE_GAP + 2):
            candidate = positions[-1] + step
            if candidate >= len(keys):
                return None
            if part.folded in keys[candidate] or part.term in keys[candidate]:
                positions.append(candidate)
                break
            if read[candidate].folded in _PASSIVE:
                return None
        else:
            return None
    return positions


def _vocabulary_matches(
    read: list[Word], keys: list[set[str]], vocabulary: Vocabulary
) -> list[tuple[int, list[int], Phrase]]:
    """The vocabulary's phrases found in the query, the fullest first (most words, then the
    tightest, then the earliest); a phrase whose words all belong to a longer one already
    taken is left out, but two situations may share a word ("naboen *slår* ungene")."""
    found = []
    for start, word_keys in enumerate(keys):
        for phrase in vocabulary.phrases_at(word_keys):
            if phrase.words[0].folded not in word_keys and phrase.words[0].term not in word_keys:
                continue
            positions = _match_phrase(phrase, keys, read, start)
            if positions and phrase.concept in vocabulary.concepts:
                found.append((start, positions, phrase))
    found.sort(key=lambda m: (-len(m[1]), m[1][-1] - m[1][0], m[0], m[2].concept))
    taken: list[tuple[int, list[int], Phrase]] = []
    covered: set[int] = set()
    spans: set[tuple[int, ...]] = set()
    for match in found:
        # The same words in two concepts mean both ("incest": abuse, and abuse in childhood).
        if set(match[1]) <= covered and tuple(match[1]) not in spans:
            continue
        taken.append(match)
        covered.update(match[1])
        spans.add(tuple(match[1]))
    return sorted(taken, key=lambda m: (m[0], m[2].concept))


def parse(raw: str, language: str = "nb", vocabulary: Vocabulary | None = None) -> ParsedQuery:
    text, truncated = clean(raw)
    vocabulary = vocabulary or Vocabulary()
    query_language, read = read_query(text, language)
    keys = [_keys(w) for w in read]
    concepts: list[Concept] = []
    by_source: dict[str, Concept] = {}
    markers: set[str] = set()
    covered: set[int] = set()
    matches = _vocabulary_matches(read, keys, vocabulary)
    for start, positions, phrase in matches:
        compiled = vocabulary.concepts[phrase.concept]
        covered.update(range(start, positions[-1] + 1))
        if compiled.urgency in MARKERS:
            # "i natt", "akkurat nå": they make a situation acute, they are not searched for.
            markers.add(compiled.slug)
            continue
        words = [read[p] for p in positions]
        _add_vocabulary_concept(
            concepts, by_source, compiled, [w for w in words if not w.stop], words
        )
    i = 0
    while i < len(read):
        if i in covered:
            i += 1
            continue
        word = read[i]
        age = _age(read, i)
        if age is not None:
            concepts.append(age)
            i += 2 if i + 1 < len(read) and read[i + 1].text in _AGE_WORDS else 1
            continue
        i += 1
        if word.stop or not word.term:
            continue
        concept = Concept(word.text, words=(word,))
        concept.add((word.term,), EXACT, "word")
        concepts.append(concept)
    query = ParsedQuery(
        text=text,
        concepts=_merge_duplicates(concepts)[:MAX_CONCEPTS],
        language=query_language,
        truncated=truncated,
    )
    _situation(query, [vocabulary.concepts[s] for s in (*by_source, *markers)], vocabulary)
    return query


def _add_vocabulary_concept(concepts, by_source, compiled: CompiledConcept, covered, span):
    concept = by_source.get(compiled.slug)
    if concept is None:
        label = " ".join(w.text for w in span)
        concept = Concept(
            label,
            source=compiled.slug,
            weight=compiled.weight,
            categories=compiled.categories,
            target_groups=compiled.target_groups,
            services=frozenset(compiled.lines),
        )
        for terms in compiled.finds:
            concept.add(terms, SYNONYM, "vocabulary")
        by_source[compiled.slug] = concept
        concepts.append(concept)
    concept.words = (*concept.words, *covered)
    own = tuple(w.term for w in covered if w.term)
    if own:
        # The person's own words first: a listing that uses them comes before one that
        # only uses the vocabulary's words for the situation.
        concept.alternatives.insert(0, Alternative(own, EXACT, "phrase"))
        for w in covered:
            concept.add((w.term,), INFLECTED, "phrase word")


def _situation(query: ParsedQuery, matched: list[CompiledConcept], vocabulary: Vocabulary):
    """Who the person is, how urgent it is, and which lines an acute query shows first."""
    query.personas = {c.persona for c in matched if c.persona}
    if any(c.source == "age:child-self" for c in query.concepts):
        query.personas.add("child")
    recent = any(c.urgency == "recent" for c in matched)
    now = recent or any(c.urgency == "now" for c in matched)
    # A bare "nå" makes danger acute ("han slår meg nå"), but an assault is acute only when
    # it was recent ("i natt"): "hva gjør jeg nå" asks what to do, it does not say when.
    urgencies = {
        c.urgency
        for c in matched
        if c.urgency
        and c.urgency not in MARKERS
        and (c.acute_alone or recent or (now and c.urgency != "sexual_assault"))
    }
    about_a_child = any(c.source in ("age:child", "age:child-self") for c in query.concepts)
    if ("child" in query.personas and "at_risk" in query.personas) or (
        about_a_child and "danger" in urgencies
    ):
        # A child who is hurt or threatened, or in danger now, is a child in danger.
        urgencies.add("child_danger")
    query.urgencies = [u for u in URGENCY_ORDER if u in urgencies]
    lines: list[int] = []
    for urgency in query.urgencies:
        # The lines of the query's own situations, else of every situation this urgent.
        own = [c for c in matched if c.urgency == urgency and c.lines]
        for concept in own or vocabulary.by_urgency(urgency):
            lines.extend(pk for pk in concept.lines if pk not in lines)
    query.lines = lines


def _age(read: list[Word], index: int) -> Concept | None:
    """'80 år' is about an older person, '16 år' about a young one; 'jeg er 13' and "I'm 14"
    say the person searching is a child."""
    word = read[index].text
    if not (word.isascii() and word.isdigit()) or len(word) > 3:
        return None
    age = int(word)
    after = read[index + 1].text if index + 1 < len(read) else ""
    before = [w.text for w in read[max(0, index - 2) : index]]
    says_age = (
        after in _AGE_WORDS
        or (before and before[-1] in _BE | {"på", "pa"})
        or (before and before[-1] in {"i'm", "im"})
    )
    if not says_age:
        return None
    # "jeg er 13", "I'm 14", or an age the query opens with ("12 år og blir mobbet").
    self_age = (
        (len(before) >= 2 and before[-2] in _FIRST_PERSON and before[-1] in _BE)
        or (before and before[-1] in {"i'm", "im"})
        or index == 0
    )
    if 60 <= age < 130:
        groups, slug = ("eldre",), "age:older"
    elif 13 <= age < 18:
        groups, slug = ("ungdom",), "age:child-self" if self_age else "age:child"
    elif age < 13:
        groups, slug = ("barn",), "age:child-self" if self_age else "age:child"
    else:
        return None
    concept = Concept(
        f"{age}",
        source=slug,
        target_groups=frozenset(groups),
        # A child asking for help: the services for children and young people.
        categories=frozenset({"barn-og-unge"}) if slug == "age:child-self" else frozenset(),
        weight=3.0 if slug == "age:child-self" else 0.6,
    )
    for group in groups:
        concept.add((term(group, "nb"),), AGE, "age")
    if slug == "age:child-self":
        # A child reaching out wants someone to talk to who is there for children.
        concept.add((term("snakke", "nb"),), AGE, "age")
    return concept


def _merge_duplicates(concepts: list[Concept]) -> list[Concept]:
    seen: set = set()
    kept = []
    for concept in concepts:
        key = concept.source or concept.main.terms
        if key in seen:
            continue
        seen.add(key)
        kept.append(concept)
    return kept


# --- resolving against the index vocabulary -------------------------------------


def lookup_candidates(query: ParsedQuery) -> tuple[set[str], set[str]]:
    """The terms to look up in the vocabulary, and the prefixes to expand."""
    lookup: set[str] = set(query.all_terms())
    prefixes: set[str] = set()
    for concept in _plain(query):
        t = concept.main.terms[0]
        if len(t) >= 4 and not t.isdigit():
            prefixes.add(t)
        lookup.update(p for split in compound_splits(t) for p in split)
    plain = _plain(query)
    for a, b in zip(plain, plain[1:], strict=False):
        lookup.add(a.main.terms[0] + b.main.terms[0])
    return lookup, prefixes


def _plain(query: ParsedQuery) -> list[Concept]:
    return [c for c in query.concepts if not c.source and c.alternatives]


def compound_splits(t: str) -> list[tuple[str, str]]:
    """Ways to read a term as two words (``voldsutsatt`` → ``vold`` + ``utsatt``)."""
    splits = []
    for i in range(3, len(t) - 2):
        head, tail = t[:i], t[i:]
        splits.append((head, tail))
        # Linking letters: volds|utsatt, kvinne|helsehus, barne|vern.
        if head[-1] in "se" and len(head) > 3:
            splits.append((head[:-1], tail))
    return splits


def _knows(word: Word, vocabulary: Vocabulary) -> bool:
    """Is the word a real word: in a language's dictionary or in the search vocabulary?"""
    return word.folded in vocabulary.words or any(is_known(word.text, lang) for lang in LANGUAGES)


def resolve(
    query: ParsedQuery,
    index: dict[str, int],
    total: int,
    fuzzy,
    vocabulary: Vocabulary | None = None,
) -> None:
    """Add what the index tells to each concept; drop what the index cannot match.

    `index` maps every looked-up term (and every prefix expansion) the index knows to
    its document frequency; `fuzzy(terms)` returns, for unknown terms, their nearest
    known terms as ``{term: [(candidate, df, word), …]}``.
    """
    vocabulary = vocabulary or Vocabulary()
    total = max(total, 1)
    misspelled: list[Concept] = []
    for concept in _plain(query):
        t = concept.main.terms[0]
        for known in sorted(index):
            if known != t and known.startswith(t) and len(t) >= 4:
                weight = INFLECTED if len(known) - len(t) <= 3 else INFLECTED * 0.75
                concept.add((known,), weight, "prefix")
        if index.get(t, 0) >= 5:
            continue
        split = best_split(t, index)
        if split:
            concept.add(split, COMPOUND, "compound")
        elif (
            t not in index
            and not t.isdigit()
            and len(t) >= 4
            and not any(_knows(w, vocabulary) for w in concept.words)
        ):
            misspelled.append(concept)
    plain = _plain(query)
    for a, b in zip(plain, plain[1:], strict=False):
        joined = a.main.terms[0] + b.main.terms[0]
        if joined in index:
            a.add((joined,), JOINED, "joined")
            b.add((joined,), JOINED, "joined")
    if misspelled:
        near = fuzzy([c.main.terms[0] for c in misspelled])
        for concept in misspelled:
            found = near.get(concept.main.terms[0], [])
            for candidate, df, _word in found:
                index.setdefault(candidate, df)
                concept.add((candidate,), FUZZY, "fuzzy")
            if found:
                query.corrections[concept.label] = found[0][2] or display_word(found[0][0])
    for concept in query.concepts:
        concept.alternatives = [a for a in concept.alternatives if all(t in index for t in a.terms)]
        dfs = [min(index[t] for t in a.terms) for a in concept.alternatives]
        if dfs:
            df = dfs[0] if concept.alternatives[0].weight >= EXACT else max(dfs)
            idf = math.log(1 + total / (1 + df))
            idfs = [math.log(1 + total / (1 + d)) for d in dfs]
            top = max(idfs) or 1.0
            for alt, alt_idf in zip(concept.alternatives, idfs, strict=True):
                # A synonym most services share ("vold") says less than a rare one.
                alt.specificity = 0.6 + 0.4 * alt_idf / top
        else:
            idf = VOCABULARY_WEIGHT
        if concept.source and not concept.source.startswith("age:"):
            idf = max(idf, VOCABULARY_WEIGHT)
        concept.idf = min(max(idf, MIN_WEIGHT), MAX_WEIGHT) * concept.weight
    query.unknown = [c.label for c in query.concepts if not c.understood]
    query.concepts = [c for c in query.concepts if c.understood]


def best_split(t: str, index: dict[str, int]) -> tuple[str, str] | None:
    best = None
    for head, tail in compound_splits(t):
        if len(head) >= 3 and len(tail) >= 3 and head in index and tail in index:
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


def allowed_distance(t: str) -> int:
    return 1 if len(t) <= 6 else 2


def nearest(
    t: str, candidates: list[tuple[str, int, str]], keep: int = 2
) -> list[tuple[str, int, str]]:
    """The closest candidates within the allowed distance, most common first among equals
    (then alphabetical: the same answer on every database)."""
    limit = allowed_distance(t)
    scored = []
    for candidate, df, word in candidates:
        if candidate == t or len(candidate) < 4:
            continue
        distance = edit_distance(t, candidate, limit)
        if distance <= limit:
            scored.append((distance, -df, candidate, word))
    scored.sort()
    best = scored[0][0] if scored else 0
    return [(c, -negdf, w) for d, negdf, c, w in scored if d == best][:keep]


# --- scoring -------------------------------------------------------------------


@dataclass
class Document:
    """Where the query's terms occur in one indexed service: term → weight of the best field."""

    weights: dict[str, float]
    categories: frozenset[str] = frozenset()
    target_groups: frozenset[str] = frozenset()
    service_id: int | None = None

    @classmethod
    def from_strings(
        cls,
        name: str,
        tags: str,
        body: str,
        extra: str,
        wanted: set[str] | None = None,
        categories=(),
        target_groups=(),
        service_id: int | None = None,
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
            for t in terms if wanted is None else wanted.intersection(terms):
                weights[t] = max(weights.get(t, 0.0), weight)
        return cls(weights, frozenset(categories), frozenset(target_groups), service_id)


def term_match(concept: Concept, document: Document) -> float:
    """How well a document's words answer one concept, 0–1 (categories left out)."""
    weights = document.weights
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
    return best


def concept_match(concept: Concept, document: Document) -> float:
    """How well a document answers one concept, 0–1: its words, and its categories and
    target groups being the concept's."""
    value = term_match(concept, document)
    if concept.categories & document.categories:
        value += CATEGORY_CREDIT
    if concept.target_groups & document.target_groups:
        value += GROUP_CREDIT
    if document.service_id in concept.services:
        value += LINE_CREDIT
    return min(value / (1.0 + CATEGORY_CREDIT + GROUP_CREDIT), 1.0)


def score(query: ParsedQuery, document: Document) -> float:
    """How well a document answers the query, 0–1: the share of the query's meaning it covers."""
    total = sum(c.idf for c in query.concepts)
    if not total:
        return 0.0
    return sum(c.idf * concept_match(c, document) for c in query.concepts) / total
