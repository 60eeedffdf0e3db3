"""Active learning: most uncertain items first."""

from __future__ import annotations

import pytest

from classifiers.active import rank_scores, rank_uncertain, uncertainty


def test_margin_and_entropy():
    assert uncertainty({"a": 0.5, "b": 0.5}) == pytest.approx(1.0)
    assert uncertainty({"a": 1.0, "b": 0.0}) == pytest.approx(0.0)
    flat = {"a": 0.25, "b": 0.25, "c": 0.25, "d": 0.25}
    assert uncertainty(flat, "entropy") == pytest.approx(1.0)
    with pytest.raises(ValueError):
        uncertainty({"a": 0.5, "b": 0.5}, "bogus")  # type: ignore[arg-type]


def test_ordering_and_ties():
    rows = [
        {"a": 0.9, "b": 0.05, "c": 0.05},
        {"a": 0.4, "b": 0.35, "c": 0.25},
        {"a": 0.6, "b": 0.3, "c": 0.1},
        {"a": 0.4, "b": 0.35, "c": 0.25},
    ]
    ranked = rank_scores(rows, ids=["x", "y", "z", "w"])
    assert [c.id for c in ranked] == ["y", "w", "z", "x"]
    assert ranked[0].top_label == "a"
    assert [c.index for c in rank_scores(rows, method="entropy", limit=2)] == [1, 3]
    with pytest.raises(ValueError):
        rank_scores(rows, ids=["only-one"])


def test_rank_uncertain_with_a_model(four_class):
    model, texts, _labels = four_class
    mixed = "Chợ Đông Kinh bị bịa đặt là sắp sập, người dân phản ánh thi công chậm gây bụi."
    ranked = rank_uncertain(model, [texts[0], mixed, texts[-1]], ids=["a", "mixed", "b"])
    assert ranked[0].id == "mixed"
    assert ranked[0].uncertainty > ranked[-1].uncertainty
