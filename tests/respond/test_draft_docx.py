"""The rebuttal draft as DOCX carries the Decree 30/2020 header and foot, the same block as the
yearly report's (monitor/docxfmt.py)."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import docx

from monitor import docxfmt
from monitor.config import load_settings
from monitor.respond.rebuttal import Draft, render_docx

BODY = "# DỰ THẢO THÔNG TIN PHẢN HỒI\n\n## 1. Nội dung đã đăng\n\n- Cơ quan báo chí: <b>X</b>\n"


def _cells(table) -> list[str]:  # noqa: ANN001
    return [cell.text for cell in table.rows[0].cells]


def test_draft_docx_has_the_decree_header_and_foot() -> None:
    settings = load_settings({})
    draft = Draft(1, 7, 2, BODY, [], [], 0, "anna", "", datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    doc = docx.Document(io.BytesIO(render_docx(draft, settings)))
    first, last = doc.tables[0], doc.tables[-1]
    agency, nation = _cells(first)
    assert settings.parent_agency in agency and settings.agency_name in agency
    assert "Số: ……/SXD-VP" in agency
    assert nation.splitlines()[:2] == [docxfmt.NATION, docxfmt.MOTTO]
    assert docxfmt.PLACE_DATE in nation
    recipients, signature = _cells(last)
    assert recipients.startswith("Nơi nhận:") and "Lưu: VT" in recipients
    assert "GIÁM ĐỐC" in signature and "(Ký, ghi rõ họ tên, đóng dấu)" in signature
    # The header comes first, the body after it, the foot after the body.
    body = doc.element.body
    order = [child.tag.rsplit("}", 1)[1] for child in body.iterchildren()]
    assert order[0] == "tbl" and order.count("tbl") == 2
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "DỰ THẢO THÔNG TIN PHẢN HỒI" in text and "Cơ quan báo chí: <b>X</b>" in text
    assert "Phiên bản 2, 02/03/2026 10:00, anna." in text
    assert round(doc.sections[0].left_margin.mm) == 30


def test_yearly_report_uses_the_same_header() -> None:
    from monitor.reports import yearly

    assert (yearly.HEADER_NATION, yearly.HEADER_MOTTO) == (docxfmt.NATION, docxfmt.MOTTO)
    assert not hasattr(yearly, "_two_columns")  # one header block, in monitor/docxfmt.py
