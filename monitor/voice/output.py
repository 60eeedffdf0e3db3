"""The Department's own output: posts of its own channels (sources.yaml ``own: true``),
counted by local month and by topic; the one place these figures are computed."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, func, select

from ..store.tables import items, sources
from ..store.terms import seen_at
from ..timefmt import LOCAL

__all__ = ["own_posts_total"]


def _local_bounds(start: date, end: date) -> tuple[object, object]:
    from datetime import datetime, time

    lo = datetime.combine(start, time.min, LOCAL)
    hi = datetime.combine(end, time.min, LOCAL)
    return lo, hi


def own_posts_total(conn: Connection, year: int) -> int:
    """Posts of the Department's own channels seen in ``year`` (local time)."""
    lo, hi = _local_bounds(date(year, 1, 1), date(year + 1, 1, 1))
    query = (
        select(func.count())
        .select_from(items.join(sources, sources.c.id == items.c.source_id))
        .where(sources.c.own, seen_at() >= lo, seen_at() < hi)
    )
    return int(conn.scalar(query) or 0)
