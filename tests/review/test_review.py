"""Queue, verdicts, sign-off, assignment, search and the append-only audit log, on every backend."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from monitor.review import InvalidInput, PermissionDenied, queue, verdicts
from monitor.review import audit as audit_log
from monitor.review.status import VERDICT_LABELS, canonical_verdict
from monitor.review.users import User
from monitor.store.review_index import refresh
from monitor.store.tables import verdicts as verdicts_t
from tests.review.seeding import NOW, Spec, seed

ANNA = User(1, "anna", "analyst")
BINH = User(2, "binh", "analyst")
LAN = User(3, "lan", "lead")


@pytest.fixture
def story(engine):
    """A flagged story carried by three outlets, plus two unrelated items."""
    ids = seed(engine, [
        Spec("Tin đồn đóng cửa khẩu Hữu Nghị ở Lạng Sơn", source="a", score=0.8, hours_ago=2),
        Spec("Lạng Sơn: tin đồn đóng cửa khẩu", source="b", cluster=0, flagged=False, hours_ago=1),
        Spec("Tin đồn cửa khẩu đóng cửa", source="c", cluster=0, score=0.7, hours_ago=1),
        Spec("Giá vật liệu xây dựng ổn định", source="a", label="neutral", flagged=False),
        Spec("Bài viết xuyên tạc về quy hoạch", source="b", label="hostile", score=0.6,
             hours_ago=30),
    ])  # fmt: skip
    return ids


def test_queue_orders_by_score_reach_and_recency(engine, story) -> None:
    with engine.begin() as conn:
        page = queue.list_queue(conn, queue.QueueFilter(), now=NOW)
    ids = [i.id for i in page.items]
    assert ids == [story[0], story[2], story[4]]  # flagged only; the 3-outlet story first
    assert page.items[0].reach == 3 and page.items[-1].reach == 1
    assert page.items[0].priority > page.items[1].priority > page.items[2].priority


def test_filters_and_paging(engine, story) -> None:
    with engine.begin() as conn:
        hostile = queue.list_queue(conn, queue.QueueFilter(label="hostile"), now=NOW)
        every = queue.list_queue(conn, queue.QueueFilter(statuses=(), per_page=2), now=NOW)
        second = queue.list_queue(conn, queue.QueueFilter(statuses=(), per_page=2, page=3))
        by_source = queue.list_queue(conn, queue.QueueFilter(statuses=(), source_id="c"))
    assert [i.id for i in hostile.items] == [story[4]]
    assert len(every.items) == 2 and every.has_next
    assert len(second.items) == 1 and not second.has_next
    assert [i.id for i in by_source.items] == [story[2]]


def test_search_without_accents_finds_vietnamese_text(engine, story) -> None:
    with engine.begin() as conn:
        found = queue.list_queue(conn, queue.QueueFilter(statuses=(), q="lang son"))
        exact = queue.list_queue(conn, queue.QueueFilter(statuses=(), q="LẠNG SƠN"))
        none = queue.list_queue(conn, queue.QueueFilter(statuses=(), q="hà giang"))
    assert {i.id for i in found.items} == {story[0], story[1]}
    assert {i.id for i in exact.items} == {story[0], story[1]}
    assert none.items == []


def test_new_items_are_indexed_on_the_next_read(engine, story) -> None:
    with engine.begin() as conn:
        refresh(conn)
    seed(engine, [Spec("Đường vào khu tái định cư Lạng Sơn", source="d")])
    with engine.begin() as conn:
        found = queue.list_queue(conn, queue.QueueFilter(q="tai dinh cu"))
    assert [i.title for i in found.items] == ["Đường vào khu tái định cư Lạng Sơn"]


def test_verdict_applies_to_every_copy_and_feeds_training(engine, story) -> None:
    with engine.begin() as conn:
        result = verdicts.record_verdict(conn, ANNA, story[1], "distorted", "Sai sự thật.")
        statuses = {i: verdicts.item_status(conn, i) for i in story[:3]}
        labels = conn.execute(text("SELECT DISTINCT label FROM verdicts")).scalars().all()
        flagged = queue.list_queue(conn, queue.QueueFilter())
    assert result.verdict == "confirm_distorted" and set(result.item_ids) == set(story[:3])
    assert set(statuses.values()) == {"confirmed"}
    assert labels == ["distorted"]
    assert [i.id for i in flagged.items] == [story[4]]


def test_verdict_names_aliases_and_labels() -> None:
    assert canonical_verdict("false_alarm") == "dismiss"
    assert canonical_verdict("hostile") == "confirm_hostile"
    assert VERDICT_LABELS["escalate"] is None and VERDICT_LABELS["dismiss"] == "neutral"
    with pytest.raises(InvalidInput):
        canonical_verdict("maybe")


def test_reason_required_to_confirm_or_dismiss(engine, story) -> None:
    with engine.begin() as conn:
        with pytest.raises(InvalidInput, match="reason"):
            verdicts.record_verdict(conn, ANNA, story[0], "dismiss", "  ")
        verdicts.record_verdict(conn, ANNA, story[0], "escalate")
        assert verdicts.item_status(conn, story[0]) == "escalated"


def test_verdict_on_an_unflagged_item(engine, story) -> None:
    with engine.begin() as conn:
        verdicts.record_verdict(conn, ANNA, story[3], "criticism")
        assert verdicts.item_status(conn, story[3]) == "criticism"


def test_disagreement_is_kept_and_a_lead_settles_it(engine, story) -> None:
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO users (name, role, password_hash, active, created_at) "
                          "VALUES ('lan', 'lead', 'x', true, :t)"), {"t": NOW})  # fmt: skip
        verdicts.record_verdict(conn, ANNA, story[4], "hostile", "Kích động.", now=NOW)
        verdicts.record_verdict(conn, BINH, story[4], "dismiss", "Chỉ là góp ý.")
        kept = conn.execute(verdicts_t.select().where(verdicts_t.c.item_id == story[4])).all()
        assert [r.analyst for r in kept] == ["anna", "binh"]
        assert verdicts.item_status(conn, story[4]) == "disputed"
        verdicts.record_verdict(conn, LAN, story[4], "confirm_hostile", "Đã xác minh.")
        assert verdicts.item_status(conn, story[4]) == "confirmed"
        with pytest.raises(PermissionDenied, match="four eyes"):  # she confirmed it herself
            verdicts.sign_off(conn, LAN, story[4], "Đồng ý.")
        verdicts.sign_off(conn, LAN, story[4], "Đồng ý.", four_eyes=False)  # when set off
        assert verdicts.item_status(conn, story[4]) == "signed_off"
        assert [h.action for h in queue.history(conn, story[4])][-1] == "signoff"


def test_four_eyes_a_second_lead_signs_off(engine, story) -> None:
    mai = User(LAN.id + 1, "mai", "lead")
    with engine.begin() as conn:
        verdicts.record_verdict(conn, LAN, story[0], "confirm_distorted", "Sai.")
        with pytest.raises(PermissionDenied, match="four eyes"):
            verdicts.sign_off(conn, LAN, story[0])
        verdicts.sign_off(conn, mai, story[0], "Đồng ý.")
        assert verdicts.item_status(conn, story[0]) == "signed_off"


def test_sign_off_and_assignment_need_a_lead(engine, story) -> None:
    with engine.begin() as conn:
        verdicts.record_verdict(conn, ANNA, story[0], "distorted", "Sai.")
        with pytest.raises(PermissionDenied):
            verdicts.sign_off(conn, ANNA, story[0])
        with pytest.raises(PermissionDenied):
            verdicts.assign(conn, ANNA, story[0], "anna")
        with pytest.raises(PermissionDenied):
            verdicts.record_verdict(conn, User(9, "viet", "writer"), story[0], "escalate")


def test_audit_log_is_append_only_in_the_database(engine, story) -> None:
    with engine.begin() as conn:
        verdicts.record_verdict(conn, ANNA, story[0], "dismiss", "Không sai.")
    for statement in (
        "UPDATE audit_log SET actor = 'x'",
        "DELETE FROM audit_log",
        "UPDATE verdicts SET verdict = 'escalate'",
        "DELETE FROM verdicts",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        [entry] = audit_log.entries(conn)
    assert entry.actor == "anna" and entry.before == {"status": "flagged"}
    assert entry.after["verdict"] == "dismiss" and entry.after["status"] == "dismissed"


def test_audit_export_csv_and_json(engine, story) -> None:
    with engine.begin() as conn:
        verdicts.record_verdict(conn, ANNA, story[0], "escalate")
        verdicts.record_verdict(conn, BINH, story[4], "hostile", "Kích động.")
    with engine.connect() as conn:
        out_json, out_csv = io.StringIO(), io.StringIO()
        assert audit_log.export(conn, out_json, "json") == 2
        audit_log.export(conn, out_csv, "csv")
    rows = json.loads(out_json.getvalue())
    assert [r["actor"] for r in rows] == ["anna", "binh"] and rows[0]["at"].endswith("+07:00")
    assert out_csv.getvalue().splitlines()[0] == "id,at,actor,action,entity,entity_id,before,after"
    assert "Kích động." in out_csv.getvalue()
