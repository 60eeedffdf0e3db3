"""The overview page: today and a chosen period (this week, a week, the last 4 weeks, a month,
a year) against the period of the same length before it, by label and by source, with a weekly
series; every figure from monitor.reports.stats.

Items are counted on their seen day (publication, else fetch time), as in the weekly digest,
the yearly report and `monitor export`, so one window shows one number everywhere.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from datetime import date, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response

from monitor.reports import stats
from monitor.review import InvalidInput
from monitor.text.csvsafe import SafeDictWriter
from monitor.voice.output import topic_name
from monitor.voice.plan import progress as plan_progress
from monitor.voice.uptake import uptake

from .activities import READERS as ACTIVITY_READERS
from .charts import bars, columns
from .i18n import translate
from .watch import failed_deliveries
from .web import EVERYONE, download, engine_of, lang_of, needs, render

router = APIRouter()
PERIODS = ("week", "4weeks", "month", "year")
SERIES_WEEKS = 8  # the weekly series shows at least this many weeks, ending with the period
DAILY_UP_TO = 35  # days: longer periods show weeks only


@dataclass(frozen=True, slots=True)
class Period:
    """The chosen window, the one of the same length just before it, and the picker's values."""

    kind: str
    window: stats.Window
    previous: stats.Window
    week: str
    month: str
    year: int


def choose(period: str = "week", week: str = "", month: str = "", year: str = "",
           today: date | None = None) -> Period:  # fmt: skip
    """The window named by the query; InvalidInput("period: ...") for anything else."""
    kind = period or "week"
    try:
        window = _window(kind, week.strip(), month.strip(), year.strip(),
                         today or stats.local_today())  # fmt: skip
    except (ValueError, OverflowError):  # a year of twenty digits overflows date()
        raise InvalidInput(f"period: {kind!r} {week!r} {month!r} {year!r}") from None
    iso_year, iso_week, _ = window.first.isocalendar()
    return Period(kind, window, _previous(kind, window), f"{iso_year}-W{iso_week:02d}",
                  window.first.strftime("%Y-%m"), window.first.year)  # fmt: skip


def _window(kind: str, week: str, month: str, year: str, today: date) -> stats.Window:
    monday = today - timedelta(days=today.weekday())
    if kind == "week":
        window = stats.iso_week(week) if week else stats.Window(monday, monday + timedelta(6))
    elif kind == "4weeks":
        window = stats.Window(monday - timedelta(weeks=3), monday + timedelta(6))
    elif kind == "month":
        first = date.fromisoformat(f"{month}-01") if month else today.replace(day=1)
        window = stats.Window(first, _month_end(first))
    elif kind == "year":
        window = stats.year_window(int(year) if year else today.year)
    else:
        raise ValueError(kind)
    if not 2000 <= window.first.year <= 2100:
        raise ValueError(window)
    return window


def _previous(kind: str, window: stats.Window) -> stats.Window:
    """The period of the same length just before: the previous month for a month, the previous
    year for a year (so February compares with January, 2025 with 2024), else as many days."""
    before = window.first - timedelta(days=1)
    if kind == "month":
        return stats.Window(before.replace(day=1), before)
    if kind == "year":
        return stats.year_window(before.year)
    return stats.Window(window.first - (window.last - window.first) - timedelta(1), before)


def _month_end(first: date) -> date:
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def change(now: int, before: int) -> str:
    """ "+12 (+15%)", "−3 (−10%)", "0", or "+5" when there was nothing before."""
    delta = now - before
    if delta == 0:
        return "0"
    sign = "+" if delta > 0 else "−"
    if not before:
        return f"{sign}{abs(delta)}"
    return f"{sign}{abs(delta)} ({sign}{abs(delta) * 100 / before:.0f}%)"


@router.get("/overview", include_in_schema=False)
def overview_page(
    request: Request, period: str = "week", week: str = "", month: str = "", year: str = "",
    session=needs(*EVERYONE),
) -> Response:  # fmt: skip
    """Collected, relevant, flagged, confirmed, dismissed; the trend; charts by week, day,
    label and source."""
    chosen, lang = choose(period, week, month, year), lang_of(request)
    window = chosen.window
    weeks_back = window.last - timedelta(weeks=SERIES_WEEKS) + timedelta(days=1)
    series = stats.Window(min(window.first, weeks_back - timedelta(weeks_back.weekday())),
                          window.last)  # fmt: skip
    with engine_of(request).connect() as conn:  # reads only read: writers refresh
        today = stats.totals(conn, stats.today())
        now = stats.totals(conn, window)
        before = stats.totals(conn, chosen.previous)
        weekly = stats.counts(conn, series, "week")
        days = stats.counts(conn, window, "day") if _daily(window) else []
        labels = stats.counts(conn, window, "label")
        by_source = stats.counts(conn, window, "source")
        failed_alerts = failed_deliveries(conn, session.user)
        # The year's plan: the chosen year when a year is shown, else this year.
        plan_year = chosen.year if chosen.kind == "year" else stats.local_today().year
        plan = plan_progress(conn, plan_year, stats.local_today())
        own = uptake(conn, window.start, window.end)  # the same figures as the yearly report
    charts = {
        "weeks": columns([(w.key[5:], w.collected) for w in weekly]),
        "weeks_flagged": columns([(w.key[5:], w.flagged) for w in weekly]),
        "days": columns([(d.key[8:10] + "/" + d.key[5:7], d.collected) for d in days]),
        "flagged": columns([(d.key[8:10] + "/" + d.key[5:7], d.flagged) for d in days]),
        "labels": bars([(translate(lang, f"label.{c.key}"), c.collected) for c in labels]),
        "sources": bars([(c.key, c.collected) for c in by_source[:12]]),
    }
    changes = {m: change(getattr(now, m), getattr(before, m)) for m in stats.METRICS}
    return render(
        request, "overview.html", today=today, week=now, before=before, changes=changes,
        chosen=chosen, periods=PERIODS, window=window, series=series, labels=labels,
        by_source=by_source, charts=charts, metrics=stats.METRICS, failed_alerts=failed_alerts,
        plan=plan, plan_year=plan_year, plan_link=session.user.role in ACTIVITY_READERS,
        own=own, topic_name=topic_name,
    )  # fmt: skip


def _daily(window: stats.Window) -> bool:
    return (window.last - window.first).days < DAILY_UP_TO


@router.get("/overview/export", include_in_schema=False)
def overview_export(
    request: Request, group: str = "day", days: int = 0, period: str = "week", week: str = "",
    month: str = "", year: str = "", session=needs(*EVERYONE),
) -> Response:  # fmt: skip
    """The counts of the period shown on the overview (or of the last ``days`` days) by day,
    week, label or source, as CSV."""
    if group not in stats.GROUPS or not 0 <= days <= 3660:
        raise InvalidInput("group must be day, week, label or source; days 1 to 3660")
    window = stats.last_days(days) if days else choose(period, week, month, year).window
    with engine_of(request).connect() as conn:  # reads only read: writers refresh
        rows = stats.counts(conn, window, group)
    out = io.StringIO()
    writer = SafeDictWriter(out, fieldnames=["key", *stats.METRICS])
    writer.writeheader()
    writer.writerows(asdict(r) for r in rows)
    return download(out.getvalue(), "text/csv; charset=utf-8", f"stats-{group}.csv")
