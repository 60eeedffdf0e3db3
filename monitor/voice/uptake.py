"""Press uptake: which outlets carried each of the Department's own posts, when, and with what
lag; derived data kept in ``own_uptake``, refreshed by the service and the demo.

An outlet carried an own post when one of its items, seen from the start of the post's local
day (many outlets give a date without the time of day, read as midnight) to UPTAKE_WINDOW
later:
- belongs to the post's story cluster (the crawler grouped it with the post: same text or
  near-duplicate), "story"; or
- shares a passage of QUOTE_WORDS consecutive words with it (accents ignored), "quote": the
  outlet quoted the post without reprinting it.
Tips and the own channels themselves never count as uptake. The lag runs from the post's seen
time to the outlet's (0 when the outlet's item is dated earlier the same day).
"""

from __future__ import annotations

import re
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, select

from ..store.tables import items, own_uptake, sources
from ..store.terms import seen_at
from ..text.normalize import fold_normalized
from ..timefmt import LOCAL
from ..vocabulary import TIP_SOURCE
from .output import OwnPost, own_posts

__all__ = ["refresh_uptake", "uptake", "Pickup", "PostUptake", "UptakeFigures",
           "UPTAKE_WINDOW", "QUOTE_WORDS"]  # fmt: skip

UPTAKE_WINDOW = timedelta(days=30)
QUOTE_WORDS = 12
REFRESH_DAYS = 45  # own posts this recent are examined again at each refresh
_WORD = re.compile(r"\w+")


def _shingles(title: str, text: str) -> set[int]:
    words = _WORD.findall(fold_normalized(f"{title}\n{text}".casefold()))
    return {hash(tuple(words[i : i + QUOTE_WORDS])) for i in range(len(words) - QUOTE_WORDS + 1)}


def day_start(moment: datetime) -> datetime:
    """The start of ``moment``'s local day."""
    local = moment.astimezone(LOCAL)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def refresh_uptake(engine: Engine, now: datetime | None = None, days: int | None = REFRESH_DAYS
                   ) -> int:  # fmt: skip
    """Recompute the uptake of the own posts seen in the last ``days`` days (all with None);
    returns the number of (post, outlet item) pairs found."""
    now = now or datetime.now(UTC)
    start = now - timedelta(days=days) if days is not None else datetime(1970, 1, 1, tzinfo=UTC)
    with engine.begin() as conn:
        posts = own_posts(conn, start, now + timedelta(days=1))
        if not posts:
            return 0
        texts = dict(conn.execute(select(items.c.id, items.c.text)
                                  .where(items.c.id.in_([p.id for p in posts]))).all())  # fmt: skip
        lo = min(day_start(p.seen_at) for p in posts)
        hi = max(p.seen_at for p in posts) + UPTAKE_WINDOW
        others = _outlet_items(conn, lo, hi)
        found = []
        by_cluster: dict[int, list[Any]] = defaultdict(list)
        for row in others:
            by_cluster[int(row.cluster_id or row.id)].append(row)
        quotes = {p.id: _shingles(p.title, texts.get(p.id) or "") for p in posts}
        shingled: dict[int, set[int]] = {}
        for post in posts:
            begin, end = day_start(post.seen_at), post.seen_at + UPTAKE_WINDOW
            carried: dict[int, tuple[Any, str]] = {}
            for row in by_cluster.get(post.cluster_id, ()):
                if begin <= row.seen_at <= end:
                    carried[row.id] = (row, "story")
            mine = quotes[post.id]
            if mine:
                for row in others:
                    if row.id in carried or not begin <= row.seen_at <= end:
                        continue
                    if row.id not in shingled:
                        shingled[row.id] = _shingles(row.title, row.text or "")
                    if mine & shingled[row.id]:
                        carried[row.id] = (row, "quote")
            for row, how in carried.values():
                lag = max((row.seen_at - post.seen_at).total_seconds() / 3600, 0.0)
                found.append(dict(own_item_id=post.id, item_id=row.id, source_id=row.source_id,
                                  how=how, lag_hours=round(lag, 2), found_at=now))  # fmt: skip
        ids = [p.id for p in posts]
        conn.execute(delete(own_uptake).where(own_uptake.c.own_item_id.in_(ids)))
        if found:
            conn.execute(own_uptake.insert(), found)
    return len(found)


def _outlet_items(conn: Connection, lo: datetime, hi: datetime) -> list[Any]:
    """Items of outlets (not own channels, not tips) seen in [lo, hi]."""
    when = seen_at()
    return list(conn.execute(
        select(items.c.id, items.c.source_id, items.c.cluster_id, items.c.title, items.c.text,
               when.label("seen_at"))
        .select_from(items.join(sources, sources.c.id == items.c.source_id))
        .where(~sources.c.own, items.c.source_id != TIP_SOURCE, when >= lo, when <= hi)
    ))  # fmt: skip


# -- figures ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Pickup:
    item_id: int
    source_id: str
    source_name: str
    title: str
    url: str
    seen_at: datetime
    how: str  # story, quote
    lag_hours: float


@dataclass(frozen=True, slots=True)
class PostUptake:
    post: OwnPost
    pickups: list[Pickup]

    @property
    def outlets(self) -> list[str]:
        return sorted({p.source_name for p in self.pickups})


@dataclass
class UptakeFigures:
    """Own posts of a window and how far they travelled."""

    posts: int = 0
    picked: int = 0  # posts carried by at least one outlet
    by_outlet: list[tuple[str, int]] = field(default_factory=list)  # outlet, posts it carried
    by_how: dict[str, int] = field(default_factory=dict)  # story/quote: (post, outlet) pairs
    median_lag_hours: float | None = None  # first pickup of each picked post
    per_post: list[PostUptake] = field(default_factory=list)

    @property
    def share(self) -> float:
        return self.picked / self.posts if self.posts else 0.0


def uptake(conn: Connection, start: datetime, end: datetime) -> UptakeFigures:
    """Uptake of the own posts seen in [start, end) (as last refreshed)."""
    posts = own_posts(conn, start, end)
    figures = UptakeFigures(posts=len(posts))
    if not posts:
        return figures
    rows = conn.execute(
        select(own_uptake.c.own_item_id, own_uptake.c.item_id, own_uptake.c.source_id,
               own_uptake.c.how, own_uptake.c.lag_hours, sources.c.name, items.c.title,
               items.c.url, seen_at().label("seen_at"))
        .select_from(own_uptake.join(items, items.c.id == own_uptake.c.item_id)
                     .join(sources, sources.c.id == own_uptake.c.source_id))
        .where(own_uptake.c.own_item_id.in_([p.id for p in posts]))
        .order_by(own_uptake.c.lag_hours, own_uptake.c.item_id)
    ).all()  # fmt: skip
    by_post: dict[int, list[Pickup]] = defaultdict(list)
    for r in rows:
        pickup = Pickup(r.item_id, r.source_id, r.name, r.title, r.url, r.seen_at, r.how,
                        float(r.lag_hours or 0))  # fmt: skip
        by_post[r.own_item_id].append(pickup)
    outlets: dict[str, set[int]] = defaultdict(set)
    how: dict[str, set[tuple[int, str]]] = defaultdict(set)
    first_lags = []
    for post in posts:
        pickups = by_post.get(post.id, [])
        figures.per_post.append(PostUptake(post, pickups))
        if not pickups:
            continue
        figures.picked += 1
        first_lags.append(min(p.lag_hours for p in pickups))
        for p in pickups:
            outlets[p.source_name].add(post.id)
            how[p.how].add((post.id, p.source_id))
    figures.by_outlet = sorted(((name, len(ids)) for name, ids in outlets.items()),
                               key=lambda pair: (-pair[1], pair[0]))  # fmt: skip
    figures.by_how = {"story": len(how["story"]), "quote": len(how["quote"])}
    figures.median_lag_hours = statistics.median(first_lags) if first_lags else None
    return figures
