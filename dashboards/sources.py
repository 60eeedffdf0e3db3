"""The sources page: health, items per day and the silence alert."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from monitor.reports import stats
from monitor.service.alerts import open_alerts

from .charts import sparkline
from .web import EVERYONE, engine_of, needs, render

router = APIRouter()


@router.get("/sources", include_in_schema=False)
def sources_page(request: Request, session=needs(*EVERYONE)) -> Response:
    """Open alerts; each source's last success, last error, error count, items per day."""
    window = stats.last_days(14)
    factor = request.app.state.settings.silent_after_intervals
    with engine_of(request).connect() as conn:
        rows = stats.source_health(conn, window, factor)
    charts = {r.id: sparkline(r.per_day) for r in rows}
    names = {r.id: r.name for r in rows}
    alerts = [{**a, "source_name": names.get(str(a["source_id"]), a["source_id"])}
              for a in open_alerts(engine_of(request))]
    return render(request, "sources.html", rows=rows, charts=charts, factor=factor,
                  alerts=alerts)
