"""Claims and fact retrieval: the sentences carrying the classifier's evidence, and the facts
that answer them ranked by BM25 over accent-free syllables and syllable pairs."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..text.normalize import fold_key, normalize_text
from ..text.stopwords import STOP
from .facts import Fact

K1 = 1.2
B = 0.75
# A fact answers a claim when its score reaches MIN_SCORE and half the best fact's score
# (tuned on the example base: an unrelated claim scores under 4 against it).
MIN_SCORE = 8.0
RELATIVE = 0.5
TOP_FACTS = 3
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”'»)]*\s+(?=[\"“'«(]?[A-ZÀ-Ỹ0-9Đ])|\n+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class Claim:
    """One sentence of the story carrying evidence phrases."""

    sentence: str
    phrases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Scored:
    """A fact retrieved for a claim, with its BM25 score."""

    fact: Fact
    score: float


def sentences(text: str) -> list[str]:
    """The text's sentences (normalised), in order."""
    parts = _SENTENCE_END.split(normalize_text(text))
    return [p.strip() for p in parts if p and p.strip()]


def extract_claims(title: str, text: str, phrases: Iterable[str]) -> list[Claim]:
    """Sentences of the title and body that contain at least one evidence phrase."""
    keys = [(p, fold_key(p)) for p in dict.fromkeys(phrases) if fold_key(p).strip()]
    out: list[Claim] = []
    for sentence in [normalize_text(title), *sentences(text)]:
        folded = f" {' '.join(_WORD.findall(fold_key(sentence)))} "
        found = tuple(p for p, k in keys if f" {' '.join(_WORD.findall(k))} " in folded)
        if found and sentence not in {c.sentence for c in out}:
            out.append(Claim(sentence, found))
    return out


def terms(text: str) -> list[str]:
    """Retrieval terms: accent-free syllables (stop syllables dropped) and syllable pairs."""
    words = [w for w in _WORD.findall(fold_key(text)) if not w.isdigit()]
    singles = [w for w in words if w not in STOP and len(w) > 1]
    pairs = [f"{a}_{b}" for a, b in zip(words, words[1:], strict=False)]
    return singles + pairs


class FactIndex:
    """BM25 over the facts' statements and topics."""

    def __init__(self, facts: Sequence[Fact]) -> None:
        self.facts = list(facts)
        self.docs = [Counter(terms(f"{f.statement} {' '.join(f.topics)}")) for f in self.facts]
        self.avg_len = sum(sum(d.values()) for d in self.docs) / max(len(self.docs), 1)
        df: Counter[str] = Counter()
        for doc in self.docs:
            df.update(doc.keys())
        n = len(self.docs)
        self.idf = {t: math.log(1 + (n - c + 0.5) / (c + 0.5)) for t, c in df.items()}

    def score(self, query: str) -> list[Scored]:
        """Every fact with a positive score for ``query``, best first."""
        q = set(terms(query))
        out = []
        for fact, doc in zip(self.facts, self.docs, strict=True):
            length = sum(doc.values())
            total = 0.0
            for term in q & doc.keys():
                tf = doc[term]
                norm = tf + K1 * (1 - B + B * length / max(self.avg_len, 1e-9))
                total += self.idf[term] * tf * (K1 + 1) / norm
            if total > 0:
                out.append(Scored(fact, round(total, 3)))
        return sorted(out, key=lambda s: (-s.score, s.fact.id))

    def answer(
        self, claim: str, top: int = TOP_FACTS, min_score: float = MIN_SCORE
    ) -> list[Scored]:
        """The facts good enough to answer a claim (at most ``top``)."""
        ranked = self.score(claim)
        if not ranked:
            return []
        floor = max(min_score, ranked[0].score * RELATIVE)
        return [s for s in ranked if s.score >= floor][:top]
