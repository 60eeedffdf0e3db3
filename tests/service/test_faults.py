"""Fault tests on real processes, on SQLite and (when configured) PostgreSQL: SIGKILL during a
crawl, a classification and a report; the database away for a while. After each, every item
is stored once and every job is done once."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import threading
import time
import zipfile
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import func, insert, select

from monitor.store.db import create_store_engine, open_store
from monitor.store.tables import items, service_runs, sources

from .conftest import ROOT, counts, publish_site, wait_for

pytestmark = pytest.mark.slow


def test_sigkill_during_a_crawl_loses_and_repeats_nothing(db_url, site, service_factory) -> None:
    urls = publish_site(site, sources=3, pages=6, delay=0.3)
    service = service_factory(db_url, urls).start()
    wait_for(lambda: counts(db_url)[0] >= 3, 60, "the first items")
    service.kill()
    stored_at_kill = counts(db_url)[0]
    assert stored_at_kill < 18, "the crawl finished before the kill: make the pages slower"

    service.start()
    wait_for(lambda: counts(db_url)[0] == 18, 60, "all 18 items after the restart")
    code, took = service.terminate()
    stored, distinct, _ = counts(db_url)
    assert (stored, distinct) == (18, 18)
    assert code == 0 and took < 10
    engine = create_store_engine(db_url)
    with engine.connect() as conn:
        states = set(conn.scalars(select(sources.c.last_status).where(sources.c.in_config)))
    engine.dispose()
    assert states <= {"ok", "warning"}
    assert max(site.hits.get(f"/s{s}/bai-{p}.html", 0) for s in range(3) for p in range(6)) <= 2


def _insert_items(db_url: str, n: int) -> None:
    engine = open_store(db_url)
    now = datetime.now(UTC)
    body = " ".join(["Sở Xây dựng Lạng Sơn kiểm tra chất lượng công trình nhà ở xã hội."] * 30)
    with engine.begin() as conn:
        conn.execute(insert(sources).values(
            id="s0", name="Nguồn thử", url="http://127.0.0.1/", feed_url="http://127.0.0.1/rss",
            type="rss", enabled=False, in_config=True, interval_minutes=60, created_at=now,
            updated_at=now))  # fmt: skip
        rows = []
        for i in range(n):
            url = f"http://127.0.0.1/bai-{i}.html"
            sha = hashlib.sha256(url.encode()).hexdigest()
            rows.append({
                "source_id": "s0", "url": url, "canonical_url": url, "url_hash": sha,
                "content_hash": sha, "title": f"Bài số {i} về công trình", "summary": "",
                "text": f"{i} {body}", "text_method": "feed", "fetched_at": now,
                "relevant": True, "matches": "[]",
            })  # fmt: skip
        conn.execute(insert(items), rows)
    engine.dispose()


def test_sigkill_during_classification_scores_each_item_once(db_url, service_factory) -> None:
    _insert_items(db_url, 600)
    service = service_factory(db_url, MONITOR_CLASSIFY_BATCH="16").start()
    wait_for(lambda: counts(db_url)[2] >= 16, 90, "the first scored batch")
    service.kill()
    assert counts(db_url)[2] < 600, "classification finished before the kill"

    service.start()
    wait_for(lambda: counts(db_url)[2] == 600, 120, "every item scored after the restart")
    code, _ = service.terminate()
    assert code == 0 and counts(db_url) == (600, 600, 600)


def test_sigkill_during_a_report_then_rerun_writes_a_whole_file(db_url, tmp_path) -> None:
    _insert_items(db_url, 50)
    out = tmp_path / "bao-cao.docx"
    env = {"PYTHONPATH": str(ROOT), "MONITOR_DATABASE_URL": db_url, "PATH": "/usr/bin:/bin"}
    cmd = [sys.executable, "-m", "monitor.cli", "report", "--year", str(datetime.now().year),
           "--out", str(out)]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1.5)  # importing and computing: the kill lands mid-report
    proc.kill()
    proc.wait(10)
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with zipfile.ZipFile(out) as docx:  # a complete DOCX: every member readable
        assert docx.testzip() is None and "word/document.xml" in docx.namelist()
    assert counts(db_url)[0] == 50  # a report writes nothing to the store


def test_a_job_killed_mid_run_is_finished_once(db_url, tmp_path) -> None:
    """The digest of a week: a run left 'running' by a dead process is finished by the next
    start; once done it never runs again for that week."""
    from monitor.config import load_settings
    from monitor.service import jobs, state

    engine = open_store(db_url)
    settings = load_settings({}, database_url=db_url, digest_dir=str(tmp_path))
    ctx = jobs.ServiceContext(engine, settings, holder="dead:1")
    jobs.bind(ctx)
    try:
        week = jobs.previous_iso_week()
        assert state.begin_run(engine, "digest", week, "dead:1")  # then the process died
        ctx.holder = "alive:2"
        assert jobs.weekly_digest() is not None
        assert jobs.weekly_digest() is None  # done once
        with engine.connect() as conn:
            runs = conn.execute(select(service_runs).where(service_runs.c.job == "digest")).all()
    finally:
        jobs.bind(None)
        engine.dispose()
    assert [(r.period, r.status, r.holder) for r in runs] == [(week, "done", "alive:2")]
    assert (tmp_path / f"digest-{week}.html").read_text(encoding="utf-8").startswith("<")
    assert not list(tmp_path.glob("*.partial"))


def _hold_database(db_url: str, seconds: float, ready: threading.Event) -> None:
    """SQLite: an exclusive transaction from another connection keeps every other out."""
    engine = create_store_engine(db_url)
    with engine.connect() as conn:
        conn.exec_driver_sql("BEGIN EXCLUSIVE")
        ready.set()
        time.sleep(seconds)
        conn.exec_driver_sql("COMMIT")
    engine.dispose()


def test_database_unavailable_for_a_while_work_waits_then_resumes(
    db_url, site, service_factory, pg_proxy
) -> None:
    urls = publish_site(site, sources=2, pages=3, delay=0.0)
    open_store(db_url).dispose()
    if db_url.startswith("sqlite"):
        service = service_factory(db_url, urls)
        ready = threading.Event()
        holder = threading.Thread(target=_hold_database, args=(db_url, 4.0, ready))
        holder.start()
        ready.wait(5)
        service.start()
        time.sleep(2.5)  # locked: the service waits on the lock, it does not fail
        assert service.proc is not None and service.proc.poll() is None
        holder.join()
    else:
        service = service_factory(pg_proxy.url_for(db_url), urls)
        pg_proxy.down()
        service.start()
        time.sleep(3)  # the service starts while PostgreSQL does not answer: it waits
        assert service.proc is not None and service.proc.poll() is None
        assert counts(db_url)[0] == 0
        pg_proxy.up()
    wait_for(lambda: counts(db_url)[0] == 6, 60, "the items once the database is back")
    health = httpx.get(service.url("/healthz"), timeout=10).json()
    assert health["status"] == "ok", health
    code, _ = service.terminate()
    assert code == 0 and counts(db_url)[:2] == (6, 6)


def test_runs_are_recorded_with_their_outcome(db_url, site, service_factory) -> None:
    urls = publish_site(site, sources=1, pages=2, delay=0.0)
    service = service_factory(db_url, urls).start()
    wait_for(lambda: counts(db_url)[0] == 2, 60, "two items")
    metrics = httpx.get(service.url("/metrics"), timeout=10).text
    assert "monitor_items_collected_total 2" in metrics
    service.terminate()
    engine = create_store_engine(db_url)
    with engine.connect() as conn:
        jobs_done = dict(conn.execute(
            select(service_runs.c.job, func.count()).where(service_runs.c.status == "done")
            .group_by(service_runs.c.job)).all())  # fmt: skip
    engine.dispose()
    assert jobs_done.get("crawl", 0) >= 1 and jobs_done.get("classify", 0) >= 1
    assert json.dumps(jobs_done)
