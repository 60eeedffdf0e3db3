"""Neighbour and style signals, and the stacked calibrator that reads them."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import sparse

from classifiers.errors import ModelError
from classifiers.features import FeatureConfig, Featurizer, prepare
from classifiers.model import train
from classifiers.modelfile import MANIFEST, load_model, save_model, texts_info
from classifiers.signals import (
    CLIP,
    STYLE_NAMES,
    Neighbours,
    Signals,
    signal_names,
    snippet,
    style_features,
)

from .conftest import make_set


def test_style_features_measure_what_they_name():
    calm, loud = style_features([
        "Dự án được khánh thành.",
        "CHIA SẺ NGAY!!! Sự thật bị che giấu? https://x.example #langson 😡\nđọc đi",
    ])
    by_name = dict(zip(STYLE_NAMES, loud - calm, strict=True))
    for name in ("length", "capitals", "exclamations", "questions", "links", "symbols",
                 "hashtags", "lines"):
        assert by_name[name] > 0, name
    digits = style_features(["Vốn 48.000 tỷ đồng năm 2026"])[0][STYLE_NAMES.index("digits")]
    assert digits > 0.3


def test_style_is_standardised_and_clipped():
    raw = style_features(["một câu ngắn.", "một câu ngắn khác!", "câu thứ ba?"])
    signals = Signals.fit_scaling(
        Neighbours(sparse.csr_matrix((3, 1)), np.zeros(3, int), [], 1), raw
    )
    huge = style_features(["!" * 5000 + " " + "A" * 5000])
    scaled = signals.style(huge)
    assert np.all(np.abs(scaled) <= CLIP)
    assert scaled[0, STYLE_NAMES.index("exclamations")] == CLIP


def test_neighbour_features_leave_each_training_row_out():
    texts = ["cầu kỳ lừa bị đồn sắp sập", "cầu kỳ lừa bị đồn sắp sập", "chợ đông kinh khai trương"]
    featurizer = Featurizer(FeatureConfig(min_df=1)).fit(texts)
    x = featurizer.transform(texts)
    near = Neighbours(x, np.array([1, 1, 0]), [snippet(t) for t in texts], 2)
    own = near.features(x, leave_one_out=True)
    # Row 0's only other label-1 row is its exact copy; row 2 has no other label-0 row.
    assert own[0, 2] == pytest.approx(own[1, 2]) and own[0, 2] > 2.9  # 3 blocks, cosine 1 each
    assert own[2, 0] == 0.0
    new = near.features(featurizer.transform(["cầu kỳ lừa bị đồn sắp sập"]))
    assert new[0, 2] > 2.9 and new[0, 2] > new[0, 0]
    assert near.nearest(featurizer.transform(["chợ đông kinh"]), 0) == (2, pytest.approx(
        float((featurizer.transform(["chợ đông kinh"]) @ x[2].T).toarray()[0, 0])))


def test_trained_model_stacks_signals_and_explains_them(four_class):
    model, texts, labels = four_class
    assert model.signals is not None
    assert model.params["signals"] == signal_names(model.labels)
    assert model.signals.weights.shape == (len(model.labels), len(signal_names(model.labels)))
    # A near copy of a distorted training item: its nearest-example signal names that item.
    copy = texts[labels.index("distorted")]
    found = model.signal_evidence(copy, "distorted", top=5)
    near = [s for s in found if s.name.startswith("nearest")]
    assert near and all(s.name.endswith(":distorted") for s in near)
    assert all(s.weight > 0 for s in found)
    examples = {snippet(prepare(t)) for t, label in zip(texts, labels, strict=True)
                if label == "distorted"}
    assert near[0].detail in examples
    with pytest.raises(KeyError):
        model.signal_evidence(copy, "nonsense")
    both = model.signal_reasons(copy, ["distorted", "hostile"], top=5)
    assert both == {label: model.signal_evidence(copy, label, top=5)
                    for label in ("distorted", "hostile")}


def test_signals_can_be_left_out_for_measurement():
    texts, labels = make_set(["distorted", "neutral"], 15, seed=3)
    plain = train(texts, labels, c_grid=(1.0,), folds=3, use_signals=False)
    assert plain.signals is None and plain.params["signals"] == []
    assert plain.signal_evidence(texts[0], "distorted") == []
    probs = plain.probabilities(texts)
    assert np.allclose(probs.sum(axis=1), 1.0)


def test_saved_model_keeps_its_signals(four_class, tmp_path):
    model, texts, labels = four_class
    path = save_model(model, tmp_path / "m", texts_info(texts, labels))
    loaded = load_model(path)
    assert np.allclose(loaded.probabilities(texts[:5]), model.probabilities(texts[:5]))
    assert loaded.signal_evidence(texts[0], labels[0]) == model.signal_evidence(texts[0],
                                                                                labels[0])


def test_older_model_format_asks_for_retraining(four_class, tmp_path):
    from classifiers import modelfile

    model, texts, labels = four_class
    path = save_model(model, tmp_path / "m", texts_info(texts, labels))
    manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    manifest["format"] = 1
    manifest["manifest_sha256"] = modelfile._digest(manifest)
    (path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ModelError, match="retrain"):
        load_model(path)


def test_term_weighting_is_binary_by_default_and_checked():
    assert FeatureConfig().tf == "binary"
    with pytest.raises(ValueError, match="tf"):
        FeatureConfig(tf="log")
    text = ["sập sập sập cầu"]
    binary = Featurizer(FeatureConfig(min_df=1)).fit(text).transform(text)
    sub = Featurizer(FeatureConfig(min_df=1, tf="sublinear")).fit(text).transform(text)
    assert not np.allclose(binary.toarray(), sub.toarray())
