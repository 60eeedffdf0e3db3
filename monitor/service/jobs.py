"""The service's jobs. APScheduler stores each job as a reference to one of these functions
(no arguments, so the stored job never holds an engine); they read the running service's
context, set once by the runner with ``bind``.

Every job records its run in ``service_runs`` under a period key (the ISO week for the digest,
the local day for the backup): a restart after a crash finishes an unfinished run and never
repeats a finished one. Jobs stop at clean points when the service is asked to stop.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, update
from sqlalchemy.exc import OperationalError

from ..config import Settings
from ..store.queries import utcnow
from ..store.tables import sources
from ..timefmt import LOCAL
from . import state

log = logging.getLogger(__name__)
T = TypeVar("T")
FREQUENT_JOBS = ("crawl", "classify", "alerts", "enqueue", "notify", "uptake")


class Stopped(Exception):
    """The service is stopping: the job ends at a clean point, the rest waits for next time."""


Work = Callable[["ServiceContext"], str]


@dataclass(frozen=True)
class Dispatch:
    """How the frequent jobs run, chosen once at start-up: here in the service (local), or
    handed to `monitor worker`s through the queue (see workers.queue_dispatch). Each is the
    job name its runs are recorded under and the work itself."""

    crawl: tuple[str, Work]
    classify: tuple[str, Work]


@dataclass
class ServiceContext:
    """What the jobs share: the store, the settings, the stop signal and the dispatch."""

    engine: Engine
    settings: Settings
    stop: threading.Event = field(default_factory=threading.Event)
    holder: str = field(default_factory=state.holder_id)
    dispatch: Dispatch = field(default_factory=lambda: local_dispatch())


_context: ServiceContext | None = None


def bind(context: ServiceContext | None) -> None:
    global _context
    _context = context


def context() -> ServiceContext:
    if _context is None:
        raise RuntimeError("the service context is not bound (start it with monitor run)")
    return _context


def run_job(job: str, period: str, work: Callable[[ServiceContext], str]) -> str | None:
    """Run ``work`` once for ``period``: skipped when already done, failures recorded."""
    ctx = context()
    if ctx.stop.is_set() or not state.begin_run(ctx.engine, job, period, ctx.holder):
        return None
    started = utcnow()
    try:
        detail = work(ctx)
    except Stopped:
        state.finish_run(ctx.engine, job, period, "stopped", "stopped by shutdown", started)
        return None
    except Exception as exc:
        # Any failure is stored on the run and logged; the scheduler tries again next time.
        log.exception("job-failed job=%s period=%s", job, period)
        _record_failure(ctx, job, period, exc, started)
        return None
    state.finish_run(ctx.engine, job, period, "done", detail, started)
    log.info("job-done job=%s period=%s detail=%s", job, period, detail)
    return detail


def _record_failure(
    ctx: ServiceContext, job: str, period: str, exc: Exception, started: datetime
) -> None:
    try:
        state.finish_run(ctx.engine, job, period, "failed", f"{type(exc).__name__}: {exc}", started)
    except OperationalError:
        log.warning("job-failure-not-recorded job=%s (the database is unavailable)", job)


def tick_period() -> str:
    return utcnow().strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def local_day(now: datetime | None = None) -> str:
    return (now or utcnow()).astimezone(LOCAL).date().isoformat()


def previous_iso_week(now: datetime | None = None) -> str:
    """The ISO week that ended before ``now`` (local time): the one a Monday digest covers."""
    year, week, _ = ((now or utcnow()).astimezone(LOCAL) - timedelta(days=7)).isocalendar()
    return f"{year}-W{week:02d}"


# -- the jobs ----------------------------------------------------------------------------------
def crawl_due() -> str | None:
    """Poll every due source (or hand them to the workers in the multi-machine mode)."""
    job, work = context().dispatch.crawl
    return run_job(job, tick_period(), work)


def _crawl(ctx: ServiceContext) -> str:
    from ..collect.pipeline import crawl

    summary = run_until_stopped(ctx, crawl(ctx.engine, ctx.settings))
    return f"sources={len(summary.reports)} new={summary.new_items} failed={len(summary.failed)}"


def run_until_stopped(ctx: ServiceContext, work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine; on stop, cancel it at its next await (writes are never interrupted:
    each item is stored synchronously between two awaits)."""

    async def watch() -> T:
        task = asyncio.ensure_future(work)
        while not task.done():
            await asyncio.wait({task}, timeout=0.2)
            if ctx.stop.is_set() and not task.done():
                task.cancel()
        try:
            return task.result()
        except asyncio.CancelledError:
            raise Stopped from None

    return asyncio.run(watch())


def classify_new() -> str | None:
    """Score the items stored since the last run with the active model."""
    job, work = context().dispatch.classify
    return run_job(job, tick_period(), work)


def classify_items(ctx: ServiceContext) -> str:
    from ..evidence import capture_flagged
    from ..flag import classify_pending
    from ..respond.criticism import route_pending

    def check(_scored: int) -> None:
        if ctx.stop.is_set():
            raise Stopped  # after a committed batch: nothing half-written

    summary = classify_pending(ctx.engine, ctx.settings, progress=check)
    routed = route_pending(ctx.engine, ctx.settings)
    alerts = send_alerts(ctx)  # within the tick that scored the items
    captured = capture_flagged(ctx.engine, ctx.settings)  # evidence before it is deleted
    return (f"scored={summary.scored} flagged={summary.flagged} criticism_routed={routed} "
            f"{alerts} captured={captured}")  # fmt: skip


def send_alerts(ctx: ServiceContext) -> str:
    """Watch rules, high priorities and fast stories: record what matched, send what is due."""
    from ..watch.alerts import deliver, match_new

    matched = match_new(ctx.engine, ctx.settings)
    sent = deliver(ctx.engine, ctx.settings)
    held = " held=quiet_hours" if sent.held else ""
    return (f"alerts_matched={matched.events} alerts_sent={sent.sent} "
            f"alerts_retrying={sent.retrying} alerts_failed={sent.failed}{held}")  # fmt: skip


def notify_due() -> str | None:
    """Send the alerts that are due (retries, the end of quiet hours, items scored by
    workers in the multi-machine mode)."""
    return run_job("notify", tick_period(), send_alerts)


def local_dispatch() -> Dispatch:
    """The service crawls and scores by itself."""
    return Dispatch(crawl=("crawl", _crawl), classify=("classify", classify_items))


def retrain_weekly() -> str | None:
    """Retrain from the analysts' verdicts; the new model is used only when not worse."""
    from ..flag import retrain_from_verdicts

    def work(ctx: ServiceContext) -> str:
        result = retrain_from_verdicts(ctx.engine, ctx.settings)
        return f"version={result.version} verdicts={result.verdicts} {result.note}"

    return run_job("retrain", previous_iso_week(), work)


def weekly_digest() -> str | None:
    """Write (and send, when SMTP is set) the digest of the week that just ended."""
    return run_job("digest", previous_iso_week(), write_digest)


def write_digest(ctx: ServiceContext) -> str:
    from ..reports import digest

    week = previous_iso_week()
    with ctx.engine.connect() as conn:
        figures = digest.compute(conn, week, ctx.settings.silent_after_intervals)
    out = Path(ctx.settings.digest_dir) / f"digest-{week}.html"
    atomic_write(out, digest.render(figures, ".html"))
    sent = ""
    if ctx.settings.smtp_host and ctx.settings.digest_recipients:
        sent = f" sent_to={len(digest.send(figures, ctx.settings, out))}"
    return f"written={out}{sent}"


def atomic_write(path: Path, data: bytes) -> None:
    """Write under a temporary name, flush to disk, rename: never a half-written file."""
    import os

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    partial.replace(path)


def check_alerts() -> str | None:
    """Open and close source alerts (silent, volume drop or spike)."""
    from .alerts import refresh_alerts

    def work(ctx: ServiceContext) -> str:
        change = refresh_alerts(ctx.engine, ctx.settings)
        return f"opened={len(change.opened)} closed={len(change.closed)}"

    return run_job("alerts", tick_period(), work)


def refresh_press_uptake() -> str | None:
    """Which outlets carried the Department's recent own posts (monitor/voice/uptake.py)."""
    from ..voice.uptake import refresh_uptake

    def work(ctx: ServiceContext) -> str:
        return f"pickups={refresh_uptake(ctx.engine)}"

    return run_job("uptake", tick_period(), work)


def recheck_evidence() -> str | None:
    """Is it still there? Re-check the confirmed items whose check is due."""
    from ..evidence import check_due

    def work(ctx: ServiceContext) -> str:
        found = check_due(ctx.engine, ctx.settings)
        states = {s: sum(c.state == s for c in found) for s in {c.state for c in found}}
        return f"checked={len(found)} " + " ".join(f"{k}={v}" for k, v in sorted(states.items()))

    return run_job("evidence", tick_period(), work)


def purge_old() -> str | None:
    """Retention: purge old irrelevant full texts and forget old crawl-tick runs."""
    from .maintenance import purge_texts

    def work(ctx: ServiceContext) -> str:
        purged = purge_texts(ctx.engine, ctx.settings.retention_days)
        forgotten = state.prune_runs(ctx.engine, utcnow() - timedelta(days=30), FREQUENT_JOBS)
        return f"texts_purged={purged} runs_forgotten={forgotten}"

    return run_job("purge", local_day(), work)


def nightly_backup() -> str | None:
    """Back up a SQLite store with the online backup API, keeping backup_keep copies."""
    from .maintenance import backup_sqlite, sqlite_path

    def work(ctx: ServiceContext) -> str:
        if sqlite_path(ctx.settings.database_url) is None:
            return "not a SQLite store: back up PostgreSQL with pg_dump (docs/deployment.md)"
        result = backup_sqlite(
            ctx.settings.database_url, Path(ctx.settings.backup_dir), ctx.settings.backup_keep
        )
        return f"path={result.path} bytes={result.bytes} removed={len(result.removed)}"

    return run_job("backup", local_day(), work)


def renew_scheduler_lease() -> None:
    """The scheduler's heartbeat (also what keeps a second scheduler from starting)."""
    ctx = context()
    state.acquire_lease(ctx.engine, "scheduler", ctx.holder, 2 * ctx.settings.lease_seconds)


def postpone(engine: Engine, source_ids: list[str], seconds: float) -> None:
    """Mark sources as taken for a while, so the next tick does not hand them out again."""
    until = utcnow() + timedelta(seconds=seconds)
    with engine.begin() as conn:
        conn.execute(
            update(sources).where(sources.c.id.in_(source_ids)).values(next_check_at=until)
        )


def wait_for(predicate: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    """Poll ``predicate`` until true or ``timeout`` seconds passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
