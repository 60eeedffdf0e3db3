"""The JSON API (described by /openapi.json): session, items, one item, verdicts, statistics."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from monitor.reports import stats
from monitor.respond.criticism import judge
from monitor.review.queue import item_detail, list_queue
from monitor.timefmt import to_local_iso

from .queue import queue_filter
from .web import EVERYONE, JUDGES, READERS, engine_of, needs

router = APIRouter(prefix="/api", tags=["review"])


class SessionOut(BaseModel):
    user: str
    role: str
    csrf_token: str = Field(description="send as X-CSRF-Token with every POST")


class ItemOut(BaseModel):
    id: int
    title: str
    url: str
    source_id: str
    label: str | None
    scores: dict[str, float]
    status: str
    cluster_id: int
    reach: int
    priority: float
    assignee: str | None
    seen_at: str | None
    channel: str = Field("crawl", description="crawl, or tip (submitted by a person)")


class ItemsOut(BaseModel):
    items: list[ItemOut]
    page: int
    per_page: int
    has_next: bool


class VerdictIn(BaseModel):
    verdict: str = Field(
        description="confirm_distorted, confirm_hostile, criticism, dismiss, "
        "escalate (aliases: distorted, hostile, dismissed, false_alarm, escalated)"
    )
    reason: str = Field("", description="required to confirm or dismiss")


class VerdictOut(BaseModel):
    verdict: str
    item_ids: list[int]
    status: str


@router.get("/session", response_model=SessionOut)
def session_info(session=needs(*EVERYONE)) -> SessionOut:
    """Who is logged in, and the CSRF token for API writes."""
    return SessionOut(user=session.user.name, role=session.user.role, csrf_token=session.csrf)


@router.get("/items", response_model=ItemsOut)
def api_items(
    request: Request,
    status: str = Query("flagged", description="comma-separated statuses, or all"),
    label: str = "",
    source: str = "",
    assignee: str = "",
    since: str = Query("", description="YYYY-MM-DD (local) or ISO time"),
    until: str = "",
    q: str = Query("", description="full-text search, accents optional"),
    page: int = 1,
    per_page: int = 50,
    session=needs(*READERS),
) -> ItemsOut:
    """The queue as JSON, highest priority first."""
    f = queue_filter(status, label, source, assignee, since, until, q, page, per_page)
    with engine_of(request).begin() as conn:
        result = list_queue(conn, f)
    rows = [
        ItemOut(**{**_plain(asdict(i)), "seen_at": to_local_iso(i.seen_at)}) for i in result.items
    ]
    return ItemsOut(
        items=rows, page=result.page, per_page=result.per_page, has_next=result.has_next
    )


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k in ItemOut.model_fields and k != "seen_at"}


@router.get("/items/{item_id}")
def api_item(request: Request, item_id: int, session=needs(*READERS)) -> dict[str, Any]:
    """One item with its evidence, signals, cluster and history."""
    with engine_of(request).begin() as conn:
        detail = asdict(item_detail(conn, item_id))
    return _jsonable(detail)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_local_iso(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


@router.post("/items/{item_id}/verdict", response_model=VerdictOut)
def api_verdict(
    request: Request, item_id: int, body: VerdictIn, session=needs(*JUDGES)
) -> VerdictOut:
    """Record a verdict on the item's whole story cluster (any item, flagged or not)."""
    with engine_of(request).begin() as conn:
        settings = request.app.state.settings
        done = judge(conn, settings, session.user, item_id, body.verdict, body.reason)
    return VerdictOut(verdict=done.verdict, item_ids=list(done.item_ids), status=done.status)


@router.get("/stats")
def api_stats(
    request: Request, group: str = "day", days: int = 7, session=needs(*EVERYONE)
) -> list[dict[str, Any]]:
    """Counts of the last ``days`` days by day, week, label or source (monitor.reports.stats)."""
    if group not in stats.GROUPS or not 1 <= days <= 3660:
        from monitor.review import InvalidInput

        raise InvalidInput("group must be day, week, label or source; days 1 to 3660")
    with engine_of(request).connect() as conn:  # reads only read: writers refresh
        return [asdict(c) for c in stats.counts(conn, stats.last_days(days), group)]
