"""Opening the store, migrating it and checking its schema version."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.exc import SQLAlchemyError

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


class StoreError(RuntimeError):
    """The store cannot be opened or used; the message says what to do."""


class SchemaOutdated(StoreError):
    """The database schema is older (or newer) than this version of the program."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def create_store_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and a busy timeout."""
    try:
        if url.startswith("sqlite"):
            engine = create_engine(url, connect_args={"timeout": 30})
            event.listen(engine, "connect", _sqlite_pragmas)
        else:
            engine = create_engine(url, pool_pre_ping=True)
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StoreError(f"cannot open the database {url.split('@')[-1]!r}: {exc}") from None
    return engine


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest)."""
    command.upgrade(_alembic_config(engine), revision)


def is_fresh(engine: Engine) -> bool:
    """True when the database holds none of our tables (a new, empty database)."""
    names = set(inspect(engine).get_table_names())
    return not (names & {"sources", "items", "alembic_version"})


def ensure_schema(engine: Engine, auto_migrate_fresh: bool = True) -> None:
    """Migrate a fresh database; refuse an outdated one with the command to run."""
    try:
        if auto_migrate_fresh and is_fresh(engine):
            migrate(engine)
            return
        current = current_revision(engine)
    except SQLAlchemyError as exc:
        raise StoreError(
            f"cannot read the database schema: {exc.__class__.__name__}: {exc}"
        ) from None
    if current != head_revision():
        raise SchemaOutdated(
            f"the database schema is at revision {current or 'none'} but this program needs "
            f"{head_revision()}: run `monitor migrate` (back up the database first)"
        )


def open_store(url: str, auto_migrate_fresh: bool = True) -> Engine:
    """Open the store at ``url`` and make sure its schema is current."""
    engine = create_store_engine(url)
    ensure_schema(engine, auto_migrate_fresh)
    return engine


def open_store_waiting(url: str, timeout: float = 300.0) -> Engine:
    """Open the store, waiting (with growing pauses) while the database is unreachable: a
    service or worker started before its database comes up. An outdated schema fails at once."""
    deadline, pause = time.monotonic() + timeout, 0.5
    while True:
        try:
            return open_store(url)
        except StoreError as exc:
            if "schema is at revision" in str(exc) or time.monotonic() > deadline:
                raise
            log.warning("database-unavailable retry_in=%.1fs error=%s", pause, exc)
        time.sleep(pause)
        pause = min(pause * 2, 10.0)
