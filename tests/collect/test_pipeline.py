"""The whole collection pipeline against a real local HTTP server and a real store."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.collect.pipeline import crawl
from monitor.collect.schedule import next_check_after
from monitor.config import load_settings
from monitor.devserver import LocalServer, Response
from monitor.sources import parse_sources
from monitor.store import queries
from monitor.store.review_index import refresh, search_ids_clause
from monitor.store.tables import item_scores, items, source_events

from .sitegen import STORY_BONG_DA, STORY_CAO_TOC, STORY_NHA_O, Page, publish, sources_yaml


@pytest.fixture
def server():
    with LocalServer() as srv:
        yield srv


def run(engine, entries, *, force=True, **extra):
    settings = load_settings({}, database_url=str(engine.url), extract_workers=1)
    queries.sync_sources(engine, parse_sources(sources_yaml(entries, **extra)))
    return asyncio.run(crawl(engine, settings, force=force))


def rows(engine):
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(items).order_by(items.c.id))]


def status(engine, sid):
    with engine.connect() as conn:
        return queries.source_row(conn, sid)


PAGES = [
    Page("/a/cao-toc.html", "Cao tốc Hữu Nghị – Chi Lăng hoàn thành 65% khối lượng", STORY_CAO_TOC),
    Page("/a/nha-o.html", "Lạng Sơn khởi công nhà ở xã hội tại phường Đông Kinh", STORY_NHA_O),
    Page(
        "/a/bong-da.html",
        "Đội bóng thành phố thắng kịch tính trên sân nhà",
        STORY_BONG_DA,
        date=None,
    ),
]


def test_crawl_stores_extracts_and_assesses(engine, server) -> None:
    publish(server, "/rss.xml", PAGES)
    summary = run(engine, [("mau", server.url("/rss.xml"))])
    assert summary.new_items == 3 and not summary.failed
    stored = {r["url"].rsplit("/", 1)[1]: r for r in rows(engine)}
    cao_toc = stored["cao-toc.html"]
    assert "65% khối lượng" in cao_toc["text"] and "Chuyên mục" not in cao_toc["text"]
    assert "Tin liên quan" not in cao_toc["text"] and cao_toc["text_method"] != "feed-summary"
    assert cao_toc["relevant"] and cao_toc["language"] == "vi"
    assert {m["term"] for m in json.loads(cao_toc["matches"])}
    assert not stored["bong-da.html"]["relevant"]
    assert cao_toc["published_at"].utcoffset() == timedelta(0)
    src = status(engine, "mau")
    assert src.last_status == "ok" and src.item_count == 3 and src.error_count == 0
    assert src.last_new_item_at is not None and src.next_check_at > src.last_checked_at


def test_recrawl_is_idempotent_and_uses_conditional_get(engine, server) -> None:
    publish(server, "/rss.xml", PAGES, ETag='"v1"')
    run(engine, [("mau", server.url("/rss.xml"))])
    server.route(
        "/rss.xml",
        lambda req: Response(304) if req.headers.get("if-none-match") == '"v1"' else Response(500),
    )
    summary = run(engine, [("mau", server.url("/rss.xml"))])
    assert summary.reports[0].status == "not_modified"
    assert len(rows(engine)) == 3
    # Without validators the feed is read again, and nothing is stored twice.
    publish(server, "/rss.xml", PAGES)
    with engine.begin() as conn:
        queries.record_poll(conn, "mau", etag=None, last_modified=None)
    assert run(engine, [("mau", server.url("/rss.xml"))]).new_items == 0
    assert len(rows(engine)) == 3


def test_a_failing_source_is_recorded_and_does_not_stop_the_batch(engine, server) -> None:
    publish(server, "/good.xml", PAGES[:1])
    server.route("/bad.xml", Response(500, "lỗi máy chủ"))
    summary = run(engine, [("good", server.url("/good.xml")), ("bad", server.url("/bad.xml"))])
    assert {r.source_id: r.status for r in summary.reports} == {"good": "ok", "bad": "error"}
    bad = status(engine, "bad")
    assert bad.error_count == 1 and bad.last_http_status == 500 and "500" in bad.last_error
    assert bad.next_check_at > bad.last_checked_at  # retried later, never parked
    run(engine, [("good", server.url("/good.xml")), ("bad", server.url("/bad.xml"))])
    assert status(engine, "bad").error_count == 2
    with engine.connect() as conn:
        events = (
            conn.execute(select(source_events.c.level).where(source_events.c.source_id == "bad"))
            .scalars()
            .all()
        )
    assert events == ["error", "error"]


def test_retry_after_and_backoff_ceiling(engine, server) -> None:
    server.route("/busy.xml", Response(429, "chậm lại", {"Retry-After": "7200"}))
    run(engine, [("busy", server.url("/busy.xml"))])
    src = status(engine, "busy")
    assert src.next_check_at - src.last_checked_at >= timedelta(hours=2) - timedelta(seconds=5)
    settings = load_settings({})
    now = src.last_checked_at
    assert next_check_after(now, 30, 50, settings) - now == timedelta(minutes=720)
    assert next_check_after(now, 30, 3, settings) - now == timedelta(minutes=20)


def test_permanent_redirect_updates_the_feed_url(engine, server) -> None:
    publish(server, "/new.xml", PAGES[:1])
    server.route("/old.xml", Response(301, "", {"Location": server.url("/new.xml")}))
    run(engine, [("mau", server.url("/old.xml"))])
    assert status(engine, "mau").feed_url == server.url("/new.xml")


def test_failed_page_keeps_the_summary_then_is_retried(engine, server) -> None:
    publish(server, "/rss.xml", PAGES[:1])
    server.route(PAGES[0].path, Response(503, "bảo trì"))
    run(engine, [("mau", server.url("/rss.xml"))])
    (item,) = rows(engine)
    assert item["text_method"] == "feed-summary" and item["fetch_error"].startswith("fetch failed")
    assert item["page_status"] == "fetch_failed"  # a value to select on, not prose to match
    assert status(engine, "mau").last_status == "warning"
    # Scored and indexed on the summary meanwhile: both must follow the article text.
    with engine.begin() as conn:
        refresh(conn)
        conn.execute(
            item_scores.insert().values(
                item_id=item["id"],
                model_version="v1",
                label="neutral",
                scores="{}",
                flags="[]",
                flagged=False,
                evidence="{}",
                uncertainty=0.0,
                scored_at=queries.utcnow(),
            )
        )
        assert not conn.execute(search_ids_clause(conn, "43 km")).all()
    server.route(PAGES[0].path, Response(200, PAGES[0].html()))
    run(engine, [("mau", server.url("/rss.xml"))])
    (item,) = rows(engine)
    assert item["text_method"] != "feed-summary" and "43 km" in item["text"]
    assert item["fetch_error"] is None and item["page_status"] == "page"
    with engine.begin() as conn:
        assert conn.execute(select(item_scores)).all() == []  # scored again on the next pass
        assert [r[0] for r in conn.execute(search_ids_clause(conn, "43 km"))] == [item["id"]]


def test_syndicated_copies_share_a_cluster(engine, server) -> None:
    publish(server, "/a/rss.xml", PAGES[:2])
    copy = Page(
        "/b/ban-sao.html",
        "Cao tốc Hữu Nghị - Chi Lăng đã hoàn thành 65% khối lượng",
        STORY_CAO_TOC[:3] + ["Theo Báo Lạng Sơn"],
        outlet="Báo Khác",
    )
    publish(server, "/b/rss.xml", [copy])
    run(engine, [("a", server.url("/a/rss.xml")), ("b", server.url("/b/rss.xml"))])
    by_path = {r["url"].split(server.base_url)[1]: r for r in rows(engine)}
    assert by_path["/b/ban-sao.html"]["cluster_id"] == by_path["/a/cao-toc.html"]["cluster_id"]
    assert by_path["/a/nha-o.html"]["cluster_id"] != by_path["/a/cao-toc.html"]["cluster_id"]


def test_tracking_parameters_do_not_duplicate(engine, server) -> None:
    pages = [PAGES[0], Page(PAGES[0].path + "?utm_source=rss", PAGES[0].title, STORY_CAO_TOC)]
    publish(server, "/rss.xml", pages)
    summary = run(engine, [("mau", server.url("/rss.xml"))])
    assert summary.new_items == 1 and len(rows(engine)) == 1


def test_source_with_articles_off_keeps_summaries(engine, server) -> None:
    publish(server, "/rss.xml", PAGES[:1])
    run(engine, [("mau", server.url("/rss.xml"))], fetch_articles="false")
    (item,) = rows(engine)
    assert item["text_method"] == "feed-summary" and item["fetch_error"] is None
    assert item["page_status"] == "feed_only"
    assert server.hits.get(PAGES[0].path, 0) == 0


def test_not_due_sources_wait(engine, server) -> None:
    publish(server, "/rss.xml", PAGES[:1])
    run(engine, [("mau", server.url("/rss.xml"))])
    hits = server.hits["/rss.xml"]
    assert run(engine, [("mau", server.url("/rss.xml"))], force=False).reports == []
    assert server.hits["/rss.xml"] == hits


def test_malformed_feed_is_an_error_on_the_source(engine, server, tmp_path: Path) -> None:
    server.route("/broken.xml", Response(200, "<html><body>Trang chủ</body></html>"))
    summary = run(engine, [("broken", server.url("/broken.xml"))])
    assert summary.reports[0].status == "error"
    assert status(engine, "broken").last_error


def test_a_304_completes_the_progress_and_keeps_the_adaptive_interval(engine, server) -> None:
    """A source publishing every 12 hours is polled less often than its interval (half its gap,
    within the ceiling); a 304 answer keeps that rhythm (it is remembered on the source) and
    reports the source as done."""
    dated = "".join(
        f"<item><title>Tin {n}</title><link>{server.url(f'/t/{n}.html')}</link>"
        f"<pubDate>Fri, {20 - n // 2:02d} Nov 2026 {0 if n % 2 else 12:02d}:00:00 GMT</pubDate>"
        "<description>Tin ngắn.</description></item>"
        for n in range(4)
    )
    feed = (
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>M</title>{dated}</channel></rss>"
    )
    server.route("/rss.xml", Response(200, feed, {"ETag": '"v1"'}))
    run(engine, [("mau", server.url("/rss.xml"))], fetch_articles="false")
    first = status(engine, "mau")
    assert first.publish_gap_minutes == 720
    polled_after = first.next_check_at - first.last_checked_at
    assert polled_after > timedelta(minutes=first.interval_minutes)  # adaptive
    server.route("/rss.xml", lambda req: Response(304) if req.headers.get("if-none-match")
                 == '"v1"' else Response(500))  # fmt: skip
    events: list[tuple[str, dict]] = []
    settings = load_settings({}, database_url=str(engine.url), extract_workers=1)
    summary = asyncio.run(crawl(engine, settings, force=True,
                                progress=lambda e, info: events.append((e, info))))  # fmt: skip
    assert summary.reports[0].status == "not_modified"
    assert [e for e, _ in events] == ["start", "source"]  # the display completes
    again = status(engine, "mau")
    assert again.next_check_at - again.last_checked_at == polled_after
