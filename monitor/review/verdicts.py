"""Verdicts, lead sign-off and assignment. A verdict on a story applies to every copy in its
cluster; every verdict is kept (a later one never overwrites an earlier one) and audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select, update

from ..store.review_index import refresh
from ..store.tables import assignments, item_scores, items, review_state, signoffs, users
from ..store.tables import verdicts as verdicts_t
from ..vocabulary import PERMISSIONS
from . import InvalidInput, NotFound, PermissionDenied
from . import audit as audit_log
from .status import (
    REASON_REQUIRED,
    VERDICT_LABELS,
    VerdictRow,
    canonical_verdict,
    derive_status,
)
from .users import User, get_user

JUDGES = set(PERMISSIONS["judge"])
MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class VerdictResult:
    """What a verdict did: the canonical verdict, the items it covered, their new status."""

    verdict: str
    item_ids: tuple[int, ...]
    status: str


def cluster_items(conn: Connection, item_id: int) -> list[int]:
    """Every item of ``item_id``'s story cluster (at least the item itself)."""
    row = conn.execute(select(items.c.id, items.c.cluster_id).where(items.c.id == item_id)).first()
    if row is None:
        raise NotFound(f"no item {item_id}")
    if row.cluster_id is None:
        return [row.id]
    ids = conn.execute(
        select(items.c.id).where(items.c.cluster_id == row.cluster_id).order_by(items.c.id)
    ).scalars()
    return sorted(set(ids) | {row.id})


def item_status(conn: Connection, item_id: int) -> str:
    """An item's status derived from its score, verdicts and sign-offs."""
    flagged = conn.execute(
        select(item_scores.c.flagged).where(item_scores.c.item_id == item_id)
    ).first()
    leads = set(conn.execute(select(users.c.name).where(users.c.role == "lead")).scalars())
    rows = [
        VerdictRow(r.id, r.verdict, r.analyst, r.created_at, r.analyst in leads)
        for r in conn.execute(select(verdicts_t).where(verdicts_t.c.item_id == item_id))
    ]
    signed = conn.execute(
        select(signoffs.c.verdict_id).where(signoffs.c.item_id == item_id)
    ).scalars()
    source_id = conn.scalar(select(items.c.source_id).where(items.c.id == item_id)) or ""
    return derive_status(None if flagged is None else bool(flagged[0]), rows, list(signed),
                         source_id)  # fmt: skip


def _store_status(conn: Connection, item_id: int, ids: list[int], now: datetime) -> str:
    refresh(conn, now)  # the items may be newer than the review state
    for i in ids:
        conn.execute(
            update(review_state)
            .where(review_state.c.item_id == i)
            .values(status=item_status(conn, i), updated_at=now)
        )
    return item_status(conn, item_id)


def record_verdict(
    conn: Connection,
    actor: User,
    item_id: int,
    verdict: str,
    reason: str = "",
    now: datetime | None = None,
) -> VerdictResult:
    """Record ``actor``'s verdict on the story of ``item_id`` (every copy), keeping earlier ones."""
    if actor.role not in JUDGES:
        raise PermissionDenied("only analysts and leads give verdicts")
    name = canonical_verdict(verdict)
    reason = (reason or "").strip()
    if name in REASON_REQUIRED and not reason:
        raise InvalidInput("a reason is required to confirm or dismiss")
    if len(reason) > MAX_REASON:
        raise InvalidInput(f"the reason is longer than {MAX_REASON} characters")
    now = now or datetime.now(UTC)
    ids = cluster_items(conn, item_id)
    before = item_status(conn, item_id)
    conn.execute(
        verdicts_t.insert(),
        [{"item_id": i, "verdict": name, "label": VERDICT_LABELS[name], "reason": reason,
          "analyst": actor.name, "created_at": now} for i in ids],
    )  # fmt: skip
    status = _store_status(conn, item_id, ids, now)
    audit_log.record(
        conn, actor.name, "verdict", "item", item_id, {"status": before},
        {"verdict": name, "reason": reason, "status": status, "items": ids}, now,
    )  # fmt: skip
    return VerdictResult(name, tuple(ids), status)


def sign_off(
    conn: Connection, actor: User, item_id: int, note: str = "", now: datetime | None = None,
    *, four_eyes: bool = True,
) -> VerdictResult:  # fmt: skip
    """A lead approves the confirmed verdict on a story (every copy) before any reply.

    ``four_eyes`` (setting ``MONITOR_FOUR_EYES``, on by default): whoever confirmed the story
    cannot also sign it off."""
    if actor.role != "lead":
        raise PermissionDenied("only a lead signs off")
    before = item_status(conn, item_id)
    if before != "confirmed":
        raise InvalidInput(f"only confirmed items can be signed off (this one is {before})")
    if four_eyes and actor.name in _confirmers(conn, cluster_items(conn, item_id)):
        raise PermissionDenied("four eyes: another lead signs off a story you confirmed")
    now = now or datetime.now(UTC)
    ids = cluster_items(conn, item_id)
    for i in ids:
        last = conn.execute(
            select(verdicts_t.c.id)
            .where(verdicts_t.c.item_id == i)
            .order_by(verdicts_t.c.created_at.desc(), verdicts_t.c.id.desc())
            .limit(1)
        ).scalar()
        if last is not None:
            conn.execute(signoffs.insert().values(item_id=i, verdict_id=last, lead=actor.name,
                                                  note=note.strip(), created_at=now))  # fmt: skip
    status = _store_status(conn, item_id, ids, now)
    audit_log.record(conn, actor.name, "signoff", "item", item_id, {"status": before},
                     {"status": status, "note": note.strip(), "items": ids}, now)  # fmt: skip
    return VerdictResult("signoff", tuple(ids), status)


def _confirmers(conn: Connection, ids: list[int]) -> set[str]:
    """Who gave the confirming verdicts standing on these items."""
    rows = conn.execute(
        select(verdicts_t.c.analyst, verdicts_t.c.verdict).where(verdicts_t.c.item_id.in_(ids))
    ).all()
    return {r.analyst for r in rows if r.verdict.startswith("confirm")}


def assign(
    conn: Connection,
    actor: User,
    item_id: int,
    assignee: str | None,
    now: datetime | None = None,
) -> tuple[int, ...]:
    """A lead assigns a story (every copy) to a user, or unassigns it with None."""
    if actor.role != "lead":
        raise PermissionDenied("only a lead assigns work")
    if assignee:
        target = get_user(conn, assignee)
        if target.role not in JUDGES:
            raise InvalidInput(f"{assignee} is a {target.role} and cannot review items")
    now = now or datetime.now(UTC)
    ids = cluster_items(conn, item_id)
    refresh(conn, now)
    before = conn.execute(
        select(review_state.c.assignee).where(review_state.c.item_id == item_id)
    ).scalar()
    conn.execute(
        assignments.insert(),
        [{"item_id": i, "assignee": assignee or None, "assigned_by": actor.name,
          "created_at": now} for i in ids],
    )  # fmt: skip
    conn.execute(
        update(review_state).where(review_state.c.item_id.in_(ids)).values(assignee=assignee)
    )
    audit_log.record(conn, actor.name, "assign", "item", item_id, {"assignee": before},
                     {"assignee": assignee, "items": ids}, now)  # fmt: skip
    return tuple(ids)
