"""Exact linear explanations turned into phrases a reader can see in the text.

A feature's contribution is its value in the item's row times the label's composed
coefficient (against the mean of the other labels). Every n-gram occurrence shares its
feature's contribution out over the syllables it covers (punctuation earns nothing), so each
syllable ends with a credit. Syllables are grouped into dictionary words (the featurizer's
lexicon segmentation; adjacent capitalised syllables form one name such as "Lạng Sơn"), so a
phrase never cuts a word in two. Evidence phrases are runs of adjacent words with positive
credit inside one clause: a run never crosses punctuation or a line break, never starts or
ends with a function word (``stopwords.STOPWORDS``; a weak one may bridge two strong words),
and one longer than ``MAX_RUN`` syllables is cut into its strongest windows of at most
``MAX_WINDOW``. Adjacent evidence is therefore merged into one phrase, and a phrase's weight is
the sum of its syllables' credit; repeats of the same phrase add up under its first span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from classifiers.features import Featurizer, prepare, segment_words
from classifiers.stopwords import is_stopword

__all__ = [
    "Evidence",
    "Linear",
    "explain_linear",
    "syllable_credit",
    "phrases_from_credit",
    "MAX_WINDOW",
    "MAX_RUN",
]

MAX_WINDOW = 4  # syllables in one evidence window
MAX_RUN = 5  # a run of adjacent evidence up to this long is kept whole (merged)
# Syllables for explanations: a number keeps its thousands separators ("48.000").
_UNIT = re.compile(r"\d+(?:[.,]\d+)+|\w+")


@dataclass(frozen=True, slots=True)
class Evidence:
    """A phrase of the (normalised) text that pushed the item toward a label."""

    phrase: str
    weight: float
    start: int
    end: int


class Linear(Protocol):
    """What an explanation needs of a model: its features and each label's direction."""

    featurizer: Featurizer

    def direction(self, label: str) -> np.ndarray: ...


def _units(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in _UNIT.finditer(text)]


def syllable_credit(
    model: Linear, text: str, label: str
) -> tuple[list[tuple[int, int]], np.ndarray]:
    """Syllable spans of prepared ``text`` and each one's share of the push toward ``label``."""
    row = model.featurizer.transform([text])
    direction = model.direction(label)
    contrib = {
        int(j): float(v) * float(direction[j]) for j, v in zip(row.indices, row.data, strict=True)
    }
    units = _units(text)
    credit = np.zeros(len(units))
    if not units or not contrib:
        return units, credit
    owner = np.full(len(text) + 1, -1, dtype=np.int64)
    for i, (start, end) in enumerate(units):
        owner[start:end] = i
    found: dict[int, list[np.ndarray]] = {}
    for gram in model.featurizer.spans(text):
        j = model.featurizer.feature_index(gram)
        if j not in contrib:
            continue
        covered = np.unique(owner[gram.start : gram.end])
        found.setdefault(j, []).append(covered[covered >= 0])
    for j, occurrences in found.items():
        # A feature's weight is shared by its occurrences, each over the syllables it covers.
        share = contrib[j] / len(occurrences)
        for covered in occurrences:
            if covered.size:
                credit[covered] += share / covered.size
    return units, credit


def _joined(text: str, left: tuple[int, int], right: tuple[int, int]) -> bool:
    """True when two syllables sit in one clause: only spaces between them."""
    gap = text[left[1] : right[0]]
    return gap != "" and gap.isspace() and "\n" not in gap


@dataclass(frozen=True, slots=True)
class _Word:
    """A dictionary word (one to three syllables) with its span and summed credit."""

    start: int
    end: int
    credit: float
    syllables: int
    function: bool


def _words(text: str, units: list[tuple[int, int]], credit: np.ndarray) -> list[list[_Word]]:
    """Clauses of the text, each a list of dictionary words (greedy lexicon match)."""
    clauses: list[list[int]] = []
    for i in range(len(units)):
        if clauses and _joined(text, units[clauses[-1][-1]], units[i]):
            clauses[-1].append(i)
        else:
            clauses.append([i])
    out = []
    for clause in clauses:
        raw = [text[units[i][0] : units[i][1]] for i in clause]
        low = [syllable.lower() for syllable in raw]
        words = []
        for a, b in _names(raw, low):
            idx = clause[a:b]
            function = all(is_stopword(s) for s in low[a:b])
            words.append(
                _Word(
                    units[idx[0]][0], units[idx[-1]][1], float(credit[idx].sum()), b - a, function
                )
            )
        out.append(words)
    return out


def _names(raw: list[str], low: list[str]) -> list[tuple[int, int]]:
    """Lexicon words, with runs of capitalised one-syllable words joined as one name
    ("Lạng Sơn", "Hữu Nghị"), which the lexicon does not list."""
    out: list[tuple[int, int]] = []
    for a, b in segment_words(low):
        capital = b - a == 1 and raw[a][:1].isupper()
        if (
            capital
            and out
            and out[-1][1] == a
            and raw[out[-1][0]][:1].isupper()
            and all(raw[i][:1].isupper() for i in range(*out[-1]))
            and out[-1][1] - out[-1][0] < 3
        ):
            out[-1] = (out[-1][0], b)
        else:
            out.append((a, b))
    return out


def _runs(clause: list[_Word]) -> list[list[_Word]]:
    """Maximal runs of positive words; a weak function word may bridge two of them."""
    runs: list[list[_Word]] = []
    current: list[_Word] = []
    for i, word in enumerate(clause):
        if word.credit > 0:
            current.append(word)
            continue
        after = clause[i + 1] if i + 1 < len(clause) else None
        if (
            current
            and after is not None
            and after.credit > 0
            and word.function
            and -word.credit < min(current[-1].credit, after.credit)
            and _size([*current, word, after]) <= MAX_RUN
        ):
            current.append(word)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _trim(run: list[_Word]) -> list[_Word]:
    """Drop function words from both ends; nothing is left when every word is one."""
    lo, hi = 0, len(run)
    while lo < hi and run[lo].function:
        lo += 1
    while hi > lo and run[hi - 1].function:
        hi -= 1
    return run[lo:hi]


def _size(run: list[_Word]) -> int:
    return sum(w.syllables for w in run)


def _best_window(run: list[_Word]) -> tuple[int, int]:
    """Strongest sub-run of at most MAX_WINDOW syllables with content words at both ends."""
    best = (float("-inf"), 0, 1)
    for a in range(len(run)):
        for b in range(a + 1, len(run) + 1):
            if _size(run[a:b]) > MAX_WINDOW and b > a + 1:
                break
            if run[a].function or run[b - 1].function:
                continue
            score = sum(w.credit for w in run[a:b])
            if score > best[0]:
                best = (score, a, b)
    return best[1], best[2]


def _split(run: list[_Word]) -> list[list[_Word]]:
    """A run as evidence phrases: whole when short, else its strongest windows in turn."""
    run = _trim(run)
    if not run:
        return []
    if _size(run) <= MAX_RUN:
        return [run]
    a, b = _best_window(run)
    return _split(run[:a]) + [run[a:b]] + _split(run[b:])


def phrases_from_credit(
    text: str, units: list[tuple[int, int]], credit: np.ndarray
) -> list[tuple[float, int, int]]:
    """(weight, start, end) of every evidence phrase, repeats summed, strongest first."""
    merged: dict[str, list[float | int]] = {}
    for clause in _words(text, units, credit):
        for run in _runs(clause):
            for part in _split(run):
                start, end = part[0].start, part[-1].end
                entry = merged.setdefault(text[start:end].lower(), [0.0, start, end])
                entry[0] = float(entry[0]) + sum(w.credit for w in part)
    ranked = [(float(w), int(s), int(e)) for w, s, e in merged.values() if float(w) > 0]
    return sorted(ranked, key=lambda item: (-item[0], item[1]))


def explain_linear(model: Linear, text: str, label: str, top: int = 8) -> list[Evidence]:
    """The ``top`` phrases with the largest positive push toward ``label``."""

    prepared = prepare(text, None, model.featurizer.config.title_repeat)
    units, credit = syllable_credit(model, prepared, label)
    return [
        Evidence(phrase=prepared[s:e], weight=round(w, 6), start=s, end=e)
        for w, s, e in phrases_from_credit(prepared, units, credit)[: max(0, top)]
    ]
