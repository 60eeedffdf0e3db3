"""THE statistics module: every number shown anywhere (dashboard overview, digest, yearly report)
comes from here, so that they agree.

Definitions (each function repeats the one it uses):
- an item is counted on its *collection day*: the calendar day of ``items.fetched_at`` in
  Asia/Ho_Chi_Minh (UTC+07:00, no daylight saving);
- collected: every stored item; relevant: ``items.relevant`` is true;
- flagged: the item was scored over a review threshold (``item_scores.flagged``), whatever
  happened to it afterwards;
- confirmed: its review status is now confirmed or signed_off; dismissed: now dismissed
  (``review_state.status``, kept current by monitor.review).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, case, func, literal, select

from ..store.tables import item_scores, items, review_state, sources
from ..timefmt import LOCAL

GROUPS = ("day", "week", "label", "source")
METRICS = ("collected", "relevant", "flagged", "confirmed", "dismissed")


@dataclass(frozen=True, slots=True)
class Window:
    """Local calendar days [first, last], both included."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), LOCAL).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), LOCAL).astimezone(UTC)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


@dataclass(frozen=True, slots=True)
class Counts:
    """The five counts for one group (a day, an ISO week, a label or a source)."""

    key: str
    collected: int = 0
    relevant: int = 0
    flagged: int = 0
    confirmed: int = 0
    dismissed: int = 0


def local_today(now: datetime | None = None) -> date:
    """Today's date in Asia/Ho_Chi_Minh."""
    return (now or datetime.now(UTC)).astimezone(LOCAL).date()


def today(now: datetime | None = None) -> Window:
    """The current local day."""
    day = local_today(now)
    return Window(day, day)


def this_week(now: datetime | None = None) -> Window:
    """Monday to Sunday of the current local week (ISO weeks)."""
    day = local_today(now)
    monday = day - timedelta(days=day.weekday())
    return Window(monday, monday + timedelta(days=6))


def last_days(n: int, now: datetime | None = None) -> Window:
    """The last ``n`` local days, today included."""
    day = local_today(now)
    return Window(day - timedelta(days=n - 1), day)


def _local_day(conn: Connection, column: Any) -> Any:
    """SQL for the local calendar day (YYYY-MM-DD text) of a UTC timestamp column."""
    if conn.dialect.name == "postgresql":
        return func.to_char(func.timezone("Asia/Ho_Chi_Minh", column), "YYYY-MM-DD")
    return func.date(column, "+7 hours")  # SQLite stores naive UTC; Vietnam is UTC+7 all year


def counts(conn: Connection, window: Window, group: str) -> list[Counts]:
    """Counts per day, ISO week (YYYY-Www), label or source for items collected in ``window``.

    Items are counted on their collection day (``fetched_at`` in Asia/Ho_Chi_Minh); label is
    the classifier's most probable label ("unscored" when not scored); days and weeks without
    items are included with zeros; labels and sources are ordered by items collected.
    """
    if group not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}")
    key = {
        "day": _local_day(conn, items.c.fetched_at),
        "week": _local_day(conn, items.c.fetched_at),  # folded into ISO weeks below
        "label": func.coalesce(item_scores.c.label, literal("unscored")),
        "source": sources.c.name,
    }[group]
    status = review_state.c.status
    query = (
        select(
            key.label("key"),
            func.count().label("collected"),
            func.sum(case((items.c.relevant.is_(True), 1), else_=0)).label("relevant"),
            func.sum(case((item_scores.c.flagged.is_(True), 1), else_=0)).label("flagged"),
            func.sum(case((status.in_(("confirmed", "signed_off")), 1), else_=0)).label(
                "confirmed"
            ),
            func.sum(case((status == "dismissed", 1), else_=0)).label("dismissed"),
        )
        .select_from(
            items.join(sources, sources.c.id == items.c.source_id)
            .outerjoin(item_scores, item_scores.c.item_id == items.c.id)
            .outerjoin(review_state, review_state.c.item_id == items.c.id)
        )
        .where(items.c.fetched_at >= window.start, items.c.fetched_at < window.end)
        .group_by(key)
    )
    rows = [Counts(str(r.key), *(int(v or 0) for v in r[1:])) for r in conn.execute(query)]
    if group in {"day", "week"}:
        return _calendar(rows, window, weekly=group == "week")
    return sorted(rows, key=lambda c: (-c.collected, c.key))


def _week_of(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _calendar(rows: list[Counts], window: Window, weekly: bool) -> list[Counts]:
    by_day = {r.key: r for r in rows}
    merged: dict[str, list[int]] = {}
    for day in window.days():
        bucket = _week_of(day) if weekly else day.isoformat()
        row = by_day.get(day.isoformat(), Counts(day.isoformat()))
        totals = merged.setdefault(bucket, [0] * len(METRICS))
        for n, metric in enumerate(METRICS):
            totals[n] += getattr(row, metric)
    return [Counts(k, *v) for k, v in merged.items()]


def totals(conn: Connection, window: Window) -> Counts:
    """The five counts over the whole window (same definitions as :func:`counts`)."""
    days = counts(conn, window, "day")
    summed = [sum(getattr(d, m) for d in days) for m in METRICS]
    return Counts(f"{window.first.isoformat()}..{window.last.isoformat()}", *summed)


def items_per_day(conn: Connection, window: Window) -> dict[str, list[int]]:
    """Items collected per local day for each source id (the sources page's small charts)."""
    day = _local_day(conn, items.c.fetched_at)
    query = (
        select(items.c.source_id, day.label("day"), func.count())
        .where(items.c.fetched_at >= window.start, items.c.fetched_at < window.end)
        .group_by(items.c.source_id, day)
    )
    index = {d.isoformat(): n for n, d in enumerate(window.days())}
    out: dict[str, list[int]] = {}
    for source_id, key, count in conn.execute(query):
        series = out.setdefault(source_id, [0] * len(index))
        if key in index:
            series[index[key]] = int(count)
    return out


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """One source's health for the sources page; ``silent`` when no new item came for
    ``silent_after`` of its usual intervals (measured from its last new item, else creation)."""

    id: str
    name: str
    enabled: bool
    last_status: str
    last_success_at: datetime | None
    last_error: str | None
    error_count: int
    last_new_item_at: datetime | None
    per_day: list[int]
    silent: bool


def source_health(
    conn: Connection, window: Window, silent_after: float, now: datetime | None = None
) -> list[SourceHealth]:
    """Every source with its health, items per day over ``window`` and the silence alert."""
    now = now or datetime.now(UTC)
    series = items_per_day(conn, window)
    out = []
    for r in conn.execute(select(sources).order_by(sources.c.name)):
        since = r.last_new_item_at or r.created_at
        quiet = (now - since).total_seconds() / 60 > silent_after * r.interval_minutes
        out.append(SourceHealth(
            r.id, r.name, bool(r.enabled), r.last_status, r.last_success_at, r.last_error,
            r.error_count, r.last_new_item_at, series.get(r.id, [0] * len(window.days())),
            bool(r.enabled) and quiet,
        ))  # fmt: skip
    return out
