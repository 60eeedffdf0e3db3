"""Scoring: score stored items with the active classifier, explain each flag, and link items
that repeat an already confirmed distorted claim.

Only relevant items (Lạng Sơn or the construction sector) go to review: every item is scored,
but ``flagged`` needs both a review label over its threshold and relevance. An item that
repeats an already confirmed distorted claim (narrative matching) is flagged as ``distorted``
with a link to the earlier item, whatever its own score.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from classifiers.active import uncertainty
from classifiers.model import Model
from classifiers.narratives import ConfirmedCase, NarrativeIndex
from classifiers.registry import Registry
from classifiers.seed_model import ensure_seed_model

from ..collect.relevance import RelevanceRules, rules_for
from ..config import Settings
from ..records import ItemScore, Phrase, Signal
from ..store.queries import utcnow
from ..store.scores import ToScore, confirmed_items, flagged_rows, items_to_score, store_scores
from ..text.snippet import body_shift, item_text
from .reasons import PHRASES_SHOWN, FlagInputs, sentence, useful_phrases

log = logging.getLogger(__name__)
EVIDENCE_TOP = 8
SIGNALS_TOP = 3  # nearest examples and style measures shown beside the phrases


@dataclass
class ClassifySummary:
    model_version: str
    scored: int = 0
    flagged: int = 0
    narratives: int = 0
    by_label: dict[str, int] = field(default_factory=dict)


def registry(settings: Settings) -> Registry:
    return Registry(Path(settings.models_dir))


def active_model(settings: Settings) -> tuple[str, Model]:
    """The active model (the bundled seed model is built and activated on first use)."""
    reg = registry(settings)
    path = ensure_seed_model(reg.root)
    return path.name, reg.load(path.name)


def narrative_index(engine: Engine, settings: Settings) -> NarrativeIndex | None:
    """Items confirmed as distorted within the window, ready for narrative matching."""
    since = utcnow() - timedelta(days=settings.narrative_window_days)
    found = confirmed_items(engine, "distorted", since)
    if not found:
        return None
    cases = [ConfirmedCase(str(j.item_id), item_text(j.title, j.text), j.at) for j in found]
    return NarrativeIndex(
        cases, window_days=settings.narrative_window_days, min_chars=settings.narrative_min_chars
    )


def classify_pending(
    engine: Engine,
    settings: Settings,
    *,
    rescore: bool = False,
    model: tuple[str, Model] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ClassifySummary:
    """Score every unscored item (every item with ``rescore``) and store scores and flags."""
    version, clf = model or active_model(settings)
    narratives = narrative_index(engine, settings)
    rules = rules_for(settings.relevance_gazetteer, settings.relevance_lexicon)
    summary = ClassifySummary(version)
    last_id = 0
    while True:
        batch = items_to_score(engine, last_id, settings.classify_batch, rescore)
        if not batch:
            return summary
        records = score_rows(clf, version, batch, narratives, rules)
        store_scores(engine, records, rescore)
        for record in records:
            summary.scored += 1
            summary.flagged += int(record.flagged)
            summary.narratives += int(record.narrative_of is not None)
            summary.by_label[record.label] = summary.by_label.get(record.label, 0) + 1
        last_id = batch[-1].id
        if progress:
            progress(summary.scored)


def score_rows(
    clf: Model, version: str, rows: Sequence[ToScore], narratives: NarrativeIndex | None,
    rules: RelevanceRules | None = None,
) -> list[ItemScore]:
    """The scores of a batch of items; ``rules`` name the places that are not evidence by
    themselves (the configured gazetteer; the packaged one by default)."""
    texts = [item_text(r.title, r.text) for r in rows]
    all_scores = clf.predict_proba(texts)
    best = clf.predict(texts)
    now = utcnow()
    records = []
    for row, text, scores, label in zip(rows, texts, all_scores, best, strict=True):
        flags = clf.flags(scores)
        link = narratives.match(text, row.seen_at) if narratives else None
        if link is not None and "distorted" not in flags and "distorted" in clf.labels:
            flags = [*flags, "distorted"]
        shift = body_shift(row.title, row.text)
        evidence = {flag: _evidence(clf, text, flag, shift, rules) for flag in flags}
        signals = {
            flag: tuple(Signal(s.name, s.weight, s.value, s.detail) for s in reasons)
            for flag, reasons in clf.signal_reasons(text, flags, top=SIGNALS_TOP).items()
        }
        reasons = {
            flag: sentence(FlagInputs(
                flag, scores.get(flag, 0.0), clf.thresholds.get(flag),
                [e.phrase for e in evidence[flag]][:PHRASES_SHOWN],
                [_signal_dict(s) for s in signals.get(flag, ())],
                int(link.case_id) if link and flag == "distorted" else None,
                link.similarity if link and flag == "distorted" else None,
            ))
            for flag in flags
        }  # fmt: skip
        records.append(
            ItemScore(
                item_id=row.id, model_version=version, label=label, scores=dict(scores),
                flags=tuple(flags), flagged=bool(flags) and row.relevant, evidence=evidence,
                signals=signals, reasons=reasons, uncertainty=uncertainty(scores),
                narrative_of=int(link.case_id) if link else None,
                narrative_similarity=round(link.similarity, 4) if link else None,
                scored_at=now,
            )
        )  # fmt: skip
    return records


def _signal_dict(s: Signal) -> dict[str, object]:
    return {"name": s.name, "weight": s.weight, "value": s.value, "detail": s.detail}


def _evidence(
    clf: Model, text: str, flag: str, shift: int, rules: RelevanceRules | None = None
) -> tuple[Phrase, ...]:
    """The label's strongest phrases that carry meaning (generic words and bare place names
    set aside), with their weights and their offsets in the body (``shift``: where the body
    starts in the classifier's input; a phrase in the title has no body offsets)."""
    found = clf.explain(text, flag, top=EVIDENCE_TOP * 3)
    keep = set(useful_phrases([e.phrase for e in found], EVIDENCE_TOP, rules))
    return tuple(
        Phrase(e.phrase, e.weight, e.start - shift, e.end - shift)
        if e.start >= shift
        else Phrase(e.phrase, e.weight)
        for e in found
        if e.phrase in keep
    )[:EVIDENCE_TOP]


def flagged_items(engine: Engine, limit: int = 20) -> list[dict[str, Any]]:
    """Flagged items, highest review score first, with flags, evidence phrases and signals."""
    out: list[dict[str, Any]] = []
    for row in flagged_rows(engine):
        out.append(
            {
                "id": row.id,
                "title": row.title,
                "flags": ", ".join(row.flags),
                "score": max((row.scores.get(f, 0.0) for f in row.flags), default=0.0),
                "phrases": [p.phrase for f in row.flags for p in row.evidence.get(f, ())],
                "signals": [s.name for f in row.flags for s in row.signals.get(f, ())],
                "reasons": [row.reasons.get(f, "") for f in row.flags],
                "narrative_of": row.narrative_of,
            }
        )
    out.sort(key=lambda r: -r["score"])
    return out[:limit]
