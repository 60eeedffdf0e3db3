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

from sqlalchemy import ColumnElement, Connection, case, func, literal, select

from ..store.codec import decode_list
from ..store.tables import item_scores, items, review_state, sources
from ..store.terms import confirmed, seen_at
from ..timefmt import LOCAL
from ..vocabulary import TIP_SOURCE

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
    """Counts per day, ISO week (YYYY-Www), label or source for items seen in ``window``.

    Items are counted on their *seen day*: publication time, else fetch time, as a local day in
    Asia/Ho_Chi_Minh — the one definition of the overview, the digest, the yearly report and
    `monitor export`. Label is the classifier's most probable label ("unscored" when not
    scored, "own" for the Department's own posts, which are never scored); days and weeks
    without items are included with zeros; labels and sources are ordered by items collected.
    """
    return _grouped(conn, window, group, seen_at())


def _grouped(conn: Connection, window: Window, group: str, when: Any) -> list[Counts]:
    """The five counts per ``group`` for items whose time ``when`` falls in ``window``."""
    if group not in GROUPS:
        raise ValueError(f"group must be one of {', '.join(GROUPS)}")
    key = {
        "day": _local_day(conn, when),
        "week": _local_day(conn, when),  # folded into ISO weeks below
        "label": case((sources.c.own.is_(True), literal("own")),
                      else_=func.coalesce(item_scores.c.label, literal("unscored"))),
        "source": sources.c.name,
    }[group]
    status = review_state.c.status
    query = (
        select(
            key.label("key"),
            func.count().label("collected"),
            func.sum(case((items.c.relevant.is_(True), 1), else_=0)).label("relevant"),
            func.sum(case((item_scores.c.flagged.is_(True), 1), else_=0)).label("flagged"),
            func.sum(case((confirmed(status), 1), else_=0)).label("confirmed"),
            func.sum(case((status == "dismissed", 1), else_=0)).label("dismissed"),
        )
        .select_from(
            items.join(sources, sources.c.id == items.c.source_id)
            .outerjoin(item_scores, item_scores.c.item_id == items.c.id)
            .outerjoin(review_state, review_state.c.item_id == items.c.id)
        )
        .where(when >= window.start, when < window.end)
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
    last_warning: str | None = None  # why the last poll ended with a warning


def source_health(
    conn: Connection, window: Window, silent_after: float, now: datetime | None = None
) -> list[SourceHealth]:
    """Every source with its health, items per day over ``window`` and the silence alert."""
    now = now or datetime.now(UTC)
    series = items_per_day(conn, window)
    out = []
    tips_source = sources.c.id == TIP_SOURCE  # people submit tips; nothing to watch
    for r in conn.execute(select(sources).where(~tips_source).order_by(sources.c.name)):
        since = r.last_new_item_at or r.created_at
        quiet = (now - since).total_seconds() / 60 > silent_after * r.interval_minutes
        out.append(SourceHealth(
            r.id, r.name, bool(r.enabled), r.last_status, r.last_success_at, r.last_error,
            r.error_count, r.last_new_item_at, series.get(r.id, [0] * len(window.days())),
            bool(r.enabled) and quiet, r.last_warning,
        ))  # fmt: skip
    return out


# -- report and digest figures (issue 5) ------------------------------------------------------
# Definitions used by the weekly digest and the yearly report, so that their figures equal
# what `monitor export --since FIRST --until LAST` writes for the same window:
# - an item is counted on its *seen day*: the local day (Asia/Ho_Chi_Minh) of its publication
#   time, or of its fetch time when the page carried no date;
# - every stored item counts once (dedup: one row per canonical URL, per feed GUID and per
#   content hash within a source, enforced by unique constraints); copies of one story in
#   different outlets are separate items, and a *story* is a cluster of copies;
# - outlet type: the first tag of the source in sources.yaml (demo tags ignored), else "other";
# - topic of a relevant item: "lang_son" (it mentions Lạng Sơn), "construction" (its sector
#   score passed the cut-off) or "both" (items.place_relevant, items.sector_relevant);
#   irrelevant items have the topic "none".
TOPICS = ("both", "lang_son", "construction", "none")
_IGNORED_TAGS = {"demo"}


def _topic() -> Any:
    place, sector = items.c.place_relevant.is_(True), items.c.sector_relevant.is_(True)
    return case(
        (place & sector, literal("both")),
        (place, literal("lang_son")),
        (sector, literal("construction")),
        else_=literal("none"),
    )


@dataclass(frozen=True, slots=True)
class Cell:
    """Counts of one (source, seen day, topic) combination: the base every breakdown sums."""

    source_id: str
    day: str
    topic: str
    counts: tuple[int, ...]  # one per METRICS entry, in that order


def cells(conn: Connection, window: Window) -> list[Cell]:
    """The five counts per source, local seen day and topic for items seen in ``window``."""
    status = review_state.c.status
    day = _local_day(conn, seen_at())
    topic = _topic()
    query = (
        select(
            items.c.source_id, day.label("day"), topic.label("topic"), func.count(),
            func.sum(case((items.c.relevant.is_(True), 1), else_=0)),
            func.sum(case((item_scores.c.flagged.is_(True), 1), else_=0)),
            func.sum(case((confirmed(status), 1), else_=0)),
            func.sum(case((status == "dismissed", 1), else_=0)),
        )
        .select_from(
            items.outerjoin(item_scores, item_scores.c.item_id == items.c.id)
            .outerjoin(review_state, review_state.c.item_id == items.c.id)
        )
        .where(seen_at() >= window.start, seen_at() < window.end)
        .group_by(items.c.source_id, day, topic)
    )  # fmt: skip
    return [
        Cell(r[0], str(r[1]), str(r[2]), tuple(int(v or 0) for v in r[3:]))
        for r in conn.execute(query)
    ]


def outlet_types(conn: Connection) -> dict[str, str]:
    """Each source id's outlet type: its first tag (demo tags ignored), else "other"."""

    out = {}
    for sid, tags in conn.execute(select(sources.c.id, sources.c.tags)):
        kept = [t for t in decode_list(tags) if t not in _IGNORED_TAGS]
        out[sid] = str(kept[0]) if kept else "other"
    return out


def breakdown(cells_: list[Cell], key: Any, order: list[str] | None = None) -> list[Counts]:
    """Sum cells by ``key(cell)``; ``order`` lists every key to show (zeros kept)."""
    sums: dict[str, list[int]] = {k: [0] * len(METRICS) for k in order or []}
    for cell in cells_:
        row = sums.setdefault(key(cell), [0] * len(METRICS))
        for n, value in enumerate(cell.counts):
            row[n] += value
    rows = [Counts(k, *v) for k, v in sums.items()]
    return rows if order else sorted(rows, key=lambda c: (-c.collected, c.key))


def months_of(window: Window) -> list[str]:
    """YYYY-MM of every month the window touches."""
    return list(dict.fromkeys(d.isoformat()[:7] for d in window.days()))


def weeks_of(window: Window) -> list[str]:
    """ISO weeks (YYYY-Www) the window touches."""
    return list(dict.fromkeys(_week_of(d) for d in window.days()))


def by_month(cells_: list[Cell], window: Window) -> list[Counts]:
    """Counts per local month of the seen day (every month of the window, zeros kept)."""
    return breakdown(cells_, lambda c: c.day[:7], months_of(window))


def by_week(cells_: list[Cell], window: Window) -> list[Counts]:
    """Counts per ISO week of the seen day (every week of the window, zeros kept)."""
    return breakdown(cells_, lambda c: _week_of(date.fromisoformat(c.day)), weeks_of(window))


def total(cells_: list[Cell], key: str) -> Counts:
    """The five counts over every cell."""
    return breakdown(cells_, lambda c: key, [key])[0]


def iso_week(text: str) -> Window:
    """The local Monday-to-Sunday window of an ISO week written YYYY-Www."""
    try:
        year, week = text.strip().upper().split("-W")
        monday = date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO week such as 2020-W10") from None
    return Window(monday, monday + timedelta(days=6))


def year_window(year: int) -> Window:
    """1 January to 31 December of ``year``, local days."""
    return Window(date(year, 1, 1), date(year, 12, 31))


# -- stories, confirmed cases and responses ---------------------------------------------------
@dataclass(frozen=True, slots=True)
class Story:
    """A story (cluster) seen in a window: its first item, reach (outlets) and copies."""

    item_id: int
    title: str
    url: str
    outlet: str
    first_seen: datetime
    reach: int
    copies: int
    status: str = ""
    label: str = ""
    case_status: str = ""  # "" when no case was opened
    channel: str = ""
    office: str = ""
    drafts: int = 0
    sent_at: datetime | None = None
    answered_at: datetime | None = None
    correction_url: str = ""


def _stories(
    conn: Connection, window: Window, where: ColumnElement[bool], limit: int | None
) -> list[Story]:
    cluster = func.coalesce(items.c.cluster_id, items.c.id)
    reach = func.count(func.distinct(items.c.source_id))
    query = (
        select(cluster.label("cluster"), func.min(items.c.id).label("first_id"),
               reach.label("reach"), func.count().label("copies"),
               func.min(seen_at()).label("first_seen"))
        .select_from(items.outerjoin(review_state, review_state.c.item_id == items.c.id))
        .where(seen_at() >= window.start, seen_at() < window.end, where)
        .group_by(cluster)
        .order_by(reach.desc(), func.count().desc(), cluster)
    )  # fmt: skip
    if limit:
        query = query.limit(limit)
    out = []
    for r in conn.execute(query).all():
        out.append(_story(conn, r.cluster, r.first_id, r.reach, r.copies, r.first_seen))
    return out


def _story(
    conn: Connection, cluster: int, item_id: int, reach: int, copies: int, first: Any
) -> Story:
    from ..store.tables import drafts, response_cases

    # Same members as coalesce(cluster_id, id) == cluster, written so both indexes serve it.
    members = select(items.c.id).where(
        (items.c.cluster_id == cluster) | ((items.c.id == cluster) & items.c.cluster_id.is_(None))
    )

    row = conn.execute(
        select(items.c.title, items.c.url, sources.c.name, review_state.c.status,
               review_state.c.label)
        .join(sources, sources.c.id == items.c.source_id)
        .outerjoin(review_state, review_state.c.item_id == items.c.id)
        .where(items.c.id == item_id)
    ).one()  # fmt: skip
    case_row = conn.execute(
        select(response_cases).where(response_cases.c.item_id.in_(members))
        .order_by(response_cases.c.id.desc()).limit(1)
    ).first()  # fmt: skip
    n_drafts = conn.scalar(select(func.count(drafts.c.id)).where(drafts.c.item_id.in_(members)))
    if isinstance(first, str):  # SQLite returns MIN() over a coalesce as text
        first = datetime.fromisoformat(first)
    first = first if first.tzinfo else first.replace(tzinfo=UTC)
    extra: dict[str, Any] = {}
    if case_row is not None:
        extra = {"case_status": case_row.status, "channel": case_row.channel or "",
                 "office": case_row.office or "", "sent_at": case_row.sent_at,
                 "answered_at": case_row.answered_at,
                 "correction_url": case_row.correction_url or ""}  # fmt: skip
    return Story(item_id, row.title, row.url, row.name, first, reach, copies, row.status or "",
                 row.label or "", drafts=int(n_drafts or 0), **extra)  # fmt: skip


def top_stories(conn: Connection, window: Window, limit: int = 5) -> list[Story]:
    """Stories seen in the window with the widest reach (distinct outlets), then copies."""
    return _stories(conn, window, items.c.relevant.is_(True), limit)


def confirmed_stories(conn: Connection, window: Window, label: str | None = None) -> list[Story]:
    """Stories seen in the window now confirmed or signed off (optionally of one label)."""
    where: ColumnElement[bool] = confirmed()
    if label:
        where = where & (review_state.c.label == label)
    return sorted(_stories(conn, window, where, None), key=lambda s: s.first_seen)


def criticism_stories(conn: Connection, window: Window) -> list[Story]:
    """Stories seen in the window judged legitimate criticism, with the office and answer."""
    where = review_state.c.status == "criticism"
    return sorted(_stories(conn, window, where, None), key=lambda s: s.first_seen)


@dataclass(frozen=True, slots=True)
class Responses:
    """What was done about the confirmed stories of a window."""

    confirmed: int  # stories (clusters) confirmed or signed off
    signed_off: int
    drafted: int  # stories with at least one draft
    cases: int  # rebuttal cases opened
    sent: int
    answered: int
    corrected: int  # corrections obtained (published, with a link)
    median_hours_to_response: float | None  # first publication → response sent


def responses(stories: list[Story]) -> Responses:
    """Response figures over confirmed stories (from :func:`confirmed_stories`)."""
    hours = sorted(
        (s.sent_at.replace(tzinfo=s.sent_at.tzinfo or UTC) - s.first_seen).total_seconds() / 3600
        for s in stories if s.sent_at is not None
    )  # fmt: skip
    median = None
    if hours:
        mid = len(hours) // 2
        median = hours[mid] if len(hours) % 2 else (hours[mid - 1] + hours[mid]) / 2
    return Responses(
        confirmed=len(stories),
        signed_off=sum(s.status == "signed_off" for s in stories),
        drafted=sum(s.drafts > 0 for s in stories),
        cases=sum(bool(s.case_status) for s in stories),
        sent=sum(s.sent_at is not None for s in stories),
        answered=sum(s.answered_at is not None for s in stories),
        corrected=sum(bool(s.correction_url) for s in stories),
        median_hours_to_response=None if median is None else round(median, 1),
    )
