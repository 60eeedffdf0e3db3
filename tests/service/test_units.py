"""Service pieces in process: adaptive polling, leases, runs, alerts rule, retention, backup,
the scheduler on the table made by migration 0005, /healthz and /metrics without login."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, inspect, select

from monitor.collect.schedule import next_check_after, publish_gap_minutes
from monitor.config import load_settings
from monitor.records import FeedEntry
from monitor.service import state
from monitor.service.alerts import volume_kind
from monitor.service.maintenance import backup_sqlite, purge_texts
from monitor.service.scheduler import job_specs
from monitor.store.tables import apscheduler_jobs, items, sources

NOW = datetime(2026, 11, 20, 1, 0, tzinfo=UTC)


def test_a_rarely_publishing_source_is_polled_less_often_within_bounds() -> None:
    settings = load_settings({})
    daily = [
        FeedEntry(url=f"u{i}", guid=None, title="t", summary="", published_at=NOW - timedelta(i))
        for i in range(5)
    ]
    gap = publish_gap_minutes(daily)
    assert gap == 1440
    assert next_check_after(NOW, 30, 0, settings, publish_gap_minutes=gap) == NOW + timedelta(
        minutes=120  # capped at 4 intervals
    )
    assert next_check_after(NOW, 30, 0, settings, publish_gap_minutes=20) == NOW + timedelta(
        minutes=30  # never more often than configured
    )
    assert publish_gap_minutes(daily[:2]) is None
    assert next_check_after(NOW, 30, 3, settings) == NOW + timedelta(minutes=20)  # back-off


def test_volume_rule() -> None:
    assert volume_kind(2, 30, 3, 10) == "volume_drop"
    assert volume_kind(100, 30, 3, 10) == "volume_spike"
    assert volume_kind(25, 30, 3, 10) is None
    assert volume_kind(0, 5, 3, 10) is None  # too small to judge a drop


def test_leases_and_runs(engine) -> None:
    assert state.acquire_lease(engine, "source:a", "w1", 0.5)
    assert not state.acquire_lease(engine, "source:a", "w2", 0.5)
    assert state.acquire_lease(engine, "source:a", "w1", 0.5)  # renewal
    time.sleep(0.6)
    assert state.acquire_lease(engine, "source:a", "w2", 5)  # expired: taken over
    state.release_lease(engine, "source:a", "w1")  # not ours any more: no effect
    assert state.lease_holder(engine, "source:a")[0] == "w2"
    assert state.begin_run(engine, "digest", "2026-W47", "w1")
    assert state.begin_run(engine, "digest", "2026-W47", "w2")  # unfinished: claimed again
    state.finish_run(engine, "digest", "2026-W47", "done", "", NOW)
    assert not state.begin_run(engine, "digest", "2026-W47", "w3")


def _item(i: int, relevant: bool, age_days: int) -> dict:
    url = f"http://x/{i}"
    sha = hashlib.sha256(url.encode()).hexdigest()
    return {"source_id": "s", "url": url, "canonical_url": url, "url_hash": sha,
            "content_hash": sha, "title": f"Tiêu đề {i}", "summary": "Tóm tắt",
            "text": "Nội dung đầy đủ", "text_method": "page", "relevant": relevant,
            "fetched_at": datetime.now(UTC) - timedelta(age_days), "matches": "[]"}  # fmt: skip


def test_retention_purges_old_irrelevant_texts_only(engine) -> None:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(insert(sources).values(
            id="s", name="S", url="http://x/", feed_url="http://x/rss", type="rss", enabled=True,
            in_config=True, interval_minutes=30, created_at=now, updated_at=now))  # fmt: skip
        conn.execute(insert(items), [_item(1, False, 200), _item(2, True, 200), _item(3, False, 5)])
    assert purge_texts(engine, 180) == 1
    assert purge_texts(engine, 180) == 0
    with engine.connect() as conn:
        rows = conn.execute(select(items.c.id, items.c.text, items.c.title).order_by(items.c.id))
        assert [(r.text, r.title) for r in rows] == [
            ("", "Tiêu đề 1"),
            ("Nội dung đầy đủ", "Tiêu đề 2"),
            ("Nội dung đầy đủ", "Tiêu đề 3"),
        ]


def test_backup_keeps_n_checked_copies(tmp_path) -> None:
    from monitor.store.db import open_store

    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    open_store(url).dispose()
    for _ in range(3):
        result = backup_sqlite(url, tmp_path / "b", keep=2)
        time.sleep(1.01)  # one-second names
    copies = sorted((tmp_path / "b").glob("*.db"))
    assert len(copies) == 2 and copies[-1] == result.path
    with sqlite3.connect(copies[-1]) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_scheduler_uses_the_migrated_table_and_keeps_pending_runs(engine) -> None:
    from monitor.service.scheduler import start_scheduler

    columns = {c["name"] for c in inspect(engine).get_columns("apscheduler_jobs")}
    settings = load_settings({})
    first = start_scheduler(engine, settings)
    first.pause()
    digest = first.get_job("digest").next_run_time
    first.shutdown(wait=False)
    second = start_scheduler(engine, settings)  # a restart does not re-add (and move) jobs
    second.pause()
    assert second.get_job("digest").next_run_time == digest
    assert (
        digest.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%a %H:%M")
        == "Mon 07:00"
    )
    second.shutdown(wait=False)
    assert {c["name"] for c in inspect(engine).get_columns("apscheduler_jobs")} == columns
    with engine.connect() as conn:
        assert len(conn.execute(select(apscheduler_jobs.c.id)).all()) == len(job_specs(settings))


def test_healthz_and_metrics_need_no_login(engine) -> None:
    from fastapi.testclient import TestClient

    from dashboards.app import create_app

    settings = load_settings({}, database_url=str(engine.url.render_as_string(False)))
    local = ("127.0.0.1", 50000)
    with TestClient(create_app(settings, engine=engine), client=local) as client:
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["problems"] == []
        metrics = client.get("/metrics")
        assert metrics.status_code == 200
        assert "# TYPE monitor_items_collected_total counter" in metrics.text
        assert 'monitor_crawl_latency_seconds{quantile="0.5"}' in metrics.text


def test_anonymous_callers_learn_the_status_only_and_nothing_is_written(engine) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy import func

    from dashboards.app import create_app
    from monitor.store.tables import service_leases

    settings = load_settings({}, database_url=str(engine.url.render_as_string(False)),
                             metrics_token="jeton-dai-du-lau")  # fmt: skip
    with engine.connect() as conn:
        before = conn.scalar(select(func.count()).select_from(service_leases))
    with TestClient(create_app(settings, engine=engine), client=("203.0.113.9", 4000)) as client:
        for _ in range(3):
            health = client.get("/healthz")
            assert health.json() == {"status": "ok"}  # no host, pid, disk or alert texts
        assert client.get("/metrics").status_code == 401
        wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401
        good = client.get("/metrics", headers={"Authorization": "Bearer jeton-dai-du-lau"})
        assert good.status_code == 200 and "monitor_items_collected_total" in good.text
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(service_leases)) == before


def test_database_errors_are_not_shown(tmp_path) -> None:
    from fastapi.testclient import TestClient

    from dashboards.health import health_app
    from monitor.store.db import create_store_engine

    url = f"sqlite:///{tmp_path / 'missing' / 'monitor.db'}"
    engine = create_store_engine(url)
    app = health_app(load_settings({}, database_url=url), engine)
    with TestClient(app, client=("127.0.0.1", 1)) as client:
        health = client.get("/healthz")
        metrics = client.get("/metrics")
    assert health.status_code == 503 and metrics.status_code == 503
    assert "unable to open" not in health.text.lower() + metrics.text.lower()
    assert "database unreachable" in health.text and "sqlite3" not in health.text
    engine.dispose()
