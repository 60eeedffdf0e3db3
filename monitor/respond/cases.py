"""Response cases: what was done about a story, recorded by people.

A rebuttal case answers a signed-off distorted story through one channel (a press release, a
post on the Department's portal, or a request to the outlet to publish a correction, as
provided for in Decree 09/2017/NĐ-CP); a criticism case routes legitimate criticism to the
office responsible. The program never sends anything: it records approval by the
spokesperson, the date sent, the answer and the correction published. Every change is audited.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from ..config import Settings, load_settings
from ..review import audit
from ..store.tables import items, response_cases, review_state
from ..vocabulary import User, require
from . import InvalidInput, NotFound
from .rebuttal import versions

KINDS = ("rebuttal", "criticism")
CHANNELS = ("press_release", "portal_post", "correction_request", "removal_request")
# Requests that an outlet or a platform must act on by a deadline (settings, in hours):
# a correction under Decree 09/2017/NĐ-CP, a removal under Decree 147/2024/NĐ-CP.
REQUEST_DUE_SETTING = {"correction_request": "correction_due_hours",
                       "removal_request": "removal_due_hours"}  # fmt: skip
# Rebuttal: open → approved → sent → answered → corrected; closed at any point (with a note).
# Criticism: received → answered (the office's answer), fixed (the problem was put right) or
# not_ours (not the Department's matter); closed at any point.
STATUSES = ("open", "approved", "sent", "answered", "corrected", "closed", "received", "fixed",
            "not_ours")  # fmt: skip
CRITICISM_STATUSES = ("received", "answered", "fixed", "not_ours", "closed")
@dataclass(frozen=True, slots=True)
class Case:
    """One response case."""

    id: int
    item_id: int
    kind: str
    channel: str | None
    office: str | None
    status: str
    draft_id: int | None
    approved_by: str | None
    approved_at: datetime | None
    sent_at: datetime | None
    answer: str | None
    answered_at: datetime | None
    correction_url: str | None
    correction_at: datetime | None
    note: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    due_on: date | None = None
    answer_url: str | None = None
    score: float | None = None
    request_due_at: datetime | None = None

    def as_json(self) -> dict[str, Any]:
        """JSON-ready (times in ISO 8601) for the audit log."""
        data = asdict(self)
        return {k: v.isoformat() if isinstance(v, datetime | date) else v for k, v in data.items()}


def _case(row: Any) -> Case:
    return Case(**{c: getattr(row, c) for c in Case.__dataclass_fields__})


def get_case(conn: Connection, case_id: int) -> Case:
    """One case by id."""
    row = conn.execute(select(response_cases).where(response_cases.c.id == case_id)).first()
    if row is None:
        raise NotFound(f"no case {case_id}")
    return _case(row)


def list_cases(
    conn: Connection, *, kind: str | None = None, status: str | None = None,
    item_ids: list[int] | None = None,
) -> list[Case]:  # fmt: skip
    """Cases, newest first, optionally of one kind, in one status or about some items."""
    query = select(response_cases).order_by(response_cases.c.id.desc())
    if kind:
        query = query.where(response_cases.c.kind == kind)
    if status:
        query = query.where(response_cases.c.status == status)
    if item_ids is not None:
        query = query.where(response_cases.c.item_id.in_(item_ids))
    return [_case(r) for r in conn.execute(query)]


def _status_of(conn: Connection, item_id: int) -> str:
    if conn.execute(select(items.c.id).where(items.c.id == item_id)).first() is None:
        raise NotFound(f"no item {item_id}")
    status = conn.execute(
        select(review_state.c.status).where(review_state.c.item_id == item_id)
    ).scalar()
    return status or "new"


def open_case(
    conn: Connection, actor: User, item_id: int, kind: str, *, channel: str | None = None,
    office: str | None = None, draft_id: int | None = None, now: datetime | None = None,
    due_on: date | None = None, score: float | None = None, routed: bool = False,
) -> Case:  # fmt: skip
    """Open a rebuttal (signed-off story, with a channel) or criticism case (with an office).

    ``routed``: the criticism was routed on its score (monitor/respond/criticism.py), not
    from an analyst's verdict, so the item need not be in the criticism status."""
    require(actor, "judge", "open a case")
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(KINDS)}")
    status = _status_of(conn, item_id)
    if kind == "rebuttal":
        if channel not in CHANNELS:
            raise InvalidInput(f"channel must be one of {', '.join(CHANNELS)}")
        if status != "signed_off":
            raise InvalidInput(f"item {item_id} is {status}: a rebuttal needs a lead's sign-off")
    else:
        if not (office or "").strip():
            raise InvalidInput("a criticism case needs the office it is routed to")
        if status != "criticism" and not routed:
            raise InvalidInput(f"item {item_id} is {status}, not criticism")
    if list_cases(conn, kind=kind, item_ids=[item_id]):
        raise InvalidInput(f"item {item_id} already has a {kind} case")
    now = now or datetime.now(UTC)
    case_id = conn.execute(response_cases.insert().values(
        item_id=item_id, kind=kind, channel=channel, office=(office or "").strip() or None,
        status="open" if kind == "rebuttal" else "received", draft_id=draft_id, note="",
        created_by=actor.name, created_at=now, updated_at=now, due_on=due_on, score=score,
    ).returning(response_cases.c.id)).scalar_one()  # fmt: skip
    case = get_case(conn, int(case_id))
    audit.record(conn, actor.name, "case_open", "case", case.id, None, case.as_json(), now)
    return case


def _update(conn: Connection, actor: str, case_id: int, action: str, now: datetime | None,
            **values: Any) -> Case:  # fmt: skip
    before = get_case(conn, case_id)
    if before.status == "closed" and action != "case_reopen":
        raise InvalidInput(f"case {case_id} is closed")
    now = now or datetime.now(UTC)
    conn.execute(response_cases.update().where(response_cases.c.id == case_id)
                 .values(**values, updated_at=now))  # fmt: skip
    after = get_case(conn, case_id)
    audit.record(conn, actor, action, "case", case_id, before.as_json(), after.as_json(), now)
    return after


def approve(conn: Connection, actor: User, case_id: int, spokesperson: str,
            at: datetime | None = None) -> Case:  # fmt: skip
    """Record the spokesperson's approval (by name) of the response: a lead records it."""
    require(actor, "lead", "record the spokesperson's approval")
    if not spokesperson.strip():
        raise InvalidInput("name the spokesperson who approved the response")
    case = get_case(conn, case_id)
    draft_id = case.draft_id
    if case.kind == "rebuttal":
        latest = next(iter(versions(conn, case.item_id)), None)
        if latest is not None and latest.needs_check:
            raise InvalidInput(
                f"draft version {latest.version} cites {len(latest.fact_ids)} fact(s) that "
                "nobody has compared with their documents yet: check them on the draft page first"
            )
        draft_id = latest.id if latest is not None else draft_id  # the version approved
    at = at or datetime.now(UTC)
    return _update(conn, actor.name, case_id, "case_approve", at, status="approved",
                   approved_by=spokesperson.strip(), approved_at=at,
                   draft_id=draft_id)  # fmt: skip


def mark_sent(conn: Connection, actor: User, case_id: int, at: datetime | None = None,
              settings: Settings | None = None) -> Case:  # fmt: skip
    """Record the date the response was sent (by a person, outside this program); a
    correction or removal request gets its deadline from the settings."""
    require(actor, "judge", "record a case step")
    case = get_case(conn, case_id)
    if case.kind == "rebuttal" and case.approved_at is None:
        raise InvalidInput("a rebuttal is sent only after the spokesperson's approval")
    at = at or datetime.now(UTC)
    due = None
    if case.channel in REQUEST_DUE_SETTING:
        hours = float(getattr(settings or load_settings({}), REQUEST_DUE_SETTING[case.channel]))
        due = at + timedelta(hours=hours)
    return _update(conn, actor.name, case_id, "case_sent", at, status="sent", sent_at=at,
                   request_due_at=due)  # fmt: skip


def record_answer(conn: Connection, actor: User, case_id: int, answer: str,
                  at: datetime | None = None) -> Case:  # fmt: skip
    """Record the outlet's (or the office's) answer."""
    require(actor, "judge", "record a case step")
    if not answer.strip():
        raise InvalidInput("the answer is empty")
    at = at or datetime.now(UTC)
    return _update(conn, actor.name, case_id, "case_answer", at, status="answered",
                   answer=answer.strip(), answered_at=at)  # fmt: skip


def record_correction(conn: Connection, actor: User, case_id: int, url: str,
                      at: datetime | None = None) -> Case:  # fmt: skip
    """Record the correction the outlet published (link and date)."""
    require(actor, "judge", "record a case step")
    if not url.startswith(("http://", "https://")):
        raise InvalidInput("the correction's link must start with http:// or https://")
    at = at or datetime.now(UTC)
    return _update(conn, actor.name, case_id, "case_correction", at, status="corrected",
                   correction_url=url, correction_at=at)  # fmt: skip


def close(conn: Connection, actor: User, case_id: int, note: str,
          now: datetime | None = None) -> Case:  # fmt: skip
    """Close a case with a note saying why."""
    require(actor, "judge", "close a case")
    if not note.strip():
        raise InvalidInput("say why the case is closed")
    return _update(conn, actor.name, case_id, "case_close", now, status="closed", note=note.strip())


def item_titles(conn: Connection, item_ids: list[int]) -> dict[int, str]:
    """The titles of some items (for listing their cases)."""
    if not item_ids:
        return {}
    query = select(items.c.id, items.c.title).where(items.c.id.in_(item_ids))
    return {int(i): str(t) for i, t in conn.execute(query)}
