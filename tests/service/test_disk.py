"""A full disk and a read-only database, on a real 2 MB tmpfs (needs root to mount; skips
otherwise): the service names the problem on /healthz, the store stays intact."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

import httpx
import pytest

from monitor.store.db import open_store

from .conftest import counts, publish_site, wait_for

pytestmark = pytest.mark.slow


@pytest.fixture
def small_disk(tmp_path: Path):
    mount = tmp_path / "disk"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)],
                      capture_output=True).returncode:  # fmt: skip
        pytest.skip("cannot mount a tmpfs here (not root)")
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def _healthz(service) -> dict:
    answer = httpx.get(service.url("/healthz"), timeout=10)
    return {"code": answer.status_code, **answer.json()}


def test_full_disk_is_named_and_nothing_is_corrupted(small_disk, site, service_factory) -> None:
    db_url = f"sqlite:///{small_disk / 'monitor.db'}"
    open_store(db_url).dispose()
    urls = publish_site(site, sources=1, pages=12, delay=0.4)
    service = service_factory(db_url, urls, MONITOR_DISK_MIN_FREE_MB="1").start()
    wait_for(lambda: _up(service), 30, "/healthz")
    ballast = small_disk / "ballast"  # the disk fills up in the middle of a crawl
    subprocess.run(["dd", "if=/dev/zero", f"of={ballast}", "bs=64k"], capture_output=True)
    health = _healthz(service)
    assert health["code"] == 503 and any(p.startswith("disk full") for p in health["problems"])
    ballast.unlink()  # space is back: the service resumes by itself
    wait_for(lambda: counts(db_url)[0] == 12, 60, "the items once space is back")
    wait_for(lambda: _healthz(service)["code"] == 200, 30, "a healthy /healthz")
    service.terminate()
    with sqlite3.connect(small_disk / "monitor.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_read_only_database_is_named(db_url) -> None:
    """A store that refuses writes (SQLite opened read-only, as for a file it may not write;
    PostgreSQL with read-only transactions, as on a standby): /healthz says 'read-only'.
    Remounting the tmpfs read-only is refused while the service has the file open, hence
    this simulation."""
    from monitor.config import load_settings
    from monitor.service.health import check_health
    from monitor.store.db import create_store_engine

    open_store(db_url).dispose()
    if db_url.startswith("sqlite"):
        url = "sqlite:///file:" + db_url.removeprefix("sqlite:///") + "?mode=ro&uri=true"
    else:
        url = db_url + "%20-cdefault_transaction_read_only%3Don"
    engine = create_store_engine(url)
    try:
        health = check_health(engine, load_settings({}, database_url=db_url), False)
    finally:
        engine.dispose()
    assert [p.split(":")[0] for p in health.problems] == ["database read-only"], health.problems


def _up(service) -> bool:
    try:
        httpx.get(service.url("/healthz"), timeout=2)
    except httpx.HTTPError:
        return False
    return True
