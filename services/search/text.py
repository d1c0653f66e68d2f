"""Turning text into index terms: the one place both the index and the query use.

Everything here is pure Python and shared by both database backends, so a word
becomes the same term whether it is indexed on SQLite or PostgreSQL, typed by a
resident, or written in the synonym file:

* fold: lower case, ``æ/ø/å`` written as ``ae/oe/aa`` (what people type on a
  foreign keyboard), other accents dropped;
* tokenise on letters and digits;
* stem with Snowball's Norwegian stemmer, then a few light rules so that
  singular and plural forms Snowball leaves apart meet (``krisesenter``,
  ``krisesenteret``, ``krisesentre``; ``trussel``, ``trusler``;
  ``barndom``, ``barndommen``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ß": "ss"})
_TOKEN_RE = re.compile(r"[a-z0-9]+")
_COMBINING_RE = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_VOWELS = "aeiouy"
_STEMMER = snowballstemmer.stemmer("norwegian")

# Longest token we index or look up; longer runs are noise (hashes, pasted URLs).
MAX_TOKEN_LENGTH = 40


def fold(text: str) -> str:
    """Lower-case, ``æøå`` → ``ae oe aa``, other diacritics dropped."""
    text = text.lower().translate(_FOLD)
    if text.isascii():
        return text
    return _COMBINING_RE.sub("", unicodedata.normalize("NFKD", text))


def tokens(text: str) -> list[str]:
    """Folded words and numbers, in order."""
    return [t for t in _TOKEN_RE.findall(fold(text)) if len(t) <= MAX_TOKEN_LENGTH]


@lru_cache(maxsize=200_000)
def stem(token: str) -> str:
    """The index term for one folded token."""
    if token.isdigit() or len(token) <= 3:
        return token
    term = _STEMMER.stemWord(token)
    # A second pass takes the definite ending Snowball leaves after the first
    # (krisesenteret → krisesenter → krisesent, samboeren → samboer → sambo).
    again = _STEMMER.stemWord(term)
    if len(again) >= 3:
        term = again
    # -el / -l: trussel ~ trusl(er), rusmiddel ~ rusmidl(er), fengsel ~ fengsl(er).
    if len(term) > 4 and term.endswith("el") and term[-3] not in _VOWELS:
        term = term[:-2] + "l"
    # -er / -re: senter ~ sentr(e), teater ~ teatr(e): drop r after two consonants.
    if len(term) > 4 and term[-1] == "r" and term[-2] not in _VOWELS and term[-3] not in _VOWELS:
        term = term[:-1]
    # A doubled consonant at the end: barndomm(en) ~ barndom, trussl ~ trusl.
    if len(term) > 5 and term[-1] == term[-2] and term[-1] not in _VOWELS:
        term = term[:-1]
    if len(term) > 4 and term[-1] == "l" and term[-2] == term[-3] and term[-2] not in _VOWELS:
        term = term[:-2] + "l"
    return term


def terms(text: str, stop_words: frozenset[str] = frozenset()) -> list[str]:
    """The index terms of a text, stop words left out, in order (repeats kept)."""
    return [stem(t) for t in tokens(text) if t not in stop_words]
