"""/healthz (names the problem: database unreachable, read-only, disk full, schema outdated,
scheduler not running) and /metrics in the Prometheus text format. Monitoring systems call
them without a login, so they tell an anonymous caller little: /healthz answers with the
status alone unless the request is local or comes from a logged-in user, and /metrics asks
for `MONITOR_METRICS_TOKEN` when one is set. Neither writes to the store, neither returns a
raw database error (the log has it), and /metrics reads the store at most every
METRICS_TTL seconds. Mounted on the dashboard, and alone by `monitor run --scheduler-only`,
so the service answers its health check in either mode.
"""

from __future__ import annotations

import hmac
import logging
import time
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from monitor.config import Settings
from monitor.service.health import check_health, metric_values, render_metrics
from monitor.watch.alerts import delivery_counts

log = logging.getLogger(__name__)
router = APIRouter()
METRICS_TTL = 30.0  # seconds a /metrics reading is served again
LOCAL = {"127.0.0.1", "::1", "localhost"}


@router.get("/healthz", include_in_schema=False)
def healthz(request: Request) -> JSONResponse:
    """200 when healthy, 503 otherwise; the problems and details only for a local request or
    a logged-in user."""
    health = check_health(
        request.app.state.engine,
        request.app.state.settings,
        getattr(request.app.state, "expect_scheduler", False),
    )
    body: dict[str, Any] = {"status": "ok" if health.ok else "fail"}
    if _trusted(request):
        body.update(problems=health.problems, **health.info)
    return JSONResponse(body, status_code=200 if health.ok else 503)


def _trusted(request: Request) -> bool:
    """A request from this machine, or one carrying a dashboard session."""
    host = request.client.host if request.client else ""
    return host in LOCAL or getattr(request.state, "session", None) is not None


def _cached_values(request: Request) -> dict[str, float]:
    """metric_values at most every METRICS_TTL seconds per process (a scrape of a large store
    counts whole tables)."""
    cached = getattr(request.app.state, "metrics_cache", None)
    now = time.monotonic()
    if cached is not None and now - cached[0] < METRICS_TTL:
        return dict(cached[1])
    values = metric_values(request.app.state.engine)
    values.update(alert_values(request.app.state.engine))
    request.app.state.metrics_cache = (now, values)
    return dict(values)


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> PlainTextResponse:
    """Prometheus scrape endpoint (401 without the token when one is set; 503 when the store
    cannot be read)."""
    settings = request.app.state.settings
    if settings.metrics_token:
        given = request.headers.get("authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), settings.metrics_token.encode()):
            return PlainTextResponse("# token required\n", status_code=401)
    try:
        values = _cached_values(request)
    except SQLAlchemyError as exc:
        log.warning("metrics: database unreachable: %s", exc)
        return PlainTextResponse("# database unreachable\n", status_code=503)
    queue_length = None
    if settings.queue_url:
        from monitor.service.workers import queue_length as broker_queue_length

        queue_length = broker_queue_length(settings)
    return PlainTextResponse(
        render_metrics(values, queue_length) + render_alert_metrics(values),
        media_type="text/plain; version=0.0.4",
    )


ALERT_STATES = ("pending", "sending", "sent", "failed")


def alert_values(engine: Engine) -> dict[str, float]:
    """Alert deliveries by state and the matches waiting for a delivery."""
    with engine.connect() as conn:
        counts = delivery_counts(conn)
    return {f"alert_{key}": float(n) for key, n in counts.items()}


def render_alert_metrics(values: dict[str, float]) -> str:
    """The alert gauges in the Prometheus text format, after render_metrics' lines."""
    name = "monitor_alert_deliveries"
    lines = [f"# HELP {name} Alert deliveries by state.", f"# TYPE {name} gauge"]
    lines += [f'{name}{{state="{s}"}} {values.get(f"alert_{s}", 0):g}' for s in ALERT_STATES]
    name = "monitor_alert_events_waiting"
    waiting = values.get("alert_waiting_events", 0)
    lines += [f"# HELP {name} Alert matches not yet handed to a delivery.",
              f"# TYPE {name} gauge", f"{name} {waiting:g}"]  # fmt: skip
    return "\n".join(lines) + "\n"


def health_app(settings: Settings, engine: Engine) -> FastAPI:
    """The two routes alone, for `monitor run --scheduler-only`."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.engine, app.state.settings, app.state.expect_scheduler = engine, settings, True
    app.include_router(router)
    return app
