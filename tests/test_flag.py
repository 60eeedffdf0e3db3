"""Flagging in the store: scores, flags, evidence and signals, narrative links, retraining from
verdicts."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from classifiers.model import train
from classifiers.registry import Registry
from monitor import flag
from monitor.config import load_settings
from monitor.review.verdicts import record_verdict
from monitor.store import queries
from monitor.store.tables import item_scores, items, verdicts
from monitor.vocabulary import User

DISTORTED = [
    "Tin đồn: cửa khẩu Hữu Nghị bị đóng cửa vĩnh viễn, toàn bộ xe hàng phải quay đầu về xuôi",
    "Bịa đặt: tỉnh đã chi 90 nghìn tỷ đồng cho một km cao tốc, gấp trăm lần thực tế",
    "Lan truyền tài liệu giả mạo nói Sở Xây dựng thu hồi toàn bộ đất của dân không bồi thường",
    "Thông tin sai: cầu trên cao tốc đã sập hoàn toàn, hàng trăm người thương vong bị che giấu",
    "Bài viết xuyên tạc rằng dự án nhà ở xã hội chỉ bán cho người nhà cán bộ, không có thật",
    "Mạng xã hội bịa ra số liệu giải phóng mặt bằng gấp mười lần con số chính thức công bố",
]
HOSTILE = [
    "Lũ sâu dân mọt ăn hại, đồ vô dụng, cút hết khỏi ghế cho dân nhờ",
    "Bọn quan tham đáng bị đốt nhà, kéo nhau ra đập phá trụ sở cho chúng biết tay",
    "Đồ vô lại, cả lũ ăn cắp tiền dân, nhục nhã, đáng khinh bỉ đến muôn đời",
    "Kêu gọi anh em kéo đến ném đá trụ sở, bọn chúng chỉ đáng là lũ chó săn",
    "Thằng nào ký cái dự án này là đồ mất dạy, ăn bẩn, cút về quê mà chăn trâu",
    "Lũ ăn hại này phải bị trừng trị, đánh cho chúng nó một trận nhớ đời",
]
NEUTRAL = [
    "Sở Xây dựng tổ chức hội nghị triển khai kế hoạch quy hoạch đô thị năm tới",
    "Lượng xe hàng qua cửa khẩu Tân Thanh tăng nhẹ trong tuần qua theo số liệu hải quan",
    "Tỉnh Lạng Sơn khởi công dự án nhà ở xã hội với hơn 500 căn hộ cho công nhân",
    "Thời tiết xứ Lạng chuyển rét, nhiệt độ Mẫu Sơn xuống dưới 5 độ vào sáng sớm",
    "Ban quản lý dự án công bố tiến độ thi công cao tốc đạt 65% khối lượng",
    "Hội thảo về vật liệu xây dựng xanh được tổ chức tại thành phố Lạng Sơn",
]


def tiny_model():
    texts = DISTORTED + HOSTILE + NEUTRAL
    labels = ["distorted"] * 6 + ["hostile"] * 6 + ["neutral"] * 6
    return train(texts, labels, c_grid=(4.0,), folds=2)


@pytest.fixture
def settings(tmp_path, engine):
    s = load_settings({}, database_url=str(engine.url), models_dir=str(tmp_path / "models"))
    reg = Registry(s.models_dir)
    reg.save_version(tiny_model(), {"name": "tiny"}, activate=True)
    return s


def add_item(engine, n: int, title: str, text: str, relevant: bool = True,
             source: str = "mau", published: datetime | None = None) -> int:
    now = datetime.now(UTC)
    with engine.begin() as conn:
        if not conn.execute(select(items.c.id).limit(1)).first():
            from monitor.sources import parse_sources

            queries.sync_sources(engine, parse_sources(
                f"sources:\n  - {{id: {source}, name: M, url: 'http://127.0.0.1/x'}}\n"))
        item_id = queries.insert_item(conn, {
            "source_id": source, "url": f"http://127.0.0.1/{n}", "canonical_url":
            f"http://127.0.0.1/{n}", "url_hash": f"{n:064d}", "content_hash": f"c{n:063d}",
            "title": title, "summary": "", "text": text, "text_method": "test",
            "published_at": published or now, "fetched_at": now, "relevant": relevant,
            "matches": "[]",
        })
        assert item_id is not None
        queries.set_cluster(conn, item_id, item_id)
    return item_id


def scores_of(engine):
    with engine.connect() as conn:
        return {r.item_id: r for r in conn.execute(select(item_scores))}


def test_classify_scores_flags_and_explains(engine, settings) -> None:
    bad = add_item(engine, 1, "Cửa khẩu Hữu Nghị đóng cửa vĩnh viễn?",
                   "Tin đồn bịa đặt nói cửa khẩu bị đóng cửa vĩnh viễn, xe hàng phải quay đầu.")
    calm = add_item(engine, 2, "Hội nghị quy hoạch", "Sở Xây dựng tổ chức hội nghị quy hoạch.")
    rude = add_item(engine, 3, "Bình luận", "Lũ sâu dân mọt ăn hại, đồ vô dụng, cút đi",
                    relevant=False)
    summary = flag.classify_pending(engine, settings)
    assert summary.scored == 3 and summary.model_version == "v0001"
    rows = scores_of(engine)
    assert rows[bad].flagged and "distorted" in json.loads(rows[bad].flags)
    evidence = json.loads(rows[bad].evidence)["distorted"]
    assert evidence and all(e["phrase"] for e in evidence)
    with engine.connect() as conn:  # offsets index the body as stored; title phrases have none
        body = conn.scalar(select(items.c.text).where(items.c.id == bad))
    assert all(body[e["start"]:e["end"]] == e["phrase"] for e in evidence if "start" in e)
    assert any("start" in e for e in evidence)
    reason = json.loads(rows[bad].reasons)["distorted"]  # one sentence in Vietnamese
    assert reason.startswith("Gắn cờ Xuyên tạc: điểm ") and "ngưỡng" in reason
    assert not rows[calm].flagged and rows[calm].label == "neutral"
    # Scored, over the hostile threshold, but not relevant: not sent to review.
    assert "hostile" in json.loads(rows[rude].flags) and not rows[rude].flagged
    assert abs(sum(json.loads(rows[calm].scores).values()) - 1) < 1e-3
    assert flag.classify_pending(engine, settings).scored == 0  # nothing left unscored
    assert flag.classify_pending(engine, settings, rescore=True).scored == 3


def test_classify_stores_signals_for_flagged_labels(engine, settings) -> None:
    bad = add_item(engine, 1, "Cửa khẩu Hữu Nghị đóng cửa vĩnh viễn?",
                   "Tin đồn bịa đặt nói cửa khẩu bị đóng cửa vĩnh viễn, xe hàng phải quay đầu.")
    calm = add_item(engine, 2, "Hội nghị quy hoạch", "Sở Xây dựng tổ chức hội nghị quy hoạch.")
    flag.classify_pending(engine, settings)
    rows = scores_of(engine)
    signals = json.loads(rows[bad].signals)
    assert set(signals) == set(json.loads(rows[bad].flags)) and "distorted" in signals
    found = signals["distorted"]
    assert 0 < len(found) <= flag.SIGNALS_TOP
    assert all(set(s) == {"name", "weight", "value", "detail"} for s in found)
    assert all(s["weight"] > 0 and s["weight"] == round(s["weight"], 4) for s in found)
    assert all(s["name"].startswith(("nearest:", "nearest5:", "style:")) for s in found)
    # The nearest labelled example is a distorted seed text, stored as is (not \u-escaped).
    near = next(s for s in found if s["name"] == "nearest:distorted")
    assert near["detail"] in DISTORTED and 0 < near["value"] <= 3
    assert "cửa khẩu" in rows[bad].signals
    # Phrase evidence is unchanged beside them.
    assert all("phrase" in e for e in json.loads(rows[bad].evidence)["distorted"])
    assert json.loads(rows[calm].signals) == {}  # no flags, no reasons


def test_repeated_confirmed_claim_is_linked(engine, settings) -> None:
    claim = ("Nhiều trang mạng lan truyền tin cửa khẩu quốc tế Hữu Nghị sẽ bị đóng cửa vĩnh viễn "
             "từ tháng sau, toàn bộ hàng hóa phải chuyển sang cửa khẩu khác, gây hoang mang.")
    first = add_item(engine, 1, "Cửa khẩu Hữu Nghị đóng cửa vĩnh viễn", claim,
                     published=datetime.now(UTC) - timedelta(days=3))
    with engine.begin() as conn:  # confirmed through the review, as an analyst does
        record_verdict(conn, User(1, "an", "analyst"), first, "confirm_distorted", "sai",
                       now=datetime.now(UTC) - timedelta(days=2))
    again = add_item(engine, 2, "Sắp đóng cửa khẩu Hữu Nghị vĩnh viễn",
                     "Lại lan truyền tin cửa khẩu quốc tế Hữu Nghị sẽ bị đóng cửa vĩnh viễn từ "
                     "tháng sau, toàn bộ hàng hóa phải chuyển sang cửa khẩu khác.")
    other = add_item(engine, 3, "Thời tiết", "Thời tiết xứ Lạng chuyển rét, nhiệt độ Mẫu Sơn "
                     "xuống dưới 5 độ vào sáng sớm, người dân cần giữ ấm khi ra đường.")
    summary = flag.classify_pending(engine, settings)
    rows = scores_of(engine)
    assert rows[again].narrative_of == first and rows[again].flagged
    assert rows[other].narrative_of is None
    assert rows[first].narrative_of is None  # published before it was confirmed
    assert summary.narratives == 1


def test_retrain_keeps_the_active_model_without_enough_verdicts(engine, settings, monkeypatch):
    monkeypatch.setattr(flag.learning, "SEED_PATH", _tiny_seed(settings))
    item = add_item(engine, 1, "Tin", DISTORTED[0])
    with engine.begin() as conn:
        conn.execute(verdicts.insert().values(item_id=item, verdict="confirm_distorted",
                                              label="distorted", reason="x", analyst="an",
                                              created_at=datetime.now(UTC)))
    result = flag.retrain_from_verdicts(engine, settings)
    assert result.version == "v0002" and result.decision is None
    assert Registry(settings.models_dir).active() == "v0001"


def test_retrain_promotes_when_not_worse(engine, settings, monkeypatch) -> None:
    monkeypatch.setattr(flag.learning, "SEED_PATH", _tiny_seed(settings))
    now = datetime.now(UTC)
    n = 0
    for texts, label in ((DISTORTED, "distorted"), (HOSTILE, "hostile"), (NEUTRAL, "neutral")):
        for text in texts * 2:
            n += 1
            item = add_item(engine, n, "Tin", f"{text} (bản {n})")
            with engine.begin() as conn:
                conn.execute(verdicts.insert().values(
                    item_id=item, verdict=label, label=label, reason="x", analyst="an",
                    created_at=now + timedelta(seconds=n)))
    result = flag.retrain_from_verdicts(engine, settings)
    assert result.holdout == 10 and result.decision is not None
    assert result.decision.promoted == (Registry(settings.models_dir).active() == "v0002")
    assert result.decision.promoted


def test_uncertain_items_skip_judged_ones(engine, settings) -> None:
    a = add_item(engine, 1, "A", NEUTRAL[0])
    b = add_item(engine, 2, "B", DISTORTED[1])
    flag.classify_pending(engine, settings)
    with engine.begin() as conn:
        conn.execute(verdicts.insert().values(item_id=a, verdict="dismiss", label="neutral",
                                              reason="x", analyst="an",
                                              created_at=datetime.now(UTC)))
    assert [r["id"] for r in flag.uncertain_items(engine)] == [b]


def _tiny_seed(settings):
    from pathlib import Path

    path = Path(settings.models_dir).parent / "seed.jsonl"
    rows = [{"id": f"s{i}", "text": t, "label": lab}
            for i, (t, lab) in enumerate([(t, "distorted") for t in DISTORTED]
                                         + [(t, "hostile") for t in HOSTILE]
                                         + [(t, "neutral") for t in NEUTRAL])]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return path


def test_a_confirmation_later_withdrawn_is_not_a_narrative(engine, settings) -> None:
    """Confirmed means the item's status now, as everywhere: a distorted verdict that a later
    verdict overturned no longer makes repeats of the claim flagged."""
    claim = ("Nhiều trang mạng lan truyền tin cửa khẩu quốc tế Hữu Nghị sẽ bị đóng cửa vĩnh viễn "
             "từ tháng sau, toàn bộ hàng hóa phải chuyển sang cửa khẩu khác, gây hoang mang.")
    first = add_item(engine, 1, "Cửa khẩu Hữu Nghị đóng cửa vĩnh viễn", claim,
                     published=datetime.now(UTC) - timedelta(days=3))
    analyst = User(1, "an", "analyst")
    with engine.begin() as conn:
        record_verdict(conn, analyst, first, "confirm_distorted", "sai",
                       now=datetime.now(UTC) - timedelta(days=2))
        record_verdict(conn, analyst, first, "dismiss", "nhầm: tin chính thức",
                       now=datetime.now(UTC) - timedelta(days=1))
    assert flag.narrative_index(engine, settings) is None
