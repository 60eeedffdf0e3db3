"""APScheduler 3.x with its jobs stored in the database (table ``apscheduler_jobs``, created
by migration 0005; the job store finds it and creates nothing).

A stored job keeps its next run time across restarts: a digest due while the service was down
runs once when it comes back (within the misfire grace), and the run record of its period keeps
it from running twice. Jobs are only re-added when their schedule changed, so a restart does
not push a pending run into the future.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ..config import Settings
from .jobs import LOCAL

log = logging.getLogger(__name__)
DAY = 24 * 3600


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str  # textual reference: what the job store keeps
    trigger: BaseTrigger
    grace: int  # seconds a missed run may be late and still run


def job_specs(settings: Settings) -> list[JobSpec]:
    """Every job of the service with its schedule."""
    return [
        JobSpec("crawl", "monitor.service.jobs:crawl_due",
                IntervalTrigger(seconds=settings.crawl_tick_seconds), 300),
        JobSpec("classify", "monitor.service.jobs:classify_new",
                IntervalTrigger(seconds=settings.classify_tick_seconds), 300),
        JobSpec("alerts", "monitor.service.jobs:check_alerts", IntervalTrigger(hours=1), 3600),
        JobSpec("notify", "monitor.service.jobs:notify_due",
                IntervalTrigger(seconds=settings.classify_tick_seconds), 300),
        JobSpec("evidence", "monitor.service.jobs:recheck_evidence", IntervalTrigger(hours=1),
                3600),
        JobSpec("uptake", "monitor.service.jobs:refresh_press_uptake", IntervalTrigger(hours=1),
                3600),
        JobSpec("digest", "monitor.service.jobs:weekly_digest",
                CronTrigger(day_of_week="mon", hour=7, minute=0, timezone=LOCAL), 2 * DAY),
        JobSpec("retrain", "monitor.service.jobs:retrain_weekly",
                CronTrigger(day_of_week="sun", hour=2, minute=0, timezone=LOCAL), 2 * DAY),
        JobSpec("backup", "monitor.service.jobs:nightly_backup",
                CronTrigger(hour=1, minute=30, timezone=LOCAL), DAY),
        JobSpec("purge", "monitor.service.jobs:purge_old",
                CronTrigger(hour=2, minute=30, timezone=LOCAL), DAY),
    ]  # fmt: skip


def build_scheduler(engine: Any, settings: Settings, workers: int = 3) -> BackgroundScheduler:
    """A scheduler over the store's own engine; jobs are added by ``start_scheduler``."""
    return BackgroundScheduler(
        jobstores={
            "default": SQLAlchemyJobStore(engine=engine, tablename="apscheduler_jobs"),
            "memory": MemoryJobStore(),  # the heartbeat: nothing to keep across restarts
        },
        executors={"default": ThreadPoolExecutor(workers)},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone="UTC",
    )


def start_scheduler(engine: Any, settings: Settings) -> BackgroundScheduler:
    """Start the scheduler and bring its stored jobs in line with ``job_specs``."""
    scheduler = build_scheduler(engine, settings)
    scheduler.start(paused=True)
    for spec in job_specs(settings):
        existing = scheduler.get_job(spec.id, jobstore="default")
        if existing is not None and str(existing.trigger) == str(spec.trigger):
            continue
        scheduler.add_job(
            spec.func, spec.trigger, id=spec.id, name=spec.id, replace_existing=True,
            misfire_grace_time=spec.grace, jobstore="default",
        )  # fmt: skip
        log.info("job-scheduled job=%s trigger=%s", spec.id, spec.trigger)
    scheduler.add_job(
        "monitor.service.jobs:renew_scheduler_lease",
        IntervalTrigger(seconds=max(settings.lease_seconds / 3, 1)),
        id="heartbeat", jobstore="memory", replace_existing=True,
    )  # fmt: skip
    scheduler.resume()
    return scheduler
