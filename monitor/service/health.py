"""The checks behind /healthz and `monitor health` (database unreachable, read-only, disk full,
schema outdated, scheduler not running) and the figures behind /metrics, read from the store
without changing it. The HTTP side is dashboards/health.py."""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from ..config import Settings
from ..store.db import current_revision, head_revision
from ..store.queries import utcnow
from ..store.tables import item_scores, items, service_alerts, service_runs, source_events, sources
from ..store.terms import not_own
from . import state
from .maintenance import sqlite_path

log = logging.getLogger(__name__)
MB = 1024 * 1024
CRAWL_JOBS = ("crawl",)


@dataclass
class Health:
    problems: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def _read_only(engine: Engine) -> bool:
    """True when the store refuses writes, found without changing anything: SQLite is given a
    write statement that touches no row, rolled back (it refuses to start it when read-only);
    PostgreSQL says whether its transactions are read-only."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            return str(conn.scalar(text("SHOW transaction_read_only"))).lower() == "on"
        try:
            with conn.begin() as tx:
                conn.execute(text("DELETE FROM app_settings WHERE 1 = 0"))
                tx.rollback()
        except OperationalError as exc:
            return "readonly" in str(exc).lower() or "read-only" in str(exc).lower()
    return False


def check_health(engine: Engine, settings: Settings, expect_scheduler: bool = True) -> Health:
    """Every check in turn; the first database failure ends the checks that need it."""
    health = Health()
    path = sqlite_path(settings.database_url)
    if path is not None:
        free = shutil.disk_usage(path.parent if path.parent.exists() else ".").free
        health.info["disk_free_mb"] = free // MB
        if free < settings.disk_min_free_mb * MB:
            health.problems.append(f"disk full: {free // MB} MB free on {path.parent}")
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        revision = current_revision(engine)
        read_only = _read_only(engine)
    except SQLAlchemyError as exc:
        log.warning("healthz: database unreachable: %s", exc)
        health.problems.append("database unreachable (details in the service log)")
        return health
    if revision != head_revision():
        health.problems.append(f"schema outdated: at {revision}, run `monitor migrate`")
    if read_only:
        health.problems.append("database read-only: writes would be refused")
    _scheduler_and_alerts(engine, health, expect_scheduler)
    return health


def _scheduler_and_alerts(engine: Engine, health: Health, expect_scheduler: bool) -> None:
    try:
        holder = state.lease_holder(engine, "scheduler")
        with engine.connect() as conn:
            rows = conn.execute(
                select(service_alerts.c.source_id, service_alerts.c.kind, service_alerts.c.message)
                .where(service_alerts.c.closed_at.is_(None))
                .order_by(service_alerts.c.id)
            ).all()
    except SQLAlchemyError as exc:
        log.warning("healthz: database read failed: %s", exc)
        health.problems.append("database read failed (details in the service log)")
        return
    health.info["scheduler"] = holder[0] if holder else None
    health.info["alerts"] = [dict(r._mapping) for r in rows]
    if expect_scheduler and holder is None:
        health.problems.append("scheduler not running: no heartbeat in the database")


def metric_values(engine: Engine) -> dict[str, float]:
    """The figures /metrics shows, read from the store (the same for every process)."""
    now = utcnow()
    with engine.connect() as conn:
        scalar = conn.scalar
        values = {
            "items_collected": scalar(select(func.count()).select_from(items)),
            "items_relevant": scalar(select(func.count()).where(items.c.relevant)),
            "items_flagged": scalar(select(func.count()).where(item_scores.c.flagged)),
            "items_unscored": scalar(
                select(func.count())
                .select_from(items.outerjoin(item_scores, item_scores.c.item_id == items.c.id))
                .where(item_scores.c.item_id.is_(None), not_own())
            ),
            "source_errors": scalar(select(func.count()).where(source_events.c.level == "error")),
            "sources_failing": scalar(select(func.count()).where(sources.c.error_count > 0)),
            "sources_due": scalar(
                select(func.count()).where(
                    sources.c.enabled, sources.c.in_config,
                    (sources.c.next_check_at.is_(None)) | (sources.c.next_check_at <= now),
                )
            ),
            "alerts_open": scalar(select(func.count()).where(service_alerts.c.closed_at.is_(None))),
        }  # fmt: skip
        durations = sorted(
            d / 1000
            for d in conn.scalars(
                select(service_runs.c.duration_ms)
                .where(service_runs.c.job.in_(CRAWL_JOBS), service_runs.c.status == "done")
                .order_by(service_runs.c.started_at.desc())
                .limit(200)
            )
            if d is not None
        )
    for q in (0.5, 0.95):
        values[f"crawl_latency_{q}"] = durations[int(q * (len(durations) - 1))] if durations else 0
    values["crawl_runs"] = len(durations)
    return {k: float(v or 0) for k, v in values.items()}


METRICS = (
    ("items_collected", "monitor_items_collected_total", "counter", "Items stored."),
    ("items_relevant", "monitor_items_relevant_total", "counter", "Items judged relevant."),
    ("items_flagged", "monitor_items_flagged_total", "counter", "Items flagged for review."),
    ("source_errors", "monitor_source_errors_total", "counter", "Failed source polls."),
    ("sources_failing", "monitor_sources_failing", "gauge", "Sources whose last poll failed."),
    ("sources_due", "monitor_crawl_queue_length", "gauge", "Sources due and not yet polled."),
    ("items_unscored", "monitor_classify_queue_length", "gauge", "Items waiting for scores."),
    ("alerts_open", "monitor_alerts_open", "gauge", "Source alerts not cleared."),
)


def render_metrics(values: dict[str, float], queue_length: float | None = None) -> str:
    """The Prometheus text exposition format (version 0.0.4)."""
    lines = []
    for key, name, kind, help_text in METRICS:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}", f"{name} {values[key]:g}"]
    name = "monitor_crawl_latency_seconds"
    lines += [f"# HELP {name} Duration of recent crawl runs.", f"# TYPE {name} summary"]
    for q in (0.5, 0.95):
        lines.append(f'{name}{{quantile="{q}"}} {values[f"crawl_latency_{q}"]:g}')
    lines.append(f"{name}_count {values['crawl_runs']:g}")
    if queue_length is not None:
        name = "monitor_task_queue_length"
        lines += [f"# HELP {name} Messages waiting in the task queue.", f"# TYPE {name} gauge",
                  f"{name} {queue_length:g}"]  # fmt: skip
    return "\n".join(lines) + "\n"
