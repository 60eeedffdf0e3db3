"""The Department's own output: posts of its own channels (sources.yaml ``own: true``),
counted by local month and by topic; the one place these figures are computed (overview,
digest, yearly report and its CSV appendix all read them here).

An own post's topic is the construction-sector topic its relevance matched most often
(monitor/collect/rulefiles.py TOPICS: works, planning, housing...); a post that matched none
is "other".
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import Connection, func, select

from ..collect.rulefiles import TOPICS
from ..store.codec import decode_list
from ..store.tables import items, sources
from ..store.terms import seen_at
from ..timefmt import LOCAL

__all__ = ["OwnPost", "own_posts", "own_posts_total", "by_month", "by_topic", "topic_name",
           "OTHER"]  # fmt: skip

OTHER = "other"


@dataclass(frozen=True, slots=True)
class OwnPost:
    id: int
    source_id: str
    source_name: str
    title: str
    url: str
    seen_at: datetime
    topic: str  # a key of TOPICS, or OTHER
    cluster_id: int


def topic_name(topic: str) -> str:
    """The Vietnamese name of a topic key."""
    return TOPICS.get(topic, "khác")


def local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """[start, end) in local days, as aware datetimes."""
    return datetime.combine(start, time.min, LOCAL), datetime.combine(end, time.min, LOCAL)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    return local_bounds(date(year, 1, 1), date(year + 1, 1, 1))


def topic_of(matches_json: str | None) -> str:
    counts: Counter[str] = Counter()
    for match in decode_list(matches_json):
        if isinstance(match, dict) and match.get("kind") == "sector" and match.get("topic"):
            counts[match["topic"]] += int(match.get("count") or 1)
    if not counts:
        return OTHER
    return max(sorted(counts), key=lambda t: counts[t])


def _own_query() -> Any:
    return (
        select(items.c.id, items.c.source_id, sources.c.name.label("source_name"), items.c.title,
               items.c.url, seen_at().label("seen_at"), items.c.matches, items.c.cluster_id)
        .select_from(items.join(sources, sources.c.id == items.c.source_id))
        .where(sources.c.own)
    )  # fmt: skip


def own_posts(conn: Connection, start: datetime, end: datetime) -> list[OwnPost]:
    """Posts of the own channels seen in [start, end), oldest first."""
    when = seen_at()
    rows = conn.execute(_own_query().where(when >= start, when < end).order_by(when, items.c.id))
    return [OwnPost(r.id, r.source_id, r.source_name, r.title, r.url, r.seen_at,
                    topic_of(r.matches), int(r.cluster_id or r.id)) for r in rows]  # fmt: skip


def own_posts_total(conn: Connection, year: int) -> int:
    """Posts of the Department's own channels seen in ``year`` (local time)."""
    lo, hi = year_bounds(year)
    query = (
        select(func.count())
        .select_from(items.join(sources, sources.c.id == items.c.source_id))
        .where(sources.c.own, seen_at() >= lo, seen_at() < hi)
    )
    return int(conn.scalar(query) or 0)


def by_month(posts: list[OwnPost], year: int) -> dict[str, int]:
    """{"YYYY-MM": posts} for the twelve months of ``year`` (local time), zeros included."""
    counts = {f"{year}-{m:02d}": 0 for m in range(1, 13)}
    for post in posts:
        key = post.seen_at.astimezone(LOCAL).strftime("%Y-%m")
        if key in counts:
            counts[key] += 1
    return counts


def by_topic(posts: list[OwnPost]) -> dict[str, int]:
    """{topic: posts} for every topic (TOPICS order, then other), zeros included."""
    counts = dict.fromkeys([*TOPICS, OTHER], 0)
    for post in posts:
        counts[post.topic] = counts.get(post.topic, 0) + 1
    return counts
