"""The overview's period picker: this week, a chosen week, the last 4 weeks, a month, a year;
each figure against the period of the same length before it; a weekly series; bad values get
a Vietnamese message (400), never a 500."""

from __future__ import annotations

import re
from datetime import date

import pytest

from dashboards.overview import change, choose
from monitor.reports import stats
from monitor.review import InvalidInput
from tests.review.seeding import Spec, seed

DAY = 24.0  # hours
# Seeded relative to 2026-11-20 10:00 local (a Friday, ISO week 2026-W47).
SPECS = [Spec("a"), Spec("b", flagged=False), Spec("c", hours_ago=3 * DAY),
         Spec("d", hours_ago=7 * DAY), Spec("e", hours_ago=40 * DAY, relevant=False)]  # fmt: skip


def _row(html: str, css: str) -> list[str]:
    row = re.search(rf'<tr class="{css}">(.*?)</tr>', html, re.S).group(1)
    return re.findall(r'<td class="num[^"]*">([^<]*)</td>', row)


def _previous(html: str) -> list[str]:
    after = html.split('<tr class="chosen">', 1)[1].split("</tr>", 2)[1]
    return re.findall(r'<td class="num">([^<]*)</td>', after)


def test_windows_and_their_previous_periods() -> None:
    today = date(2026, 11, 20)
    week = choose("week", today=today)
    assert (week.window.first, week.window.last) == (date(2026, 11, 16), date(2026, 11, 22))
    assert (week.previous.first, week.previous.last) == (date(2026, 11, 9), date(2026, 11, 15))
    chosen = choose("week", week="2026-W02", today=today)
    assert chosen.window.first == date(2026, 1, 5) and chosen.week == "2026-W02"
    four = choose("4weeks", today=today)
    assert (four.window.first, four.window.last) == (date(2026, 10, 26), date(2026, 11, 22))
    assert four.previous.last == date(2026, 10, 25) and four.previous.first == date(2026, 9, 28)
    feb = choose("month", month="2028-02", today=today)
    assert (feb.window.first, feb.window.last) == (date(2028, 2, 1), date(2028, 2, 29))
    assert (feb.previous.first, feb.previous.last) == (date(2028, 1, 1), date(2028, 1, 31))
    year = choose("year", year="2025", today=today)
    assert year.window == stats.year_window(2025) and year.previous.first == date(2024, 1, 1)
    assert choose("", today=today) == week  # no parameters: this week


@pytest.mark.parametrize(
    "query",
    [{"period": "decade"}, {"week": "2026-W99"}, {"week": "abc"},
     {"period": "month", "month": "2026-13"}, {"period": "month", "month": "x"},
     {"period": "year", "year": "abc"},
     {"period": "year", "year": "1890"}, {"period": "year", "year": "99999999999"}],
)  # fmt: skip
def test_bad_periods_are_refused(query: dict[str, str]) -> None:
    args = {"period": "week", **query}
    with pytest.raises(InvalidInput, match="^period: "):
        choose(**args, today=date(2026, 11, 20))


def test_change_reads_as_a_trend() -> None:
    assert [change(3, 1), change(1, 4), change(2, 2), change(5, 0)] == [
        "+2 (+200%)", "−3 (−75%)", "0", "+5"]  # fmt: skip


def test_page_compares_with_the_previous_period_and_draws_weeks(engine, client_as) -> None:
    seed(engine, SPECS)
    writer = client_as("writer")
    page = writer.get("/overview?period=week&week=2026-W47")
    assert page.status_code == 200
    html = page.text
    assert _row(html, "chosen")[:3] == ["3", "3", "2"]  # collected, relevant, flagged
    assert _previous(html)[:3] == ["1", "1", "1"]
    assert _row(html, "trend")[:3] == ["+2 (+200%)", "+2 (+200%)", "+1 (+100%)"]
    assert "16/11/2026 – 22/11/2026" in html and "09/11/2026 – 15/11/2026" in html
    weeks = re.findall(r">W(\d\d)</text>", html)
    assert {"40", "46", "47"} <= set(weeks)  # eight weeks back, ending with the chosen one
    assert 'value="2026-W47"' in html and '<option value="week" selected>' in html
    month = writer.get("/overview?period=month&month=2026-11").text
    assert _row(month, "chosen")[:2] == ["4", "4"] and _row(month, "trend")[0] == "+3 (+300%)"
    year = writer.get("/overview?period=year&year=2026").text
    assert _row(year, "chosen")[:2] == ["5", "4"] and _row(year, "trend")[0] == "+5"
    assert "Bài thu thập theo ngày" not in year  # a year shows weeks, not 365 columns


BAD = ["period=decade", "period=week&week=2026-W99", "period=month&month=2026-13",
       "period=year&year=abc"]  # fmt: skip


@pytest.mark.parametrize("query", BAD)
def test_bad_values_get_a_vietnamese_message(client_as, query: str) -> None:
    page = client_as("writer").get(f"/overview?{query}")
    assert page.status_code == 400
    assert "Khoảng thời gian không hợp lệ." in page.text and "period:" not in page.text


def test_the_csv_export_follows_the_chosen_period(engine, client_as) -> None:
    seed(engine, SPECS)
    writer = client_as("writer")
    html = writer.get("/overview?period=month&month=2026-11").text
    link = re.search(r'href="(/overview/export\?[^"]+)"', html).group(1).replace("&amp;", "&")
    assert "period=month" in link and "month=2026-11" in link
    rows = writer.get(link.replace("group=day", "group=label")).text.splitlines()[1:]
    assert sum(int(r.split(",")[1]) for r in rows) == 4  # the month's four items, not 7 days
