"""Soak: a simulated year compressed into a short run.

Local feeds publish on a simulated clock (``--per-day`` articles a day per feed); each
simulated day the due sources are crawled (in the process, or by Dramatiq workers on
RabbitMQ), new items are scored, and resident memory is sampled. Reports items/s sustained,
memory over the run, and database size per million items (measured size divided by items,
times a million: indexes and text grow about linearly, so this is an extrapolation).

    python bench/soak.py                       # SQLite and PostgreSQL, in-process, 1 vs 3 workers
    python bench/soak.py --days 365 --feeds 20 --no-write
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text, update  # noqa: E402

from monitor.config import load_settings  # noqa: E402
from monitor.devserver import LocalServer, Request, Response  # noqa: E402
from monitor.sources import Source  # noqa: E402
from monitor.store.db import open_store  # noqa: E402
from monitor.store.queries import sync_sources  # noqa: E402
from monitor.store.tables import items, sources  # noqa: E402

PG = os.environ.get(
    "MONITOR_TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
AMQP = "amqp://guest:guest@127.0.0.1:5672/%2f"
START = datetime(2025, 1, 1, tzinfo=UTC)
BODY = (
    "Sở Xây dựng tỉnh Lạng Sơn kiểm tra tiến độ thi công công trình nhà ở xã hội tại phường "
    "Đông Kinh; chủ đầu tư cam kết bàn giao đúng hạn và bảo đảm chất lượng vật liệu. "
)


class Clock:
    """The simulated day every feed reads."""

    def __init__(self) -> None:
        self.day = 0


def site(server: LocalServer, clock: Clock, feeds: int, per_day: int) -> list[str]:
    """Feeds listing their newest 20 articles as of the simulated day; article pages."""

    def feed(f: int):
        def handler(_req: Request) -> Response:
            entries = []
            for n in range(
                clock.day * per_day + per_day - 1, max(-1, clock.day * per_day - 20), -1
            ):
                when = START + timedelta(days=n // per_day, hours=n % per_day)
                url = f"{server.base_url}/f{f}/{n}.html"
                entries.append(
                    f"<item><title>Tin {n} nguồn {f}</title><link>{url}</link><guid>{url}</guid>"
                    f"<pubDate>{format_datetime(when)}</pubDate></item>"
                )
            body = (
                f"<rss version='2.0'><channel><title>F{f}</title>{''.join(entries)}</channel></rss>"
            )
            return Response(200, body, {"Content-Type": "application/rss+xml"})

        return handler

    def page(req: Request) -> Response:
        f, n = req.path.strip("/").split("/")
        title = f"Tin {n.removesuffix('.html')} nguồn {f}"
        html = (
            f"<html lang='vi'><head><meta charset='utf-8'><title>{escape(title)}</title></head>"
            f"<body><article><h1>{escape(title)}</h1>"
            + "".join(f"<p>{n} {BODY}</p>" for _ in range(4))
            + "</article></body></html>"
        )
        return Response(200, html)

    for f in range(feeds):
        server.route(f"/f{f}/rss.xml", feed(f))
    server.routes_callable = page  # type: ignore[attr-defined]
    return [server.url(f"/f{f}/rss.xml") for f in range(feeds)]


def rss_mb(pid: int | None = None) -> float:
    """Resident memory of a process in MB (Linux /proc)."""
    with open(f"/proc/{pid or 'self'}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def db_bytes(url: str, engine) -> int:
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))
    with engine.connect() as conn:
        return int(conn.scalar(text(
            "SELECT sum(pg_total_relation_size(quote_ident(schemaname)||'.'||"
            "quote_ident(tablename))) FROM pg_tables WHERE schemaname = current_schema()"
        )) or 0)  # fmt: skip


def pg_schema_url() -> tuple[str, str]:
    schema = "soak_" + uuid.uuid4().hex[:8]
    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    return f"{PG}?options=-csearch_path%3D{schema}", schema


def drop_schema(schema: str) -> None:
    admin = create_engine(PG)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def start_workers(url: str, n: int) -> list[subprocess.Popen[bytes]]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "MONITOR_DATABASE_URL": url,
        "MONITOR_QUEUE_URL": AMQP,
        "MONITOR_RESPECT_ROBOTS": "false",
    }
    cmd = [sys.executable, "-m", "dramatiq", "monitor.service.workers", "--queues", "monitor",
           "--processes", "1", "--threads", "2"]  # fmt: skip
    procs = [subprocess.Popen(cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for _ in range(n)]  # fmt: skip
    time.sleep(3)
    return procs


def run(url: str, days: int, feeds: int, per_day: int, workers: int) -> dict[str, float]:
    """One soak; ``workers`` 0 crawls in this process, else through that many workers."""
    clock = Clock()
    with LocalServer() as server:
        original = server._resolve

        def resolve(req: Request) -> Response:
            if req.path.endswith(".html"):
                return server.routes_callable(req)  # type: ignore[attr-defined]
            return original(req)

        server._resolve = resolve  # type: ignore[method-assign]
        urls = site(server, clock, feeds, per_day)
        engine = open_store(url)
        sync_sources(
            engine, [Source(id=f"f{i}", name=f"Nguồn {i}", url=u) for i, u in enumerate(urls)]
        )
        settings = load_settings({}, database_url=url, extract_workers=1, respect_robots=False)
        empty = db_bytes(url, engine)  # the schema alone: not part of the per-item size
        procs = start_workers(url, workers) if workers else []
        memory, started = [], time.perf_counter()
        try:
            for day in range(days):
                clock.day = day
                crawl_day(engine, settings, workers)
                server.requests.clear()  # the test server's own log is not the crawler's memory
                if day % max(days // 8, 1) == 0 or day == days - 1:
                    memory.append(rss_mb() + sum(rss_mb_tree(p.pid) for p in procs))
            elapsed = time.perf_counter() - started
            with engine.connect() as conn:
                stored = conn.scalar(select(func.count()).select_from(items)) or 0
            size = db_bytes(url, engine)
        finally:
            for p in procs:
                os.killpg(p.pid, signal.SIGTERM)
                p.wait(30)
            engine.dispose()
    return {"items": stored, "seconds": elapsed, "items_s": stored / elapsed,
            "mem_first": memory[0], "mem_last": memory[-1], "mem_max": max(memory),
            "mb_per_million": (size - empty) / max(stored, 1), "memory": memory}  # fmt: skip


def rss_mb_tree(pid: int) -> float:
    """Memory of a worker's process group (the dramatiq parent and its child)."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getpgid(int(entry.name)) == pid:
                    total += rss_mb(int(entry.name))
            except (ProcessLookupError, FileNotFoundError, PermissionError):
                continue
    return total


def crawl_day(engine, settings, workers: int) -> None:
    """Make every source due, then poll all of them once (here or through the workers)."""
    from monitor.collect.pipeline import crawl

    with engine.begin() as conn:
        conn.execute(update(sources).values(next_check_at=None))
    if not workers:
        asyncio.run(crawl(engine, settings))
        return
    from monitor.service import jobs
    from monitor.service import workers as wk

    marker = datetime.now(UTC)
    wk.enqueue_due(jobs.ServiceContext(engine, settings, holder="soak"))
    while True:
        with engine.connect() as conn:
            left = conn.scalar(
                select(func.count()).where(
                    (sources.c.last_checked_at.is_(None)) | (sources.c.last_checked_at < marker)
                )
            )
        if not left:
            return
        time.sleep(0.05)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--feeds", type=int, default=4)
    parser.add_argument("--per-day", type=int, default=2)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("MONITOR_QUEUE_URL", AMQP)
    rows, tmp = [], tempfile.mkdtemp(prefix="soak-")
    plans = [("SQLite", 0, args.days), ("PostgreSQL", 0, args.days),
             ("PostgreSQL", 1, args.days // 4), ("PostgreSQL", 3, args.days // 4)]  # fmt: skip
    for backend, workers, days in plans:
        schema = None
        url = f"sqlite:///{tmp}/soak-{len(rows)}.db"
        if backend == "PostgreSQL":
            url, schema = pg_schema_url()
        try:
            r = run(url, days, args.feeds, args.per_day, workers)
        finally:
            if schema:
                drop_schema(schema)
        label = f"{backend}, {'in-process' if not workers else f'{workers} worker(s)'}"
        print(f"{label}: {r['items']} items over {days} days in {r['seconds']:.1f} s, "
              f"{r['items_s']:.1f} items/s, memory {[round(m) for m in r['memory']]} MB, "
              f"{r['mb_per_million']:.0f} MB per million items", flush=True)  # fmt: skip
        rows.append((label, days, r))
    if not args.no_write:
        write(rows, args)


def write(rows, args) -> None:
    from bench._report import write_section

    lines = [
        f"Simulated days of {args.feeds} feeds publishing {args.per_day} articles a day each, "
        "crawled once per simulated day with article pages fetched and extracted (local server). "
        "Memory is resident MB of the crawling processes, sampled 8 times over the run. "
        "Database size per million items = measured size / items × 10⁶ (extrapolated: "
        "indexes and texts grow about linearly; retention purging is not applied).",
        "",
        "| run | days | items | items/s | memory first → last (max) MB | MB per 10⁶ items |",
        "|---|---|---|---|---|---|",
    ]
    for label, days, r in rows:
        lines.append(f"| {label} | {days} | {r['items']} | {r['items_s']:.1f} | "
                     f"{r['mem_first']:.0f} → {r['mem_last']:.0f} ({r['mem_max']:.0f}) | "
                     f"{r['mb_per_million']:,.0f} |")  # fmt: skip
    by = {label: r for label, _, r in rows}
    one, three = by.get("PostgreSQL, 1 worker(s)"), by.get("PostgreSQL, 3 worker(s)")
    if one and three:
        lines += [
            "",
            f"Three workers against one: {three['items_s'] / one['items_s']:.2f}× the "
            "items/s (two CPU cores shared with the local site, PostgreSQL and RabbitMQ; "
                  "a day's batch of a few articles leaves little to share).",
        ]
    lines += [
        "",
        f"Median memory over all runs: "
        f"{statistics.median(m for _, _, r in rows for m in r['memory']):.0f} MB.",
    ]
    write_section("Soak", "\n".join(lines))


if __name__ == "__main__":
    main()
