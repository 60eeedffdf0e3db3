"""The schema exists only through migrations, and they match the table definitions."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from monitor.store.db import (
    SchemaOutdated,
    create_store_engine,
    current_revision,
    ensure_schema,
    head_revision,
    migrate,
    open_store,
)
from monitor.store.tables import metadata


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
