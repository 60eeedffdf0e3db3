"""Statistics of routed criticism ("Góp ý, phản ánh"), for the digest and the yearly report.

Definitions (the yearly report's appendix repeats them):
- routed: criticism cases opened in the window (on the score, or from an analyst's verdict);
- resolved: cases whose outcome (answered, fixed, not the Department's matter) was recorded
  in the window;
- open: cases opened before the window's end with no outcome by then;
- overdue: open cases whose due date is before the window's last day.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, select

from ..store.tables import items, response_cases
from .stats import Window

RESOLVED = ("answered", "fixed", "not_ours")


@dataclass(frozen=True, slots=True)
class CriticismCase:
    item_id: int
    title: str
    office: str
    opened: datetime
    due_on: date | None
    status: str
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class CriticismFigures:
    routed: int
    resolved: int
    open: int
    overdue: int
    by_office: list[tuple[str, int, int, int, int]]  # office, routed, resolved, open, overdue


def _cases(conn: Connection, before: datetime) -> list[CriticismCase]:
    rc = response_cases.c
    rows = conn.execute(
        select(rc.item_id, items.c.title, rc.office, rc.created_at, rc.due_on, rc.status,
               rc.answered_at)
        .join(items, items.c.id == rc.item_id)
        .where(rc.kind == "criticism", rc.created_at < before)
        .order_by(rc.created_at, rc.id)
    ).all()  # fmt: skip
    return [
        CriticismCase(r.item_id, r.title, r.office or "", r.created_at, r.due_on, r.status,
                      r.answered_at if r.status in RESOLVED else None)
        for r in rows
    ]  # fmt: skip


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _open_at(case: CriticismCase, end: datetime) -> bool:
    return case.status != "closed" and (case.resolved_at is None or _aware(case.resolved_at) >= end)


def criticism_cases(conn: Connection, window: Window) -> list[CriticismCase]:
    """Cases opened in the window, oldest first."""
    return [c for c in _cases(conn, window.end) if _aware(c.opened) >= window.start]


def criticism_figures(conn: Connection, window: Window) -> CriticismFigures:
    """Routed, resolved, open and overdue, in all and per office (see the module's words)."""
    every = _cases(conn, window.end)
    start, end = window.start, window.end
    tally: dict[str, Counter[str]] = {}
    for case in every:
        counts = tally.setdefault(case.office or "—", Counter())
        if _aware(case.opened) >= start:
            counts["routed"] += 1
        if case.resolved_at is not None and start <= _aware(case.resolved_at) < end:
            counts["resolved"] += 1
        if _open_at(case, end):
            counts["open"] += 1
            counts["overdue"] += int(case.due_on is not None and case.due_on < window.last)
    rows = [(office, c["routed"], c["resolved"], c["open"], c["overdue"])
            for office, c in sorted(tally.items())]  # fmt: skip
    return CriticismFigures(
        routed=sum(r[1] for r in rows), resolved=sum(r[2] for r in rows),
        open=sum(r[3] for r in rows), overdue=sum(r[4] for r in rows), by_office=rows,
    )  # fmt: skip
