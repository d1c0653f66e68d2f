"""Turning text into index terms: the one place both the index and the query use.

Everything here is pure Python and shared by both database backends, so a word
becomes the same term whether it is indexed on SQLite or PostgreSQL, typed by a
resident, or written in the coordinators' vocabulary. A word is read *in its
language* — bokmål (``nb``), nynorsk (``nn``) or English (``en``):

* split into words (letters and digits; ``I'm``, ``don't`` stay one word);
* stop words of that language left out (bokmål and nynorsk share one list with
  the dialect words people write, ``æ``, ``e``, ``mæ``, ``ikkje``);
* reduced to its lemma with simplemma, which ships dictionaries for all three
  (``slegen`` → ``slå``, ``borna`` → ``barn``, ``threatening`` → ``threaten``);
  its rules split unknown compounds the same way on both sides
  (``overgrepsmottaket`` → ``overgrepsmottak``); a Norwegian word no
  dictionary knows is read as bokmål, as the index reads its texts;
* folded (lower case, ``æ/ø/å`` as ``ae/oe/aa``, other accents dropped).

No stemmer: an English word never goes through Norwegian rules (``temper`` and
``temporary`` stay apart), and a lemma is a real word that can be shown.

`display_word(term)` gives the readable word behind a term (the lemma it came
from), for "Mente du …?" and "Vi forstod ikke …".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import simplemma

HERE = Path(__file__).resolve().parent
STOPWORDS_FILE = HERE / "stopwords.txt"

LANGUAGES = ("nb", "nn", "en")
NORWEGIAN = ("nb", "nn")

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ß": "ss"})
_WORD_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_TERM_CHARS_RE = re.compile(r"[^a-z0-9]+")
_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")

# Longest word we index or look up; longer runs are noise (hashes, pasted URLs).
MAX_TOKEN_LENGTH = 40


def fold(text: str) -> str:
    """Lower-case, ``æøå`` → ``ae oe aa``, other diacritics dropped."""
    text = text.lower().translate(_FOLD)
    if text.isascii():
        return text
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


def words(text: str) -> list[str]:
    """The words of a text in lower case, in order (æøå kept: the lemmatiser needs them)."""
    text = unicodedata.normalize("NFC", text or "").lower()
    return [w.replace("’", "'") for w in _WORD_RE.findall(text) if len(w) <= MAX_TOKEN_LENGTH]


def _section_words(text: str) -> dict[str, frozenset[str]]:
    sections: dict[str, set[str]] = {}
    current = "nb"
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1].strip()
            continue
        for word in line.split():
            sections.setdefault(current, set()).add(fold(word.replace("’", "'")))
    return {k: frozenset(v) for k, v in sections.items()}


@lru_cache(maxsize=1)
def _stop_words() -> dict[str, frozenset[str]]:
    sections = _section_words(STOPWORDS_FILE.read_text(encoding="utf-8"))
    norwegian = sections.get("nb", frozenset()) | sections.get("nn", frozenset())
    norwegian |= sections.get("dialect", frozenset())
    return {"nb": norwegian, "nn": norwegian, "en": sections.get("en", frozenset())}


def stop_words(language: str) -> frozenset[str]:
    """The folded stop words of a language (bokmål and nynorsk share theirs)."""
    return _stop_words()["en" if language == "en" else "nb"]


# The readable word behind each term seen by this process (the first lemma that gave it).
_DISPLAY: dict[str, str] = {}


@lru_cache(maxsize=200_000)
def lemma(word: str, language: str) -> str:
    """The dictionary form of a lower-case word in a language (the word itself if unknown)."""
    if word.isdigit():
        return word
    found = simplemma.lemmatize(word, lang=language)
    return found.lower() if found else word


@lru_cache(maxsize=200_000)
def term(word: str, language: str) -> str:
    """The index term of one lower-case word read in `language` ("" if nothing is left)."""
    base = lemma(word, language)
    folded = _TERM_CHARS_RE.sub("", fold(base))
    if not folded:
        return ""
    result = folded[:MAX_TOKEN_LENGTH]
    _DISPLAY.setdefault(result, base)
    return result


def display_word(term_: str) -> str:
    """A readable word for a term (the lemma it was made from), or the term itself."""
    return _DISPLAY.get(term_, term_)


def is_known(word: str, language: str) -> bool:
    """Does the language's dictionary know the word (as it is written)?"""
    return bool(word) and simplemma.is_known(word, lang=language)


def terms(text: str, language: str) -> list[str]:
    """The index terms of a text in a language, stop words left out (repeats kept). Each
    word is read as a query word is (`word_language`): a Norwegian name in an English text
    ("Krisesenteret i Stavanger (crisis shelter)") is read as Norwegian."""
    out = []
    for word in words(text):
        lang = word_language(word, language)
        if fold(word) in stop_words(lang):
            continue
        t = term(word, lang)
        if t:
            out.append(t)
    return out


# --- reading a query ------------------------------------------------------------

# Words that only nynorsk or dialect writers use: they tip a query towards nynorsk.
_NYNORSK_MARKERS = frozenset(
    [
        "eg",
        "ikkje",
        "kva",
        "kven",
        "korleis",
        "kvifor",
        "kor",
        "ka",
        "æ",
        "mæ",
        "dæ",
        "sæ",
        "heime",
        "berre",
        "noko",
        "nokon",
        "mykje",
        "vert",
        "vart",
        "blei",
        "frå",
        "òg",
        "kjem",
        "gjer",
        "no",
    ]
)


@dataclass(frozen=True)
class Word:
    """One word of a query: as typed, the language it was read in, and its term."""

    text: str
    language: str
    term: str
    stop: bool

    @property
    def folded(self) -> str:
        return fold(self.text)


def query_language(query_words: list[str], site_language: str) -> str:
    """The language a query is written in: the site's, unless its words say otherwise."""
    site = site_language if site_language in LANGUAGES else "nb"
    if not query_words:
        return site
    score = dict.fromkeys(LANGUAGES, 0.0)
    score[site] += 0.75
    for word in query_words:
        for lang in LANGUAGES:
            if fold(word) in stop_words(lang) or is_known(word, lang):
                score[lang] += 1.0
        if word in _NYNORSK_MARKERS:
            score["nn"] += 1.0
    best = max(LANGUAGES, key=lambda lang: (score[lang], lang == site))
    return best


@lru_cache(maxsize=200_000)
def word_language(word: str, language: str) -> str:
    """The language to read one word in: the query's if it knows the word, else the first
    of the others that does (an English word in a Norwegian query, or the other way)."""
    if is_known(word, language) or fold(word) in stop_words(language):
        return language
    others = [lang for lang in LANGUAGES if lang != language]
    if language in NORWEGIAN:
        others.sort(key=lambda lang: lang == "en")  # the other Norwegian first
    for lang in others:
        if is_known(word, lang):
            return lang
    # A word no dictionary knows (a compound, a name) is read as the index reads its
    # texts: bokmål for a Norwegian query, so that both sides split it alike.
    return "nb" if language in NORWEGIAN else language


def read_query(text: str, site_language: str) -> tuple[str, list[Word]]:
    """The query's language and its words, each read in its own language."""
    query_words = words(text)
    language = query_language(query_words, site_language)
    read = []
    for word in query_words:
        lang = word_language(word, language)
        read.append(Word(word, lang, term(word, lang), fold(word) in stop_words(lang)))
    return language, read


def warm_up() -> None:
    """Load the dictionaries of every language now (about 1.5 s), not on a first search."""
    for language in LANGUAGES:
        simplemma.lemmatize("hus", lang=language)
        simplemma.is_known("hus", language)
