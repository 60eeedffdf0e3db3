"""Training, prediction, thresholds, explanations, evaluation and data reading."""

from __future__ import annotations

import json

import numpy as np
import pytest

from classifiers.data import read_jsonl
from classifiers.errors import DataError
from classifiers.evaluate import evaluate
from classifiers.model import MAX_THRESHOLD, train

from .conftest import make_set


def test_multiclass_shapes_and_sums(four_class):
    model, texts, labels = four_class
    assert model.labels == sorted(set(labels))
    scores = model.predict_proba(texts[:7])
    assert len(scores) == 7
    for row in scores:
        assert set(row) == set(model.labels)
        assert sum(row.values()) == pytest.approx(1.0)
    predicted = model.predict(texts)
    assert len(predicted) == len(texts)
    assert np.mean([p == y for p, y in zip(predicted, labels, strict=True)]) > 0.9


def test_binary_model_and_default_review_labels(binary):
    model, texts, labels = binary
    assert model.labels == ["distorted", "neutral"]
    assert model.review_labels == ["distorted"]
    report = evaluate(model, texts, labels)
    assert report["roc_auc"] > 0.95
    assert report["positive_label"] == "distorted"
    assert report["confusion_matrix"] and len(report["confusion_matrix"]) == 2


def test_outside_binary_labels_review_the_minority():
    texts, labels = make_set(["distorted", "neutral"], 16, seed=3)
    labels = ["unreliable" if y == "distorted" else "reliable" for y in labels]
    keep = [i for i, y in enumerate(labels) if y == "reliable" or i % 2 == 0]
    model = train([texts[i] for i in keep], [labels[i] for i in keep], c_grid=(1.0,), folds=3)
    assert model.review_labels == ["unreliable"]


def test_review_labels_and_flags(four_class):
    model, texts, _labels = four_class
    assert model.review_labels == ["distorted", "hostile"]
    assert set(model.thresholds) == {"distorted", "hostile"}
    hostile = model.predict_proba([texts[25]])[0]
    assert "hostile" in model.flags(hostile)
    assert model.flags({label: 0.0 for label in model.labels}) == []


def test_thresholds_reach_target_recall_on_validation():
    texts, labels = make_set(["distorted", "hostile", "criticism", "neutral"], 30, seed=5)
    model = train(texts, labels, target_recall=0.9, c_grid=(1.0,), folds=3)
    for label, row in model.metrics["out_of_fold"]["thresholds_at_target"].items():
        assert row["recall"] >= 0.9, label
    held_texts, held_labels = make_set(["distorted", "hostile", "criticism", "neutral"], 15, seed=9)
    report = evaluate(model, held_texts, held_labels)
    for label in model.review_labels:
        assert report["review"][label]["recall"] >= 0.85


def test_thresholds_never_above_even_odds(four_class):
    model, _texts, _labels = four_class
    assert all(0.0 < t <= MAX_THRESHOLD for t in model.thresholds.values())
    assert model.flags({"distorted": MAX_THRESHOLD, "hostile": 0.0}) == ["distorted"]


def test_explain_returns_phrases_from_the_text(four_class):
    model, _texts, _labels = four_class
    text = "Chợ Đông Kinh bị bịa đặt là sắp sập, mọi người đừng tin."
    evidence = model.explain(text, "distorted", top=5)
    assert 0 < len(evidence) <= 5
    assert all(e.weight > 0 for e in evidence)
    assert [e.weight for e in evidence] == sorted((e.weight for e in evidence), reverse=True)
    for e in evidence:
        assert text[e.start : e.end] == e.phrase
    assert any(word in " ".join(e.phrase.lower() for e in evidence)
               for word in ("bịa", "đặt", "sập"))
    with pytest.raises(KeyError):
        model.explain(text, "nonsense")


def test_training_input_errors():
    with pytest.raises(DataError, match="two labels"):
        train(["a", "b"], ["x", "x"])
    with pytest.raises(DataError, match="fewer than two"):
        train(["a", "b", "c"], ["x", "x", "y"])
    with pytest.raises(DataError, match="texts but"):
        train(["a"], ["x", "y"])


def test_titles_are_used(four_class):
    model, _texts, _labels = four_class
    plain = model.predict_proba(["Thông báo."])[0]
    titled = model.predict_proba(["Thông báo."], titles=["lũ khốn nạn phải trả giá"])[0]
    assert titled["hostile"] > plain["hostile"]


def test_read_jsonl_names_the_bad_line(tmp_path):
    path = tmp_path / "items.jsonl"
    rows = [{"id": "a", "text": "Một", "label": "neutral"}, {"id": 2, "text": "Hai", "title": "T"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n",
                    encoding="utf-8")
    examples = read_jsonl(path)
    got = [(e.id, e.label, e.title) for e in examples]
    assert got == [("a", "neutral", None), ("2", None, "T")]
    path.write_text('{"id": "a", "text": "x"}\n{"id": "b"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"items.jsonl:2: .*'text'"):
        read_jsonl(path)
    path.write_text('{"id": "a", "text": "x"}\nnot json\n', encoding="utf-8")
    with pytest.raises(DataError, match=r":2: invalid JSON"):
        read_jsonl(path)
    path.write_text('{"id": "a", "text": "x"}\n{"id": "a", "text": "y"}\n', encoding="utf-8")
    with pytest.raises(DataError, match="duplicate id"):
        read_jsonl(path)
