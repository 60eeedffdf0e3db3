"""Counting once and fitting on row subsets equals fitting on the subset's texts."""

from __future__ import annotations

import numpy as np
import pytest

from classifiers.features import FeatureConfig, Featurizer, prepare

from .conftest import make_set

CONFIGS = [FeatureConfig(), FeatureConfig(cross_char_ngrams=(2, 4), char_ngrams=None, min_df=1)]


@pytest.mark.parametrize("config", CONFIGS)
def test_fit_on_count_rows_matches_fit_on_texts(config):
    texts, _labels = make_set(["distorted", "hostile", "criticism", "neutral"], 6, seed=4)
    prepared = [prepare(t) for t in texts]
    rows = np.arange(0, len(prepared), 2)
    other = np.arange(1, len(prepared), 2)
    direct = Featurizer(config).fit([prepared[i] for i in rows])
    table = Featurizer(config).count(prepared)
    from_counts = Featurizer(config).fit_counts(table, rows)
    assert from_counts.vocab == direct.vocab and from_counts.n_features == direct.n_features
    expected = direct.transform([prepared[i] for i in other]).toarray()
    assert np.allclose(from_counts.transform_counts(table, other).toarray(), expected)
    assert np.allclose(from_counts.transform([prepared[i] for i in other]).toarray(), expected)


def test_max_features_keeps_the_most_frequent():
    texts = [prepare(t) for t in ["a b c", "a b", "a", "a c"]]
    config = FeatureConfig(syllable_ngrams=(1, 1), char_ngrams=None, dict_word_ngrams=None,
                           min_df=1, max_features=2)
    featurizer = Featurizer(config).fit(texts)
    assert set(featurizer.vocab["syl"]) == {"a", "b"}
