"""Source alerts: silent sources and sharp changes in volume, stored until they clear.

Silence uses the statistics module's own rule (the sources page and the digest say the same);
volume compares the last 7 days with the mean of the 4 weeks before them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, insert, select, update

from ..config import Settings
from ..reports import stats
from ..store.queries import utcnow
from ..store.tables import service_alerts

log = logging.getLogger(__name__)
HISTORY_WEEKS = 4


@dataclass(frozen=True)
class AlertChange:
    opened: list[tuple[str, str]]
    closed: list[tuple[str, str]]


def volume_kind(week: int, mean: float, factor: float, minimum: float) -> str | None:
    """'volume_drop' or 'volume_spike' when this week's count left [mean/factor, mean*factor]."""
    if mean >= minimum and week < mean / factor:
        return "volume_drop"
    if max(mean, minimum / factor) * factor < week:
        return "volume_spike"
    return None


def current_conditions(
    engine: Engine, settings: Settings, now: datetime
) -> dict[tuple[str, str], str]:
    """{(source_id, kind): message} for every alert condition true now."""
    window = stats.last_days(7 * (HISTORY_WEEKS + 1), now)
    found: dict[tuple[str, str], str] = {}
    with engine.connect() as conn:
        health = stats.source_health(conn, window, settings.silent_after_intervals, now)
    for source in health:
        if source.silent:
            since = source.last_new_item_at.isoformat() if source.last_new_item_at else "never"
            found[(source.id, "silent")] = f"{source.name}: no new item since {since}"
        if not source.enabled:
            continue
        week = sum(source.per_day[-7:])
        mean = sum(source.per_day[:-7]) / HISTORY_WEEKS
        kind = volume_kind(week, mean, settings.volume_change_factor, settings.volume_min_weekly)
        if kind:
            found[(source.id, kind)] = (
                f"{source.name}: {week} items in the last 7 days against {mean:.1f} a week before"
            )
    return found


def refresh_alerts(engine: Engine, settings: Settings, now: datetime | None = None) -> AlertChange:
    """Open alerts for new conditions and close those that cleared."""
    now = now or utcnow()
    found = current_conditions(engine, settings, now)
    with engine.begin() as conn:
        open_rows = conn.execute(
            select(service_alerts.c.id, service_alerts.c.source_id, service_alerts.c.kind).where(
                service_alerts.c.closed_at.is_(None)
            )
        ).all()
        is_open = {(r.source_id, r.kind): r.id for r in open_rows}
        opened = [key for key in found if key not in is_open]
        closed = [key for key in is_open if key not in found]
        for source_id, kind in opened:
            conn.execute(
                insert(service_alerts).values(
                    source_id=source_id, kind=kind, message=found[(source_id, kind)], opened_at=now
                )
            )
        if closed:
            ids = [is_open[key] for key in closed]
            conn.execute(
                update(service_alerts).where(service_alerts.c.id.in_(ids)).values(closed_at=now)
            )
    for source_id, kind in opened:
        log.warning("alert-opened source_id=%s kind=%s", source_id, kind)
    return AlertChange(opened, closed)


def open_alerts(engine: Engine) -> list[dict[str, object]]:
    """Alerts not yet cleared, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(service_alerts)
            .where(service_alerts.c.closed_at.is_(None))
            .order_by(service_alerts.c.opened_at.desc(), service_alerts.c.id.desc())
        )
        return [dict(r._mapping) for r in rows]
