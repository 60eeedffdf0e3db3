"""The statistics module against hand-counted items around a local midnight."""

from __future__ import annotations

from datetime import date

from monitor.reports import stats
from monitor.review import verdicts
from monitor.review.users import User
from tests.review.seeding import NOW, Spec, seed

# NOW is 20/11/2026 10:00 in Lạng Sơn; 10 hours earlier is exactly local midnight.
SPECS = [
    Spec("a", source="s1", hours_ago=1),  # 20/11, flagged distorted → confirmed below
    Spec("b", source="s1", hours_ago=10),  # 20/11 00:00, flagged distorted → dismissed below
    Spec("c", source="s2", hours_ago=10.5, label="neutral", flagged=False),  # 19/11 23:30
    Spec("d", source="s2", hours_ago=30, relevant=False, flagged=None),  # 19/11, unscored
    Spec("e", source="s2", hours_ago=24 * 8, label="hostile"),  # 12/11, outside this week
]


def _seed(engine) -> list[int]:
    ids = seed(engine, SPECS)
    analyst = User(1, "anna", "analyst")
    with engine.begin() as conn:
        verdicts.record_verdict(conn, analyst, ids[0], "confirm_distorted", "Sai.")
        verdicts.record_verdict(conn, analyst, ids[1], "dismiss", "Đúng sự thật.")
    return ids


def test_counts_by_day_in_local_time(engine) -> None:
    _seed(engine)
    with engine.connect() as conn:
        days = stats.counts(conn, stats.this_week(NOW), "day")
    assert [d.key for d in days][:4] == ["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19"]
    by_day = {d.key: d for d in days}
    assert by_day["2026-11-20"] == stats.Counts("2026-11-20", 2, 2, 2, 1, 1)
    assert by_day["2026-11-19"] == stats.Counts("2026-11-19", 2, 1, 0, 0, 0)
    assert by_day["2026-11-22"] == stats.Counts("2026-11-22")


def test_windows_weeks_labels_sources(engine) -> None:
    _seed(engine)
    window = stats.Window(date(2026, 11, 12), date(2026, 11, 20))
    with engine.connect() as conn:
        weeks = stats.counts(conn, window, "week")
        labels = stats.counts(conn, window, "label")
        by_source = stats.counts(conn, window, "source")
        today = stats.totals(conn, stats.today(NOW))
    assert [(w.key, w.collected, w.flagged) for w in weeks] == [
        ("2026-W46", 1, 1), ("2026-W47", 4, 2)
    ]  # fmt: skip
    assert [(c.key, c.collected) for c in labels] == [
        ("distorted", 2), ("hostile", 1), ("neutral", 1), ("unscored", 1)
    ]  # fmt: skip
    assert [(c.key, c.collected) for c in by_source] == [("Báo s2", 3), ("Báo s1", 2)]
    assert (today.collected, today.confirmed, today.dismissed) == (2, 1, 1)
