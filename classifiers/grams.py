"""N-gram extractors over lower-cased normalised text: syllables, characters (inside tokens or
across them), dictionary words (greedy longest match against underthesea's bundled Viet74K
list) and, for measurement only, underthesea CRF words. Each returns feature strings, or
``Gram`` records with spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from classifiers.errors import ClassifierError
from monitor.text.normalize import normalize_line

__all__ = [
    "EXTRACTORS", "FeatureError", "Gram", "lower_same_length", "segment_words", "char_grams_of",
]

# Syllables, plus runs of punctuation or symbols ("!!!", "?", emoji) which carry tone.
_SYLLABLE = re.compile(r"\w+|[^\w\s]+")


class FeatureError(ClassifierError):
    """A configured feature block cannot be built (e.g. its word list is missing)."""


_TOKEN = re.compile(r"\S+")


@dataclass(frozen=True, slots=True)
class Gram:
    """One n-gram occurrence: the feature string and its span in the prepared text."""

    block: str
    feature: str
    start: int
    end: int


def lower_same_length(text: str) -> str:
    """Lower-case ``text`` keeping every character at its index (so spans stay valid)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    # A few characters (e.g. "İ") lower to two code points; keep those as they are.
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _syllable_grams(low: str, lo: int, hi: int, spans: bool) -> Iterable[Gram] | list[str]:
    if not spans:
        tokens = _SYLLABLE.findall(low)
        out = tokens[:] if lo <= 1 else []
        for n in range(max(lo, 2), hi + 1):
            out += [" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
        return out
    matches = list(_SYLLABLE.finditer(low))
    grams = []
    for n in range(lo, hi + 1):
        for i in range(len(matches) - n + 1):
            words = matches[i : i + n]
            feature = " ".join(m.group() for m in words)
            grams.append(Gram("syl", feature, words[0].start(), words[-1].end()))
    return grams


def char_grams_of(token: str, lo: int, hi: int) -> list[str]:
    """Character n-grams of one whitespace token, padded with a space at both ends."""
    padded = f" {token} "
    return [padded[i : i + n] for n in range(lo, hi + 1) for i in range(len(padded) - n + 1)]


def _char_grams(low: str, lo: int, hi: int, spans: bool) -> Iterable[Gram] | list[str]:
    out: list[str] = []
    grams: list[Gram] = []
    for match in _TOKEN.finditer(low):
        padded = f" {match.group()} "
        size = len(padded)
        for n in range(lo, hi + 1):
            if not spans:
                out += [padded[i : i + n] for i in range(size - n + 1)]
                continue
            for i in range(size - n + 1):
                # Padding spaces sit outside the token: clamp the span to the token itself.
                start = match.start() + max(i - 1, 0)
                end = match.start() + min(i + n - 1, size - 2)
                grams.append(Gram("char", padded[i : i + n], start, end))
    return grams if spans else out


def _cross_char_grams(low: str, lo: int, hi: int, spans: bool) -> Iterable[Gram] | list[str]:
    # Across word boundaries ("n gấp" ties a syllable to its neighbour); no per-token cache is
    # possible, hence about half the speed of token-bound character n-grams.
    if not spans:
        return [low[i : i + n] for n in range(lo, hi + 1) for i in range(len(low) - n + 1)]
    return [Gram("xchar", low[i : i + n], i, i + n)
            for n in range(lo, hi + 1) for i in range(len(low) - n + 1)]


def _word_grams(low: str, lo: int, hi: int, spans: bool) -> Iterable[Gram] | list[str]:
    from underthesea import word_tokenize  # slow; loaded only when the block is configured

    words = [w.replace(" ", "_") for w in word_tokenize(low)]
    out: list[str] = []
    for n in range(lo, hi + 1):
        out += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    if not spans:
        return out
    grams = []
    for feature in out:
        phrase = feature.replace("_", " ")
        start = low.find(phrase)
        if start >= 0:
            grams.append(Gram("word", feature, start, start + len(phrase)))
    return grams


@lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], dict[str, int]]:
    """Multi-syllable words of underthesea's bundled Viet74K list, and each first syllable's
    longest word length (so most syllables are settled by one dict lookup)."""
    from importlib import resources

    try:
        text = (resources.files("underthesea") / "corpus" / "data" / "Viet74K.txt").read_text(
            encoding="utf-8"
        )
    except (ModuleNotFoundError, OSError) as exc:
        raise FeatureError(f"underthesea's Viet74K word list is not installed: {exc}") from exc
    words = frozenset(
        w for w in (normalize_line(line).lower() for line in text.splitlines())
        if " " in w and w.count(" ") < _MAX_WORD
    )
    longest: dict[str, int] = {}
    for word in words:
        parts = word.split(" ")
        longest[parts[0]] = max(longest.get(parts[0], 0), len(parts))
    return words, longest


_MAX_WORD = 4


def _segment(tokens: list[str]) -> list[tuple[int, int]]:
    """Greedy longest match of syllables against the lexicon: (first, last + 1) token index."""
    words, longest = _lexicon()
    out = []
    i = 0
    total = len(tokens)
    while i < total:
        size = 1
        for n in range(min(longest.get(tokens[i], 1), total - i), 1, -1):
            if " ".join(tokens[i : i + n]) in words:
                size = n
                break
        out.append((i, i + size))
        i += size
    return out


def segment_words(syllables: list[str]) -> list[tuple[int, int]]:
    """Dictionary words of lower-cased syllables, as (first, last + 1) index pairs."""
    return _segment(syllables)


def _dict_word_grams(low: str, lo: int, hi: int, spans: bool) -> Iterable[Gram] | list[str]:
    matches = list(_SYLLABLE.finditer(low)) if spans else []
    tokens = [m.group() for m in matches] if spans else _SYLLABLE.findall(low)
    bounds = _segment(tokens)
    words = ["_".join(tokens[a:b]) if b - a > 1 else tokens[a] for a, b in bounds]
    out = words[:] if lo <= 1 else []
    for n in range(max(lo, 2), hi + 1):
        out += [" ".join(words[i : i + n]) for i in range(len(words) - n + 1)]
    if not spans:
        return out
    grams = []
    k = 0
    for n in range(lo, hi + 1):
        for i in range(len(words) - n + 1):
            start = matches[bounds[i][0]].start()
            end = matches[bounds[i + n - 1][1] - 1].end()
            grams.append(Gram("dword", out[k], start, end))
            k += 1
    return grams


EXTRACTORS = {
    "syl": _syllable_grams, "char": _char_grams, "xchar": _cross_char_grams,
    "dword": _dict_word_grams, "word": _word_grams,
}
