"""Derived review data kept in step with the store: the accent-free search key of every item
(with its full-text index) and the review state the queue reads (status, score, reach, priority).

``refresh`` is incremental (watermarks in app_settings) and cheap when nothing changed; the
queue calls it before reading, and the scoring stage may call it after writing scores.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, and_, func, select, text, update

from ..text.normalize import fold_key
from ..vocabulary import base_status
from .codec import decode_scores
from .tables import app_settings, item_scores, item_search, items, review_state, sources
from .terms import seen_time

log = logging.getLogger(__name__)

HALF_LIFE_DAYS = 3.0  # a story's priority halves every three days
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
_DECAY = math.log(2) / HALF_LIFE_DAYS
_BATCH = 5000
_CHUNK = 500  # ids per IN (...) list
_TOKENS = re.compile(r"\w+")
NOT_A_REVIEW_SCORE = {"neutral"}
_LOCK_KEY = 0x4C534D31  # the advisory lock of refresh ("LSM1")


def _days(moment: datetime) -> float:
    return (moment - _EPOCH).total_seconds() / 86400.0


def priority_key(score: float, reach: int, seen_at: datetime) -> float:
    """score × reach × 2^(-age / 3 days), stored as a logarithm that does not age.

    ln(score) + ln(reach) + days(seen_at)·ln2/3 orders items exactly like the decaying product
    at any moment, so it can be indexed; ``priority_now`` turns it back into the product.
    """
    return math.log(max(score, 1e-3)) + math.log(max(reach, 1)) + _days(seen_at) * _DECAY


def priority_now(key: float, now: datetime) -> float:
    """The decaying product score × reach × recency at ``now``."""
    return math.exp(min(key - _days(now) * _DECAY, 50.0))


def review_score(scores_json: str | None) -> float:
    """The score that ranks an item: its highest probability of a non-neutral label."""
    scores = decode_scores(scores_json)
    values = [float(v) for k, v in scores.items() if k not in NOT_A_REVIEW_SCORE]
    return max(values, default=0.0)


# -- watermarks ---------------------------------------------------------------------------------
def get_setting(conn: Connection, key: str) -> str | None:
    """A value from app_settings, or None."""
    return conn.execute(select(app_settings.c.value).where(app_settings.c.key == key)).scalar()


def put_setting(conn: Connection, key: str, value: str) -> None:
    """Insert or replace a value in app_settings."""
    done = conn.execute(
        update(app_settings).where(app_settings.c.key == key).values(value=value)
    ).rowcount
    if not done:
        conn.execute(app_settings.insert().values(key=key, value=value))


# -- full-text index (created by migration 0003) ---------------------------------------------
def search_tokens(query: str) -> list[str]:
    """The accent-free words of a search query."""
    return _TOKENS.findall(fold_key(query))


SEARCH_CANDIDATES = 5000


def search_ids_clause(conn: Connection, query: str) -> Any:
    """The ids of the newest 5,000 items whose text holds every word of ``query``, any accents.

    Bounding the candidates keeps a common word ("lang son" is in most items) from sorting a
    million matches by priority; a rarer word returns all of its matches.
    """
    tokens = search_tokens(query)
    if conn.dialect.name == "sqlite":
        match = " ".join(f'"{t}"' for t in tokens)
        return text(
            "SELECT rowid FROM item_fts WHERE item_fts MATCH :fts_q ORDER BY rowid DESC "
            "LIMIT :fts_n"
        ).bindparams(fts_q=match, fts_n=SEARCH_CANDIDATES)
    condition: Any
    if conn.dialect.name == "postgresql":
        condition = func.to_tsvector("simple", item_search.c.key).bool_op("@@")(
            func.plainto_tsquery("simple", " ".join(tokens))
        )
    else:
        condition = and_(*(item_search.c.key.contains(t) for t in tokens))
    return (
        select(item_search.c.item_id)
        .where(condition)
        .order_by(item_search.c.item_id.desc())
        .limit(SEARCH_CANDIDATES)
    )


# -- refresh ------------------------------------------------------------------------------------
def refresh(conn: Connection, now: datetime | None = None) -> int:
    """Bring the search key and review state up to date; returns the number of new items.

    Called by the writers after they write (crawl, scoring, verdicts, relevance rescoring),
    never by readers. On PostgreSQL one refresh runs at a time (a transaction-scoped advisory
    lock): concurrent writers would otherwise index the same new items twice."""
    now = now or datetime.now(UTC)
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    added, clusters = _index_new_items(conn, now)
    clusters |= _apply_new_scores(conn, now)
    update_reach(conn, clusters, now)
    if added:
        log.info("review index refreshed", extra={"items": added, "clusters": len(clusters)})
    return added


def _index_new_items(conn: Connection, now: datetime) -> tuple[int, set[int]]:
    upto = int(get_setting(conn, "review.item_upto") or 0)
    total, clusters = 0, set[int]()
    cols = [items.c.id, items.c.title, items.c.text, items.c.cluster_id, items.c.source_id,
            items.c.published_at, items.c.fetched_at, item_scores.c.scores, item_scores.c.label,
            item_scores.c.flagged, sources.c.own]  # fmt: skip
    while True:
        rows = conn.execute(
            select(*cols)
            .select_from(
                items.join(sources, sources.c.id == items.c.source_id).outerjoin(
                    item_scores, item_scores.c.item_id == items.c.id
                )
            )
            .where(items.c.id > upto)
            .order_by(items.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            break
        _insert_rows(conn, rows, now)
        clusters.update(r.cluster_id or r.id for r in rows)
        upto = rows[-1].id
        total += len(rows)
    if total:
        put_setting(conn, "review.item_upto", str(upto))
    return total, clusters


def _insert_rows(conn: Connection, rows: Sequence[Any], now: datetime) -> None:
    keys = [{"item_id": r.id, "key": fold_key(f"{r.title}\n{r.text}")} for r in rows]
    conn.execute(item_search.insert(), keys)
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            "INSERT INTO item_fts(rowid, key) VALUES (?, ?)",
            [(k["item_id"], k["key"]) for k in keys],
        )
    states = []
    for r in rows:
        seen = seen_time(r)
        score = review_score(r.scores)
        status = base_status(None if r.scores is None else bool(r.flagged), r.source_id)
        states.append({
            "item_id": r.id, "cluster_id": r.cluster_id or r.id, "source_id": r.source_id,
            "status": "own" if r.own else status,
            "label": r.label, "score": score, "reach": 1,
            "priority": priority_key(score, 1, seen), "seen_at": seen, "updated_at": now,
        })  # fmt: skip
    conn.execute(review_state.insert(), states)


def reindex_text(conn: Connection, item_id: int, title: str | None, text: str | None) -> None:
    """Refresh the search key of an already indexed item whose text changed (a page fetched
    on retry replaces the feed summary); an item not yet indexed is left to ``refresh``."""
    old = conn.execute(
        select(item_search.c.key).where(item_search.c.item_id == item_id)
    ).scalar_one_or_none()
    key = fold_key(f"{title}\n{text}")
    if old is None or old == key:
        return
    sqlite = conn.dialect.name == "sqlite"
    if sqlite:  # an external-content FTS5 table: remove the old terms before the key changes
        conn.exec_driver_sql(
            "INSERT INTO item_fts(item_fts, rowid, key) VALUES ('delete', ?, ?)", (item_id, old)
        )
    conn.execute(update(item_search).where(item_search.c.item_id == item_id).values(key=key))
    if sqlite:
        conn.exec_driver_sql("INSERT INTO item_fts(rowid, key) VALUES (?, ?)", (item_id, key))


def _apply_new_scores(conn: Connection, now: datetime) -> set[int]:
    raw = get_setting(conn, "review.score_upto")
    upto = datetime.fromisoformat(raw) if raw else _EPOCH
    rows = conn.execute(
        select(item_scores.c.item_id, item_scores.c.scores, item_scores.c.label,
               item_scores.c.flagged, item_scores.c.scored_at, review_state.c.status,
               review_state.c.source_id,
               review_state.c.reach, review_state.c.seen_at, review_state.c.cluster_id)
        .join(review_state, review_state.c.item_id == item_scores.c.item_id)
        .where(item_scores.c.scored_at > upto)
    ).all()  # fmt: skip
    for r in rows:
        score = review_score(r.scores)
        status = r.status
        if status in {"new", "scored", "flagged"}:
            status = base_status(bool(r.flagged), r.source_id)
        conn.execute(
            update(review_state)
            .where(review_state.c.item_id == r.item_id)
            .values(label=r.label, score=score, status=status, updated_at=now,
                    priority=priority_key(score, r.reach, r.seen_at))
        )  # fmt: skip
    if rows:
        put_setting(conn, "review.score_upto", max(r.scored_at for r in rows).isoformat())
    return {r.cluster_id for r in rows}


def _chunks(values: Iterable[int]) -> Iterable[list[int]]:
    batch: list[int] = []
    for value in values:
        batch.append(value)
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def update_reach(conn: Connection, clusters: Iterable[int], now: datetime) -> None:
    """Recount the outlets of each cluster and re-rank its items."""
    for chunk in _chunks(sorted(set(clusters))):
        counts: dict[int, int] = dict(
            conn.execute(
                select(review_state.c.cluster_id, func.count(review_state.c.source_id.distinct()))
                .where(review_state.c.cluster_id.in_(chunk))
                .group_by(review_state.c.cluster_id)
            ).all()
        )
        rows = conn.execute(
            select(review_state.c.item_id, review_state.c.cluster_id, review_state.c.score,
                   review_state.c.reach, review_state.c.seen_at)
            .where(review_state.c.cluster_id.in_(chunk))
        ).all()  # fmt: skip
        changes = [
            {"iid": r.item_id, "reach": counts[r.cluster_id],
             "priority": priority_key(r.score, counts[r.cluster_id], r.seen_at)}
            for r in rows if r.reach != counts[r.cluster_id]
        ]  # fmt: skip
        if changes:
            conn.execute(
                update(review_state)
                .where(review_state.c.item_id == _bind("iid"))
                .values(reach=_bind("reach"), priority=_bind("priority")),
                changes,
            )


def _bind(name: str) -> Any:
    from sqlalchemy import bindparam

    return bindparam(name)
