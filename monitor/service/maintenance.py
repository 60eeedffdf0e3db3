"""Retention (full texts of irrelevant items purged, metadata kept) and SQLite backups."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, select, update

from ..store.queries import utcnow
from ..store.tables import items

log = logging.getLogger(__name__)
PURGE_BATCH = 1000  # short transactions: the crawler keeps writing meanwhile


class BackupError(RuntimeError):
    """A backup could not be written; the message names the file and the cause."""


def purge_texts(engine: Engine, days: int) -> int:
    """Empty the full text of irrelevant items fetched more than ``days`` ago.

    Title, summary, URL, dates, relevance and cluster stay, so every statistic is unchanged.
    """
    cutoff = utcnow() - timedelta(days=days)
    purged = 0
    while True:
        with engine.begin() as conn:
            ids = list(
                conn.scalars(
                    select(items.c.id)
                    .where(~items.c.relevant, items.c.fetched_at < cutoff, items.c.text != "")
                    .limit(PURGE_BATCH)
                )
            )
            if not ids:
                break
            conn.execute(update(items).where(items.c.id.in_(ids)).values(text=""))
        purged += len(ids)
    log.info("retention-purged items=%d days=%d", purged, days)
    return purged


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    removed: list[Path]


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None for other databases and in-memory SQLite)."""
    if not url.startswith("sqlite:///") or url.endswith(":memory:"):
        return None
    return Path(url.removeprefix("sqlite:///").split("?", 1)[0])


def backup_sqlite(url: str, directory: Path, keep: int) -> BackupResult:
    """Copy a live SQLite store with the online backup API, keeping the ``keep`` newest copies.

    The copy is written under a temporary name, checked, then renamed: a crash leaves either
    the previous set of backups or the new complete one, never a half-written backup.
    """
    source = sqlite_path(url)
    if source is None:
        raise BackupError("only a SQLite store is backed up by the service; use pg_dump")
    directory.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%SZ")
    final = directory / f"{source.stem}-{stamp}.db"
    partial = final.with_suffix(".db.partial")
    try:
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(partial)) as dst:
            src.backup(dst, pages=4096)  # in steps, so writers are not held up for long
            check = dst.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"the copy {partial} failed its integrity check: {check}")
        partial.replace(final)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot back up {source} to {directory}: {exc}") from None
    copies = sorted(directory.glob(f"{source.stem}-*.db"))
    removed = copies[:-keep] if keep > 0 else []
    for old in removed:
        old.unlink()
    size = final.stat().st_size
    log.info("backup-written path=%s bytes=%d removed=%d", final, size, len(removed))
    return BackupResult(final, size, removed)
