"""Turn normalised Vietnamese text into sparse TF-IDF features, fast, and back into phrases.

Blocks (each L2-normalised on its own, then weighted and stacked; extractors in ``grams``):
- ``syl``: syllable n-grams. Vietnamese words are one to three syllables written apart, so
  syllable bigrams cover most two-syllable words without a segmenter (underthesea's
  ``word_tokenize`` runs at about 50 articles/s here, four times too slow for the target).
- ``char``: character n-grams inside whitespace-separated tokens (padded with a space), which
  catch inflected spellings, teencode and missing diacritics; cached per token.
- ``xchar`` (optional): character n-grams across word boundaries. Measured +0.0025 ReINTEL
  ROC-AUC (on every fold) but it halves prediction speed (to about 200 articles/s), so it is
  off by default (BENCHMARKS.md, "Classifier quality").
- ``dword``: word n-grams from a greedy longest-match segmentation against the Viet74K word
  list that ships inside underthesea (read from the installed package, never downloaded).
- ``word`` (optional): underthesea CRF word n-grams, kept for measurement only.

Counting goes through ``dict.get`` mapped in C and ``numpy.unique``: about twice as fast as
scikit-learn's per-feature Python loop on article-length text. Training counts every text
once into a ``CountTable`` (all n-grams, no cut-off); fitting on a subset of its rows (a
cross-validation fold) then only selects columns and computes IDF, which gives exactly what
fitting on that subset's texts would, without tokenising them again.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import cast

import numpy as np
from scipy import sparse

from classifiers.grams import (
    EXTRACTORS,
    FeatureError,
    Gram,
    char_grams_of,
    lower_same_length,
    segment_words,
)
from monitor.text.normalize import normalize_line, normalize_text

__all__ = [
    "CountTable", "FeatureConfig", "FeatureError", "Featurizer", "Gram", "prepare",
    "lower_same_length", "segment_words",
]

_CACHE_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """What the featurizer extracts; fixed a priori or chosen by cross-validation."""

    syllable_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] | None = (2, 5)
    dict_word_ngrams: tuple[int, int] | None = (1, 2)
    word_ngrams: tuple[int, int] | None = None
    weights: dict[str, float] = field(default_factory=dict)
    title_repeat: int = 2
    min_df: int = 2
    max_features: int | None = 400_000
    cross_char_ngrams: tuple[int, int] | None = None
    # Term weight before IDF: "binary" (1 for any count; measured better with the stacked
    # calibrator on both public sets) or "sublinear" (1 + log count).
    tf: str = "binary"

    def __post_init__(self) -> None:
        if self.tf not in ("binary", "sublinear"):
            raise ValueError(f"tf must be 'binary' or 'sublinear', got {self.tf!r}")


@dataclass(frozen=True, slots=True)
class CountTable:
    """Raw n-gram counts of a list of texts: per block, the sorted grams and a CSR matrix."""

    grams: dict[str, list[str]]
    counts: dict[str, sparse.csr_matrix]

    @property
    def n_rows(self) -> int:
        return next(iter(self.counts.values())).shape[0] if self.counts else 0


def _term_weight(counts: np.ndarray, tf: str) -> np.ndarray:
    return np.ones(counts.shape) if tf == "binary" else 1.0 + np.log(counts)


def prepare(text: str, title: str | None = None, title_repeat: int = 2) -> str:
    """Normalised model input: the title (repeated, to weigh more) then the body."""
    body = normalize_text(text)
    if not title:
        return body
    head = normalize_line(title)
    return "\n".join([head] * max(1, title_repeat) + [body])


def _count_block(found: list[np.ndarray], n_grams: int) -> sparse.csr_matrix:
    """CSR counts from per-row arrays of column ids (repeats kept)."""
    indptr = [0]
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    for ids in found:
        idx, counts = np.unique(ids, return_counts=True)
        cols.append(idx)
        vals.append(counts.astype(np.float64))
        indptr.append(indptr[-1] + idx.size)
    data = np.concatenate(vals) if vals else np.empty(0)
    indices = np.concatenate(cols) if cols else np.empty(0, np.int64)
    return sparse.csr_matrix((data, indices, np.array(indptr)), shape=(len(found), n_grams))


def _sorted_columns(matrix: sparse.csr_matrix, grams: list[str]) -> tuple[list[str], object]:
    """Reorder columns so that grams are sorted (vocabulary indices follow gram order)."""
    order = np.argsort(np.array(grams, dtype=object), kind="stable")
    return [grams[i] for i in order], matrix[:, order].tocsr()


class Featurizer:
    """Fit vocabularies and IDF per block; transform prepared texts into a CSR matrix."""

    def __init__(self, config: FeatureConfig | None = None) -> None:
        self.config = config or FeatureConfig()
        self.blocks: list[tuple[str, int, int]] = []
        for name, rng in (
            ("syl", self.config.syllable_ngrams),
            ("char", self.config.char_ngrams),
            ("xchar", self.config.cross_char_ngrams),
            ("dword", self.config.dict_word_ngrams),
            ("word", self.config.word_ngrams),
        ):
            if rng is not None:
                self.blocks.append((name, rng[0], rng[1]))
        self.vocab: dict[str, dict[str, int]] = {}
        self.idf: dict[str, np.ndarray] = {}
        self.offsets: dict[str, int] = {}
        self.n_features = 0
        self._cache: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray] = {}  # kept CountTable columns, while training

    def grams(self, text: str, block: str) -> list[str]:
        """Feature strings of one block for one prepared text (repeats kept)."""
        _name, lo, hi = next(b for b in self.blocks if b[0] == block)
        return EXTRACTORS[block](lower_same_length(text), lo, hi, False)  # type: ignore[return-value]

    def spans(self, text: str) -> list[Gram]:
        """Every n-gram occurrence of every block, with its span in ``text``."""
        low = lower_same_length(text)
        out: list[Gram] = []
        for name, lo, hi in self.blocks:
            out += EXTRACTORS[name](low, lo, hi, True)  # type: ignore[arg-type]
        return out

    def count(self, texts: Sequence[str]) -> CountTable:
        """Count every n-gram of every block in prepared ``texts`` (no vocabulary cut-off)."""
        grams: dict[str, list[str]] = {}
        counts: dict[str, sparse.csr_matrix] = {}
        lows = [lower_same_length(text) for text in texts]
        for name, lo, hi in self.blocks:
            ids: dict[str, int] = {}
            found = []
            self._cache = {}  # token -> count ids while counting, never vocabulary indices
            for low in lows:
                if name == "char":
                    found.append(self._char_found(low, lo, hi, ids))
                    continue
                seen = cast(list[str], EXTRACTORS[name](low, lo, hi, False))
                found.append(np.fromiter((ids.setdefault(g, len(ids)) for g in seen), np.int64,
                                         len(seen)))
            self._cache = {}
            grams[name], counts[name] = _sorted_columns(_count_block(found, len(ids)), list(ids))
        return CountTable(grams, counts)

    def fit(self, texts: Sequence[str]) -> Featurizer:
        """Learn each block's vocabulary (min_df, capped by document frequency) and IDF."""
        return self.fit_counts(self.count(texts))

    def fit_counts(self, table: CountTable, rows: Sequence[int] | None = None) -> Featurizer:
        """Fit on the texts at ``rows`` of ``table`` (all rows when None)."""
        offset = 0
        self._cache = {}
        for name, _lo, _hi in self.blocks:
            matrix = table.counts[name] if rows is None else table.counts[name][rows]
            n_docs = matrix.shape[0]
            df = np.bincount(matrix.indices, minlength=matrix.shape[1])
            min_df = min(self.config.min_df, max(1, n_docs // 2))
            kept = np.flatnonzero(df >= min_df)
            cap = self.config.max_features
            if cap is not None and kept.size > cap:
                # Most frequent first, ties by gram (columns are in gram order).
                kept = np.sort(kept[np.lexsort((kept, -df[kept]))[:cap]])
            self._columns[name] = kept
            self.vocab[name] = {table.grams[name][c]: i for i, c in enumerate(kept)}
            self.idf[name] = np.log((1 + n_docs) / (1 + df[kept].astype(np.float64))) + 1.0
            self.offsets[name] = offset
            offset += kept.size
        self.n_features = offset
        return self

    def transform_counts(self, table: CountTable, rows: Sequence[int] | None = None) -> object:
        """Rows of ``table`` as features, identical to ``transform`` of their texts."""
        parts = []
        for name, _lo, _hi in self.blocks:
            matrix = table.counts[name] if rows is None else table.counts[name][rows]
            sub = matrix[:, self._columns[name]].tocsr()
            sub.data = _term_weight(sub.data, self.config.tf)
            sub = sub.multiply(self.idf[name]).tocsr()
            norms = np.sqrt(np.asarray(sub.multiply(sub).sum(axis=1)).ravel())
            scale = np.divide(self.config.weights.get(name, 1.0), norms,
                              out=np.zeros_like(norms), where=norms > 0)
            parts.append(sparse.diags(scale) @ sub)
        return sparse.hstack(parts, format="csr")

    def _found(self, low: str, name: str, lo: int, hi: int) -> np.ndarray:
        """Vocabulary indices of every n-gram occurrence of one block (repeats kept)."""
        if name == "char":
            return self._char_found(low, lo, hi, None)
        grams = cast(list[str], EXTRACTORS[name](low, lo, hi, False))
        return np.fromiter(map(self.vocab[name].get, grams, repeat(-1)), dtype=np.int64)

    def _char_found(self, low: str, lo: int, hi: int, ids: dict[str, int] | None) -> np.ndarray:
        # A token's character n-grams never change: look each distinct token up once per
        # process (articles repeat most of their tokens), then concatenate. With ``ids``
        # (counting), unseen grams get new ids instead of -1.
        cache = self._cache
        if len(cache) > _CACHE_LIMIT:
            cache.clear()
        vocab = self.vocab.get("char", {})
        parts = []
        for token in low.split():
            found = cache.get(token)
            if found is None:
                grams = char_grams_of(token, lo, hi)
                if ids is None:
                    found = np.fromiter(map(vocab.get, grams, repeat(-1)), dtype=np.int64)
                else:
                    found = np.fromiter((ids.setdefault(g, len(ids)) for g in grams), np.int64,
                                        len(grams))
                cache[token] = found
            parts.append(found)
        return np.concatenate(parts) if parts else np.empty(0, np.int64)

    def _row(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        low = lower_same_length(text)
        for name, lo, hi in self.blocks:
            found = self._found(low, name, lo, hi)
            found = found[found >= 0]
            if found.size == 0:
                continue
            idx, counts = np.unique(found, return_counts=True)
            weights = _term_weight(counts, self.config.tf) * self.idf[name][idx]
            norm = math.sqrt(float(weights @ weights))
            cols.append(idx + self.offsets[name])
            vals.append(weights * (self.config.weights.get(name, 1.0) / norm))
        if not cols:
            return np.empty(0, np.int64), np.empty(0)
        return np.concatenate(cols), np.concatenate(vals)

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_cache"] = {}  # a per-process speed-up, never saved with the model
        state["_columns"] = {}
        return state

    def __setstate__(self, state: dict[str, object]) -> None:
        state.setdefault("_columns", {})
        self.__dict__.update(state)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """Sublinear TF-IDF rows, each block L2-normalised then weighted."""
        indptr = [0]
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []
        for text in texts:
            c, v = self._row(text)
            cols.append(c)
            vals.append(v)
            indptr.append(indptr[-1] + c.size)
        indices = np.concatenate(cols) if cols else np.empty(0, np.int64)
        data = np.concatenate(vals) if vals else np.empty(0)
        return sparse.csr_matrix(
            (data, indices, np.array(indptr)), shape=(len(texts), self.n_features)
        )

    def feature_index(self, gram: Gram) -> int:
        """Column of ``gram`` in the matrix, or -1 when it is not in the vocabulary."""
        idx = self.vocab.get(gram.block, {}).get(gram.feature, -1)
        return -1 if idx < 0 else idx + self.offsets[gram.block]
