"""`monitor demo` end to end: what the crawl stores agrees with the demo site's manifest."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from sqlalchemy import create_engine, select

from monitor.config import load_settings
from monitor.demo import DEMO_SITE, run_demo
from monitor.store.tables import items, sources


def test_demo_run_matches_the_manifest(tmp_path: Path, capsys) -> None:
    target = tmp_path / "demo"
    assert run_demo(str(target), 0, load_settings({}, extract_workers=1)) == 0
    printed = capsys.readouterr().out
    assert "blog-demo" in printed and "Tin được nhiều báo đăng lại" in printed
    # Every hint names the demo's own sources file (never the real sources.yaml), on one line.
    hints = [line for line in printed.splitlines() if ".venv/bin/monitor" in line]
    assert hints and all(f"--sources {target / 'sources.yaml'}" in line for line in hints)
    assert "Vì sao liên quan" in printed and "Góp ý, phản ánh" in printed and "Gắn cờ" in printed
    # Flagged pages are captured and a sample packet is exported; verify accepts it.
    packets = list(target.glob("bang-chung-*.zip"))
    assert len(packets) == 1 and "kiểm tra: ok:" in printed
    # The Department's own portal: five posts, one reprinted and one quoted; the register.
    assert "5 tin bài năm 2026, 2 được báo chí đăng lại hoặc" in printed
    assert "(đăng lại sau 0 giờ)" in printed and "(trích dẫn sau 16,5 giờ)" in printed
    assert "Hoạt động đối ngoại" in printed and "Kế hoạch năm 2026" in printed
    # A pasted tip goes through to the queue, marked as a tip.
    assert "seen on Facebook" in printed and "→ vào hàng đợi (Tin báo" in printed
    # The demo's watch rule fires: the mail the local sink received is printed.
    assert "Cảnh báo tức thì" in printed and "Tới: phantich@" in printed
    assert "Cửa khẩu Hữu Nghị sẽ đóng cửa vĩnh viễn" in printed.split("Cảnh báo tức thì")[1]
    # A draft preview: claims a fact answers cite it with the reason, the rest are marked.
    draft = printed.split("Xem trước dự thảo")[1]
    assert "→ trích VD-CK-01: cùng địa danh: Hữu Nghị" in draft
    assert "[CẦN CHUYÊN VIÊN BỔ SUNG] không có dữ kiện đúng đối tượng" in draft
    assert "VD-GP-01" not in draft.split("Mỗi căn cứ")[0].replace("gần nhất VD-GP-01", "")
    from monitor.evidence import verify

    assert verify(packets[0].read_bytes())[0]

    manifest = yaml.safe_load((DEMO_SITE / "manifest.yaml").read_text(encoding="utf-8"))
    engine = create_engine(f"sqlite:///{target / 'monitor.db'}")
    with engine.connect() as conn:
        crawled = select(items).where(items.c.channel == "crawl")  # tips are not on the site
        stored = {row.url.split("/", 3)[3]: row for row in conn.execute(crawled)}
        health = {row.id: row for row in conn.execute(select(sources).where(sources.c.in_config))}
    engine.dispose()

    groups: dict[str, set[int]] = {}
    reachable = [a for a in manifest["articles"] if not a["path"].startswith("/blog-demo/")]
    for article in reachable:
        row = stored[article["path"].lstrip("/")]
        assert bool(row.relevant) == article["relevant"], (article["path"], json.loads(row.matches))
        if article.get("group"):
            groups.setdefault(article["group"], set()).add(row.cluster_id)
        if not article.get("date_in"):  # dated nowhere: must stay undated, not guessed
            assert row.published_at is None, article["path"]
    assert len(stored) == len(reachable)
    assert groups and all(len(ids) == 1 for ids in groups.values()), groups
    assert len({next(iter(ids)) for ids in groups.values()}) == len(groups)
    assert health["blog-demo"].last_status == "error" and health["blog-demo"].last_error
    assert all(
        h.last_status in {"ok", "warning"} for sid, h in health.items() if sid != "blog-demo"
    )
