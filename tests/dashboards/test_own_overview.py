"""The overview shows the Department's own posts of the period and who carried them: the same
figures as the yearly report, escaped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from monitor.store.tables import items, sources
from monitor.timefmt import LOCAL
from monitor.voice.uptake import refresh_uptake
from tests.review.seeding import Spec, seed

TEXT = "Sở Xây dựng tỉnh Lạng Sơn hướng dẫn cấp giấy phép xây dựng trực tuyến toàn trình."


def test_overview_lists_own_posts_and_their_uptake(engine, client_as) -> None:
    at = datetime(2026, 11, 18, 2, 0, tzinfo=UTC)
    ids = seed(engine, [
        Spec("Hướng dẫn <script>alert(1)</script> cấp phép", source="sxd", text=TEXT,
             flagged=None),
        Spec("Bản đăng lại", source="baolangson", text=TEXT, cluster=0, flagged=None),
    ])  # fmt: skip
    with engine.begin() as conn:
        conn.execute(update(sources).where(sources.c.id == "sxd").values(own=True))
        for item_id, moment in ((ids[0], at), (ids[1], at + timedelta(hours=2))):
            conn.execute(update(items).where(items.c.id == item_id)
                         .values(published_at=moment, fetched_at=moment))  # fmt: skip
    refresh_uptake(engine, now=at + timedelta(days=1))
    year, week, _ = at.astimezone(LOCAL).isocalendar()
    page = client_as("writer").get(f"/overview?period=week&week={year}-W{week:02d}").text
    assert "Sở đăng 1 tin bài; 1 tin bài được ít nhất một cơ quan báo chí" in page
    assert "Báo baolangson" in page and "(Đăng lại, đưa tin cùng sự việc, 2 giờ)" in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
