"""Times are stored in UTC and shown in Asia/Ho_Chi_Minh. The conversions live here."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def to_local_iso(value: datetime | None) -> str | None:
    """ISO 8601 with the +07:00 offset, or None."""
    return None if value is None else value.astimezone(LOCAL).isoformat()


def local_date(value: datetime) -> date:
    """The day in Asia/Ho_Chi_Minh of an aware (or UTC) time."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(LOCAL).date()


def show(value: datetime | None, with_time: bool = True) -> str:
    """dd/mm/yyyy HH:MM in Asia/Ho_Chi_Minh, as Vietnamese readers write dates."""
    if value is None:
        return "—"
    local = value.astimezone(LOCAL)
    return local.strftime("%d/%m/%Y %H:%M" if with_time else "%d/%m/%Y")


def parse_bound(text: str, *, end: bool = False) -> datetime:
    """A CLI date bound: YYYY-MM-DD (a local calendar day; ``end`` takes the day's end)
    or a full ISO 8601 time (local when it has no offset). Returns aware UTC."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day + timedelta(days=1) if end else day, time(), LOCAL)
        else:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=LOCAL)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD) or an ISO 8601 time") from None
    return moment.astimezone(UTC)


def parse_range(since: str | None, until: str | None) -> tuple[datetime | None, datetime | None]:
    """Bounds from the start of ``since`` to the end of ``until``; empty is open (ValueError)."""
    return (parse_bound(since) if since else None, parse_bound(until, end=True) if until else None)
