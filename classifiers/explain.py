"""Exact linear explanations: which phrases of a text pushed it toward a label.

A feature's contribution is its TF-IDF value times the label's composed coefficient (against
the mean of the other labels). Syllable and word n-grams are phrases already; character
n-gram contributions are shared out over their occurrences and credited to the token that
holds them, so "lừa đảo" and "lừaaa" both light up as words a reader can see.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from classifiers.features import Gram, prepare

if TYPE_CHECKING:
    from classifiers.model import Evidence, Model

__all__ = ["explain_linear"]

_EDGE_PUNCT = re.compile(r"^\W+|\W+$")


def _token_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a character n-gram's span to its whitespace token, minus edge punctuation."""
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    token = text[start:end]
    stripped = _EDGE_PUNCT.sub("", token)
    if not stripped:
        return start, end
    offset = token.find(stripped)
    return start + offset, start + offset + len(stripped)


def _contributions(model: Model, text: str, label: str) -> dict[int, float]:
    row = model.featurizer.transform([text])
    direction = model.direction(label)
    return {
        int(j): float(v) * float(direction[j])
        for j, v in zip(row.indices, row.data, strict=True)
    }


def _credit(
    text: str, grams: list[Gram], contrib: dict[int, float], index_of: dict[Gram, int]
) -> dict[str, list[float | int]]:
    """Sum contributions per phrase (lower-cased), remembering each phrase's first span."""
    occurrences: dict[int, list[Gram]] = defaultdict(list)
    for gram in grams:
        j = index_of[gram]
        if j in contrib:
            occurrences[j].append(gram)
    phrases: dict[str, list[float | int]] = {}
    for j, found in occurrences.items():
        share = contrib[j] / (len(found) if found[0].block == "char" else 1)
        spans = [_token_span(text, g.start, g.end) if g.block == "char" else (g.start, g.end)
                 for g in found]
        if found[0].block != "char":
            spans = spans[:1]  # a phrase feature counts once, credited to its first occurrence
        for start, end in spans:
            key = text[start:end].lower()
            entry = phrases.setdefault(key, [0.0, start, end])
            entry[0] = float(entry[0]) + share
            if start < int(entry[1]):
                entry[1], entry[2] = start, end
    return phrases


def explain_linear(model: Model, text: str, label: str, top: int = 8) -> list[Evidence]:
    """The ``top`` phrases with the largest positive push toward ``label``."""
    from classifiers.model import Evidence

    prepared = prepare(text, None, model.featurizer.config.title_repeat)
    contrib = _contributions(model, prepared, label)
    grams = model.featurizer.spans(prepared)
    index_of = {gram: model.featurizer.feature_index(gram) for gram in set(grams)}
    phrases = _credit(prepared, grams, contrib, index_of)
    ranked = sorted(
        ((float(w), int(s), int(e)) for w, s, e in phrases.values() if float(w) > 0),
        key=lambda item: (-item[0], item[1]),
    )
    return [
        Evidence(phrase=prepared[s:e], weight=round(w, 6), start=s, end=e)
        for w, s, e in ranked[: max(0, top)]
    ]


