"""Signals beside the n-gram weights: nearest labelled examples and writing style.

The linear model scores what an item *says* (its n-grams). Two cheap signals add what it is
*like*, and the calibrator weighs all three together on out-of-fold data (stacking):

- ``Neighbours``: for each label, the highest and the mean of the five highest similarities
  (dot products of the featurizer's rows, one cosine per feature block) to training items of
  that label. An item that repeats a known example almost word for word scores high whatever
  its single n-grams weigh.
- style: nine measures of how a text is written (length, share of capitals, ``!`` and ``?``,
  digits, links, emoji and symbols, hashtags, line breaks), standardised on the training
  items and clipped to ±3 standard deviations, so that text far longer or louder than anything
  seen in training cannot push a score without bound.

Measured in BENCHMARKS.md ("Classifier quality"): appended to the n-gram features these
signals did nothing; stacked in the calibrator they gave the largest gains of any fast step.
A model learns the style weights from its own training items: the seed corpus's items are mostly
short single paragraphs, so the seed model's weights on length and line breaks are crude for
real articles (clipping bounds them); a model retrained on analysts' verdicts learns them from
real articles.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

__all__ = ["Neighbours", "Signals", "STYLE_NAMES", "style_features", "signal_names"]

STYLE_NAMES = (
    "length", "capitals", "exclamations", "questions", "digits", "links", "symbols",
    "hashtags", "lines",
)
NEIGHBOURS = 5
CLIP = 3.0
SNIPPET = 160
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
# Symbols and emoji (Unicode "So"): the arrows, pictographs and dingbats blocks.
_SYMBOL = re.compile("[\u2190-\u21ff\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff]")
_BATCH = 512


def style_features(texts: Sequence[str]) -> np.ndarray:
    """Raw style measures of normalised texts, one row per text (``STYLE_NAMES`` order)."""
    rows = np.zeros((len(texts), len(STYLE_NAMES)))
    for i, text in enumerate(texts):
        letters = sum(map(str.isalpha, text))
        rows[i] = (
            math.log1p(len(text)),
            sum(map(str.isupper, text)) / max(1, letters),
            math.log1p(text.count("!")),
            math.log1p(text.count("?")),
            sum(map(str.isdigit, text)) / max(1, len(text)),
            math.log1p(len(_URL.findall(text))),
            math.log1p(len(_SYMBOL.findall(text))),
            math.log1p(text.count("#")),
            math.log1p(text.count("\n")),
        )
    return rows


@dataclass(slots=True)
class Neighbours:
    """Training rows and their labels, for similarity features and for explanations."""

    matrix: sparse.csr_matrix  # (training items × features), float32
    labels: np.ndarray  # label index of each row
    snippets: list[str]  # the first characters of each training text, for explanations
    n_labels: int

    def similarities(self, x: sparse.csr_matrix) -> np.ndarray:
        """Dense (items × training items) similarities."""
        return np.asarray((x @ self.matrix.T).toarray(), dtype=np.float64)

    def features(self, x: sparse.csr_matrix, leave_one_out: bool = False) -> np.ndarray:
        """Per label: best and mean top-5 similarity (2 columns per label).

        ``leave_one_out`` (the training rows themselves, in order) ignores each row's own
        similarity, so that training items see what a new item would see.
        """
        out = np.zeros((x.shape[0], 2 * self.n_labels))
        for start in range(0, x.shape[0], _BATCH):
            sims = self.similarities(x[start : start + _BATCH])
            if leave_one_out:
                rows = np.arange(sims.shape[0])
                sims[rows, rows + start] = -np.inf
            for k in range(self.n_labels):
                cols = sims[:, self.labels == k]
                if cols.shape[1] == 0:
                    continue
                top = min(NEIGHBOURS, cols.shape[1])
                best = -np.partition(-cols, top - 1, axis=1)[:, :top]
                best[~np.isfinite(best)] = 0.0
                out[start : start + _BATCH, 2 * k] = best.max(axis=1)
                out[start : start + _BATCH, 2 * k + 1] = best.mean(axis=1)
        return out

    def nearest(self, x: sparse.csr_matrix, label: int) -> tuple[int, float] | None:
        """The training row of ``label`` most similar to the single row ``x``."""
        rows = np.flatnonzero(self.labels == label)
        if rows.size == 0:
            return None
        sims = self.similarities(x)[0, rows]
        best = int(sims.argmax())
        return int(rows[best]), float(sims[best])


def signal_names(labels: Sequence[str]) -> list[str]:
    """Column names of the signal block: neighbour columns per label, then style."""
    names = []
    for label in labels:
        names += [f"nearest:{label}", f"nearest5:{label}"]
    return names + [f"style:{name}" for name in STYLE_NAMES]


@dataclass(slots=True)
class Signals:
    """The fitted signal block: neighbours, style scaling and the calibrator's weights."""

    neighbours: Neighbours
    style_mean: np.ndarray
    style_scale: np.ndarray
    weights: np.ndarray  # (labels × signal columns): their push on each label's logit

    @classmethod
    def fit_scaling(cls, neighbours: Neighbours, raw_style: np.ndarray) -> Signals:
        scale = raw_style.std(axis=0)
        scale[scale == 0] = 1.0
        empty = np.zeros((0, 0))
        return cls(neighbours, raw_style.mean(axis=0), scale, empty)

    def style(self, raw: np.ndarray) -> np.ndarray:
        return np.clip((raw - self.style_mean) / self.style_scale, -CLIP, CLIP)

    def columns(
        self, x: sparse.csr_matrix, texts: Sequence[str], leave_one_out: bool = False
    ) -> np.ndarray:
        """The signal block of prepared ``texts`` whose feature rows are ``x``."""
        return np.hstack([self.neighbours.features(x, leave_one_out),
                          self.style(style_features(texts))])

    def logits(self, x: sparse.csr_matrix, texts: Sequence[str]) -> np.ndarray:
        """The signals' push on every label's logit (items × labels)."""
        return self.columns(x, texts) @ self.weights.T


def snippet(text: str) -> str:
    """The start of a training text, on one line, for an explanation."""
    line = " ".join(text.split())
    return line if len(line) <= SNIPPET else line[: SNIPPET - 1].rstrip() + "…"
