"""The multi-machine mode on this machine: three Dramatiq worker processes on RabbitMQ and
PostgreSQL. One worker is SIGKILLed in the middle of a crawl; another finishes its job, and
no source is ever crawled by two workers at once (leases). Skips without the services."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from sqlalchemy import select

from monitor.store.db import create_store_engine, open_store
from monitor.store.tables import service_leases, service_runs, sources

from .conftest import ROOT, counts, publish_site, wait_for

pytestmark = pytest.mark.slow
AMQP = "amqp://guest:guest@127.0.0.1:5672/%2f"


def _answers(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(1)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def pg_url(db_url: str) -> str:
    if db_url.startswith("sqlite"):
        pytest.skip("the multi-worker mode runs on PostgreSQL")
    if not _answers(5672):
        pytest.skip("RabbitMQ does not answer on 127.0.0.1:5672")
    return db_url


def _leases(url: str) -> list[tuple[str, str]]:
    engine = create_store_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(select(service_leases.c.name, service_leases.c.holder)).all()
    engine.dispose()
    return [(r.name, r.holder) for r in rows if r.name.startswith("source:")]


def test_a_worker_killed_mid_job_has_its_job_done_by_another(
    pg_url, site, tmp_path, seed_models
) -> None:
    os.environ.setdefault("MONITOR_QUEUE_URL", AMQP)
    from monitor.config import load_settings
    from monitor.service import jobs, workers
    from monitor.sources import load_sources
    from monitor.store.queries import sync_sources

    workers.crawl_source.broker.flush_all()
    urls = publish_site(site, sources=6, pages=4, delay=0.5)
    (tmp_path / "sources.yaml").write_text(
        "sources:\n" + "".join(f"  - id: s{i}\n    name: Nguồn {i}\n    url: {u}\n"
                               for i, u in enumerate(urls)), encoding="utf-8")  # fmt: skip
    engine = open_store(pg_url)
    sync_sources(engine, load_sources(str(tmp_path / "sources.yaml")))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MONITOR_DATABASE_URL": pg_url,
           "MONITOR_QUEUE_URL": AMQP, "MONITOR_LEASE_SECONDS": "3",
           "MONITOR_RESPECT_ROBOTS": "false", "MONITOR_MODELS_DIR": seed_models}
    cmd = [sys.executable, "-m", "dramatiq", "monitor.service.workers", "--queues", "monitor",
           "--processes", "1", "--threads", "2"]  # fmt: skip
    procs = [subprocess.Popen(cmd, env=env, cwd=tmp_path, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for _ in range(3)]  # fmt: skip
    try:
        settings = load_settings({}, database_url=pg_url, queue_url=AMQP)
        jobs.bind(jobs.ServiceContext(engine, settings, holder="scheduler:test"))
        assert workers.enqueue_due(jobs.context()) == "due=6"
        wait_for(lambda: len(_leases(pg_url)) >= 2, 60, "workers crawling")
        victim_source, victim = _leases(pg_url)[0]
        os.kill(int(victim.rsplit(":", 1)[1]), signal.SIGKILL)
        wait_for(lambda: counts(pg_url)[0] == 24, 90, "all 24 items")
        wait_for(lambda: _all_polled(pg_url), 30, "every source polled")
        with engine.connect() as conn:
            runs = conn.execute(select(service_runs).where(service_runs.c.job == "crawl")).all()
        source_id = victim_source.removeprefix("source:")
        finished = [r for r in runs if r.period.startswith(source_id + "@")]
        assert [r.status for r in finished] == ["done"] and finished[0].holder != victim
        assert counts(pg_url)[:2] == (24, 24)
        assert max(site.hits.get(f"/s{s}/rss.xml", 0) for s in range(6)) <= 2
    finally:
        jobs.bind(None)
        engine.dispose()
        for proc in procs:
            os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        time.sleep(0.1)


def _all_polled(url: str) -> bool:
    engine = create_store_engine(url)
    with engine.connect() as conn:
        states = list(conn.scalars(select(sources.c.last_status).where(sources.c.in_config)))
    engine.dispose()
    return all(s in {"ok", "warning"} for s in states)
