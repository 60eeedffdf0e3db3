"""One definition for every number: the overview's week equals the digest's and the export's."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

from sqlalchemy import update

from monitor.reports import digest, stats
from monitor.store.queries import export_rows
from monitor.store.tables import items
from monitor.timefmt import LOCAL
from tests.review.seeding import Spec, seed


def _at(day, hour: int) -> datetime:
    return datetime.combine(day, time(hour), LOCAL)


def _seed_week(engine) -> stats.Window:
    """Five items whose publication and fetch days disagree across the week's edges."""
    week = stats.this_week()
    ids = seed(engine, [Spec("a"), Spec("b", relevant=False, flagged=None), Spec("c"),
                        Spec("d", flagged=False), Spec("e")])  # fmt: skip
    wed, prev_sun = week.first + timedelta(2), week.first - timedelta(1)
    next_mon = week.last + timedelta(1)
    times = [
        (_at(wed, 9), _at(wed, 10)),  # inside the week either way
        (None, _at(wed, 11)),  # undated page: the fetch day counts
        (_at(prev_sun, 22), _at(wed, 8)),  # published last week, fetched this week
        (_at(week.last, 23), _at(next_mon, 1)),  # published this week, fetched next week
        (_at(week.first, 0), _at(week.first, 0)),  # midnight at the week's start (local)
    ]
    with engine.begin() as conn:
        for item_id, (published, fetched) in zip(ids, times, strict=True):
            conn.execute(update(items).where(items.c.id == item_id)
                         .values(published_at=published, fetched_at=fetched))  # fmt: skip
    return week


def _overview_week_row(html: str) -> list[int]:
    row = html.split("<tbody>", 1)[1].split("</tr>", 2)[1]
    return [int(n) for n in re.findall(r'<td class="num big">(\d+)</td>', row)]


def test_overview_equals_digest_and_export_for_one_week(engine, client_as) -> None:
    week = _seed_week(engine)
    page = client_as("writer").get("/overview")
    assert page.status_code == 200
    shown = _overview_week_row(page.text)
    year, number, _ = week.first.isocalendar()
    with engine.connect() as conn:
        d = digest.compute(conn, f"{year}-W{number:02d}", 6.0)
        exported = list(export_rows(conn, since=week.start, until=week.end))
        per_day = sum(c.collected for c in stats.counts(conn, week, "day"))
    digest_row = [getattr(d.this_week, m) for m in stats.METRICS]
    assert shown == digest_row
    assert shown[0] == len(exported) == per_day == 4  # a, b, d, e: c was published last week
    assert shown[1] == sum(1 for r in exported if r["relevant"]) == 3
    assert d.previous.collected == 1  # c


def test_overview_csv_uses_the_seen_day(engine, client_as) -> None:
    _seed_week(engine)
    csv_text = client_as("analyst").get("/overview/export?group=week&days=21").text
    with engine.connect() as conn:
        weeks = stats.counts(conn, stats.last_days(21), "week")
    for w in weeks:
        assert f"{w.key},{w.collected}," in csv_text
