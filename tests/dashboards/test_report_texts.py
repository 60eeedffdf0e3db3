"""The yearly report's assessment and directions: written by a writer or a lead in the reports
page (CSRF-checked, audited, stored), printed in the DOCX as written, plainly marked when not
written (never invented)."""

from __future__ import annotations

import io
import json

import docx

from monitor.reports import yearly

HOSTILE = "<script>alert(1)</script> Tăng 20% số tin được xác minh."
FORM = {"year": "2026", "results": HOSTILE, "limits": "Thiếu nhân lực.\nChưa phủ mạng xã hội.",
        "causes": "", "directions": "Mở rộng nguồn theo dõi."}  # fmt: skip


def _docx_text(response) -> str:  # noqa: ANN001
    assert response.status_code == 200
    return "\n".join(p.text for p in docx.Document(io.BytesIO(response.content)).paragraphs)


def test_unwritten_sections_are_said_to_be_unwritten(client_as) -> None:
    text = _docx_text(client_as("writer").get("/reports/yearly.docx?year=2026"))
    assert "III. ĐÁNH GIÁ" in text and "IV. PHƯƠNG HƯỚNG NĂM 2027" in text
    assert text.count(yearly.NOT_WRITTEN) == 4


def test_writer_enters_the_assessment_and_the_report_prints_it(client_as) -> None:
    writer = client_as("writer")
    page = writer.get("/reports?year=2026")
    assert 'action="/reports/yearly/texts"' in page.text and 'name="csrf_token"' in page.text
    assert writer.post("/reports/yearly/texts", data=FORM).status_code == 403  # no token
    saved = writer.post("/reports/yearly/texts", data={**FORM, "csrf_token": writer.csrf},
                        follow_redirects=False)  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"].startswith("/reports?year=2026")
    again = writer.get("/reports?year=2026&saved=1").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in again and "<script>alert(1)" not in again
    assert "Đã lưu." in again
    text = _docx_text(writer.get("/reports/yearly.docx?year=2026"))
    assert HOSTILE in text and "Thiếu nhân lực." in text and "Chưa phủ mạng xã hội." in text
    assert "Mở rộng nguồn theo dõi." in text
    assert text.count(yearly.NOT_WRITTEN) == 1  # causes was left blank
    untouched = _docx_text(writer.get("/reports/yearly.docx?year=2025"))
    assert untouched.count(yearly.NOT_WRITTEN) == 4  # another year has its own texts


def test_only_writers_and_leads_write_and_every_edit_is_audited(client_as) -> None:
    analyst, lead = client_as("analyst"), client_as("lead")
    denied = analyst.post("/reports/yearly/texts", data={**FORM, "csrf_token": analyst.csrf})
    assert denied.status_code == 403
    assert 'action="/reports/yearly/texts"' not in analyst.get("/reports").text
    form = {**FORM, "csrf_token": lead.csrf}
    assert lead.post("/reports/yearly/texts", data=form).status_code == 200  # after redirect
    lead.post("/reports/yearly/texts", data={**form, "limits": ""})
    lead.post("/reports/yearly/texts", data={**form, "limits": ""})  # unchanged: no entry
    entries = [e for e in json.loads(lead.get("/audit/export?format=json").text)
               if e["action"] == "report_text"]  # fmt: skip
    assert len(entries) == 2 and entries[0]["entity"] == "report"
    assert entries[0]["entity_id"] == "2026" and entries[0]["actor"] == "lead"
    assert entries[1]["before"] == {"limits": FORM["limits"]}
    assert entries[1]["after"] == {"limits": ""}
    assert "Sửa phần đánh giá của báo cáo năm" in lead.get("/audit").text
    bad = lead.post("/reports/yearly/texts", data={**form, "year": "1890"})
    assert bad.status_code == 400
