"""The multi-machine mode: the store on PostgreSQL, crawl (with extraction) and classification
run by worker processes on any number of machines through Dramatiq on RabbitMQ; the one
scheduler (`monitor run`) only enqueues. Start workers with `monitor worker`.

Why Dramatiq on RabbitMQ (measured on this machine, 2,000 no-op tasks, two worker processes
of 4 threads, then one 2-second task whose worker is SIGKILLed; bench/soak.py --queues):

    Dramatiq + RabbitMQ  enqueue 11,000/s  drain 2,400/s  killed job redone after 2.0 s
    Dramatiq + Redis     enqueue  3,100/s  drain 2,370/s  not redone within 90 s
    Celery   + Redis     enqueue  1,800/s  drain 1,310/s  redone after 88 s (visibility timeout)
    Celery   + RabbitMQ  enqueue  2,270/s  drain 1,490/s  not redone within 90 s (our settings)

RabbitMQ gives an unacknowledged message back the moment its consumer's connection drops,
so a dead worker's job is picked up at once and no visibility timeout has to be longer than
the longest crawl. Dramatiq acknowledges after the actor returns (acks late) by design, has
retries with back-off built in, and is a much smaller dependency than Celery. Throughput is far
above need: a national deployment polls a few thousand sources every 30 minutes.

Two workers never crawl the same source at once: a crawl holds the lease ``source:<id>`` in
the store, renewed while it runs; a redelivered message that finds the lease held retries
later, and the lease of a dead worker expires after ``lease_seconds``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import dramatiq
from dramatiq.brokers.rabbitmq import RabbitmqBroker

from ..config import Settings, load_settings
from ..store.queries import due_source_ids, utcnow
from . import jobs, state
from .jobs import ServiceContext

log = logging.getLogger(__name__)
QUEUE = "monitor"
CLAIM_SECONDS = 900  # a handed-out source is not handed out again for this long


def make_broker(url: str) -> RabbitmqBroker:
    return RabbitmqBroker(url=url or "amqp://guest:guest@127.0.0.1:5672/%2f", confirm_delivery=True)


# Dramatiq binds actors to the broker set when they are declared, hence at import time.
dramatiq.set_broker(make_broker(os.environ.get("MONITOR_QUEUE_URL", "")))
_worker_ctx: ServiceContext | None = None
_ctx_lock = threading.Lock()


def worker_context() -> ServiceContext:
    """The worker process's store and settings, opened on first use."""
    global _worker_ctx
    with _ctx_lock:
        if _worker_ctx is None:
            from ..store.db import open_store_waiting

            settings = load_settings().with_overrides(extract_workers=1)
            _worker_ctx = ServiceContext(open_store_waiting(settings.database_url), settings)
            jobs.bind(_worker_ctx)
        return _worker_ctx


@contextmanager
def holding(ctx: ServiceContext, name: str) -> Iterator[bool]:
    """Hold the lease ``name`` (renewed in the background) for the block; False if taken."""
    seconds = ctx.settings.lease_seconds
    if not state.acquire_lease(ctx.engine, name, ctx.holder, seconds):
        yield False
        return
    done = threading.Event()

    def renew() -> None:
        while not done.wait(seconds / 3):
            state.acquire_lease(ctx.engine, name, ctx.holder, seconds)

    renewer = threading.Thread(target=renew, name=f"lease-{name}", daemon=True)
    renewer.start()
    try:
        yield True
    finally:
        done.set()
        renewer.join()
        state.release_lease(ctx.engine, name, ctx.holder)


@dramatiq.actor(queue_name=QUEUE, max_retries=50, min_backoff=1000, max_backoff=15000,
                time_limit=3_600_000)  # fmt: skip
def crawl_source(source_id: str, token: str) -> None:
    """Poll one source (fetch, extract, store) unless another worker is polling it."""
    from ..collect.pipeline import crawl

    ctx = worker_context()
    with holding(ctx, f"source:{source_id}") as mine:
        if not mine:
            raise dramatiq.Retry(delay=int(ctx.settings.lease_seconds * 1000 / 2))

        def work(c: ServiceContext) -> str:
            summary = asyncio.run(crawl(c.engine, c.settings, force=True, only=[source_id]))
            return f"new={summary.new_items} failed={len(summary.failed)}"

        jobs.run_job("crawl", f"{source_id}@{token}", work)


@dramatiq.actor(queue_name=QUEUE, max_retries=3, time_limit=3_600_000)
def classify_new_items() -> None:
    """Score new items; one classifier at a time (the others have nothing to add)."""
    ctx = worker_context()
    with holding(ctx, "classify") as mine:
        if mine:
            jobs.run_job("classify", jobs.tick_period(), jobs.classify_items)


def enqueue_due(ctx: ServiceContext) -> str:
    """The scheduler's side: hand every due source to the workers."""
    with ctx.engine.connect() as conn:
        due = due_source_ids(conn, utcnow())
    if not due:
        return "due=0"
    jobs.postpone(ctx.engine, due, CLAIM_SECONDS)  # first: a crash then delays, never doubles
    token = jobs.tick_period()
    for source_id in due:
        crawl_source.send(source_id, token)
    return f"due={len(due)}"


def enqueue_classify(ctx: ServiceContext) -> str:
    classify_new_items.send()
    return "enqueued"


def queue_dispatch() -> jobs.Dispatch:
    """The scheduler only enqueues; the workers crawl and score."""
    return jobs.Dispatch(crawl=("enqueue", enqueue_due), classify=("enqueue", enqueue_classify))


def queue_length(settings: Settings) -> float | None:
    """Messages waiting in the queue (None when the broker does not answer)."""
    broker = cast(RabbitmqBroker, dramatiq.get_broker())  # set by make_broker at import
    try:
        counts = broker.get_queue_message_counts(QUEUE)
    except Exception as exc:  # pika raises many unrelated types for "not reachable"
        log.warning("queue-length-unavailable error=%s", exc)
        return None
    return float(counts[0])
