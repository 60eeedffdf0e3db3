"""item_scores: reading the items to score, storing scores (the review state follows), and
the verdict-based sets scoring and learning need. Typed records cross this boundary."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from ..records import ItemScore, Phrase, Signal
from .codec import (
    decode_evidence,
    decode_flags,
    decode_reasons,
    decode_scores,
    decode_signals,
    encode_score,
)
from .review_index import refresh
from .tables import item_scores, items, review_state, verdicts
from .terms import confirmed, latest_labelled_verdicts, not_own, seen_time


@dataclass(frozen=True, slots=True)
class ToScore:
    """An item as scoring reads it."""

    id: int
    title: str
    text: str
    relevant: bool
    seen_at: datetime


def items_to_score(engine: Engine, after_id: int, limit: int, rescore: bool) -> list[ToScore]:
    """The next ``limit`` items after ``after_id``: unscored ones, or all with ``rescore``."""
    query = (
        select(items.c.id, items.c.title, items.c.text, items.c.relevant,
               items.c.published_at, items.c.fetched_at)
        .where(items.c.id > after_id, not_own())
        .order_by(items.c.id)
        .limit(limit)
    )  # fmt: skip
    if not rescore:
        query = query.outerjoin(item_scores, item_scores.c.item_id == items.c.id).where(
            item_scores.c.item_id.is_(None)
        )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [ToScore(r.id, r.title, r.text or "", bool(r.relevant), seen_time(r)) for r in rows]


def store_scores(engine: Engine, scores: Sequence[ItemScore], replace: bool) -> None:
    """Write the scores (replacing earlier ones with ``replace``) and bring the review state
    up to date in the same transaction: readers never refresh it."""
    with engine.begin() as conn:
        if replace:
            ids = [s.item_id for s in scores]
            conn.execute(item_scores.delete().where(item_scores.c.item_id.in_(ids)))
        if scores:
            conn.execute(item_scores.insert(), [encode_score(s) for s in scores])
        refresh(conn)


@dataclass(frozen=True, slots=True)
class Judged:
    """An item with the label its latest verdict teaches."""

    item_id: int
    title: str
    text: str
    label: str
    at: datetime


def confirmed_items(engine: Engine, label: str, since: datetime) -> list[Judged]:
    """Items now confirmed (see store.terms) whose latest verdict teaches ``label``, given
    since ``since``."""
    latest = latest_labelled_verdicts()
    query = (
        select(items.c.id, items.c.title, items.c.text, latest.c.label, latest.c.created_at)
        .join(latest, latest.c.item_id == items.c.id)
        .join(review_state, review_state.c.item_id == items.c.id)
        .where(confirmed(), latest.c.label == label, latest.c.created_at >= since)
        .order_by(items.c.id)
    )
    with engine.connect() as conn:
        return [Judged(r[0], r[1], r[2] or "", r[3], r[4]) for r in conn.execute(query)]


def verdict_examples(engine: Engine) -> list[Judged]:
    """One example per judged item: its latest verdict that teaches a label, oldest first."""
    latest = latest_labelled_verdicts()
    query = (
        select(items.c.id, items.c.title, items.c.text, latest.c.label, latest.c.created_at)
        .join(latest, latest.c.item_id == items.c.id)
        .order_by(latest.c.created_at, items.c.id)
    )
    with engine.connect() as conn:
        return [Judged(r[0], r[1], r[2] or "", r[3], r[4]) for r in conn.execute(query)]


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


@dataclass(frozen=True, slots=True)
class FlaggedRow:
    """A flagged item with its stored score parts."""

    id: int
    title: str
    flags: tuple[str, ...]
    scores: dict[str, float]
    evidence: dict[str, tuple[Phrase, ...]]
    signals: dict[str, tuple[Signal, ...]]
    reasons: dict[str, str]
    narrative_of: int | None


def flagged_rows(engine: Engine) -> list[FlaggedRow]:
    """Every flagged item with flags, scores, evidence, signals and reasons decoded."""
    query = (
        select(items.c.id, items.c.title, item_scores.c.flags, item_scores.c.scores,
               item_scores.c.evidence, item_scores.c.signals, item_scores.c.reasons,
               item_scores.c.narrative_of)
        .join(item_scores, item_scores.c.item_id == items.c.id)
        .where(item_scores.c.flagged)
    )  # fmt: skip
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        FlaggedRow(r.id, r.title, decode_flags(r.flags), decode_scores(r.scores),
                   decode_evidence(r.evidence), decode_signals(r.signals),
                   decode_reasons(r.reasons), r.narrative_of)
        for r in rows
    ]  # fmt: skip
