"""Test helper: sources, items and item_scores rows written directly (no crawl, no model)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, select

from monitor.store.review_index import refresh
from monitor.store.tables import item_scores, items, sources

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)  # 10:00 in Lạng Sơn


@dataclass
class Spec:
    """One item to seed; ``label``/``flagged`` None leaves it unscored."""

    title: str
    source: str = "baolangson"
    text: str = "Nội dung bài viết."
    cluster: int | None = None  # index (in the spec list) of the story's first item
    label: str | None = "distorted"
    score: float = 0.9
    flagged: bool | None = True
    hours_ago: float = 1.0
    relevant: bool = True
    evidence: dict = field(default_factory=dict)
    signals: dict = field(default_factory=dict)


def add_sources(engine: Engine, ids: list[str]) -> None:
    """One source row per id."""
    with engine.begin() as conn:
        known = set(conn.scalars(select(sources.c.id)))  # the reserved "tip" source, say
        for sid in ids:
            if sid in known:
                continue
            conn.execute(sources.insert().values(
                id=sid, name=f"Báo {sid}", url=f"https://{sid}.vn/", feed_url=f"https://{sid}.vn/rss",
                type="rss", enabled=True, in_config=True, interval_minutes=60, tags="[]",
                config="{}", last_status="ok", error_count=0, item_count=0, created_at=NOW,
                updated_at=NOW,
            ))  # fmt: skip


def seed(engine: Engine, specs: list[Spec], now: datetime = NOW, index: bool = True) -> list[int]:
    """Insert the items (and scores) and return their ids in order; ``index=False`` leaves the
    review index alone (a store migrated to an older revision than the code's)."""
    add_sources(engine, sorted({s.source for s in specs}))
    ids: list[int] = []
    with engine.begin() as conn:
        for n, s in enumerate(specs):
            at = now - timedelta(hours=s.hours_ago)
            digest = hashlib.sha256(f"{n}{s.title}".encode()).hexdigest()
            url = f"https://{s.source}.vn/{n}"
            item_id = conn.execute(items.insert().values(
                source_id=s.source, url=url, canonical_url=url, url_hash=digest,
                content_hash=digest, title=s.title, summary="", text=s.text, text_method="test",
                published_at=at, date_source="page", fetched_at=at, relevant=s.relevant,
                matches="[]",
            )).inserted_primary_key[0]  # fmt: skip
            ids.append(item_id)
            cluster = ids[s.cluster] if s.cluster is not None else item_id
            conn.execute(items.update().where(items.c.id == item_id).values(cluster_id=cluster))
            if s.flagged is not None:
                scores = {"distorted": 0.02, "hostile": 0.02, "criticism": 0.02, "neutral": 0.02}
                scores[s.label or "neutral"] = s.score
                conn.execute(item_scores.insert().values(
                    item_id=item_id, model_version="test-1", label=s.label or "neutral",
                    scores=json.dumps(scores), flags=json.dumps([s.label] if s.flagged else []),
                    flagged=s.flagged, evidence=json.dumps(s.evidence),
                    signals=json.dumps(s.signals, ensure_ascii=False), uncertainty=0.1,
                    scored_at=at,
                ))  # fmt: skip
        if index:
            refresh(conn)  # a writer brings the review state up to date; readers never do
    return ids
