"""Test helper for the activity register: items (tests.review.seeding) and a response case
written directly, and the Department's own source with posts in a year."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from sqlalchemy import Engine, update

from monitor.store.tables import items, response_cases, sources
from tests.review.seeding import Spec, seed

NOW = datetime(2026, 6, 1, 3, 0, tzinfo=UTC)


def items_and_case(engine: Engine) -> tuple[list[int], int]:
    """Two stored items and one criticism case on the first; (item ids, case id)."""
    ids = seed(
        engine, [Spec("Cao tốc Hữu Nghị – Chi Lăng"), Spec("Nhà ở xã hội Lạng Sơn")], now=NOW
    )
    with engine.begin() as conn:
        case_id = conn.execute(
            response_cases.insert().values(
                item_id=ids[0],
                kind="criticism",
                office="Phòng Quản lý xây dựng",
                status="open",
                note="",
                created_by="lead",
                created_at=NOW,
                updated_at=NOW,
            )
        ).inserted_primary_key[0]
    return ids, int(case_id)


def own_posts(engine: Engine, count: int, year: int = 2026) -> None:
    """``count`` posts of an own source (the Department's portal) seen in ``year``."""
    seed(
        engine,
        [
            Spec(f"Tin của Sở số {n}", source="soxaydung", label=None, flagged=None)
            for n in range(count)
        ],
        now=datetime(year, 3, 1, 3, tzinfo=UTC),
    )
    with engine.begin() as conn:
        conn.execute(update(sources).where(sources.c.id == "soxaydung").values(own=True))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


__all__ = ["NOW", "digest", "items", "items_and_case", "own_posts"]
