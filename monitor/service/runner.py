"""`monitor run`: the scheduler in the background and, in the foreground, the dashboard
(or, with --scheduler-only, just /healthz and /metrics). SIGTERM or SIGINT: uvicorn stops
answering, the jobs stop taking work and finish the write in flight, the process exits.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ..config import Settings
from ..store.db import StoreError, open_store
from . import jobs, state
from .jobs import ServiceContext
from .scheduler import start_scheduler

log = logging.getLogger(__name__)


class ServiceError(StoreError):
    """The service cannot start; the message says why and what to do."""


def open_store_waiting(settings: Settings, timeout: float = 300.0) -> Any:
    """Open the store, waiting (with growing pauses) while the database is unreachable."""
    deadline, pause = time.monotonic() + timeout, 0.5
    while True:
        try:
            return open_store(settings.database_url)
        except StoreError as exc:
            if "schema is at revision" in str(exc) or time.monotonic() > deadline:
                raise
            log.warning("database-unavailable retry_in=%.1fs error=%s", pause, exc)
        time.sleep(pause)
        pause = min(pause * 2, 10.0)


def claim_scheduler(ctx: ServiceContext) -> None:
    """Only one scheduler per store. After a crash the dead one's lease runs out within
    2 x lease_seconds, so a restarted service waits for it; a live one is refused by name."""
    seconds = 2 * ctx.settings.lease_seconds
    deadline = time.monotonic() + seconds + 5
    while not state.acquire_lease(ctx.engine, "scheduler", ctx.holder, seconds):
        holder = state.lease_holder(ctx.engine, "scheduler")
        if time.monotonic() > deadline:
            raise ServiceError(
                f"another scheduler is running ({holder[0] if holder else '?'}); stop it first"
            )
        log.warning("scheduler-lease-busy holder=%s waiting", holder[0] if holder else "?")
        time.sleep(1)


def stop_service(scheduler: Any, ctx: ServiceContext) -> bool:
    """Stop taking work, let in-flight jobs reach a clean point; True when all finished."""
    ctx.stop.set()
    done = threading.Event()

    def shutdown() -> None:
        scheduler.shutdown(wait=True)
        done.set()

    threading.Thread(target=shutdown, name="scheduler-shutdown", daemon=True).start()
    finished = done.wait(ctx.settings.shutdown_grace_seconds)
    try:
        state.release_lease(ctx.engine, "scheduler", ctx.holder)
    except SQLAlchemyError as exc:
        log.warning("lease-not-released error=%s", exc)
    log.info("service-stopped clean=%s", finished)
    return finished


def run(settings: Settings, *, scheduler_only: bool, host: str, port: int) -> int:
    """Run the service until SIGTERM/SIGINT; the exit status says whether it stopped clean."""
    import uvicorn

    engine = open_store_waiting(settings)
    if os.path.exists(settings.sources):
        from ..sources import load_sources
        from ..store.queries import sync_sources

        sync_sources(engine, load_sources(settings.sources))
    ctx = ServiceContext(engine, settings)
    claim_scheduler(ctx)
    jobs.bind(ctx)
    scheduler = start_scheduler(engine, settings)
    log.info("service-started holder=%s scheduler_only=%s", ctx.holder, scheduler_only)
    # uvicorn handles the signal, then raises it again under the handlers it found: ours,
    # so the process does not die before the jobs were stopped and the lease released.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: ctx.stop.set())
    try:
        uvicorn.run(
            _app(settings, engine, scheduler_only), host=host, port=port, log_level="warning",
            timeout_graceful_shutdown=max(int(settings.shutdown_grace_seconds // 2), 1),
        )  # fmt: skip
    finally:
        clean = stop_service(scheduler, ctx)
        jobs.bind(None)
        engine.dispose()
    if not clean:
        os._exit(3)  # a job ignored the stop; its transaction rolls back with the process
    return 0


def _app(settings: Settings, engine: Any, scheduler_only: bool) -> Any:
    from .health import health_app

    if scheduler_only:
        return health_app(settings, engine)
    from dashboards.app import create_app

    app = create_app(settings, engine=engine)
    app.state.expect_scheduler = True
    return app
