"""The append-only audit log: who did what, when, with the state before and after.

Rows are only ever inserted; database triggers (migration 0003) refuse UPDATE and DELETE.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any, TextIO

from sqlalchemy import Connection, select

from ..store.codec import decode_json, encode_json
from ..store.tables import audit_log
from ..text.csvsafe import SafeDictWriter
from ..timefmt import to_local_iso

EXPORT_FIELDS = ("id", "at", "actor", "action", "entity", "entity_id", "before", "after")


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log (before/after decoded from JSON)."""

    id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: Any
    after: Any


def record(
    conn: Connection,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | int,
    before: Any = None,
    after: Any = None,
    now: datetime | None = None,
) -> None:
    """Append one entry; ``before`` and ``after`` are stored as JSON."""
    conn.execute(
        audit_log.insert().values(
            at=now or datetime.now(UTC), actor=actor, action=action, entity=entity,
            entity_id=str(entity_id), before=_dump(before), after=_dump(after),
        )
    )  # fmt: skip


def _dump(value: Any) -> str | None:
    return None if value is None else encode_json(value)


def _load(value: str | None) -> Any:
    return decode_json(value)


def entries(
    conn: Connection,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    entity: str | None = None,
    entity_ids: list[str] | None = None,
    limit: int | None = 200,
    offset: int = 0,
    newest_first: bool = True,
) -> list[AuditEntry]:
    """Entries in a window, optionally about one kind of thing or some of them."""
    query = select(audit_log)
    if since:
        query = query.where(audit_log.c.at >= since)
    if until:
        query = query.where(audit_log.c.at < until)
    if entity:
        query = query.where(audit_log.c.entity == entity)
    if entity_ids is not None:
        query = query.where(audit_log.c.entity_id.in_(entity_ids))
    order = audit_log.c.id.desc() if newest_first else audit_log.c.id
    query = query.order_by(order).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return [
        AuditEntry(r.id, r.at, r.actor, r.action, r.entity, r.entity_id, _load(r.before),
                   _load(r.after))
        for r in conn.execute(query)
    ]  # fmt: skip


def _export_rows(entries_: list[AuditEntry]) -> Iterator[dict[str, Any]]:
    for entry in entries_:
        row = asdict(entry)
        row["at"] = to_local_iso(entry.at)
        yield row


def export(
    conn: Connection,
    out: TextIO,
    fmt: str = "csv",
    since: datetime | None = None,
    until: datetime | None = None,
) -> int:
    """Write the log (oldest first) as CSV or a JSON array; returns the number of entries."""
    rows = list(_export_rows(entries(conn, since=since, until=until, limit=None,
                                     newest_first=False)))  # fmt: skip
    if fmt == "json":
        json.dump(rows, out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif fmt == "csv":
        writer = SafeDictWriter(out, fieldnames=list(EXPORT_FIELDS))
        writer.writeheader()
        for row in rows:
            row["before"] = _dump(row["before"]) or ""
            row["after"] = _dump(row["after"]) or ""
            writer.writerow(row)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    return len(rows)
