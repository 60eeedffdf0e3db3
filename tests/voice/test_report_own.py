"""The yearly report's own-work figures agree with `monitor export` and with the uptake the
store holds; the report has its new sections and CSV files."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import docx
from sqlalchemy import update

from monitor.config import load_settings
from monitor.reports import yearly
from monitor.store.queries import export_rows
from monitor.store.tables import items, sources
from monitor.voice.output import year_bounds
from monitor.voice.uptake import refresh_uptake
from tests.review.seeding import Spec, seed

TEXT = ("Sở Xây dựng tỉnh Lạng Sơn công bố giá vật liệu xây dựng tháng 11 năm 2026 để các chủ "
        "đầu tư áp dụng khi lập dự toán công trình.")  # fmt: skip


def test_own_posts_in_the_report_equal_the_export(engine, tmp_path) -> None:
    at = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
    ids = seed(engine, [
        Spec("Giá vật liệu tháng 11", source="sxd", text=TEXT, flagged=None),
        Spec("Giá vật liệu tháng 11", source="baolangson", text=TEXT, cluster=0, flagged=None),
        Spec("Tập huấn thông tin đối ngoại", source="sxd", flagged=None),
        Spec("Bài năm trước", source="sxd", flagged=None),
    ])  # fmt: skip
    with engine.begin() as conn:
        conn.execute(update(sources).where(sources.c.id == "sxd").values(own=True))
        for item_id, moment in ((ids[0], at), (ids[1], at + timedelta(hours=5)),
                                (ids[2], at - timedelta(days=40)),
                                (ids[3], datetime(2025, 12, 31, 16, 59, tzinfo=UTC))):  # fmt: skip
            conn.execute(update(items).where(items.c.id == item_id)
                         .values(published_at=moment, fetched_at=moment))  # fmt: skip
    refresh_uptake(engine, now=at + timedelta(days=1), days=None)
    with engine.connect() as conn:
        report = yearly.compute(conn, 2026)
        start, end = year_bounds(2026)
        exported = [r for r in export_rows(conn, since=start, until=end) if r["own"]]
    assert sum(report.own_by_month.values()) == report.uptake.posts == len(exported) == 2
    assert report.own_by_month["2026-11"] == 1 and report.own_by_month["2026-10"] == 1
    assert (report.uptake.picked, report.uptake.by_outlet) == (1, [("Báo baolangson", 1)])

    text = "\n".join(p.text for p in docx.Document(io.BytesIO(
        yearly.render_docx(report, load_settings({})))).paragraphs)  # fmt: skip
    assert "Kết quả công tác thông tin đối ngoại năm 2026" in text
    assert "I. KẾT QUẢ CÔNG TÁC THÔNG TIN ĐỐI NGOẠI CỦA SỞ" in text
    assert "1/2 tin bài (50%) được ít nhất một cơ quan báo chí đăng lại" in text
    assert "II. THEO DÕI, PHẢN BÁC THÔNG TIN SAI LỆCH" in text and "III. ĐÁNH GIÁ" in text
    assert "PHỤ LỤC 2. TIN BÀI CỦA SỞ" in text and "PHỤ LỤC 4. ĐỊNH NGHĨA" in text
    yearly.write_csvs(report, tmp_path)
    with (tmp_path / "tin_cua_so_theo_thang.csv").open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert sum(int(r[1]) for r in rows[1:]) == 2
    with (tmp_path / "phu_luc_tin_cua_so.csv").open(encoding="utf-8-sig") as fh:
        listed = list(csv.reader(fh))[1:]
    assert [r[1] for r in listed] == [str(ids[2]), str(ids[0])]
    assert "Báo baolangson (đăng lại, 5.0)" in listed[1][6]
    definitions = " ".join(row[0] for row in yearly.definitions(report))
    assert "Tin bài của Sở" in definitions and "Báo chí đăng lại, trích dẫn" in definitions
