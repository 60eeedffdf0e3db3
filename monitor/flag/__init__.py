"""Flagging, beside collect and review: scoring stored items with the active classifier (and
why each flag), and learning from the analysts' verdicts. The CLI, the scheduler and the
dashboard call these; the SQL is in monitor/store/scores.py."""

from __future__ import annotations

from ..store.scores import uncertain_items
from .learning import RetrainResult, retrain_from_verdicts
from .scoring import (
    SIGNALS_TOP,
    ClassifySummary,
    active_model,
    classify_pending,
    flagged_items,
    narrative_index,
    registry,
    score_rows,
)

__all__ = [
    "SIGNALS_TOP",
    "ClassifySummary",
    "RetrainResult",
    "active_model",
    "classify_pending",
    "flagged_items",
    "narrative_index",
    "registry",
    "retrain_from_verdicts",
    "score_rows",
    "uncertain_items",
]
