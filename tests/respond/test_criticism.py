"""Criticism is routed, not dropped: office from the topic, due date, outcomes, the list page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from monitor.config import load_settings
from monitor.records import Match
from monitor.respond import InvalidInput, criticism
from monitor.store.codec import encode_matches
from monitor.store.tables import items
from monitor.vocabulary import User
from tests.dashboards.conftest import app, client_as, fast_hashing  # noqa: F401 (fixtures)
from tests.review.seeding import NOW, Spec, seed

ANNA = User(0, "anna", "analyst")
LE = User(0, "le", "lead")

HOUSING = encode_matches([
    Match("Lạng Sơn", "place", 1),
    Match("nhà ở xã hội", "sector", 2, "housing", (("body", 2),)),
])  # fmt: skip
ROADS = encode_matches([
    Match("Chi Lăng", "place", 1),
    Match("mặt đường", "sector", 3, "infrastructure", (("body", 3),)),
])  # fmt: skip
ELSEWHERE = encode_matches([Match("chung cư", "sector", 2, "housing", (("body", 2),))])


def _criticism_items(engine, specs: list[tuple[str, float, str, int | None]]) -> list[int]:
    ids = seed(engine, [Spec(t, label="criticism", score=s, flagged=False, cluster=c)
                        for t, s, _m, c in specs])  # fmt: skip
    with engine.begin() as conn:
        for item_id, (_t, _s, matches, _c) in zip(ids, specs, strict=True):
            place = '"kind": "place"' in matches
            conn.execute(update(items).where(items.c.id == item_id)
                         .values(matches=matches, place_relevant=place))  # fmt: skip
    return ids


@pytest.fixture
def settings(db_url):
    return load_settings(database_url=db_url)


def test_routing_by_topic_threshold_place_and_story(engine, settings) -> None:
    housing, roads, copy, weak, other = _criticism_items(engine, [
        ("Chờ mua nhà ở xã hội ba năm", 0.95, HOUSING, None),
        ("Mặt đường gom nứt sau hai tháng", 0.9, ROADS, None),
        ("Bản sao: mặt đường gom nứt", 0.9, ROADS, 1),  # same story as ``roads``
        ("Góp ý nhẹ", 0.5, ROADS, None),  # under the threshold
        ("Chung cư cũ ở tỉnh khác", 0.99, ELSEWHERE, None),  # not about Lạng Sơn
    ])  # fmt: skip
    assert criticism.route_pending(engine, settings, now=NOW) == 2
    with engine.connect() as conn:
        entries = {e.case.item_id: e for e in criticism.criticism_list(conn, today=NOW.date())}
    assert set(entries) == {housing, roads}
    assert entries[housing].case.office == "Phòng Quản lý nhà và Thị trường bất động sản"
    assert entries[roads].case.office == "Phòng Hạ tầng kỹ thuật và Phát triển đô thị"
    assert entries[roads].case.status == "received" and entries[roads].case.score == 0.9
    assert entries[roads].case.due_on == date(2026, 12, 5)  # NOW's local day (20/11) + 15
    assert criticism.route_pending(engine, settings, now=NOW) == 0  # never twice
    del copy, weak, other


def test_outcomes_overdue_and_reassignment(engine, settings) -> None:
    [item] = _criticism_items(engine, [("Chờ tiền bồi thường", 0.9, HOUSING, None)])
    criticism.route_pending(engine, settings, now=NOW)
    with engine.begin() as conn:
        [entry] = criticism.criticism_list(conn, today=date(2027, 1, 1))
        assert entry.overdue
        with pytest.raises(InvalidInput, match="record the answer"):
            criticism.record_outcome(conn, ANNA, entry.case.id, "answered")
        with pytest.raises(InvalidInput, match="unknown office"):
            criticism.reassign(conn, LE, entry.case.id, "Phòng không có", settings)
        moved = criticism.reassign(conn, LE, entry.case.id, "Thanh tra Sở", settings)
        assert moved.office == "Thanh tra Sở"
        done = criticism.record_outcome(
            conn, ANNA, entry.case.id, "fixed", answer="Đã chi trả", link="https://sxd.example/tl"
        )
        assert done.status == "fixed" and done.answer_url == "https://sxd.example/tl"
        [after] = criticism.criticism_list(conn, today=date(2027, 1, 1))
        assert not after.overdue
    del item


def test_an_analysts_criticism_verdict_routes_the_story(engine, settings) -> None:
    from monitor.review.users import User

    [item] = _criticism_items(engine, [("Phản ánh đường lầy lội", 0.3, ROADS, None)])
    with engine.begin() as conn:
        done = criticism.judge(conn, settings, User(1, "anna", "analyst"), item, "criticism")
        assert done.status == "criticism"
        [entry] = criticism.criticism_list(conn)
    assert entry.case.created_by == "anna" and entry.case.score is None


def test_offices_file_is_checked(tmp_path) -> None:
    bad = tmp_path / "offices.yaml"
    bad.write_text("default: x\noffices:\n  - id: a\n    name: A\n    topics: [roads]\n")
    with pytest.raises(InvalidInput, match="unknown topic 'roads'"):
        criticism.load_offices(bad)
    assert criticism.load_offices().by_id("thanh-tra").topics == ("order",)


def test_the_list_page_for_each_role(engine, settings, client_as) -> None:  # noqa: F811
    [item] = _criticism_items(engine, [("Chờ <b>nhà</b> ở xã hội", 0.95, HOUSING, None)])
    criticism.route_pending(engine, settings, now=NOW)
    with engine.connect() as conn:
        [entry] = criticism.criticism_list(conn)
    assert client_as("writer").get("/criticism").status_code == 403  # as for items
    admin = client_as("admin").get("/criticism")
    assert admin.status_code == 200 and "Chờ &lt;b&gt;nhà&lt;/b&gt;" in admin.text
    assert "/outcome" not in admin.text  # admins read, analysts and leads record
    analyst = client_as("analyst")
    page = analyst.get("/criticism")
    assert "Phòng Quản lý nhà" in page.text and f"/criticism/{entry.case.id}/outcome" in page.text
    form = {"status": "answered", "answer": "Đã trả lời bạn đọc", "csrf_token": analyst.csrf}
    done = analyst.post(f"/criticism/{entry.case.id}/outcome", data=form)
    assert done.status_code == 200 and "Đã trả lời bạn đọc" in done.text
    no_csrf = analyst.post(f"/criticism/{entry.case.id}/outcome", data={"status": "fixed"})
    assert no_csrf.status_code == 403
    moved = analyst.post(f"/criticism/{entry.case.id}/office",
                         data={"office": "Thanh tra Sở", "csrf_token": analyst.csrf})  # fmt: skip
    assert moved.status_code == 403  # only a lead reassigns
    del item


def test_figures_for_the_digest_and_the_yearly_report(engine, settings) -> None:
    from datetime import timedelta

    from monitor.reports import stats
    from monitor.reports.stats_criticism import criticism_figures

    first, second = _criticism_items(engine, [
        ("Chờ nhà ở xã hội", 0.95, HOUSING, None), ("Đường nứt", 0.9, ROADS, None),
    ])  # fmt: skip
    criticism.route_pending(engine, settings, now=NOW)
    with engine.begin() as conn:
        [case] = [e.case for e in criticism.criticism_list(conn) if e.case.item_id == first]
        criticism.record_outcome(conn, ANNA, case.id, "answered", answer="Đã trả lời",
                                 now=NOW + timedelta(days=2))  # fmt: skip
        week = criticism_figures(conn, stats.iso_week("2026-W47"))
        later = criticism_figures(conn, stats.iso_week("2026-W50"))
    assert (week.routed, week.resolved, week.open, week.overdue) == (2, 1, 1, 0)
    assert (later.routed, later.resolved, later.open, later.overdue) == (0, 0, 1, 1)
    offices = {row[0]: row[1:] for row in week.by_office}
    assert offices["Phòng Hạ tầng kỹ thuật và Phát triển đô thị"] == (1, 0, 1, 0)
    del second
