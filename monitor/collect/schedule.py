"""When to poll a source again: the scheduling arithmetic of the crawl, apart from its I/O.

On success, the source's interval (or the feed's TTL); a source that publishes rarely is
polled at half its median gap between entries, within bounds; after failures, exponential
back-off with a ceiling, never sooner than a server's Retry-After. A 304 answer keeps the
rhythm the last full read of the feed measured (stored on the source).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from ..config import Settings
from ..records import FeedEntry


def next_check_after(
    now: datetime,
    interval_minutes: int,
    errors: int,
    settings: Settings,
    retry_after: float | None = None,
    ttl_minutes: int | None = None,
    publish_gap_minutes: float | None = None,
) -> datetime:
    """When to poll again: the interval (or the feed's TTL) on success; exponential
    back-off with a ceiling after failures, never sooner than a server's Retry-After.

    A source that publishes rarely (median gap between its entries) is polled at half that
    gap, never more often than its interval nor rarer than ``adaptive_max_factor`` times it.
    """
    if errors <= 0:
        base = float(interval_minutes)
        if publish_gap_minutes:
            ceiling = interval_minutes * settings.adaptive_max_factor
            base = min(max(publish_gap_minutes / 2, interval_minutes), ceiling)
        return now + timedelta(minutes=max(base, ttl_minutes or 0))
    minutes = min(settings.backoff_base_minutes * 2 ** (errors - 1), settings.backoff_max_minutes)
    minutes = max(minutes, interval_minutes if errors == 1 else 0)
    if retry_after:
        minutes = max(minutes, retry_after / 60)
    return now + timedelta(minutes=minutes)


def publish_gap_minutes(entries: Sequence[FeedEntry]) -> float | None:
    """Median minutes between a feed's dated entries (None with fewer than three dates)."""
    dates = sorted(e.published_at for e in entries if e.published_at is not None)
    gaps = sorted((b - a).total_seconds() / 60 for a, b in zip(dates, dates[1:], strict=False))
    return gaps[len(gaps) // 2] if len(dates) >= 3 else None
