"""Relevance again for stored items, after the gazetteer, the lexicon or its weights changed.

The CLI (`monitor relevance rescore` and `explain`) calls these. Every statistic reads the
stored answer, so the counts follow as soon as the rescore is committed; flags follow too
(an item flagged for review must be relevant), and the review state is brought up to date.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, Engine, select, update

from ..records import Match, relevance_part
from ..store.codec import decode_flags, decode_matches, relevance_values
from ..store.queries import utcnow
from ..store.review_index import refresh
from ..store.tables import item_scores, items
from .relevance import RelevanceRules

_BATCH = 500
_COMPARED = ("relevant", "place_relevant", "sector_relevant", "relevance_score",
             "relevance_reason", "matches", "relevance_rules")  # fmt: skip


@dataclass
class RescoreSummary:
    """What a rescore changed; ``became``/``lost`` count items that turned relevant or not."""

    rules_version: str
    examined: int = 0
    changed: int = 0
    became: int = 0
    lost: int = 0
    sector_gained: int = 0
    sector_lost: int = 0
    place_gained: int = 0
    place_lost: int = 0
    from_summary: int = 0  # full text purged by retention: assessed on title and summary
    flags_changed: int = 0

    def as_dict(self) -> dict[str, int | str]:
        return dict(self.__dict__)


@dataclass(frozen=True, slots=True)
class Explanation:
    """The stored relevance answer of one item."""

    item_id: int
    title: str
    relevant: bool
    part: str
    sector_score: float | None
    reason: str
    rules_version: str | None
    matches: list[Match]


def rescore_relevance(
    engine: Engine,
    rules: RelevanceRules,
    since: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> RescoreSummary:
    """Assess every stored item (seen at or after ``since``) again and store what changed."""
    summary = RescoreSummary(rules.version)
    last_id = 0
    while True:
        with engine.begin() as conn:
            rows = _batch(conn, last_id, since)
            if not rows:
                break
            for row in rows:
                _rescore_row(conn, row, rules, summary)
            last_id = rows[-1].id
        if progress:
            progress(summary.examined)
    if summary.flags_changed or summary.changed:
        with engine.begin() as conn:
            refresh(conn)
    return summary


def _batch(conn: Connection, after: int, since: datetime | None) -> list:
    query = (
        select(items.c.id, items.c.title, items.c.text, items.c.summary, *_columns())
        .where(items.c.id > after)
        .order_by(items.c.id)
        .limit(_BATCH)
    )
    if since is not None:
        query = query.where(items.c.published_at.is_(None) | (items.c.published_at >= since))
        query = query.where(items.c.published_at.is_not(None) | (items.c.fetched_at >= since))
    return list(conn.execute(query))


def _columns() -> list:
    return [items.c[name] for name in _COMPARED]


def _rescore_row(conn: Connection, row, rules: RelevanceRules, summary: RescoreSummary) -> None:
    summary.examined += 1
    text = row.text or row.summary or ""
    summary.from_summary += int(not row.text)
    values = relevance_values(rules.assess(row.title, text), rules.version)
    if all(values[k] == getattr(row, k) for k in _COMPARED):
        return
    summary.changed += 1
    summary.became += int(values["relevant"] and not row.relevant)
    summary.lost += int(row.relevant and not values["relevant"])
    summary.sector_gained += int(values["sector_relevant"] and not row.sector_relevant)
    summary.sector_lost += int(row.sector_relevant and not values["sector_relevant"])
    summary.place_gained += int(values["place_relevant"] and not row.place_relevant)
    summary.place_lost += int(row.place_relevant and not values["place_relevant"])
    conn.execute(update(items).where(items.c.id == row.id).values(**values))
    if bool(values["relevant"]) != bool(row.relevant):
        summary.flags_changed += _follow_flags(conn, row.id, bool(values["relevant"]))


def _follow_flags(conn: Connection, item_id: int, relevant: bool) -> int:
    """Flagged needs a flag and relevance; a new scored_at makes the review state follow."""
    scored = conn.execute(
        select(item_scores.c.flags, item_scores.c.flagged).where(item_scores.c.item_id == item_id)
    ).first()
    if scored is None:
        return 0
    flagged = bool(decode_flags(scored.flags)) and relevant
    if flagged == bool(scored.flagged):
        return 0
    conn.execute(
        update(item_scores)
        .where(item_scores.c.item_id == item_id)
        .values(flagged=flagged, scored_at=utcnow())
    )
    return 1


def explain(conn: Connection, item_id: int) -> Explanation | None:
    """The stored answer for one item, or None when there is no such item."""
    row = conn.execute(
        select(items.c.id, items.c.title, *_columns()).where(items.c.id == item_id)
    ).first()
    if row is None:
        return None
    part = relevance_part(bool(row.place_relevant), bool(row.sector_relevant))
    return Explanation(row.id, row.title, bool(row.relevant), part, row.relevance_score,
                       row.relevance_reason, row.relevance_rules,
                       decode_matches(row.matches))  # fmt: skip
