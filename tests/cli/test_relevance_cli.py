"""`monitor relevance rescore` and `explain` on a store full of items judged by older rules."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select, update

from monitor.store.db import open_store
from monitor.store.tables import item_scores, items
from tests.review.seeding import Spec, seed

from .test_cli import monitor

PASSING = (
    "Hội đồng nhân dân họp bàn về giáo dục, y tế và văn hóa trong nhiều giờ liền. "
    "Các đại biểu nhắc đến quy hoạch một lần rồi chuyển sang chuyện học phí, bảo hiểm "
    "và lễ hội mùa xuân. " * 6
)
WORKS = (
    "Sở Xây dựng kiểm tra công trường, yêu cầu nhà thầu thi công đúng thiết kế.\n"
    "Tư vấn giám sát và chủ đầu tư phải nghiệm thu từng hạng mục trước khi bàn giao."
)


def test_rescore_follows_new_rules_and_explain_prints_the_reason(
    db_url: str, tmp_path: Path
) -> None:
    engine = open_store(db_url)
    # Stored under the one-term rule: all three relevant, matches without positions.
    old, works, place = seed(
        engine,
        [
            Spec("Kỳ họp Hội đồng nhân dân", text=PASSING, label="distorted", flagged=True),
            Spec("Kiểm tra chất lượng công trình", text=WORKS, flagged=None),
            Spec("Mùa hoa đào xứ Lạng", text="Du khách về Lạng Sơn ngắm hoa.", flagged=None),
        ],
    )
    with engine.begin() as conn:
        conn.execute(update(items).values(sector_relevant=True))
    sources = tmp_path / "sources.yaml"
    sources.write_text("sources: []\n", encoding="utf-8")

    done = monitor("relevance", "rescore", db=db_url, sources=sources)
    assert done.returncode == 0, done.stderr
    assert "3 items assessed" in done.stdout and "1 no longer relevant" in done.stdout
    with engine.connect() as conn:
        rows = {r.id: r for r in conn.execute(select(items))}
        flagged = conn.scalar(select(item_scores.c.flagged).where(item_scores.c.item_id == old))
    assert not rows[old].relevant and not rows[old].sector_relevant and flagged is False
    assert rows[works].sector_relevant and rows[works].relevance_score > 0.5
    assert rows[place].place_relevant and not rows[place].sector_relevant
    assert rows[place].relevance_reason.startswith("Nhắc đến Lạng Sơn: 'Lạng Sơn'")

    again = monitor("relevance", "rescore", "--format", "json", db=db_url, sources=sources)
    assert json.loads(again.stdout)["changed"] == 0  # nothing left to change

    shown = monitor("relevance", "explain", str(works), db=db_url, sources=sources)
    assert shown.returncode == 0, shown.stderr
    assert "relevant: yes (construction)" in shown.stdout
    assert "Nói về ngành xây dựng (điểm" in shown.stdout and "nhà thầu" in shown.stdout
    as_json = monitor("relevance", "explain", str(works), "--format", "json", db=db_url,
                      sources=sources)  # fmt: skip
    found = json.loads(as_json.stdout)
    assert found["part"] == "construction" and found["matches"][0]["spans"]
    missing = monitor("relevance", "explain", "999", db=db_url, sources=sources)
    assert missing.returncode == 2 and "no item 999" in missing.stderr
    engine.dispose()
