"""Score a model on labelled texts."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from classifiers.errors import DataError
from classifiers.metrics import at_threshold, classification_metrics
from classifiers.model import Model

__all__ = ["evaluate"]


def evaluate(
    model: Model,
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    titles: Sequence[str | None] | None = None,
) -> dict[str, object]:
    """Per-label P/R/F1, macro-F1, confusion matrix (model label order), binary ROC-AUC."""
    if len(texts) != len(labels):
        raise DataError(f"{len(texts)} texts but {len(labels)} labels")
    unknown = sorted(set(labels) - set(model.labels))
    if unknown:
        raise DataError(f"labels {unknown} are not known to the model {model.labels}")
    probs = model.probabilities(texts, titles)
    predicted = model.decide(probs)
    result = classification_metrics(list(labels), predicted, probs, model.labels,
                                    model.review_labels)
    result["review"] = {
        label: at_threshold(probs[:, model.labels.index(label)],
                             np.array([t == label for t in labels]), model.thresholds[label])
        for label in model.review_labels
    }
    return result

