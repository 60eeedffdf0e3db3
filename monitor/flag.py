"""Flagging: score stored items with the active classifier, explain and link repeated claims;
learn from the analysts' verdicts. The CLI, the scheduler and the dashboard call these.

Only relevant items (Lạng Sơn or the construction sector) go to review: every item is scored,
but ``flagged`` needs both a review label over its threshold and relevance. An item that
repeats an already confirmed distorted claim (narrative matching) is flagged as ``distorted``
with a link to the earlier item, whatever its own score.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, and_, func, select

from classifiers.active import uncertainty
from classifiers.model import Model, train
from classifiers.modelfile import texts_info
from classifiers.narratives import ConfirmedCase, NarrativeIndex
from classifiers.registry import PromotionDecision, Registry
from classifiers.seed_model import SEED_PATH, ensure_seed_model

from .config import Settings
from .flag_reasons import PHRASES_SHOWN, FlagInputs, sentence, useful_phrases
from .store.queries import utcnow
from .store.tables import item_scores, items, verdicts
from .text.snippet import item_text

log = logging.getLogger(__name__)
EVIDENCE_TOP = 8
SIGNALS_TOP = 3  # nearest examples and style measures shown beside the phrases
HOLDOUT_SHARE = 0.2  # the newest verdicts judge a retrained model
MIN_HOLDOUT = 10


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
    query = (
        select(items.c.id, items.c.title, items.c.text, func.min(verdicts.c.created_at))
        .join(verdicts, verdicts.c.item_id == items.c.id)
        .where(verdicts.c.label == "distorted", verdicts.c.created_at >= since)
        .group_by(items.c.id, items.c.title, items.c.text)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    if not rows:
        return None
    cases = [ConfirmedCase(str(r[0]), item_text(r[1], r[2]), r[3]) for r in rows]
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
    summary = ClassifySummary(version)
    last_id = 0
    while True:
        query = (
            select(
                items.c.id,
                items.c.title,
                items.c.text,
                items.c.relevant,
                items.c.published_at,
                items.c.fetched_at,
            )
            .where(items.c.id > last_id)
            .order_by(items.c.id)
            .limit(settings.classify_batch)
        )
        if not rescore:
            query = query.outerjoin(item_scores, item_scores.c.item_id == items.c.id).where(
                item_scores.c.item_id.is_(None)
            )
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        if not rows:
            return summary
        records = score_rows(clf, version, rows, narratives)
        _store_scores(engine, records, rescore)
        for record in records:
            summary.scored += 1
            summary.flagged += int(record["flagged"])
            summary.narratives += int(record["narrative_of"] is not None)
            summary.by_label[record["label"]] = summary.by_label.get(record["label"], 0) + 1
        last_id = rows[-1].id
        if progress:
            progress(summary.scored)


def score_rows(
    clf: Model, version: str, rows: Sequence[Any], narratives: NarrativeIndex | None
) -> list[dict[str, Any]]:
    """item_scores records for a batch of item rows."""
    texts = [item_text(r.title, r.text) for r in rows]
    all_scores = clf.predict_proba(texts)
    best = clf.predict(texts)
    now = utcnow()
    records = []
    for row, text, scores, label in zip(rows, texts, all_scores, best, strict=True):
        flags = clf.flags(scores)
        link = narratives.match(text, row.published_at or row.fetched_at) if narratives else None
        if link is not None and "distorted" not in flags and "distorted" in clf.labels:
            flags = [*flags, "distorted"]
        evidence = {flag: _evidence(clf, text, flag) for flag in flags}
        signals = {
            flag: [
                {
                    "name": s.name,
                    "weight": round(s.weight, 4),
                    "value": round(s.value, 4),
                    "detail": s.detail,
                }
                for s in reasons
            ]
            for flag, reasons in clf.signal_reasons(text, flags, top=SIGNALS_TOP).items()
        }
        reasons = {
            flag: sentence(FlagInputs(
                flag, scores.get(flag, 0.0), clf.thresholds.get(flag),
                [e["phrase"] for e in evidence[flag]][:PHRASES_SHOWN], signals.get(flag, []),
                int(link.case_id) if link and flag == "distorted" else None,
                link.similarity if link and flag == "distorted" else None,
            ))
            for flag in flags
        }  # fmt: skip
        records.append(
            {
                "item_id": row.id,
                "model_version": version,
                "label": label,
                "scores": json.dumps({k: round(v, 5) for k, v in scores.items()}),
                "flags": json.dumps(flags),
                "flagged": bool(flags) and bool(row.relevant),
                "evidence": json.dumps(evidence, ensure_ascii=False),
                "signals": json.dumps(signals, ensure_ascii=False),
                "reasons": json.dumps(reasons, ensure_ascii=False),
                "uncertainty": uncertainty(scores),
                "narrative_of": int(link.case_id) if link else None,
                "narrative_similarity": round(link.similarity, 4) if link else None,
                "scored_at": now,
            }
        )
    return records


def _evidence(clf: Model, text: str, flag: str) -> list[dict[str, Any]]:
    """The label's strongest phrases that carry meaning (generic words and bare place names
    set aside), with their weights and offsets."""
    found = clf.explain(text, flag, top=EVIDENCE_TOP * 3)
    keep = set(useful_phrases([e.phrase for e in found], EVIDENCE_TOP))
    return [
        {"phrase": e.phrase, "weight": round(e.weight, 4), "start": e.start, "end": e.end}
        for e in found
        if e.phrase in keep
    ][:EVIDENCE_TOP]


def _store_scores(engine: Engine, records: list[dict[str, Any]], replace: bool) -> None:
    with engine.begin() as conn:
        if replace:
            ids = [r["item_id"] for r in records]
            conn.execute(item_scores.delete().where(item_scores.c.item_id.in_(ids)))
        conn.execute(item_scores.insert(), records)


# -- learning from verdicts ---------------------------------------------------------------------
@dataclass(frozen=True)
class LabelledItem:
    item_id: int
    text: str
    label: str
    at: datetime


def verdict_examples(engine: Engine) -> list[LabelledItem]:
    """One example per judged item: its latest verdict that teaches a label, oldest first."""
    latest = (
        select(verdicts.c.item_id, func.max(verdicts.c.id).label("vid"))
        .where(verdicts.c.label.is_not(None))
        .group_by(verdicts.c.item_id)
        .subquery()
    )
    query = (
        select(items.c.id, items.c.title, items.c.text, verdicts.c.label, verdicts.c.created_at)
        .join(latest, latest.c.item_id == items.c.id)
        .join(verdicts, and_(verdicts.c.id == latest.c.vid))
        .order_by(verdicts.c.created_at, verdicts.c.id)
    )
    with engine.connect() as conn:
        return [LabelledItem(r[0], item_text(r[1], r[2]), r[3], r[4]) for r in conn.execute(query)]


@dataclass(frozen=True)
class RetrainResult:
    version: str
    trained_on: int
    verdicts: int
    holdout: int
    decision: PromotionDecision | None
    note: str


def retrain_from_verdicts(engine: Engine, settings: Settings) -> RetrainResult:
    """Train on the seed corpus plus the analysts' verdicts; the newest verdicts are held out,
    and the new version becomes active only when it is not worse on them."""
    from classifiers.data import read_jsonl

    examples = verdict_examples(engine)
    cut = len(examples) - max(MIN_HOLDOUT, int(len(examples) * HOLDOUT_SHARE))
    train_part, holdout = (examples[:cut], examples[cut:]) if cut > 0 else (examples, [])
    seed = [ex for ex in read_jsonl(SEED_PATH) if ex.label]
    texts = [ex.text for ex in seed] + [ex.text for ex in train_part]
    labels = [str(ex.label) for ex in seed] + [ex.label for ex in train_part]
    model = train(texts, labels, seed=0)
    reg = registry(settings)
    ensure_seed_model(reg.root)
    info = texts_info(texts, labels) | {
        "name": "seed+verdicts",
        "verdicts": len(train_part),
        "trained_at": datetime.now(UTC).isoformat(),
    }
    version = reg.save_version(model, info)
    if not holdout:
        return RetrainResult(
            version,
            len(texts),
            len(examples),
            0,
            None,
            f"saved {version} but kept the active model: fewer than "
            f"{MIN_HOLDOUT + 1} verdicts to hold out",
        )
    decision = reg.promote_if_not_worse(
        version, [ex.text for ex in holdout], [ex.label for ex in holdout]
    )
    return RetrainResult(
        version, len(texts), len(examples), len(holdout), decision, decision.reason
    )


def uncertain_items(engine: Engine, limit: int = 20) -> list[dict[str, Any]]:
    """Relevant items with no verdict yet, the most uncertain first (active learning)."""
    judged = select(verdicts.c.item_id)
    query = (
        select(items.c.id, items.c.title, item_scores.c.label, item_scores.c.uncertainty)
        .join(item_scores, item_scores.c.item_id == items.c.id)
        .where(items.c.relevant, items.c.id.not_in(judged))
        .order_by(item_scores.c.uncertainty.desc(), items.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def flagged_items(engine: Engine, limit: int = 20) -> list[dict[str, Any]]:
    """Flagged items, highest review score first, with flags, evidence phrases and signals."""
    query = (
        select(
            items.c.id,
            items.c.title,
            item_scores.c.flags,
            item_scores.c.scores,
            item_scores.c.evidence,
            item_scores.c.signals,
            item_scores.c.reasons,
            item_scores.c.narrative_of,
        )
        .join(item_scores, item_scores.c.item_id == items.c.id)
        .where(item_scores.c.flagged)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    out = []
    for row in rows:
        flags = json.loads(row.flags)
        scores = json.loads(row.scores)
        evidence = json.loads(row.evidence)
        phrases = [e["phrase"] for flag in flags for e in evidence.get(flag, [])]
        signals = json.loads(row.signals or "{}")
        out.append(
            {
                "id": row.id,
                "title": row.title,
                "flags": ", ".join(flags),
                "score": max(scores.get(f, 0.0) for f in flags),
                "phrases": phrases,
                "signals": [s["name"] for flag in flags for s in signals.get(flag, [])],
                "reasons": [json.loads(row.reasons or "{}").get(f, "") for f in flags],
                "narrative_of": row.narrative_of,
            }
        )
    out.sort(key=lambda r: -r["score"])
    return out[:limit]
