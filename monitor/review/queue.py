"""The triage queue: filters, priority order (score × reach × recency), paging, accent-free
search, and the item page's data (text, evidence and signals, story cluster, similar cases,
history)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, select

from ..records import Phrase, Signal, relevance_part
from ..store.codec import (
    decode_evidence,
    decode_flags,
    decode_reasons,
    decode_scores,
    decode_signals,
)
from ..store.review_index import priority_now, search_ids_clause, search_tokens
from ..store.tables import (
    assignments,
    item_scores,
    items,
    review_state,
    signoffs,
    sources,
    tips,
)
from ..store.tables import verdicts as verdicts_t
from ..text.snippet import snippet
from . import NotFound
from . import audit as audit_log
from .status import STATUSES

MAX_PER_PAGE = 200


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the queue shows; an empty ``statuses`` means every status."""

    statuses: tuple[str, ...] = ("flagged",)
    label: str | None = None
    source_id: str | None = None
    assignee: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    q: str = ""
    page: int = 1
    per_page: int = 50


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One row of the queue."""

    id: int
    title: str
    url: str
    source_id: str
    source_name: str
    label: str | None
    scores: dict[str, float]
    score: float
    status: str
    cluster_id: int
    reach: int
    priority: float
    assignee: str | None
    seen_at: datetime
    reason: str = ""  # why the top label was flagged, one sentence
    snippet: str = ""  # the words around its strongest phrase
    level: str = "low"  # high, medium, low: see priority_points
    level_reason: str = ""  # what raised or lowered the level, in Vietnamese
    channel: str = "crawl"  # crawl, or tip (submitted by a person)
    seen_on: str | None = None  # a tip: where it was seen (monitor.vocabulary.PLATFORMS)


@dataclass(frozen=True, slots=True)
class QueuePage:
    """A page of the queue; ``has_next`` avoids counting a million rows."""

    items: list[QueueItem]
    page: int
    per_page: int
    has_next: bool


def _filtered(conn: Connection, f: QueueFilter) -> Any:
    unknown = set(f.statuses) - set(STATUSES)
    if unknown:
        from . import InvalidInput

        raise InvalidInput(f"unknown status {', '.join(sorted(unknown))}")
    rs = review_state.c
    query = (
        select(rs.item_id, rs.status, rs.label, rs.score, rs.reach, rs.priority, rs.assignee,
               rs.cluster_id, rs.seen_at, rs.source_id, items.c.title, items.c.url,
               sources.c.name.label("source_name"), item_scores.c.scores,
               item_scores.c.reasons, item_scores.c.evidence, items.c.text, items.c.channel,
               tips.c.seen_on)
        .select_from(
            review_state.join(items, items.c.id == rs.item_id)
            .join(sources, sources.c.id == rs.source_id)
            .outerjoin(item_scores, item_scores.c.item_id == rs.item_id)
            .outerjoin(tips, tips.c.item_id == rs.item_id)
        )
    )  # fmt: skip
    if f.statuses:
        query = query.where(rs.status.in_(f.statuses))
    if f.label:
        query = query.where(rs.label == f.label)
    if f.source_id:
        query = query.where(rs.source_id == f.source_id)
    if f.assignee:
        query = query.where(rs.assignee == f.assignee)
    if f.since:
        query = query.where(rs.seen_at >= f.since)
    if f.until:
        query = query.where(rs.seen_at < f.until)
    if search_tokens(f.q):
        query = query.where(rs.item_id.in_(search_ids_clause(conn, f.q)))
    return query


def list_queue(conn: Connection, f: QueueFilter, now: datetime | None = None) -> QueuePage:
    """One page of the queue, highest priority first."""
    now = now or datetime.now(UTC)
    per_page = max(1, min(f.per_page, MAX_PER_PAGE))
    page = max(1, f.page)
    points = priority_points(now)
    query = (
        _filtered(conn, f)
        .add_columns(points.label("points"))
        .order_by(points.desc(), review_state.c.priority.desc(), review_state.c.item_id.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    )
    rows = conn.execute(query).all()
    found = [
        QueueItem(r.item_id, r.title, r.url, r.source_id, r.source_name, r.label,
                  decode_scores(r.scores), r.score, r.status, r.cluster_id,
                  r.reach, priority_now(r.priority, now), r.assignee, r.seen_at,
                  *_why(r), level_of(r.points), level_reason(r.score, r.reach, r.seen_at, now),
                  r.channel or "crawl", r.seen_on)
        for r in rows[:per_page]
    ]  # fmt: skip
    return QueuePage(found, page, per_page, len(rows) > per_page)


# -- priority levels ---------------------------------------------------------------------------
# Points an analyst can check by eye: a strong score, a story carried by several outlets, a new
# story already spreading, a fresh item; a stale one loses a point. 4 and more is high, 2-3
# medium. Age lowers the level step by step, so old items keep their order among themselves.
LEVELS = ((4, "high"), (2, "medium"), (-99, "low"))
FRESH, FAST, STALE = timedelta(days=2), timedelta(days=1), timedelta(days=14)


def priority_points(now: datetime) -> Any:
    """SQL for an item's priority points at ``now`` (see LEVELS)."""
    rs = review_state.c
    score = case((rs.score >= 0.9, 2), (rs.score >= 0.7, 1), else_=0)
    reach = case((rs.reach >= 3, 2), (rs.reach == 2, 1), else_=0)
    fresh = case((rs.seen_at >= now - FRESH, 1), else_=0)
    fast = case(((rs.reach >= 2) & (rs.seen_at >= now - FAST), 1), else_=0)
    stale = case((rs.seen_at < now - STALE, -1), else_=0)
    return score + reach + fresh + fast + stale


def level_of(points: int | None) -> str:
    """high, medium or low."""
    return next(name for floor, name in LEVELS if (points or 0) >= floor)


def level_reason(score: float | None, reach: int, seen_at: datetime, now: datetime) -> str:
    """What the points came from, e.g. "điểm 0,97 · 3 nguồn · lan nhanh · 1 ngày"."""
    age = now - _aware(seen_at)
    parts = [f"điểm {score or 0:.2f}".replace(".", ","), f"{reach} nguồn"]
    if reach >= 2 and age <= FAST:
        parts.append("lan nhanh")
    days = max(0, age.days)
    parts.append("hôm nay" if days == 0 else f"{days} ngày")
    return " · ".join(parts)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _why(row: Any) -> tuple[str, str]:
    """The stored reason of the row's label and a snippet around its strongest phrase."""
    reason = decode_reasons(row.reasons).get(row.label, "") if row.label else ""
    phrases = decode_evidence(row.evidence).get(row.label or "", ())
    if not phrases:
        return reason, ""
    top, text = phrases[0], row.text or ""
    start = top.start if top.start is not None else text.find(top.phrase)
    if start < 0:
        return reason, ""
    return reason, snippet(text, start, top.end if top.end is not None else start + len(top.phrase))


# -- the item page ------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ClusterMember:
    """Another outlet's copy of the same story."""

    id: int
    source_name: str
    title: str
    url: str
    published_at: datetime | None


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One event in an item's life, for the item page."""

    at: datetime
    actor: str
    action: str
    detail: str


@dataclass(frozen=True, slots=True)
class ItemRelevance:
    """Why the item is (not) relevant: which part fired, the sector score, the reason."""

    part: str  # both, lang_son, construction, none
    sector_score: float | None  # None: assessed before the score existed
    reason: str  # one line in Vietnamese, written by the relevance stage


@dataclass(frozen=True, slots=True)
class TipInfo:
    """How a tip came in: where and when it was seen, who submitted it, through what."""

    seen_on: str
    seen_at: datetime | None
    submitted_by: str
    via: str
    note: str
    image_type: str | None  # the image's media type, read from its bytes; None: no image
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ItemDetail:
    """Everything the item page shows."""

    id: int
    title: str
    url: str
    source_id: str
    source_name: str
    published_at: datetime | None
    fetched_at: datetime
    text: str
    status: str
    label: str | None
    scores: dict[str, float]
    flags: list[str]
    evidence: dict[str, tuple[Phrase, ...]]
    # per flagged label: [{name, weight, value, detail}] (nearest examples, writing style)
    signals: dict[str, tuple[Signal, ...]]
    model_version: str | None
    cluster_id: int
    assignee: str | None
    relevance: ItemRelevance | None = None
    cluster: list[ClusterMember] = field(default_factory=list)
    similar: list[ClusterMember] = field(default_factory=list)
    history: list[HistoryEntry] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # per flagged label, one sentence
    channel: str = "crawl"
    tip: TipInfo | None = None


def item_detail(conn: Connection, item_id: int, now: datetime | None = None) -> ItemDetail:
    """The item page's data."""
    row = conn.execute(
        select(items, sources.c.name.label("source_name"), item_scores.c.scores,
               item_scores.c.flags, item_scores.c.evidence, item_scores.c.signals,
               item_scores.c.reasons,
               item_scores.c.label.label("label"), item_scores.c.model_version,
               item_scores.c.narrative_of,
               review_state.c.status, review_state.c.assignee)
        .select_from(
            items.join(sources, sources.c.id == items.c.source_id)
            .outerjoin(item_scores, item_scores.c.item_id == items.c.id)
            .outerjoin(review_state, review_state.c.item_id == items.c.id)
        )
        .where(items.c.id == item_id)
    ).first()  # fmt: skip
    if row is None:
        raise NotFound(f"no item {item_id}")
    cluster_id = row.cluster_id or row.id
    return ItemDetail(
        row.id, row.title, row.url, row.source_id, row.source_name, row.published_at,
        row.fetched_at, row.text or row.summary, row.status or "new", row.label,
        decode_scores(row.scores), list(decode_flags(row.flags)),
        decode_evidence(row.evidence), decode_signals(row.signals), row.model_version,
        cluster_id, row.assignee,
        ItemRelevance(relevance_part(row.place_relevant, row.sector_relevant),
                      row.relevance_score, row.relevance_reason),
        _members(conn, items.c.cluster_id == cluster_id, exclude=row.id),
        _similar(conn, row.narrative_of, row.id),
        history(conn, item_id),
        decode_reasons(row.reasons),
        row.channel or "crawl",
        tip_info(conn, row.id) if row.channel == "tip" else None,
    )  # fmt: skip


def tip_info(conn: Connection, item_id: int) -> TipInfo | None:
    row = conn.execute(select(tips).where(tips.c.item_id == item_id)).first()
    if row is None:
        return None
    return TipInfo(row.seen_on, row.seen_at, row.submitted_by, row.via, row.note,
                   row.image_type if row.image_path else None, row.created_at)  # fmt: skip


def _members(
    conn: Connection, condition: Any, exclude: int, limit: int = 50
) -> list[ClusterMember]:
    rows = conn.execute(
        select(items.c.id, sources.c.name, items.c.title, items.c.url, items.c.published_at)
        .join(sources, sources.c.id == items.c.source_id)
        .where(condition, items.c.id != exclude)
        .order_by(items.c.id)
        .limit(limit)
    )
    return [ClusterMember(*r) for r in rows]


def _similar(conn: Connection, narrative_of: int | None, item_id: int) -> list[ClusterMember]:
    """Earlier confirmed cases this item repeats (the classifier's narrative link)."""
    if narrative_of is None:
        return []
    return _members(conn, items.c.id == narrative_of, exclude=item_id, limit=5)


def history(conn: Connection, item_id: int) -> list[HistoryEntry]:
    """Verdicts, sign-offs and assignments of the item, oldest first."""
    out = [
        HistoryEntry(r.created_at, r.analyst, f"verdict:{r.verdict}", r.reason)
        for r in conn.execute(select(verdicts_t).where(verdicts_t.c.item_id == item_id))
    ]
    out += [
        HistoryEntry(r.created_at, r.lead, "signoff", r.note)
        for r in conn.execute(select(signoffs).where(signoffs.c.item_id == item_id))
    ]
    out += [
        HistoryEntry(r.created_at, r.assigned_by, "assign", r.assignee or "—")
        for r in conn.execute(select(assignments).where(assignments.c.item_id == item_id))
    ]
    return sorted(out, key=lambda h: h.at)


def audit_for_item(conn: Connection, item_id: int) -> list[audit_log.AuditEntry]:
    """Audit entries about this item."""
    return audit_log.entries(conn, entity="item", entity_ids=[str(item_id)])
