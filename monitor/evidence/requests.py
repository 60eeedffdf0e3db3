"""Correction and removal requests against their deadlines, with the outcome read from the
re-checks of the item's page (recheck.py): removed, changed, still up, or not checked yet.

A request is *met* when a re-check after it was sent found the page removed or changed, or
when the case records a published correction; it is *overdue* when its deadline passed
without either. The cases page, the digest and the yearly report read these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from ..store.tables import evidence_checks, items, response_cases

OUTCOME_OF_STATE = {"removed": "removed", "changed": "changed", "live": "still_up",
                    "unreachable": "not_checked"}  # fmt: skip
MET = ("removed", "changed")


@dataclass(frozen=True, slots=True)
class RequestState:
    case_id: int
    item_id: int
    title: str
    channel: str
    sent_at: datetime
    due_at: datetime
    outcome: str  # removed, changed, still_up, not_checked
    met_at: datetime | None  # when a re-check (or the recorded correction) showed it acted on
    overdue: bool


def request_states(conn: Connection, now: datetime, since: datetime | None = None,
                   until: datetime | None = None, case_id: int | None = None,
                   ) -> list[RequestState]:  # fmt: skip
    """Every sent request (sent in [since, until), or the one case, when given), oldest
    deadline first."""
    query = (
        select(response_cases.c.id, response_cases.c.item_id, items.c.title,
               response_cases.c.channel, response_cases.c.sent_at,
               response_cases.c.request_due_at, response_cases.c.correction_at)
        .join(items, items.c.id == response_cases.c.item_id)
        .where(response_cases.c.request_due_at.is_not(None))
        .order_by(response_cases.c.request_due_at, response_cases.c.id)
    )  # fmt: skip
    if since is not None:
        query = query.where(response_cases.c.sent_at >= since)
    if until is not None:
        query = query.where(response_cases.c.sent_at < until)
    if case_id is not None:
        query = query.where(response_cases.c.id == case_id)
    states = []
    for row in conn.execute(query).all():
        checks = conn.execute(
            select(evidence_checks.c.state, evidence_checks.c.checked_at)
            .where(evidence_checks.c.item_id == row.item_id,
                   evidence_checks.c.checked_at >= row.sent_at)
            .order_by(evidence_checks.c.id)
        ).all()  # fmt: skip
        outcome = OUTCOME_OF_STATE.get(checks[-1].state, "not_checked") if checks else "not_checked"
        met_at = next((c.checked_at for c in checks if c.state in MET), None)
        if row.correction_at is not None and (met_at is None or row.correction_at < met_at):
            met_at, outcome = row.correction_at, "changed" if outcome != "removed" else outcome
        overdue = met_at is None and now > row.request_due_at
        states.append(RequestState(row.id, row.item_id, row.title, row.channel, row.sent_at,
                                   row.request_due_at, outcome, met_at, overdue))  # fmt: skip
    return states
