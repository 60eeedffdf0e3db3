"""The overview page: today and this week, by label and by source, from monitor.reports.stats.

Items are counted on their seen day (publication, else fetch time), as in the weekly digest,
the yearly report and `monitor export`, so one window shows one number everywhere.
"""

from __future__ import annotations

import io
from dataclasses import asdict

from fastapi import APIRouter, Request
from fastapi.responses import Response

from monitor.reports import stats
from monitor.review import InvalidInput
from monitor.store.review_index import refresh
from monitor.text.csvsafe import SafeDictWriter

from .charts import bars, columns
from .i18n import translate
from .web import EVERYONE, download, engine_of, lang_of, needs, render

router = APIRouter()


@router.get("/overview", include_in_schema=False)
def overview_page(request: Request, session=needs(*EVERYONE)) -> Response:
    """Collected, relevant, flagged, confirmed, dismissed; charts by day, label, source."""
    week, lang = stats.this_week(), lang_of(request)
    with engine_of(request).begin() as conn:
        refresh(conn)
        today = stats.totals(conn, stats.today())
        week_total = stats.totals(conn, week)
        days = stats.counts(conn, week, "day")
        labels = stats.counts(conn, week, "label")
        by_source = stats.counts(conn, week, "source")
    charts = {
        "days": columns([(d.key[8:10] + "/" + d.key[5:7], d.collected) for d in days]),
        "flagged": columns([(d.key[8:10] + "/" + d.key[5:7], d.flagged) for d in days]),
        "labels": bars([(translate(lang, f"label.{c.key}"), c.collected) for c in labels]),
        "sources": bars([(c.key, c.collected) for c in by_source[:12]]),
    }
    return render(
        request,
        "overview.html",
        today=today,
        week=week_total,
        window=week,
        labels=labels,
        by_source=by_source,
        charts=charts,
        metrics=stats.METRICS,
    )


@router.get("/overview/export", include_in_schema=False)
def overview_export(
    request: Request, group: str = "day", days: int = 7, session=needs(*EVERYONE)
) -> Response:
    """The counts of the last ``days`` days by day, week, label or source, as CSV."""
    if group not in stats.GROUPS or not 1 <= days <= 3660:
        raise InvalidInput("group must be day, week, label or source; days 1 to 3660")
    with engine_of(request).begin() as conn:
        refresh(conn)
        rows = stats.counts(conn, stats.last_days(days), group)
    out = io.StringIO()
    writer = SafeDictWriter(out, fieldnames=["key", *stats.METRICS])
    writer.writeheader()
    writer.writerows(asdict(r) for r in rows)
    return download(out.getvalue(), "text/csv; charset=utf-8", f"stats-{group}.csv")
