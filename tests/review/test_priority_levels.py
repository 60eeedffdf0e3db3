"""Priority levels an analyst understands: score, reach, spread and age, with the reason."""

from __future__ import annotations

from datetime import timedelta

from monitor.review import queue
from tests.review.seeding import NOW, Spec, seed

WEEK = 24 * 7


def test_levels_rank_and_old_items_do_not_collapse(engine) -> None:
    seed(
        engine,
        [
            Spec("lan nhanh", source="a", score=0.97, hours_ago=3),
            Spec("bản sao", source="b", score=0.97, hours_ago=2, cluster=0),
            Spec("bản sao 2", source="c", score=0.97, hours_ago=1, cluster=0),
            Spec("một nguồn, cũ", score=0.97, hours_ago=5 * WEEK),
            Spec("bảy tuần", score=0.75, hours_ago=7 * WEEK),
            Spec("điểm thấp, mới", score=0.55, hours_ago=1),
        ],
    )
    with engine.begin() as conn:
        page = queue.list_queue(conn, queue.QueueFilter(), now=NOW)
    levels = {i.title: (i.level, i.level_reason) for i in page.items}
    assert levels["lan nhanh"][0] == "high"
    assert levels["lan nhanh"][1] == "điểm 0,97 · 3 nguồn · lan nhanh · hôm nay"
    assert levels["một nguồn, cũ"] == ("low", "điểm 0,97 · 1 nguồn · 35 ngày")
    assert levels["điểm thấp, mới"][0] == "low"
    order = [i.title for i in page.items]
    assert order.index("lan nhanh") < order.index("một nguồn, cũ")
    # Seven weeks old still ranks by its own evidence, not by a priority decayed to zero.
    assert order.index("một nguồn, cũ") < order.index("bảy tuần")


def test_points_follow_the_clock() -> None:
    assert queue.level_of(5) == "high" and queue.level_of(3) == "medium"
    assert queue.level_of(None) == "low"
    day = queue.level_reason(0.8, 1, NOW - timedelta(days=3, hours=2), NOW)
    assert day == "điểm 0,80 · 1 nguồn · 3 ngày"
