"""Operations commands: run the service, run a worker, back up, purge, alerts, health."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ..config import Settings
from . import UserError, command, store


def _run_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--scheduler-only", action="store_true",
                   help="no dashboard: only the scheduler, /healthz and /metrics")  # fmt: skip
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8000, help="port to listen on")


@command("run", _run_args)
def cmd_run(args: argparse.Namespace, settings: Settings) -> int:
    """Run the whole pipeline by itself: the scheduler and the dashboard, until SIGTERM.

    Jobs: crawl due sources, classify new items, alerts, weekly digest (Monday 07:00 local
    time), weekly retraining, retention and a nightly SQLite backup; their state is kept in
    the database. With MONITOR_QUEUE_URL set, crawling and scoring go to `monitor worker`s.
    Example: monitor --sources sources.yaml run --host 0.0.0.0 --port 8000
    """
    from dashboards.app import service_app
    from dashboards.health import health_app

    from ..service.runner import run

    factory = health_app if args.scheduler_only else service_app
    return run(settings, factory, host=args.host, port=args.port)


def _worker_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--processes", type=int, default=1, help="worker processes")
    p.add_argument("--threads", type=int, default=2, help="threads per process")


@command("worker", _worker_args)
def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Run a worker of the multi-machine mode (needs MONITOR_QUEUE_URL and PostgreSQL).

    Example: MONITOR_QUEUE_URL=amqp://guest:guest@10.0.0.5:5672/%2f monitor worker --threads 4
    """
    if not settings.queue_url:
        raise UserError("set MONITOR_QUEUE_URL (amqp://user:password@host:5672/%2f) first")
    os.environ["MONITOR_DATABASE_URL"] = settings.database_url
    os.environ["MONITOR_QUEUE_URL"] = settings.queue_url
    argv = [sys.executable, "-m", "dramatiq", "monitor.service.workers", "--queues", "monitor",
            "--processes", str(args.processes), "--threads", str(args.threads)]  # fmt: skip
    os.execv(sys.executable, argv)  # noqa: S606 - fixed arguments; the worker replaces us
    return 0  # not reached


def _backup_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", help="backup directory (default: MONITOR_BACKUP_DIR)")


@command("backup", _backup_args)
def cmd_backup(args: argparse.Namespace, settings: Settings) -> int:
    """Back up a SQLite store now (online backup API; keeps MONITOR_BACKUP_KEEP copies).

    Example: monitor backup --dir /var/backups/monitor
    """
    from ..service.maintenance import BackupError, backup_sqlite

    try:
        result = backup_sqlite(
            settings.database_url, Path(args.dir or settings.backup_dir), settings.backup_keep
        )
    except BackupError as exc:
        raise UserError(str(exc)) from None
    print(f"backup written to {result.path} ({result.bytes} bytes, {len(result.removed)} removed)")
    return 0


def _purge_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--days", type=int, help="retention in days (default: MONITOR_RETENTION_DAYS)")


@command("purge", _purge_args)
def cmd_purge(args: argparse.Namespace, settings: Settings) -> int:
    """Empty the full texts of irrelevant items older than the retention (metadata kept).

    Example: monitor purge --days 180
    """
    from ..service.maintenance import purge_texts

    days = args.days or settings.retention_days
    if days <= 0:
        raise UserError("--days must be a positive number of days")
    with store(settings) as engine:
        print(f"{purge_texts(engine, days)} full texts purged (older than {days} days)")
    return 0


def _alerts_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--refresh", action="store_true", help="re-check every source first")


@command("alerts", _alerts_args)
def cmd_alerts(args: argparse.Namespace, settings: Settings) -> int:
    """List open source alerts (silent source, sharp drop or rise in volume).

    Example: monitor alerts --refresh
    """
    from ..service.alerts import open_alerts, refresh_alerts

    with store(settings) as engine:
        if args.refresh:
            refresh_alerts(engine, settings)
        rows = open_alerts(engine)
    for row in rows:
        print(f"{row['opened_at']:%Y-%m-%d %H:%M}  {row['kind']:<13} {row['message']}")
    if not rows:
        print("no open alerts")
    return 0


@command("health")
def cmd_health(args: argparse.Namespace, settings: Settings) -> int:
    """Print the same checks as /healthz as JSON; exit 1 when there is a problem.

    Example: monitor health
    """
    from ..service.health import check_health
    from ..store.db import create_store_engine

    engine = create_store_engine(settings.database_url)
    try:
        health = check_health(engine, settings)
    finally:
        engine.dispose()
    body = {"status": "ok" if health.ok else "fail", "problems": health.problems, **health.info}
    print(json.dumps(body, ensure_ascii=False, default=str, indent=2))
    return 0 if health.ok else 1
