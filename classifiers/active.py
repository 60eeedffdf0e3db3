"""Active learning: which unlabelled items would teach the model most if an analyst judged them."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from classifiers.model import Model

__all__ = ["Candidate", "uncertainty", "rank_scores", "rank_uncertain"]

Method = Literal["margin", "entropy"]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One unlabelled item with how unsure the model is about it (1 = coin toss)."""

    index: int
    id: str | None
    uncertainty: float
    top_label: str
    scores: dict[str, float]


def uncertainty(scores: dict[str, float], method: Method = "margin") -> float:
    """Uncertainty in [0, 1]: 1 − (top − second probability), or entropy / log(labels)."""
    probs = sorted(scores.values(), reverse=True)
    if len(probs) < 2:
        return 0.0
    if method == "margin":
        return 1.0 - (probs[0] - probs[1])
    if method == "entropy":
        total = -sum(p * math.log(p) for p in probs if p > 0)
        return total / math.log(len(probs))
    raise ValueError(f"unknown uncertainty method {method!r}; use 'margin' or 'entropy'")


def rank_scores(
    scores: Sequence[dict[str, float]],
    ids: Sequence[str] | None = None,
    *,
    method: Method = "margin",
    limit: int | None = None,
) -> list[Candidate]:
    """Most uncertain first (ties keep input order) from precomputed label scores."""
    if ids is not None and len(ids) != len(scores):
        raise ValueError(f"{len(scores)} score rows but {len(ids)} ids")
    candidates = [
        Candidate(
            index=i,
            id=ids[i] if ids is not None else None,
            uncertainty=uncertainty(row, method),
            top_label=max(row, key=lambda label: row[label]),
            scores=dict(row),
        )
        for i, row in enumerate(scores)
    ]
    candidates.sort(key=lambda c: (-c.uncertainty, c.index))
    return candidates if limit is None else candidates[:limit]


def rank_uncertain(
    model: Model,
    texts: Sequence[str],
    ids: Sequence[str] | None = None,
    *,
    method: Method = "margin",
    limit: int | None = None,
) -> list[Candidate]:
    """Score ``texts`` with ``model`` and rank them most uncertain first."""
    return rank_scores(model.predict_proba(texts), ids, method=method, limit=limit)
