"""The Department's own posts: never scored or reviewed, counted by month and topic, and
followed in the press (the same story, or a quoted passage), on a real store."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from monitor.collect.pipeline import crawl
from monitor.config import load_settings
from monitor.devserver import LocalServer
from monitor.flag import active_model, classify_pending
from monitor.reports import stats
from monitor.sources import parse_sources
from monitor.store import queries
from monitor.store.review_index import refresh
from monitor.store.tables import item_scores, items, review_state, sources
from monitor.voice.output import by_month, by_topic, own_posts, year_bounds
from monitor.voice.uptake import refresh_uptake, uptake
from tests.collect.sitegen import STORY_NHA_O, Page, publish
from tests.review.seeding import Spec, seed

QUOTE = ("Công trình trường học phải được ưu tiên về chất lượng vì liên quan trực tiếp đến an "
         "toàn của các em học sinh")  # fmt: skip
POST_AT = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)  # 09:00 in Lạng Sơn


def _own(engine, source_id: str = "sxd") -> None:
    with engine.begin() as conn:
        conn.execute(update(sources).where(sources.c.id == source_id).values(own=True))


def _at(engine, ids_and_times) -> None:
    with engine.begin() as conn:
        for item_id, moment in ids_and_times:
            conn.execute(update(items).where(items.c.id == item_id)
                         .values(published_at=moment, fetched_at=moment))  # fmt: skip


def test_uptake_counts_stories_and_quotes_within_the_window(engine) -> None:
    text = "Sở Xây dựng kiểm tra các điểm trường vùng cao. " + QUOTE + "."
    ids = seed(engine, [
        Spec("Sở Xây dựng kiểm tra công trình trường học", source="sxd", text=text, flagged=None),
        Spec("Bản đăng lại của báo tỉnh", source="baolangson", text=text, cluster=0,
             flagged=None),  # the same story (clustered with the post)
        Spec("Báo xây dựng trích lời Sở", source="baoxaydung", flagged=None,
             text=f"Lãnh đạo Sở nói: “{QUOTE.lower()}”. Báo ghi nhận thêm ý kiến phụ huynh."),
        Spec("Bài cũ cùng câu chuyện", source="vnexpress", text=text, cluster=0, flagged=None),
        Spec("Quá muộn", source="dantri", text=QUOTE, flagged=None),
        Spec("Tin báo", source="tip", text=QUOTE, flagged=None),
        Spec("Không liên quan", source="tuoitre", text="Giá vàng tăng.", flagged=None),
        Spec("Bài khác của Sở", source="sxd", text="Hướng dẫn cấp giấy phép xây dựng.",
             flagged=None),
    ])  # fmt: skip
    _own(engine)
    _at(engine, [(ids[0], POST_AT), (ids[1], POST_AT + timedelta(hours=6)),
                 (ids[2], POST_AT + timedelta(days=1, hours=3)),
                 (ids[3], POST_AT - timedelta(days=2)),  # before the post's day: not uptake
                 (ids[4], POST_AT + timedelta(days=31)),  # after the window
                 (ids[5], POST_AT + timedelta(hours=1)),  # a tip is not an outlet
                 (ids[6], POST_AT + timedelta(hours=1)),
                 (ids[7], POST_AT + timedelta(days=3))])  # fmt: skip
    found = refresh_uptake(engine, now=POST_AT + timedelta(days=40), days=None)
    assert found == 2
    assert refresh_uptake(engine, now=POST_AT + timedelta(days=40), days=None) == 2  # idempotent
    with engine.connect() as conn:
        figures = uptake(conn, *year_bounds(2026))
    assert (figures.posts, figures.picked, figures.share) == (2, 1, 0.5)
    assert figures.by_how == {"story": 1, "quote": 1}
    assert figures.by_outlet == [("Báo baolangson", 1), ("Báo baoxaydung", 1)]
    assert figures.median_lag_hours == 6.0  # the first pickup
    first = next(p for p in figures.per_post if p.post.id == ids[0])
    assert [(p.source_id, p.how, p.lag_hours) for p in first.pickups] == [
        ("baolangson", "story", 6.0), ("baoxaydung", "quote", 27.0)]  # fmt: skip


def test_an_outlet_dated_earlier_the_same_day_counts_with_no_lag(engine) -> None:
    text = "Sở Xây dựng công bố giá vật liệu xây dựng tháng 11 trên địa bàn tỉnh Lạng Sơn."
    ids = seed(engine, [Spec("Giá vật liệu", source="sxd", text=text, flagged=None),
                        Spec("Giá vật liệu", source="portal", text=text, cluster=0,
                             flagged=None)])  # fmt: skip
    _own(engine)
    midnight = datetime(2026, 11, 19, 17, 0, tzinfo=UTC)  # 00:00 local: a date without time
    _at(engine, [(ids[0], POST_AT), (ids[1], midnight)])
    refresh_uptake(engine, now=POST_AT, days=None)
    with engine.connect() as conn:
        [post] = uptake(conn, *year_bounds(2026)).per_post
    assert [(p.source_id, p.lag_hours) for p in post.pickups] == [("portal", 0.0)]


def test_own_posts_are_counted_by_month_and_topic(engine) -> None:
    ids = seed(engine, [Spec("Giá vật liệu", source="sxd", flagged=None),
                        Spec("Nhà ở xã hội", source="sxd", flagged=None)])  # fmt: skip
    _own(engine)
    sector = {"term": "giá vật liệu xây dựng", "kind": "sector", "count": 2, "topic": "materials"}
    matches = [sector, {"term": "Lạng Sơn", "kind": "place", "count": 1}]
    with engine.begin() as conn:
        conn.execute(update(items).where(items.c.id == ids[0])
                     .values(matches=json.dumps(matches)))  # fmt: skip
    _at(engine, [(ids[0], datetime(2026, 1, 31, 17, 30, tzinfo=UTC)),  # 1 Feb, local
                 (ids[1], datetime(2026, 3, 3, 3, 0, tzinfo=UTC))])  # fmt: skip
    with engine.connect() as conn:
        posts = own_posts(conn, *year_bounds(2026))
    months = by_month(posts, 2026)
    assert months["2026-02"] == 1 and months["2026-03"] == 1 and sum(months.values()) == 2
    topics = by_topic(posts)
    assert topics["materials"] == 1 and topics["other"] == 1
    with engine.connect() as conn:  # the overview's labels: own posts are not "unscored"
        labels = {c.key: c.collected for c in stats.counts(conn, stats.year_window(2026), "label")}
    assert labels == {"own": 2}


def test_own_posts_are_never_scored_or_queued_even_when_the_model_would_flag_them(
    engine, tmp_path
) -> None:
    """A crawled own portal: stored and clustered like any item, status "own", no scores;
    marking a source own later takes its items out of the review too."""
    hostile = [
        "Kêu gọi bà con kéo đến vây trụ sở Sở Xây dựng, tìm cho ra bọn cán bộ ăn tiền "
        "đền bù rồi xử hết, không tha đứa nào."
    ] * 3
    with LocalServer() as site:
        # The own page quotes the hostile call it answers: the model would flag it.
        answer = Page("/sxd/1.html", "Lời kêu gọi trên mạng", hostile, outlet="Sở Xây dựng")
        publish(site, "/sxd.xml", [answer])
        publish(site, "/bao.xml", [Page("/bao/1.html", "Kêu gọi lật đổ chính quyền", hostile),
                                   Page("/bao/2.html", "Nhà ở xã hội", STORY_NHA_O)])  # fmt: skip
        config = (f"sources:\n  - id: sxd\n    name: Sở Xây dựng\n    url: {site.url('/sxd.xml')}\n"
                  f"    own: true\n    allow_private_links: true\n"
                  f"  - id: bao\n    name: Báo\n    url: {site.url('/bao.xml')}\n"
                  f"    allow_private_links: true\n")  # fmt: skip
        settings = load_settings({}, database_url=str(engine.url), extract_workers=1,
                                 evidence_dir=str(tmp_path / "ev"))  # fmt: skip
        queries.sync_sources(engine, parse_sources(config))
        asyncio.run(crawl(engine, settings, force=True))
    classify_pending(engine, settings)

    _, model = active_model(settings)
    with engine.connect() as conn:
        own = conn.execute(select(items.c.title, items.c.text)
                           .where(items.c.source_id == "sxd")).one()  # fmt: skip
    [scores] = model.predict_proba([own.text], [own.title])
    assert model.flags(scores)  # scored like any item, it would be flagged
    with engine.connect() as conn:
        states = dict(conn.execute(
            select(items.c.source_id, review_state.c.status)
            .join(review_state, review_state.c.item_id == items.c.id)
            .where(items.c.source_id == "sxd")).all())  # fmt: skip
        scored = set(conn.scalars(select(items.c.source_id).join(
            item_scores, item_scores.c.item_id == items.c.id)))  # fmt: skip
        exported = {r["source_id"]: r["own"] for r in queries.export_rows(conn)}
    assert states == {"sxd": "own"} and "sxd" not in scored and "bao" in scored
    assert exported == {"sxd": True, "bao": False}
    # The outlet turns out to be the Department's too: its items leave the review.
    both_own = config.replace("    name: Báo\n", "    name: Báo\n    own: true\n")
    queries.sync_sources(engine, parse_sources(both_own))
    with engine.begin() as conn:
        refresh(conn)
        statuses = set(conn.scalars(select(review_state.c.status)))
        assert statuses == {"own"}
        assert not conn.scalar(select(item_scores.c.item_id).limit(1))
