"""What `monitor demo` calls: import the example fact base and say what to try next."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from ..config import Settings
from ..store.codec import decode_scores
from ..store.tables import item_scores, items
from ..vocabulary import SYSTEM
from .facts import EXAMPLE, import_facts, load_yaml
from .rebuttal import UNMATCHED, preview


def prepare_demo_responses(engine: Engine, settings: Settings) -> str:
    """Import the example facts; return Vietnamese instructions for the respond-and-report flow."""
    with engine.begin() as conn:
        summary = import_facts(conn, SYSTEM, load_yaml(EXAMPLE))
        shown = _draft_preview(conn, settings)
    week = datetime.now(UTC).isocalendar()
    db = f"--database {settings.database_url} --sources {settings.sources}"
    return "\n".join([
        f"Đã nạp {summary.added + summary.updated + summary.unchanged} dữ kiện MẪU "
        "(chỉ để thử, không phải thông tin chính thức).",
        "1. Đăng nhập bằng tài khoản chuyên viên, mở một tin bị gắn cờ "
        f"«{_name('distorted')}» và xác nhận.",
        "2. Đăng nhập bằng tài khoản lãnh đạo và duyệt (sign-off) tin đó.",
        f"3. Tạo dự thảo phản hồi: .venv/bin/monitor {db} draft MÃ_TIN --out du-thao.docx",
        "4. Đối chiếu từng căn cứ với văn bản gốc trên trang dự thảo (nút «Tôi đã đối chiếu "
        f"từng căn cứ…» hoặc .venv/bin/monitor {db} draft MÃ_TIN --check 1 --by TÊN): phản hồi "
        "chỉ được duyệt trên phiên bản đã đối chiếu.",
        f"5. Bản tin tuần: .venv/bin/monitor {db} digest --week {week.year}-W{week.week:02d} "
        "--out ban-tin.pdf",
        f"6. Báo cáo năm: .venv/bin/monitor {db} report --year {week.year} "
        "--out bao-cao.docx --csv bao-cao/",
        "Mọi số liệu được định nghĩa ở Phụ lục 2 của báo cáo năm; các tệp CSV để đối chiếu.",
        *shown,
    ])  # fmt: skip


def _draft_preview(conn: Connection, settings: Settings) -> list[str]:
    """The claims of the highest-scored flagged distorted item whose draft cites a fact (or
    the first with claims), as its draft would answer them: the cited fact and why, or the
    mark for the analyst."""
    flagged = conn.execute(
        select(items.c.id, items.c.title, item_scores.c.scores)
        .join(item_scores, item_scores.c.item_id == items.c.id)
        .where(item_scores.c.flagged, item_scores.c.label == "distorted")
    ).all()
    ranked = sorted(flagged, key=lambda r: -decode_scores(r.scores).get("distorted", 0.0))
    # Each preview embeds the facts and claims (seconds): stop at the first draft citing one.
    shown: tuple[Any, dict[str, Any]] | None = None
    for candidate in ranked[:5]:
        draft = preview(conn, candidate.id, settings)
        if draft["claims"] and (shown is None or draft["fact_ids"]):
            shown = (candidate, draft)
        if draft["fact_ids"]:
            break
    if shown is None:
        return []
    row, draft = shown
    lines = ["", f"Xem trước dự thảo cho tin #{row.id} «{row.title}» (chưa lưu; dự thảo thật "
             "chỉ tạo được sau khi chuyên viên xác nhận và lãnh đạo phê duyệt):"]  # fmt: skip
    for n, claim in enumerate(draft["claims"], 1):
        lines.append(f"  {n}. “{_short(claim['sentence'])}”")
        for fact in claim["facts"]:
            lines.append(f"     → trích {fact['id']}: {fact['why']}")
        if not claim["facts"]:
            refused = claim["refused"][0] if claim["refused"] else None
            near = f" (gần nhất {refused['id']}: {refused['why']})" if refused else ""
            lines.append(f"     → {UNMATCHED} không có dữ kiện đúng đối tượng{near}")
    lines.append("  Mỗi căn cứ được trích phải được một người đối chiếu với văn bản gốc trước khi "
                 "trình duyệt.")  # fmt: skip
    return lines


def _short(text: str, limit: int = 110) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _name(label: str) -> str:
    """A label's Vietnamese name (classifiers/labels.yaml)."""
    from classifiers.labels import load_labels

    return next((s.name_vi for s in load_labels() if s.key == label), label)
