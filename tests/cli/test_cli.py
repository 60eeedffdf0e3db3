"""The command-line contract, run as a user runs it: a real process, a real server."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from monitor.devserver import LocalServer, Response
from monitor.store.tables import items

from ..collect.sitegen import STORY_CAO_TOC, STORY_NHA_O, Page, publish, sources_yaml


def monitor(
    *args: str, db: str, sources: Path, timeout: float = 120, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor.cli", "--database", db, "--sources", str(sources), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "MONITOR_EXTRACT_WORKERS": "1", **(env or {})},
    )


@pytest.fixture
def site(tmp_path: Path):
    with LocalServer() as srv:
        pages = [
            Page(f"/bai/{i}.html", f"Tin số {i} về Lạng Sơn: {t}", body)
            for i, (t, body) in enumerate(
                [("cao tốc", STORY_CAO_TOC), ("nhà ở xã hội", STORY_NHA_O)]
            )
        ]
        publish(srv, "/rss.xml", pages)
        srv.route("/down.xml", Response(500, "hỏng"))
        path = tmp_path / "sources.yaml"
        path.write_text(
            sources_yaml([("mau", srv.url("/rss.xml")), ("down", srv.url("/down.xml"))]),
            encoding="utf-8",
        )
        yield srv, path


def test_crawl_export_status(db_url: str, site, tmp_path: Path) -> None:
    _, sources = site
    done = monitor("crawl", db=db_url, sources=sources)
    assert done.returncode == 0, done.stderr
    assert "mau" in done.stdout and "down" in done.stdout

    out = monitor("export", "--format", "jsonl", db=db_url, sources=sources)
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(records) == 2
    required = {
        "id",
        "source_id",
        "url",
        "canonical_url",
        "title",
        "text",
        "published_at",
        "fetched_at",
        "relevant",
        "matches",
        "cluster_id",
    }
    assert required <= set(records[0])
    assert records[0]["published_at"].endswith("+07:00") and records[0]["relevant"] is True

    out = monitor(
        "export",
        "--format",
        "csv",
        "--relevant-only",
        "--since",
        "2026-11-20",
        "--until",
        "2026-11-20",
        db=db_url,
        sources=sources,
    )
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert len(rows) == 2 and required <= set(rows[0])
    out = monitor("export", "--since", "2026-11-21", db=db_url, sources=sources)
    assert out.stdout == ""

    status = monitor("sources", "status", "--format", "json", db=db_url, sources=sources)
    by_id = {row["id"]: row for row in json.loads(status.stdout)}
    assert by_id["down"]["last_status"] == "error" and by_id["down"]["error_count"] == 1
    assert "500" in by_id["down"]["last_error"] and by_id["mau"]["last_error"] is None
    table = monitor("sources", "status", db=db_url, sources=sources)
    assert table.returncode == 0 and "down" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("crawl", "--source", "nope"), "no source with id nope"),
        (("export", "--since", "hôm qua"), "is not a date"),
    ],
)
def test_user_errors_are_one_sentence(db_url: str, site, args, message) -> None:
    _, sources = site
    done = monitor(*args, db=db_url, sources=sources)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_invalid_sources_file_fails_clearly(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("sources:\n  - id: x\n    name: X\n    url: khong-phai-url\n", encoding="utf-8")
    done = monitor("crawl", db=f"sqlite:///{tmp_path / 'm.db'}", sources=bad)
    assert done.returncode == 2
    assert f"{bad}:4: url:" in done.stderr and "Traceback" not in done.stderr


def test_sigkill_mid_crawl_then_restart_stores_each_item_once(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'm.db'}"
    with LocalServer() as srv:
        pages = [
            Page(
                f"/bai/{i}.html",
                f"Tin {i}: cao tốc qua Lạng Sơn đoạn {i}",
                [f"Đoạn {i}. " + p for p in STORY_CAO_TOC],
            )
            for i in range(24)
        ]
        publish(srv, "/rss.xml", pages)
        for page in pages:  # slow pages so the kill lands mid-crawl
            srv.route(page.path, Response(200, page.html(), delay=0.25))
        sources = tmp_path / "s.yaml"
        sources.write_text(sources_yaml([("mau", srv.url("/rss.xml"))]), encoding="utf-8")
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "monitor.cli",
                "--database",
                db,
                "--sources",
                str(sources),
                "crawl",
            ],
            env={**os.environ, "MONITOR_EXTRACT_WORKERS": "1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        engine = create_engine(db)
        deadline = time.monotonic() + 60
        stored = 0
        while time.monotonic() < deadline and stored < 3:
            time.sleep(0.2)
            try:
                with engine.connect() as conn:
                    stored = conn.scalar(select(func.count()).select_from(items)) or 0
            except Exception:  # noqa: BLE001 - the schema may not exist yet
                stored = 0
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with engine.connect() as conn:
            partial = conn.scalar(select(func.count()).select_from(items))
        assert 0 < partial < 24
        again = monitor("crawl", db=db, sources=sources)
        assert again.returncode == 0, again.stderr
        with engine.connect() as conn:
            urls = conn.scalars(select(items.c.url)).all()
        engine.dispose()
    assert len(urls) == len(set(urls)) == 24
