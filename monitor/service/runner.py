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
from collections.abc import Callable
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from ..config import Settings
from ..store.db import StoreError, open_store_waiting
from ..store.review_index import refresh
from . import jobs, state
from .jobs import ServiceContext
from .scheduler import start_scheduler

log = logging.getLogger(__name__)


class ServiceError(StoreError):
    """The service cannot start; the message says why and what to do."""


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


AppFactory = Callable[[Settings, Any], Any]


def run(settings: Settings, app_factory: AppFactory, *, host: str, port: int) -> int:
    """Run the service until SIGTERM/SIGINT; the exit status says whether it stopped clean.

    ``app_factory(settings, engine)`` makes the web application served in the foreground
    (the dashboard, or /healthz and /metrics alone): the caller chooses, so the service
    does not depend on the web layer."""
    import uvicorn

    engine = open_store_waiting(settings.database_url)
    if os.path.exists(settings.sources):
        from ..sources import load_sources
        from ..store.queries import sync_sources

        sync_sources(engine, load_sources(settings.sources))
    with engine.begin() as conn:
        refresh(conn)  # items stored while no writer refreshed (an upgrade) catch up now
    ctx = ServiceContext(engine, settings, dispatch=_dispatch(settings))
    claim_scheduler(ctx)
    jobs.bind(ctx)
    scheduler = start_scheduler(engine, settings)
    log.info("service-started holder=%s", ctx.holder)
    # uvicorn handles the signal, then raises it again under the handlers it found: ours,
    # so the process does not die before the jobs were stopped and the lease released.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: ctx.stop.set())
    try:
        uvicorn.run(
            app_factory(settings, engine), host=host, port=port, log_level="warning",
            timeout_graceful_shutdown=max(int(settings.shutdown_grace_seconds // 2), 1),
        )  # fmt: skip
    finally:
        clean = stop_service(scheduler, ctx)
        jobs.bind(None)
        engine.dispose()
    if not clean:
        os._exit(3)  # a job ignored the stop; its transaction rolls back with the process
    return 0


def _dispatch(settings: Settings) -> jobs.Dispatch:
    """Local work, or the queue when MONITOR_QUEUE_URL is set (decided here, once)."""
    if not settings.queue_url:
        return jobs.local_dispatch()
    from .workers import queue_dispatch

    return queue_dispatch()
