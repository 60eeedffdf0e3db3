"""submit_tip end to end: a URL fetched once under the crawler's rules and kept as evidence,
pasted text with an image, refusals that store nothing, duplicates linked, near duplicates
joining the story, the queue marking tips."""

from __future__ import annotations

import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from monitor.devserver import Response
from monitor.evidence import captures_of
from monitor.review.queue import QueueFilter, item_detail, list_queue
from monitor.store.tables import audit_log, item_scores, items, review_state, tips
from monitor.tips import TipError, parse_seen_at, submit_tip
from monitor.vocabulary import PermissionDenied, User
from tests.collect.sitegen import STORY_CAO_TOC, STORY_NHA_O, Page
from tests.tips.conftest import ANALYST, CAO_TOC, RUMOUR, counts, crawled, png


def _actions(engine, item_id: int) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(audit_log.c.action)
                                 .where(audit_log.c.entity_id == str(item_id))))  # fmt: skip


def test_a_url_tip_is_fetched_once_kept_scored_and_queued_as_a_tip(engine, settings, server):
    url = server.url(CAO_TOC.path)
    result = submit_tip(engine, settings, ANALYST, url=url, seen_on="facebook",
                        note="Chia sẻ trong nhóm <b>cư dân</b>", via="web")  # fmt: skip
    assert result.duplicate_of is None and result.as_dict() == {"id": result.id}
    assert server.hits[CAO_TOC.path] == 1  # the evidence is the answer processing read
    with engine.connect() as conn:
        item = conn.execute(select(items).where(items.c.id == result.id)).one()
        tip = conn.execute(select(tips).where(tips.c.item_id == result.id)).one()
        scored = conn.execute(select(item_scores).where(item_scores.c.item_id == result.id)).one()
        state = conn.execute(select(review_state).where(review_state.c.item_id == result.id)).one()
        captures = captures_of(conn, result.id)
    assert (item.source_id, item.channel, item.url) == ("tip", "tip", url)
    assert item.title.startswith("Cao tốc Hữu Nghị") and "65%" in item.text
    assert item.relevant and item.cluster_id == result.id and item.fingerprint
    assert (tip.seen_on, tip.via, tip.submitted_by, tip.seen_at) == (
        "facebook",
        "web",
        "anna",
        None,
    )
    assert tip.note == "Chia sẻ trong nhóm <b>cư dân</b>"  # kept as written, escaped when shown
    assert scored.model_version and state.source_id == "tip"
    assert state.status == "flagged"  # a person sent it: reviewed whatever the model says
    [capture] = captures
    assert capture.status == "ok" and capture.http_status == 200 and capture.reason == "tip"
    assert capture.captured_by == "anna"
    warc = Path(settings.evidence_dir) / capture.path
    assert warc.is_file() and not warc.stat().st_mode & stat.S_IWUSR
    assert {"tip_submit", "evidence_capture"} <= set(_actions(engine, result.id))

    with engine.connect() as conn:
        page = list_queue(conn, QueueFilter())  # the default queue: flagged items
        detail = item_detail(conn, result.id)
    [row] = page.items
    assert (row.id, row.channel, row.seen_on) == (result.id, "tip", "facebook")
    assert detail.channel == "tip" and detail.tip is not None
    assert detail.tip.submitted_by == "anna" and detail.tip.image_type is None


def test_a_text_tip_with_an_image(engine, settings):
    image = png()
    seen = "2026-11-20T08:30"
    result = submit_tip(engine, settings, ANALYST, text=RUMOUR, seen_on="zalo", seen_at=seen,
                        image=image, via="cli")  # fmt: skip
    with engine.connect() as conn:
        item = conn.execute(select(items).where(items.c.id == result.id)).one()
        tip = conn.execute(select(tips).where(tips.c.item_id == result.id)).one()
    assert item.channel == "tip" and item.url.startswith("tip:text:")
    assert item.title == "Tin đồn: cao tốc Hữu Nghị – Chi Lăng bị bỏ dở"
    assert "nhà thầu đã rút" in item.text and item.text_method == "tip-text"
    assert item.place_relevant  # relevance ran: Lạng Sơn is named
    # naive means Asia/Ho_Chi_Minh; stored in UTC; the item is dated when it was seen
    assert tip.seen_at == datetime(2026, 11, 20, 1, 30, tzinfo=UTC) == item.published_at
    import hashlib

    digest = hashlib.sha256(image).hexdigest()
    assert (tip.image_sha256, tip.image_type) == (digest, "image/png")
    assert tip.image_path == f"tips/{digest}.png"
    stored = Path(settings.evidence_dir) / tip.image_path
    assert stored.read_bytes() == image and not stored.stat().st_mode & stat.S_IWUSR
    with engine.connect() as conn:
        assert captures_of(conn, result.id) == []  # no page: nothing to capture


@pytest.mark.parametrize(
    ("image", "code"),
    [(b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "image_type"),
     (b"GIF89a" + b"\0" * 5000, "image_size"), (b"", "image_empty")],
)  # fmt: skip
def test_a_bad_image_is_refused_and_nothing_is_stored(engine, settings, image, code):
    small = settings.with_overrides(tip_max_image_bytes=4096)
    with pytest.raises(TipError) as refused:
        submit_tip(engine, small, ANALYST, text=RUMOUR, seen_on="zalo",
                   seen_at="2026-11-20T08:30", image=image, via="web")  # fmt: skip
    assert refused.value.code == code
    assert counts(engine) == (0, 0)
    assert not (Path(settings.evidence_dir) / "tips").exists()


def test_private_huge_and_non_html_urls_are_refused_with_a_clear_error(engine, settings, server):
    server.route("/big.html", Response(200, "<html><body>" + "x" * 50_000 + "</body></html>",
                                       {"Content-Type": "text/html"}))  # fmt: skip
    server.route("/file.pdf", Response(200, b"%PDF-1.4 ...", {"Content-Type": "application/pdf"}))
    guarded = settings.with_overrides(tip_allow_private=False)
    cases = [
        (guarded, server.url(CAO_TOC.path), "private", "non-public address 127.0.0.1"),
        (guarded, "http://localhost:9/x", "private", "non-public address"),
        (settings.with_overrides(max_bytes=10_000), server.url("/big.html"), "too_large",
         "larger than 10000 bytes"),
        (settings, server.url("/file.pdf"), "not_html", "is not HTML (application/pdf)"),
        (settings, "ftp://example.org/a", "url", "is not an http(s) link"),
        (settings, server.url("/missing.html"), "fetch", "HTTP 404"),
    ]  # fmt: skip
    for chosen, url, code, words in cases:
        with pytest.raises(TipError) as refused:
            submit_tip(engine, chosen, ANALYST, url=url, via="api")
        assert refused.value.code == code, url
        assert words in str(refused.value), str(refused.value)
    assert counts(engine) == (0, 0)
    assert not Path(settings.evidence_dir).exists()  # no capture, no image


def test_bad_input_is_named(engine, settings, server):
    now = datetime.now(UTC)
    later = (now + timedelta(days=1)).isoformat()
    for kwargs, code in (
        ({}, "url_or_text"),
        ({"url": server.url(CAO_TOC.path), "text": RUMOUR}, "url_or_text"),
        ({"text": RUMOUR, "seen_at": "2026-11-20T08:30"}, "seen_on_missing"),
        ({"text": RUMOUR, "seen_on": "myspace", "seen_at": "2026-11-20"}, "seen_on"),
        ({"text": RUMOUR, "seen_on": "zalo"}, "seen_at_missing"),
        ({"text": RUMOUR, "seen_on": "zalo", "seen_at": "hôm qua"}, "seen_at"),
        ({"text": RUMOUR, "seen_on": "zalo", "seen_at": later}, "seen_at_future"),
        ({"text": "   \n ", "seen_on": "zalo", "seen_at": "2026-11-20"}, "url_or_text"),
    ):
        with pytest.raises(TipError) as refused:
            submit_tip(engine, settings, ANALYST, via="web", **kwargs)
        assert refused.value.code == code, kwargs
    with pytest.raises(PermissionDenied):
        submit_tip(engine, settings, User(9, "viet", "writer"), text=RUMOUR, seen_on="zalo",
                   seen_at="2026-11-20", via="web")  # fmt: skip
    assert counts(engine) == (0, 0)
    assert parse_seen_at("2026-11-20T08:30+07:00", now) == datetime(2026, 11, 20, 1, 30,
                                                                     tzinfo=UTC)  # fmt: skip


def test_an_exact_duplicate_links_to_the_stored_item(engine, settings, server):
    crawled_id = crawled(engine, settings, server)
    before = counts(engine)
    hits = server.hits[CAO_TOC.path]
    # the same page again: known by its canonical URL (tracking parameters aside), not fetched
    same = submit_tip(engine, settings, ANALYST, url=server.url(CAO_TOC.path) + "?utm_source=fb",
                      seen_on="facebook", via="web")  # fmt: skip
    assert (same.id, same.duplicate_of) == (crawled_id, crawled_id)
    assert same.as_dict() == {"id": crawled_id, "duplicate_of": crawled_id}
    assert server.hits[CAO_TOC.path] == hits
    # the same text pasted: known by its content
    with engine.connect() as conn:
        title, text = conn.execute(select(items.c.title, items.c.text)
                                   .where(items.c.id == crawled_id)).one()  # fmt: skip
    copy = submit_tip(engine, settings, ANALYST, text=f"{title}\n{text}", seen_on="zalo",
                      seen_at="2026-11-20T09:00", via="web")  # fmt: skip
    assert copy.duplicate_of == crawled_id
    assert counts(engine) == before
    assert _actions(engine, crawled_id).count("tip_duplicate") == 2


def test_a_near_duplicate_joins_the_story(engine, settings, server):
    other = Page("/a/nha-o.html", "Khởi công nhà ở xã hội tại Lạng Sơn", STORY_NHA_O)
    server.route(other.path, Response(200, other.html()))
    crawled_id = crawled(engine, settings, server, (CAO_TOC, other))
    retold = list(STORY_CAO_TOC)
    retold[-1] = "Người dân địa phương bày tỏ vui mừng khi tuyến đường sắp hoàn thành."
    text = "Cao tốc Hữu Nghị – Chi Lăng đạt 65% khối lượng\n" + "\n".join(retold)
    result = submit_tip(engine, settings, ANALYST, text=text, seen_on="facebook",
                        seen_at="2026-11-20T10:00", via="web")  # fmt: skip
    assert result.duplicate_of is None and result.joined_story
    with engine.connect() as conn:
        cluster = conn.execute(select(items.c.cluster_id).where(items.c.id == crawled_id)).scalar()
        mine = conn.execute(select(items.c.cluster_id).where(items.c.id == result.id)).scalar()
        reach = conn.execute(select(review_state.c.reach)
                             .where(review_state.c.item_id == result.id)).scalar()  # fmt: skip
    assert mine == cluster == result.cluster_id
    assert reach == 2  # the outlet and the tip carry the story
