"""One source cannot take the whole crawl: articles in flight, a time budget, and a catch-all
that records any unexpected failure on the source while the other sources go on."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

from sqlalchemy import func, select

from monitor.collect import pipeline
from monitor.collect.fetch import is_private_host
from monitor.config import load_settings
from monitor.devserver import LocalServer, Response
from monitor.sources import parse_sources
from monitor.store import queries
from monitor.store.tables import items

from .sitegen import STORY_CAO_TOC, Page, publish, sources_yaml

PAGES = [Page(f"/bai/{n}.html", f"Tin số {n} về cao tốc ở Lạng Sơn", STORY_CAO_TOC)
         for n in range(10)]  # fmt: skip


def crawl(engine, entries, **settings):
    settings = load_settings({}, database_url=str(engine.url), extract_workers=1, **settings)
    queries.sync_sources(engine, parse_sources(sources_yaml(entries)))
    return asyncio.run(pipeline.crawl(engine, settings, force=True))


def count(engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(items)))


def test_articles_in_flight_per_source_are_bounded(engine) -> None:
    lock, now, peak = threading.Lock(), [0], [0]

    def slow(page: Page):
        def handle(_request):
            with lock:
                now[0] += 1
                peak[0] = max(peak[0], now[0])
            time.sleep(0.15)
            with lock:
                now[0] -= 1
            return Response(200, page.html())

        return handle

    with LocalServer() as server:
        publish(server, "/rss.xml", PAGES)
        for page in PAGES:
            server.route(page.path, slow(page))
        crawl(engine, [("mau", server.url("/rss.xml"))], source_article_concurrency=2)
    assert count(engine) == 10 and peak[0] <= 2


def test_time_budget_leaves_the_rest_for_the_next_crawl(engine) -> None:
    with LocalServer() as server:
        publish(server, "/rss.xml", PAGES, ETag='"v1"')
        for page in PAGES:
            server.route(page.path, Response(200, page.html(), delay=0.3))
        first = crawl(engine, [("mau", server.url("/rss.xml"))], source_article_concurrency=1,
                      source_time_budget_seconds=0.5)  # fmt: skip
        report = first.reports[0]
        assert 0 < report.new_items < 10 and report.deferred == 10 - report.new_items
        with engine.connect() as conn:
            row = queries.source_row(conn, "mau")
        assert "left for the next crawl" in row.last_warning and row.etag is None
        for _ in range(10):  # later crawls pick up the rest, each item once
            crawl(engine, [("mau", server.url("/rss.xml"))], source_article_concurrency=4,
                  source_time_budget_seconds=60)  # fmt: skip
            if count(engine) == 10:
                break
    assert count(engine) == 10


def test_an_unexpected_error_fails_one_source_only(engine, monkeypatch) -> None:
    real = pipeline._parse

    def broken(src, content, url, content_type):  # fault injected into one source only
        if src.id == "hong":
            raise RuntimeError("database is locked")
        return real(src, content, url, content_type)

    monkeypatch.setattr(pipeline, "_parse", broken)
    with LocalServer() as server:
        publish(server, "/rss.xml", PAGES[:2])
        summary = crawl(
            engine, [("hong", server.url("/rss.xml?x=1")), ("tot", server.url("/rss.xml"))]
        )
    by_id = {r.source_id: r for r in summary.reports}
    assert by_id["tot"].new_items == 2 and by_id["hong"].status == "error"
    with engine.connect() as conn:
        row = queries.source_row(conn, "hong")
    assert row.last_error.startswith("unexpected error: RuntimeError: database is locked")


def test_private_links_are_decided_by_the_configuration_not_dns(monkeypatch) -> None:
    def no_dns(*_args, **_kwargs):
        raise AssertionError("DNS was asked")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    assert is_private_host("http://127.0.0.1:8000/rss.xml")
    assert is_private_host("http://[::1]/rss") and is_private_host("http://localhost/x")
    assert not is_private_host("https://baolangson.vn/rss")  # whatever its DNS says today
    assert not is_private_host("javascript:alert(1)")
