"""Every read and write of the collection tables. Short transactions, one write path."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ..records import relevance_part
from .codec import decode_list, encode_json
from .tables import item_scores, items, review_state, source_events, sources
from .terms import seen_at


def utcnow() -> datetime:
    return datetime.now(UTC)


def _insert(conn: Connection, table: Any) -> Any:
    """An INSERT that can take ON CONFLICT DO NOTHING on both backends."""
    return (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(table)


def insert_new(conn: Connection, table: Any, values: dict[str, Any]) -> bool:
    """Insert a row unless it breaks a unique constraint; True when it was inserted."""
    # RETURNING, not rowcount: psycopg reports a row for a skipped ON CONFLICT insert.
    stmt = _insert(conn, table).values(**values).on_conflict_do_nothing()
    return conn.execute(stmt.returning(*table.primary_key.columns)).first() is not None


# -- sources ----------------------------------------------------------------------------------
def sync_sources(engine: Engine, configured: Sequence[Any], now: datetime | None = None) -> None:
    """Make the sources table match the sources file (state columns are kept)."""
    now = now or utcnow()
    with engine.begin() as conn:
        known = {row.id: row for row in conn.execute(select(sources.c.id, sources.c.url))}
        for src in configured:
            values = {
                "name": src.name,
                "type": src.type,
                "enabled": src.enabled,
                "in_config": True,
                "own": src.own,
                "interval_minutes": src.interval_minutes,
                "tags": encode_json(list(src.tags)),
                "config": encode_json(source_config(src)),
                "updated_at": now,
            }
            if src.id not in known:
                conn.execute(
                    sources.insert().values(
                        id=src.id,
                        url=src.url,
                        feed_url=src.url,
                        created_at=now,
                        last_status="never",
                        error_count=0,
                        item_count=0,
                        next_check_at=now,
                        **values,
                    )
                )
            else:
                if known[src.id].url != src.url:  # the admin changed the address: start over
                    values.update(url=src.url, feed_url=src.url, etag=None, last_modified=None)
                conn.execute(update(sources).where(sources.c.id == src.id).values(**values))
        own = [src.id for src in configured if src.own]
        if own:
            leave_review(conn, own)
        gone = set(known) - {s.id for s in configured}
        if gone:
            conn.execute(update(sources).where(sources.c.id.in_(gone)).values(in_config=False))


def leave_review(conn: Connection, source_ids: list[str]) -> None:
    """Items of the Department's own channels are its output, not something to review: any
    scores they got before the source was marked own are dropped, their status is "own"."""
    mine = select(items.c.id).where(items.c.source_id.in_(source_ids))
    conn.execute(delete(item_scores).where(item_scores.c.item_id.in_(mine)))
    conn.execute(update(review_state).where(review_state.c.source_id.in_(source_ids),
                                            review_state.c.status.in_(("new", "scored", "flagged")))
                 .values(status="own", label=None, score=0.0))  # fmt: skip


def source_config(src: Any) -> dict[str, Any]:
    """The sources.yaml entry as plain JSON-able data."""
    from dataclasses import asdict

    data = asdict(src)
    data.pop("line", None)
    data["tags"] = list(data["tags"])
    return data


def source_row(conn: Connection, source_id: str) -> Any:
    return conn.execute(select(sources).where(sources.c.id == source_id)).one()


def due_source_ids(
    conn: Connection, now: datetime, *, force: bool = False, only: Iterable[str] | None = None
) -> list[str]:
    """Sources to poll now, oldest-due first (all enabled ones when ``force``)."""
    query = select(sources.c.id).where(sources.c.enabled, sources.c.in_config)
    if only:
        query = query.where(sources.c.id.in_(list(only)))
    if not force:
        query = query.where(or_(sources.c.next_check_at.is_(None), sources.c.next_check_at <= now))
    return list(conn.scalars(query.order_by(sources.c.next_check_at, sources.c.id)))


def record_poll(conn: Connection, source_id: str, **values: Any) -> None:
    """Update a source's state columns after a poll."""
    conn.execute(update(sources).where(sources.c.id == source_id).values(**values))


def add_event(
    conn: Connection,
    source_id: str,
    level: str,
    message: str,
    *,
    url: str | None = None,
    http_status: int | None = None,
    at: datetime | None = None,
) -> None:
    conn.execute(
        source_events.insert().values(
            source_id=source_id,
            at=at or utcnow(),
            level=level,
            message=message[:4000],
            url=url,
            http_status=http_status,
        )
    )


def source_status(conn: Connection) -> list[dict[str, Any]]:
    """One dict per configured source with its health, for `monitor sources status`."""
    rows = conn.execute(select(sources).where(sources.c.in_config).order_by(sources.c.id))
    return [dict(row._mapping) for row in rows]


# -- items ------------------------------------------------------------------------------------
def known_keys(
    conn: Connection, source_id: str, url_hashes: Sequence[str], guid_hashes: Sequence[str]
) -> tuple[set[str], set[str]]:
    """Which of these canonical-URL hashes (any source) and GUID hashes (this source) exist."""
    found_urls: set[str] = set()
    found_guids: set[str] = set()
    for start in range(0, max(len(url_hashes), len(guid_hashes)), 500):
        urls = list(url_hashes[start : start + 500])
        guids = list(guid_hashes[start : start + 500])
        if urls:
            found_urls |= set(
                conn.scalars(select(items.c.url_hash).where(items.c.url_hash.in_(urls)))
            )
        if guids:
            found_guids |= set(
                conn.scalars(
                    select(items.c.guid_hash).where(
                        and_(items.c.source_id == source_id, items.c.guid_hash.in_(guids))
                    )
                )
            )
    return found_urls, found_guids


_INSERT_ITEM: dict[str, Any] = {}


def insert_item(conn: Connection, values: dict[str, Any]) -> int | None:
    """Insert an item unless one with the same URL, GUID or content exists; return its id."""
    # One statement per dialect, values passed as parameters: building a 25-column
    # INSERT ... VALUES per item cost more than the write itself (bench/crawl.py profile).
    stmt = _INSERT_ITEM.get(conn.dialect.name)
    if stmt is None:
        stmt = _insert(conn, items).on_conflict_do_nothing().returning(items.c.id)
        _INSERT_ITEM[conn.dialect.name] = stmt
    row = conn.execute(stmt, values).first()
    return None if row is None else int(row[0])


def set_cluster(conn: Connection, item_id: int, cluster_id: int) -> None:
    conn.execute(update(items).where(items.c.id == item_id).values(cluster_id=cluster_id))


def cluster_of_content(conn: Connection, content_hash: str) -> int | None:
    """The cluster of an item elsewhere with exactly this content, if any."""
    return conn.scalar(
        select(items.c.cluster_id)
        .where(items.c.content_hash == content_hash)
        .order_by(items.c.id)
        .limit(1)
    )


def fingerprints_since(conn: Connection, since: datetime) -> Iterator[tuple[int, int, bytes]]:
    """(item id, cluster id, fingerprint) of items fetched since ``since``, for the index."""
    query = (
        select(items.c.id, items.c.cluster_id, items.c.fingerprint)
        .where(items.c.fetched_at >= since, items.c.fingerprint.is_not(None))
        .order_by(items.c.id)
    )
    for row in conn.execution_options(yield_per=2000).execute(query):
        yield (
            int(row.id),
            int(row.cluster_id if row.cluster_id is not None else row.id),
            row.fingerprint,
        )


def items_to_retry(conn: Connection, source_id: str, since: datetime, limit: int = 20) -> list[Any]:
    """Items kept with the feed summary because their page failed: tried again later."""
    return list(
        conn.execute(
            select(
                items.c.id,
                items.c.url,
                items.c.article_etag,
                items.c.article_last_modified,
                items.c.title,
                items.c.summary,
                items.c.guid,
                items.c.published_at,
                items.c.canonical_url,
            )
            .where(
                items.c.source_id == source_id,
                items.c.text_method == "feed-summary",
                items.c.page_status == "fetch_failed",
                items.c.fetched_at >= since,
            )
            .order_by(items.c.id.desc())
            .limit(limit)
        )
    )


def update_item(conn: Connection, item_id: int, values: dict[str, Any]) -> None:
    conn.execute(update(items).where(items.c.id == item_id).values(**values))


def forget_scores(conn: Connection, item_id: int) -> None:
    """Drop an item's scores so that the next classification pass scores it again."""
    conn.execute(delete(item_scores).where(item_scores.c.item_id == item_id))


def count_items(conn: Connection, source_id: str | None = None) -> int:
    query = select(func.count()).select_from(items)
    if source_id:
        query = query.where(items.c.source_id == source_id)
    return int(conn.scalar(query) or 0)


EXPORT_COLUMNS = (
    "id",
    "source_id",
    "channel",  # crawl, or tip (submitted by a person; source_id "tip")
    "url",
    "canonical_url",
    "title",
    "text",
    "published_at",
    "fetched_at",
    "relevant",
    "place_relevant",
    "sector_relevant",
    "relevance_score",
    "relevance_reason",
    "matches",
    "cluster_id",
    "language",
    "text_method",
    "date_source",
    "summary",
)


def export_rows(
    conn: Connection,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    relevant_only: bool = False,
) -> Iterator[dict[str, Any]]:
    """Items for export, oldest first. The window applies to publication time, or fetch time
    for undated items."""
    when = seen_at()
    query = (
        select(*(items.c[name] for name in EXPORT_COLUMNS), sources.c.own)
        .join(sources, sources.c.id == items.c.source_id)
        .order_by(items.c.id)
    )
    if since is not None:
        query = query.where(when >= since)
    if until is not None:
        query = query.where(when < until)
    if relevant_only:
        query = query.where(items.c.relevant)
    for row in conn.execution_options(yield_per=1000).execute(query):
        record = dict(row._mapping)
        record["matches"] = decode_list(record["matches"])
        record["relevance_part"] = relevance_part(row.place_relevant, row.sector_relevant)
        record["own"] = bool(row.own)  # the Department's own channel (sources.yaml own: true)
        yield record


# An export row: the stored columns, and which part of relevance fired.
_AFTER = EXPORT_COLUMNS.index("relevance_reason") + 1
EXPORT_FIELDS = (*EXPORT_COLUMNS[:3], "own", *EXPORT_COLUMNS[3:_AFTER], "relevance_part",
                 *EXPORT_COLUMNS[_AFTER:])  # fmt: skip


def relevance_breakdown(conn: Connection, per_part: int = 2) -> list[tuple[str, int, list[Any]]]:
    """Per part of relevance (both, lang_son, construction, none): how many items, and the
    title and reason of the first ``per_part`` of them."""
    out = []
    for part, place, sector in (("both", True, True), ("lang_son", True, False),
                                ("construction", False, True), ("none", False, False)):  # fmt: skip
        where = and_(items.c.place_relevant.is_(place), items.c.sector_relevant.is_(sector))
        count = int(conn.scalar(select(func.count()).select_from(items).where(where)) or 0)
        examples = conn.execute(
            select(items.c.id, items.c.title, items.c.relevance_reason)
            .where(where)
            .order_by(items.c.relevance_score.desc(), items.c.id)
            .limit(per_part)
        ).all()
        out.append((part, count, list(examples)))
    return out


def top_clusters(conn: Connection, limit: int = 10) -> list[dict[str, Any]]:
    """Stories carried by the most outlets: cluster id, reach (outlets), copies, a title."""
    reach = func.count(func.distinct(items.c.source_id))
    rows = conn.execute(
        select(
            items.c.cluster_id,
            reach.label("reach"),
            func.count().label("copies"),
            func.min(items.c.id).label("first_id"),
        )
        .where(items.c.cluster_id.is_not(None))
        .group_by(items.c.cluster_id)
        .having(func.count() > 1)
        .order_by(reach.desc(), func.count().desc(), items.c.cluster_id)
        .limit(limit)
    ).all()
    out = []
    for row in rows:
        title = conn.scalar(select(items.c.title).where(items.c.id == row.first_id))
        out.append(
            {"cluster_id": row.cluster_id, "reach": row.reach, "copies": row.copies, "title": title}
        )
    return out


def collection_totals(conn: Connection) -> dict[str, int]:
    """Items stored, relevant, stories (clusters) and items kept from the feed summary."""
    row = conn.execute(
        select(
            func.count(),
            func.count().filter(items.c.relevant),
            func.count(func.distinct(items.c.cluster_id)),
            func.count().filter(items.c.text_method == "feed-summary"),
            func.count().filter(items.c.published_at.is_(None)),
        ).select_from(items)
    ).one()
    return {
        "items": row[0],
        "relevant": row[1],
        "stories": row[2],
        "summary_only": row[3],
        "undated": row[4],
    }
