"""Is it still there? Confirmed items' pages are re-checked on a schedule: daily for
MONITOR_EVIDENCE_DAILY_DAYS after confirmation, then weekly until
MONITOR_EVIDENCE_UNTIL_DAYS. Each check records one state, with history:

- ``live``: the page answers and its text is the one kept;
- ``changed``: its text differs by more than MONITOR_EVIDENCE_CHANGE_THRESHOLD (a new capture
  is taken, so the earlier version and the new one are both kept);
- ``removed``: 404 or 410, a redirect to the site's home page, or a "not found" page;
- ``unreachable``: no usable answer (timeout, refused, server error): tried again next time.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine, func, select

from ..collect.extract import ExtractionError, extract_article
from ..config import Settings
from ..store.tables import evidence_captures, evidence_checks, items, review_state
from ..store.terms import confirmed, latest_labelled_verdicts
from ..text.normalize import fold_key, normalize_text
from ..timefmt import to_local_iso
from ..vocabulary import SYSTEM
from .capture import Fetched, capture_item, fetch_pages, item_row

STATES = ("live", "changed", "removed", "unreachable")
REMOVED_STATUSES = {404, 410}
# Words of a "not found" page (title or the start of its text), accent-free.
NOT_FOUND = re.compile(
    r"\b(khong tim thay|trang khong ton tai|bai viet khong ton tai|da bi xoa|not found|"
    r"page not found|404)\b"
)


@dataclass(frozen=True, slots=True)
class Check:
    item_id: int
    checked_at: datetime
    state: str
    http_status: int | None
    detail: str
    capture_id: int | None = None


def checks_of(conn: Connection, item_id: int) -> list[Check]:
    rows = conn.execute(
        select(evidence_checks).where(evidence_checks.c.item_id == item_id)
        .order_by(evidence_checks.c.id)
    )  # fmt: skip
    return [Check(r.item_id, r.checked_at, r.state, r.http_status, r.detail, r.capture_id)
            for r in rows]  # fmt: skip


def due_items(engine: Engine, settings: Settings, now: datetime, every: bool = False) -> list[int]:
    """Confirmed, captured items whose next check is due (all of them with ``every``)."""
    verdict = latest_labelled_verdicts()
    last = (
        select(evidence_checks.c.item_id, func.max(evidence_checks.c.checked_at).label("at"))
        .group_by(evidence_checks.c.item_id)
        .subquery()
    )
    captured = select(evidence_captures.c.item_id)
    query = (
        select(items.c.id, verdict.c.created_at.label("confirmed_at"), last.c.at)
        .join(review_state, review_state.c.item_id == items.c.id)
        .join(verdict, verdict.c.item_id == items.c.id)
        .outerjoin(last, last.c.item_id == items.c.id)
        # A pasted tip has no page to look at again (its URL is "tip:text:...").
        .where(confirmed(), items.c.id.in_(captured), items.c.url.like("http%"))
        .order_by(items.c.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [r.id for r in rows if every or _due(r.confirmed_at, r.at, now, settings)]


def _due(confirmed_at: datetime, last: datetime | None, now: datetime, s: Settings) -> bool:
    age = now - confirmed_at
    if age > timedelta(days=s.evidence_until_days):
        return False
    interval = timedelta(days=1 if age <= timedelta(days=s.evidence_daily_days) else 7)
    return last is None or now - last >= interval - timedelta(minutes=5)


def check_item(engine: Engine, settings: Settings, item_id: int, now: datetime | None = None,
               row: Any = None, fetched: Fetched | None = None) -> Check:  # fmt: skip
    """Fetch the page now (unless the caller did), decide its state, record it; a changed
    page is captured from that same answer."""
    now = now or datetime.now(UTC)
    if row is None:
        with engine.connect() as conn:
            row = item_row(conn, item_id)
    fetched = fetched or fetch_pages(settings, [row])[0]
    state, status, detail = judge_page(row, fetched, settings.evidence_change_threshold)
    capture_id = None
    if state == "changed":
        capture_id = capture_item(engine, settings, item_id, SYSTEM, "changed", now,
                                  fetched=fetched).id  # fmt: skip
    with engine.begin() as conn:
        conn.execute(evidence_checks.insert().values(
            item_id=item_id, checked_at=now, state=state, http_status=status, detail=detail,
            capture_id=capture_id,
        ))  # fmt: skip
    return Check(item_id, now, state, status, detail, capture_id)


def check_due(engine: Engine, settings: Settings, every: bool = False) -> list[Check]:
    """Run the checks that are due now (every confirmed, captured item with ``every``)."""
    now = datetime.now(UTC)
    due = due_items(engine, settings, now, every)
    if not every:
        due = due[: settings.evidence_batch]  # a run stays short; the rest are due next hour
    with engine.connect() as conn:
        rows = [item_row(conn, i) for i in due]
    return [check_item(engine, settings, row.id, now, row, fetched)
            for row, fetched in zip(rows, fetch_pages(settings, rows), strict=True)]  # fmt: skip


def judge_page(row: Any, fetched: Fetched, threshold: float) -> tuple[str, int | None, str]:
    """(state, HTTP status, a short reason) for one answer about the item's page."""
    result = fetched.result
    if result is None:
        if fetched.status in REMOVED_STATUSES:
            return "removed", fetched.status, f"HTTP {fetched.status}"
        return "unreachable", fetched.status, fetched.problem or "no answer"
    if _home_page(row.url, result.url):
        return "removed", result.status, f"redirected to the home page {result.url}"
    try:
        page = extract_article(result.content, url=result.url, content_type=result.content_type)
        title, text = page.title, page.text
    except ExtractionError:
        title, text = "", ""
    raw_title = re.search(rb"<title[^>]*>(.*?)</title>", result.content[:20000], re.S | re.I)
    shown = raw_title.group(1).decode("utf-8", "replace") if raw_title else ""
    head = fold_key(f"{shown} {title} {text[:200]}")
    if NOT_FOUND.search(head) and len(text.split()) < 80:
        return "removed", result.status, "a 'not found' page"
    kept = normalize_text(row.text or row.summary or "")
    difference = 1.0 - _similarity(kept, normalize_text(text))
    if difference > threshold:
        return "changed", result.status, f"{difference:.0%} of the text differs"
    return "live", result.status, f"{difference:.0%} of the text differs"


def _home_page(original: str, final: str) -> bool:
    before, after = urlsplit(original), urlsplit(final)
    return after.path in ("", "/") and before.path not in ("", "/") and not after.query


def _similarity(a: str, b: str) -> float:
    """Share of words in common, in order (1.0: the same text)."""
    left, right = a.split(), b.split()
    if not left and not right:
        return 1.0
    return difflib.SequenceMatcher(None, left, right, autojunk=False).ratio()


def evidence_status(engine: Engine) -> list[dict[str, Any]]:
    """One line per captured item: id, url, captures, last_check (ISO 8601, +07:00), state."""
    last_check = (
        select(evidence_checks.c.item_id, func.max(evidence_checks.c.id).label("cid"))
        .group_by(evidence_checks.c.item_id)
        .subquery()
    )
    query = (
        select(items.c.id, items.c.url, func.count(evidence_captures.c.id).label("captures"),
               evidence_checks.c.checked_at, evidence_checks.c.state)
        .join(evidence_captures, evidence_captures.c.item_id == items.c.id)
        .outerjoin(last_check, last_check.c.item_id == items.c.id)
        .outerjoin(evidence_checks, evidence_checks.c.id == last_check.c.cid)
        .group_by(items.c.id, items.c.url, evidence_checks.c.checked_at, evidence_checks.c.state)
        .order_by(items.c.id)
    )  # fmt: skip
    with engine.connect() as conn:
        return [{"id": r.id, "url": r.url, "captures": int(r.captures),
                 "last_check": to_local_iso(r.checked_at),
                 "state": r.state or "not_checked"} for r in conn.execute(query)]  # fmt: skip
