"""Service bookkeeping in the store: job runs (each job once per period) and leases.

A lease is a row with a holder and an expiry: whoever holds an unexpired lease owns the thing
(a source being crawled, the classifier, the scheduler). A holder that dies simply stops
renewing, and the lease is free again after ``lease_seconds``; no process ever has to clean
up after another.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from ..store.queries import utcnow
from ..store.tables import service_leases, service_runs

log = logging.getLogger(__name__)


def holder_id() -> str:
    """Who we are, as stored on leases and runs: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


def acquire_lease(engine: Engine, name: str, holder: str, seconds: float) -> bool:
    """Take (or renew) the lease ``name`` for ``seconds``; False when someone else holds it."""
    now = utcnow()
    expires = now + timedelta(seconds=seconds)
    with engine.begin() as conn:
        taken = conn.execute(
            update(service_leases)
            .where(
                service_leases.c.name == name,
                or_(service_leases.c.expires_at < now, service_leases.c.holder == holder),
            )
            .values(holder=holder, expires_at=expires)
        ).rowcount
        if taken:
            return True
        try:
            with conn.begin_nested():
                conn.execute(
                    insert(service_leases).values(name=name, holder=holder, expires_at=expires)
                )
        except IntegrityError:
            return False  # the row exists and its holder is alive
    return True


def release_lease(engine: Engine, name: str, holder: str) -> None:
    """Give the lease back (only when we still hold it)."""
    with engine.begin() as conn:
        conn.execute(
            delete(service_leases).where(
                service_leases.c.name == name, service_leases.c.holder == holder
            )
        )


def lease_holder(engine: Engine, name: str) -> tuple[str, datetime] | None:
    """The live holder of ``name`` and its expiry, or None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(service_leases.c.holder, service_leases.c.expires_at).where(
                service_leases.c.name == name, service_leases.c.expires_at >= utcnow()
            )
        ).first()
    return (row.holder, row.expires_at) if row else None


def begin_run(engine: Engine, job: str, period: str, holder: str) -> bool:
    """Claim ``job`` for ``period``; False when that run is already done.

    A run left 'running' by a process that died is claimed again: its effects are idempotent
    (unique keys, insert-or-ignore, atomic renames), so finishing it twice stores nothing twice.
    """
    now = utcnow()
    with engine.begin() as conn:
        row = conn.execute(
            select(service_runs.c.status).where(
                service_runs.c.job == job, service_runs.c.period == period
            )
        ).first()
        if row is not None and row.status == "done":
            return False
        values = {"status": "running", "holder": holder, "started_at": now, "detail": ""}
        if row is None:
            conn.execute(insert(service_runs).values(job=job, period=period, **values))
        else:
            conn.execute(
                update(service_runs)
                .where(and_(service_runs.c.job == job, service_runs.c.period == period))
                .values(finished_at=None, **values)
            )
    return True


def finish_run(
    engine: Engine, job: str, period: str, status: str, detail: str, started: datetime
) -> None:
    """Record how a run ended (done or failed) and how long it took."""
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            update(service_runs)
            .where(service_runs.c.job == job, service_runs.c.period == period)
            .values(
                status=status,
                detail=detail[:2000],
                finished_at=now,
                duration_ms=int((now - started).total_seconds() * 1000),
            )
        )


def prune_runs(engine: Engine, before: datetime, jobs: tuple[str, ...]) -> int:
    """Forget finished runs of frequent jobs (crawl ticks) older than ``before``."""
    with engine.begin() as conn:
        return conn.execute(
            delete(service_runs).where(
                service_runs.c.job.in_(jobs),
                service_runs.c.started_at < before,
                service_runs.c.status != "running",
            )
        ).rowcount
