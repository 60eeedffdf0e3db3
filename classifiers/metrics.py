"""Metric helpers shared by training (out-of-fold) and evaluation."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np
from sklearn.metrics import (
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
    roc_auc_score,
)

__all__ = ["classification_metrics", "recall_threshold", "positive_label", "at_threshold"]


def recall_threshold(scores: np.ndarray, positive: np.ndarray, target: float) -> float:
    """Highest threshold whose recall on (scores, positive) reaches ``target``."""
    pos = np.sort(scores[positive])[::-1]
    if pos.size == 0:
        return 1.0
    needed = max(1, math.ceil(target * pos.size - 1e-9))
    return float(pos[needed - 1])


def at_threshold(scores: np.ndarray, positive: np.ndarray, threshold: float) -> dict[str, float]:
    """Recall, precision and share flagged when items scoring >= ``threshold`` are flagged."""
    flagged = scores >= threshold
    hits = int((flagged & positive).sum())
    return {
        "threshold": float(threshold),
        "recall": hits / max(1, int(positive.sum())),
        "precision": hits / max(1, int(flagged.sum())),
        "flagged_share": float(flagged.mean()) if flagged.size else 0.0,
    }


def positive_label(classes: Sequence[str], truth: Sequence[str], review: Sequence[str]) -> str:
    """The positive class of a binary set: its one review label, else its minority class."""
    if len(review) == 1 and review[0] in classes:
        return review[0]
    counts = Counter(truth)
    return min(classes, key=lambda label: (counts.get(label, 0), label))


def classification_metrics(
    truth: Sequence[str],
    predicted: Sequence[str],
    probs: np.ndarray,
    classes: Sequence[str],
    review: Sequence[str] = (),
) -> dict[str, object]:
    """Per-label precision/recall/F1, macro-F1, accuracy, confusion matrix, binary ROC-AUC."""
    classes = list(classes)
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=classes, zero_division=0
    )
    per_label = {
        label: {
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
            "support": int(support[i]),
        }
        for i, label in enumerate(classes)
    }
    result: dict[str, object] = {
        "labels": classes,
        "n": len(truth),
        "per_label": per_label,
        "macro_f1": float(f1_score(truth, predicted, labels=classes, average="macro",
                                   zero_division=0)),
        "accuracy": float(np.mean([t == p for t, p in zip(truth, predicted, strict=True)])),
        "confusion_matrix": confusion_matrix(truth, predicted, labels=classes).tolist(),
    }
    if len(classes) == 2 and len(set(truth)) == 2:
        positive = positive_label(classes, truth, review)
        column = probs[:, classes.index(positive)]
        result["roc_auc"] = float(roc_auc_score([t == positive for t in truth], column))
        result["positive_label"] = positive
    return result
