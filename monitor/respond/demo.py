"""What `monitor demo` calls: import the example fact base and say what to try next."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from ..config import Settings
from ..vocabulary import SYSTEM
from .facts import EXAMPLE, import_facts, load_yaml


def prepare_demo_responses(engine: Engine, settings: Settings) -> str:
    """Import the example facts; return Vietnamese instructions for the respond-and-report flow."""
    with engine.begin() as conn:
        summary = import_facts(conn, SYSTEM, load_yaml(EXAMPLE))
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
    ])  # fmt: skip


def _name(label: str) -> str:
    """A label's Vietnamese name (classifiers/labels.yaml)."""
    from classifiers.labels import load_labels

    return next((s.name_vi for s in load_labels() if s.key == label), label)
