"""The collection orchestrator: every trigger (CLI, scheduler, dashboard) calls these.

``crawl`` polls the due sources; ``refresh_source`` reads top to bottom: fetch the feed,
parse it, skip what is known, fetch and process new articles, store each one in its own short
transaction, then record the source's state. A crash at any point loses nothing: items are
committed one by one, and the feed's validators (ETag, Last-Modified) are saved only after
every entry was handled, so the next run reads the same feed again and skips what is stored.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from ..config import Settings
from ..records import FeedEntry, ParsedFeed
from ..sources import Selectors, Source
from ..store import queries
from ..store.codec import decode_object, item_content, item_identity, key_hash
from ..store.review_index import refresh, reindex_text
from .cluster import ClusterIndex
from .feeds import FeedError, parse_feed
from .fetch import (
    BlockedURL,
    Fetcher,
    FetchError,
    FetchSettings,
    RobotsDisallowed,
    is_private_host,
)
from .listing import parse_listing
from .process import PageJob, Processed, init_worker, process_job
from .schedule import next_check_after, publish_gap_minutes
from .urls import canonical_url

log = logging.getLogger(__name__)
Progress = Callable[[str, dict[str, Any]], None]


@dataclass
class SourceReport:
    source_id: str
    status: str = "ok"  # ok, not_modified, warning, error
    entries: int = 0
    new_items: int = 0
    relevant: int = 0
    duplicates: int = 0
    page_failures: int = 0
    deferred: int = 0  # new entries left for the next crawl (the source's time budget ran out)
    message: str | None = None


@dataclass(frozen=True, slots=True)
class PageOutcome:
    """One entry processed, with the validators its article page was served with."""

    processed: Processed
    etag: str | None = None
    last_modified: str | None = None


@dataclass
class CrawlSummary:
    reports: list[SourceReport] = field(default_factory=list)

    @property
    def new_items(self) -> int:
        return sum(r.new_items for r in self.reports)

    @property
    def relevant(self) -> int:
        return sum(r.relevant for r in self.reports)

    @property
    def failed(self) -> list[SourceReport]:
        return [r for r in self.reports if r.status == "error"]


@dataclass
class Collector:
    """What one crawl shares across sources: store, fetcher, worker pool, cluster index."""

    engine: Engine
    settings: Settings
    fetcher: Fetcher
    executor: Executor
    index: ClusterIndex
    progress: Progress | None = None

    def emit(self, event: str, **info: Any) -> None:
        if self.progress is not None:
            self.progress(event, info)


def _sha(value: str) -> str:
    return key_hash(value)


def make_executor(settings: Settings) -> Executor:
    """Worker processes for extraction (CPU-bound); one thread when asked for one worker."""
    workers = settings.extract_workers or os.cpu_count() or 1
    args = (settings.relevance_gazetteer or None, settings.relevance_lexicon or None)
    if workers <= 1:
        init_worker(*args)
        return ThreadPoolExecutor(max_workers=1)
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    return ProcessPoolExecutor(workers, mp_context=context, initializer=init_worker, initargs=args)


def fetch_settings(settings: Settings) -> FetchSettings:
    return FetchSettings(
        user_agent=settings.user_agent,
        global_concurrency=settings.global_concurrency,
        per_host_concurrency=settings.per_host_concurrency,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        total_timeout=settings.total_timeout,
        max_bytes=settings.max_bytes,
    )


def load_index(engine: Engine, settings: Settings, now: datetime) -> ClusterIndex:
    index = ClusterIndex()
    since = now - timedelta(days=settings.cluster_window_days)
    with engine.connect() as conn:
        for item_id, cluster_id, fp in queries.fingerprints_since(conn, since):
            index.add(item_id, cluster_id, fp)
    return index


async def crawl(
    engine: Engine,
    settings: Settings,
    *,
    force: bool = False,
    only: Sequence[str] | None = None,
    progress: Progress | None = None,
) -> CrawlSummary:
    """Poll every due source once (all of them with ``force``) and store what is new."""
    now = queries.utcnow()
    with engine.connect() as conn:
        due = queries.due_source_ids(conn, now, force=force, only=only)
    summary = CrawlSummary()
    if not due:
        return summary
    executor = make_executor(settings)
    try:
        async with Fetcher(fetch_settings(settings)) as fetcher:
            collector = Collector(
                engine, settings, fetcher, executor, load_index(engine, settings, now), progress
            )
            collector.emit("start", sources=len(due))
            reports = await asyncio.gather(*(refresh_source(collector, sid) for sid in due))
            summary.reports.extend(reports)
    finally:
        executor.shutdown(wait=True, cancel_futures=True)
        index_stored(engine)
    return summary


def index_stored(engine: Engine) -> None:
    """Bring the review state and search key up to the items just stored (the crawl is their
    writer; readers never refresh). A failure is logged: the next writer catches up."""
    try:
        with engine.begin() as conn:
            refresh(conn)
    except SQLAlchemyError as exc:
        log.warning("review-index-not-refreshed error=%s", exc)


async def refresh_source(collector: Collector, source_id: str) -> SourceReport:
    """Poll one source: fetch, parse, store new items, record the outcome on the source."""
    engine, settings = collector.engine, collector.settings
    with engine.connect() as conn:
        src = queries.source_row(conn, source_id)
    config = source_from_row(src)
    report = SourceReport(source_id)
    started = queries.utcnow()
    # Links may reach private addresses only when the configuration says so: the option, or
    # a source URL written as a private address. Never from DNS, which an outlet controls.
    allow_private = config.allow_private_links or is_private_host(src.url)
    try:
        return await _refresh(collector, src, config, report, started, allow_private)
    except Exception as exc:  # anything unexpected fails this source only, recorded on it
        log.exception("source-crashed source_id=%s", source_id)
        problem = UnexpectedError(f"unexpected error: {type(exc).__name__}: {exc}")
        try:
            _record_failure(engine, settings, src, report, started, problem)
        except Exception:  # the store itself fails (locked, gone): the report still says so
            log.exception("source-failure-not-recorded source_id=%s", source_id)
            report.status, report.message = "error", str(problem)
        collector.emit("source", source_id=source_id, report=report)
        return report


class UnexpectedError(Exception):
    """A source failed for a reason the crawler did not foresee (a bug, a locked database)."""


async def _refresh(
    collector: Collector, src: Any, config: Source, report: SourceReport, started: datetime,
    allow_private: bool,
) -> SourceReport:  # fmt: skip
    engine, settings, source_id = collector.engine, collector.settings, src.id
    try:
        result = await collector.fetcher.fetch(
            src.feed_url,
            etag=src.etag,
            last_modified=src.last_modified,
            allow_private=allow_private,
        )
        if result.not_modified:
            report.status = "not_modified"
            _record_success(engine, settings, src, report, started, result, None, allow_private)
            collector.emit("source", source_id=source_id, report=report)
            return report
        parsed = _parse(config, result.content, result.url, result.content_type)
    except (FetchError, FeedError) as exc:
        _record_failure(engine, settings, src, report, started, exc)
        collector.emit("source", source_id=source_id, report=report)
        return report
    report.entries = len(parsed.entries)
    await _collect_entries(collector, config, parsed, report, allow_private)
    _record_success(engine, settings, src, report, started, result, parsed, allow_private)
    collector.emit("source", source_id=source_id, report=report)
    return report


def source_from_row(row: Any) -> Source:
    """The Source as configured, from the JSON kept on its row."""
    data = decode_object(row.config)
    data["tags"] = tuple(data.get("tags") or ())
    if data.get("selectors"):
        data["selectors"] = Selectors(**data["selectors"])
    return Source(**data)


def _parse(src: Source, content: bytes, url: str, content_type: str) -> ParsedFeed:
    if src.type == "html":
        sel = src.selectors
        if sel is None:
            raise FeedError("an html source needs selectors in sources.yaml")
        return parse_listing(content, url=url, selectors=sel, content_type=content_type)
    return parse_feed(content, url=url, content_type=content_type)


async def _collect_entries(
    collector: Collector,
    src: Source,
    parsed: ParsedFeed,
    report: SourceReport,
    allow_private: bool,
) -> None:
    """Fetch, process and store the entries not seen before, each as soon as it is ready."""
    entries = _new_entries(collector, src, parsed, report)
    collector.emit("entries", source_id=src.id, count=len(entries))
    # Per source: a few articles in flight (one outlet's slow pages cannot hold every global
    # slot) and a time budget, past which the rest waits for the next crawl (not stored, so
    # nothing is lost or duplicated).
    slots = asyncio.Semaphore(collector.settings.source_article_concurrency)
    deadline = time.monotonic() + collector.settings.source_time_budget_seconds

    async def job(entry: FeedEntry, url: str, canon: str) -> PageOutcome | None:
        async with slots:
            if time.monotonic() > deadline:
                return None
            return await _page_job(collector, src, entry, url, canon, allow_private)

    jobs = [job(entry, url, canon) for entry, url, canon in entries]
    for next_done in asyncio.as_completed(jobs):
        outcome = await next_done
        if outcome is None:
            report.deferred += 1
            continue
        _store(collector, outcome, report)
        collector.emit("item", source_id=src.id)
    await _retry_failed_pages(collector, src, allow_private, report)


def _new_entries(
    collector: Collector, src: Source, parsed: ParsedFeed, report: SourceReport
) -> list[tuple[FeedEntry, str, str]]:
    """Entries whose canonical URL and GUID are not stored yet, once each."""
    candidates: dict[str, tuple[FeedEntry, str, str]] = {}
    for entry in parsed.entries[: collector.settings.max_entries_per_feed]:
        url = entry.url or ""  # always http(s): the parser skips entries without such a link
        if not url:
            continue
        canon = canonical_url(url)
        if canon in candidates:
            report.duplicates += 1
            continue
        candidates[canon] = (entry, url, canon)
    url_hashes = [_sha(c) for c in candidates]
    guid_hashes = [_sha(e.guid) for e, _, _ in candidates.values() if e.guid]
    with collector.engine.connect() as conn:
        known_urls, known_guids = queries.known_keys(conn, src.id, url_hashes, guid_hashes)
    fresh = []
    for canon, (entry, url, _) in candidates.items():
        if _sha(canon) in known_urls or (entry.guid and _sha(entry.guid) in known_guids):
            continue
        fresh.append((entry, url, canon))
    return fresh


async def _page_job(
    collector: Collector,
    src: Source,
    entry: FeedEntry,
    url: str,
    canon: str,
    allow_private: bool,
    etag: str | None = None,
    last_modified: str | None = None,
) -> PageOutcome:
    """Fetch the article page (when the source wants pages) and process it in a worker."""
    page, ctype, problem, new_etag, new_lm = None, "", None, None, None
    status = "feed_only"
    if src.fetch_articles and entry.url:
        try:
            result = await collector.fetcher.fetch(
                entry.url,
                etag=etag,
                last_modified=last_modified,
                allow_private=allow_private,
                respect_robots=collector.settings.respect_robots,
            )
            page, ctype = result.content, result.content_type
            new_etag, new_lm = result.etag, result.last_modified
        except (RobotsDisallowed, BlockedURL) as exc:
            problem, status = f"not fetched: {exc}", "not_fetched"  # a rule: not retried
        except FetchError as exc:
            problem, status = f"fetch failed: {exc}", "fetch_failed"
    job = PageJob(
        src.id, entry, url, canon, page, ctype, fetch_error=problem, page_status=status,
        min_words=collector.settings.min_text_words,
    )  # fmt: skip
    loop = asyncio.get_running_loop()
    processed = await loop.run_in_executor(collector.executor, process_job, job)
    return PageOutcome(processed, new_etag, new_lm)


def _store(collector: Collector, outcome: PageOutcome, report: SourceReport) -> None:
    """Insert one item in its own transaction and give it its story cluster."""
    processed = outcome.processed
    values = {**item_identity(processed.article), **item_content(processed)}
    values.update(
        fetched_at=queries.utcnow(),
        article_etag=outcome.etag,
        article_last_modified=outcome.last_modified,
    )
    with collector.engine.begin() as conn:
        cluster = queries.cluster_of_content(conn, values["content_hash"])
        if cluster is None:
            cluster = collector.index.match(processed.fingerprint)
        item_id = queries.insert_item(conn, values)
        if item_id is None:
            report.duplicates += 1
            return
        cluster = cluster if cluster is not None else item_id
        queries.set_cluster(conn, item_id, cluster)
    collector.index.add(item_id, cluster, processed.fingerprint)
    report.new_items += 1
    report.relevant += int(processed.relevance.relevant)
    report.page_failures += int(processed.article.fetch_error is not None)


async def _retry_failed_pages(
    collector: Collector, src: Source, allow_private: bool, report: SourceReport
) -> None:
    """Items kept with their feed summary because the page failed get another chance."""
    if not src.fetch_articles:
        return
    since = queries.utcnow() - timedelta(days=3)
    with collector.engine.connect() as conn:
        rows = queries.items_to_retry(conn, src.id, since)
    for row in rows:
        entry = FeedEntry(
            url=row.url,
            guid=row.guid,
            title=row.title,
            summary=row.summary,
            published_at=row.published_at,
        )
        outcome = await _page_job(
            collector,
            src,
            entry,
            row.url,
            row.canonical_url,
            allow_private,
            row.article_etag,
            row.article_last_modified,
        )
        if outcome.processed.article.page_status == "fetch_failed":
            continue
        values = item_content(outcome.processed)  # the identity (source, URL, GUID) stays
        values.update(article_etag=outcome.etag, article_last_modified=outcome.last_modified)
        with collector.engine.begin() as conn:
            queries.update_item(conn, row.id, values)
            # The summary's scores and search key are stale: index the article text now and
            # let the next classification pass score it again.
            reindex_text(conn, row.id, values.get("title", row.title), values.get("text"))
            queries.forget_scores(conn, row.id)
        report.page_failures = max(report.page_failures - 1, 0)


def _record_success(
    engine: Engine,
    settings: Settings,
    src: Any,
    report: SourceReport,
    started: datetime,
    result: Any,
    parsed: ParsedFeed | None,
    allow_private: bool,
) -> None:
    now = queries.utcnow()
    # A full read measures the feed's rhythm; a 304 keeps the one measured last time.
    ttl = parsed.ttl_minutes if parsed else src.feed_ttl_minutes
    gap = publish_gap_minutes(parsed.entries) if parsed else src.publish_gap_minutes
    values: dict[str, Any] = {
        "last_checked_at": now,
        "last_success_at": now,
        "last_http_status": result.status,
        "error_count": 0,
        "etag": result.etag or (src.etag if result.not_modified else None),
        "last_modified": result.last_modified
        or (src.last_modified if result.not_modified else None),
        "next_check_at": next_check_after(
            now, src.interval_minutes, 0, settings, ttl_minutes=ttl, publish_gap_minutes=gap
        ),
        "feed_ttl_minutes": ttl,
        "publish_gap_minutes": gap,
        "updated_at": now,
    }
    if result.permanent_redirect and result.permanent_redirect != src.feed_url:
        values["feed_url"] = result.permanent_redirect
    warnings = list(parsed.warnings) if parsed else []
    if report.page_failures:
        warnings.append(
            f"{report.page_failures} article page(s) could not be used; "
            "their feed summaries were kept"
        )
    if report.deferred:
        # The feed must be read whole next time: no conditional GET, and soon.
        values.update(etag=None, last_modified=None, next_check_at=now)
        warnings.append(
            f"time budget of {settings.source_time_budget_seconds:g} s spent: "
            f"{report.deferred} new article(s) left for the next crawl"
        )
    if report.status != "not_modified":
        report.status = "warning" if warnings else "ok"
    values["last_status"] = report.status
    values["last_warning"] = "; ".join(warnings)[:2000] if warnings else None
    if report.new_items:
        values["last_new_item_at"] = now
    with engine.begin() as conn:
        values["item_count"] = queries.count_items(conn, src.id)
        queries.record_poll(conn, src.id, **values)
        if "feed_url" in values:
            queries.add_event(
                conn,
                src.id,
                "info",
                f"feed moved permanently to {values['feed_url']}",
                url=src.feed_url,
            )
        for warning in warnings:
            queries.add_event(conn, src.id, "warning", warning, url=src.feed_url)
    report.message = values["last_warning"]
    log.info(
        "source-polled source_id=%s status=%s new_items=%d duration_ms=%d",
        src.id,
        report.status,
        report.new_items,
        int((now - started).total_seconds() * 1000),
    )


def _record_failure(
    engine: Engine,
    settings: Settings,
    src: Any,
    report: SourceReport,
    started: datetime,
    exc: Exception,
) -> None:
    now = queries.utcnow()
    errors = int(src.error_count or 0) + 1
    status = getattr(exc, "status", None)
    retry_after = getattr(exc, "retry_after", None)
    report.status, report.message = "error", str(exc)
    with engine.begin() as conn:
        queries.record_poll(
            conn,
            src.id,
            last_checked_at=now,
            last_status="error",
            last_http_status=status,
            last_error=str(exc)[:2000],
            error_count=errors,
            updated_at=now,
            next_check_at=next_check_after(
                now, src.interval_minutes, errors, settings, retry_after
            ),
        )
        queries.add_event(conn, src.id, "error", str(exc), url=src.feed_url, http_status=status)
    log.warning(
        "source-failed source_id=%s url=%s status=%s error=%s", src.id, src.feed_url, status, exc
    )
