"""Fixtures for the service tests: a local news site, a service process, waiting helpers."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.devserver import LocalServer, Response
from monitor.store.db import create_store_engine, open_store
from monitor.store.tables import item_scores, items

from ..collect.sitegen import STORY_CAO_TOC, STORY_NHA_O, Page, rss, sources_yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def seed_models(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A models directory with the seed model built, shared by the session's services.

    Built up front: these tests are about crawling and stopping, and a service busy training
    the seed model in its classify job cannot stop within the grace time. A model left in the
    checkout by an earlier version can never be picked up.
    """
    from classifiers.seed_model import ensure_seed_model

    root = tmp_path_factory.mktemp("models")
    ensure_seed_model(root)
    return str(root)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(predicate: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def publish_site(server: LocalServer, sources: int, pages: int, delay: float) -> list[str]:
    """``sources`` feeds of ``pages`` distinct articles, each page answering after ``delay``."""
    urls = []
    for s in range(sources):
        story = STORY_CAO_TOC if s % 2 == 0 else STORY_NHA_O
        entries = [
            Page(f"/s{s}/bai-{p}.html", f"Tin số {p} của nguồn {s}: công trình ở Lạng Sơn",
                 [f"Bài {p} nguồn {s}. " + story[0], *story[1:]])
            for p in range(pages)
        ]  # fmt: skip
        for page in entries:
            server.route(page.path, Response(200, page.html(), delay=delay))
        feed = rss(server.base_url, entries)
        server.route(f"/s{s}/rss.xml", Response(200, feed, {"Content-Type": "application/rss+xml"}))
        urls.append(server.url(f"/s{s}/rss.xml"))
    return urls


class Service:
    """`monitor run --scheduler-only` as a real process."""

    def __init__(self, db_url: str, workdir: Path, models: str, **env: str) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "MONITOR_DATABASE_URL": db_url,
            "MONITOR_SOURCES": str(workdir / "sources.yaml"),
            "MONITOR_CRAWL_TICK_SECONDS": "1",
            "MONITOR_CLASSIFY_TICK_SECONDS": "1",
            "MONITOR_EXTRACT_WORKERS": "1",
            "MONITOR_RESPECT_ROBOTS": "false",
            "MONITOR_MODELS_DIR": models,
            "MONITOR_BACKUP_DIR": str(workdir / "backups"),
            "MONITOR_DIGEST_DIR": str(workdir / "digests"),
            "MONITOR_LEASE_SECONDS": "3",
            **env,
        }
        self.proc: subprocess.Popen[bytes] | None = None
        self.log = workdir / "service.log"

    def start(self) -> Service:
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "monitor.cli", "run", "--scheduler-only",
                 "--port", str(self.port)],
                env=self.env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip
        return self

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def terminate(self, within: float = 15.0) -> tuple[int, float]:
        """SIGTERM; the exit status and how long the process took to exit."""
        assert self.proc is not None
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(within)
        return code, time.monotonic() - started

    def stop_quietly(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def site() -> Iterator[LocalServer]:
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def service_factory(tmp_path: Path, seed_models: str) -> Iterator[Callable[..., Service]]:
    made: list[Service] = []

    def make(db_url: str, urls: list[str] | None = None, **env: str) -> Service:
        entries = [(f"s{i}", url) for i, url in enumerate(urls or [])]
        text = sources_yaml(entries, interval_minutes=60) if entries else "sources: []\n"
        (tmp_path / "sources.yaml").write_text(text, encoding="utf-8")
        open_store(db_url).dispose()  # migrated before the test reads it
        service = Service(db_url, tmp_path, seed_models, **env)
        made.append(service)
        return service

    yield make
    for service in made:
        service.stop_quietly()


def counts(db_url: str) -> tuple[int, int, int]:
    """(items, distinct canonical URLs, scored items) read by a fresh connection."""
    engine = create_store_engine(db_url)
    try:
        with engine.connect() as conn:
            return (
                conn.scalar(select(func.count()).select_from(items)) or 0,
                conn.scalar(select(func.count(func.distinct(items.c.url_hash)))) or 0,
                conn.scalar(select(func.count()).select_from(item_scores)) or 0,
            )
    finally:
        engine.dispose()


class TcpProxy:
    """A TCP forwarder to PostgreSQL that can be switched off: 'the database is away'."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.available = threading.Event()
        self.available.set()
        self.open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def url_for(self, url: str) -> str:
        return url.replace(f"{self.target[0]}:{self.target[1]}", f"127.0.0.1:{self.port}")

    def down(self) -> None:
        self.available.clear()
        for sock in self.open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self.open.clear()

    def up(self) -> None:
        self.available.set()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.available.is_set():
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.open += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src: socket.socket, dst: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := src.recv(65536):
                dst.sendall(data)
        with contextlib.suppress(OSError):
            dst.shutdown(socket.SHUT_WR)
        src.close()

    def close(self) -> None:
        self.down()
        self.listener.close()
        time.sleep(0.2)  # the pipe threads close their sockets


@pytest.fixture
def pg_proxy() -> Iterator[TcpProxy]:
    proxy = TcpProxy(("127.0.0.1", 5432))
    yield proxy
    proxy.close()
