"""The schema exists only through migrations, and they match the table definitions."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import MetaData, Table, inspect, select, text

from monitor.store.db import (
    SchemaOutdated,
    _alembic_config,
    create_store_engine,
    current_revision,
    ensure_schema,
    head_revision,
    migrate,
    open_store,
)
from monitor.store.tables import metadata
from tests.review.seeding import Spec, seed


def include_object(obj, name, type_, reflected, compare_to) -> bool:  # noqa: ANN001
    """Only the full-text index (built by hand in migration 0003) is left out."""
    return not (reflected and compare_to is None and (name or "").startswith("item_fts"))


def test_fresh_database_is_migrated_on_first_use(db_url: str) -> None:
    engine = open_store(db_url)
    assert current_revision(engine) == head_revision()
    assert {"sources", "items", "source_events"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_migrations_match_the_table_definitions(engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": include_object})
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_migrate_twice_is_harmless(engine) -> None:
    migrate(engine)
    assert current_revision(engine) == head_revision()


def test_outdated_schema_is_refused_with_the_command_to_run(db_url: str) -> None:
    engine = open_store(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'old0'"))
    engine.dispose()
    again = create_store_engine(db_url)
    with pytest.raises(SchemaOutdated, match="monitor migrate"):
        ensure_schema(again)
    again.dispose()


def test_sqlite_uses_wal(tmp_path) -> None:
    engine = open_store(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def _columns(engine, table: str) -> set[str]:
    return {c["name"] for c in inspect(engine).get_columns(table)}


def _add_score_at_0005(engine, item_id: int) -> None:
    """An item_scores row written with the 0005 schema (reflected, so without ``signals``)."""
    with engine.begin() as conn:
        old = Table("item_scores", MetaData(), autoload_with=conn)
        conn.execute(old.insert().values(
            item_id=item_id, model_version="v0001", label="distorted", scores="{}",
            flags='["distorted"]', flagged=True, evidence="{}", uncertainty=0.1,
            scored_at=datetime(2026, 11, 20, tzinfo=UTC),
        ))  # fmt: skip


def test_0006_adds_item_score_signals_and_downgrades(db_url: str) -> None:
    engine = create_store_engine(db_url)
    migrate(engine, "0005")
    assert "signals" not in _columns(engine, "item_scores")
    [item] = seed(engine, [Spec("Tin cũ", flagged=None)], index=False)
    _add_score_at_0005(engine, item)

    migrate(engine, "0006")
    assert current_revision(engine) == "0006"
    assert "signals" in _columns(engine, "item_scores")
    with engine.connect() as conn:  # rows scored earlier get an empty object
        assert conn.execute(text("SELECT signals FROM item_scores")).scalar_one() == "{}"

    command.downgrade(_alembic_config(engine), "0005")
    assert current_revision(engine) == "0005"
    assert "signals" not in _columns(engine, "item_scores")
    with engine.connect() as conn:  # the scores themselves survive the downgrade
        old = Table("item_scores", MetaData(), autoload_with=conn)
        assert conn.execute(select(old.c.item_id, old.c.label)).all() == [(item, "distorted")]
        indexes = {ix["name"] for ix in inspect(conn).get_indexes("item_scores")}
    assert {"ix_item_scores_flagged", "ix_item_scores_scored_at"} <= indexes

    migrate(engine)  # and up again
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_0007_keeps_old_answers_apart_and_downgrades(db_url: str) -> None:
    engine = create_store_engine(db_url)
    migrate(engine, "0006")
    place, sector, neither = seed(
        engine, [Spec("a"), Spec("b"), Spec("c", relevant=False)], index=False
    )
    matches = {
        place: '[{"term": "Lạng Sơn", "kind": "place", "count": 1}]',
        sector: '[{"term": "thi công", "kind": "sector", "count": 1}]',
        neither: '[{"term": "dự án", "kind": "sector", "count": 1}]',
    }
    with engine.begin() as conn:
        for item, value in matches.items():
            conn.execute(
                text("UPDATE items SET matches = :m WHERE id = :i"), {"m": value, "i": item}
            )

    migrate(engine, "0007")
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT id, place_relevant, sector_relevant, relevance_score, relevance_reason "
                 "FROM items ORDER BY id")
        ).all()  # fmt: skip
    assert [(r[0], bool(r[1]), bool(r[2]), r[3], r[4]) for r in rows] == [
        (place, True, False, None, ""),
        (sector, False, True, None, ""),
        (neither, False, False, None, ""),
    ]
    command.downgrade(_alembic_config(engine), "0006")
    columns = {c["name"] for c in inspect(engine).get_columns("items")}
    assert "place_relevant" not in columns and "relevant" in columns
    migrate(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_0012_gives_old_items_their_page_status(db_url: str) -> None:
    engine = create_store_engine(db_url)
    migrate(engine, "0011")
    ids = seed(engine, [Spec("a"), Spec("b"), Spec("c"), Spec("d"), Spec("e")], index=False)
    kept = [("page", None), ("feed-summary", "fetch failed: HTTP 503"),
            ("feed-summary", "not fetched: robots.txt forbids it"),
            ("feed-summary", "extracted text too short; kept the feed summary"),
            ("feed-summary", None)]  # fmt: skip
    with engine.begin() as conn:
        for item, (method, error) in zip(ids, kept, strict=True):
            conn.execute(text("UPDATE items SET text_method = :m, fetch_error = :e WHERE id = :i"),
                         {"m": method, "e": error, "i": item})  # fmt: skip
    migrate(engine, "0012")
    with engine.connect() as conn:
        found = conn.execute(text("SELECT page_status FROM items ORDER BY id")).scalars().all()
    assert found == ["page", "fetch_failed", "not_fetched", "unusable", "feed_only"]
    command.downgrade(_alembic_config(engine), "0011")
    assert "page_status" not in {c["name"] for c in inspect(engine).get_columns("items")}
    migrate(engine)
    engine.dispose()


def test_0013_moves_evidence_offsets_into_the_body(db_url: str) -> None:
    title, body = "Tin đồn đóng cửa khẩu", "Cửa khẩu sẽ đóng cửa vĩnh viễn."
    engine = create_store_engine(db_url)
    migrate(engine, "0012")
    old = {"distorted": [{"phrase": "sẽ", "weight": 1.0, "start": 31, "end": 33},
                         {"phrase": "Tin đồn", "weight": 0.5, "start": 0, "end": 7},
                         {"phrase": "vĩnh viễn", "weight": 0.4}]}  # fmt: skip
    [item] = seed(engine, [Spec(title, text=body, evidence=old)], index=False)
    migrate(engine, "0013")
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT evidence FROM item_scores")).scalar_one()
    moved = json.loads(raw)["distorted"]
    assert body[moved[0]["start"] : moved[0]["end"]] == "sẽ"
    assert "start" not in moved[1] and "start" not in moved[2]
    command.downgrade(_alembic_config(engine), "0012")
    with engine.connect() as conn:
        back = json.loads(conn.execute(text("SELECT evidence FROM item_scores")).scalar_one())
    assert back["distorted"][0]["start"] == 31
    migrate(engine)
    engine.dispose()
