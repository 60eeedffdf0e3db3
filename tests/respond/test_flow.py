"""Facts, a rebuttal draft that cites only existing facts, versions and cases, end to end."""

from __future__ import annotations

import io

import docx
import pytest
from sqlalchemy import func, select

from monitor.config import load_settings
from monitor.respond import InvalidInput, cases
from monitor.respond.facts import EXAMPLE, import_facts, list_facts, load_yaml
from monitor.respond.rebuttal import (
    UNMATCHED,
    cited_ids,
    create_draft,
    edit_draft,
    render_docx,
    versions,
)
from monitor.review import verdicts
from monitor.review.users import User
from monitor.store.tables import audit_log
from tests.review.seeding import Spec, seed

TEXT = (
    "Người dân phản ánh nhiều điều. Giấy phép xây dựng nhà ở riêng lẻ tại thành phố Lạng Sơn "
    "phải chờ ba tháng và nộp thêm lệ phí ngoài quy định. Chủ tịch tỉnh đi du lịch nước ngoài "
    "bằng tiền quỹ từ thiện."
)
EVIDENCE = {"distorted": [{"phrase": "phải chờ ba tháng", "weight": 1.0},
                          {"phrase": "du lịch nước ngoài", "weight": 0.8}]}  # fmt: skip


def _signed_off(engine) -> int:
    [item] = seed(engine, [Spec("Cấp phép chậm", text=TEXT, evidence=EVIDENCE)])
    with engine.begin() as conn:
        import_facts(conn, "admin", load_yaml(EXAMPLE))
        verdicts.record_verdict(conn, User(1, "anna", "analyst"), item, "confirm_distorted", "Sai")
        verdicts.sign_off(conn, User(2, "lan", "lead"), item)
    return item


def test_example_fact_base_imports_and_is_audited(engine) -> None:
    with engine.begin() as conn:
        first = import_facts(conn, "admin", load_yaml(EXAMPLE))
        again = import_facts(conn, "admin", load_yaml(EXAMPLE))
        n_audit = conn.scalar(select(func.count()).where(audit_log.c.action == "fact_save"))
    assert first.added == 9 and again.unchanged == 9
    assert n_audit == 9


def test_draft_cites_only_existing_facts_and_marks_unmatched_claims(engine) -> None:
    item = _signed_off(engine)
    settings = load_settings({})
    with engine.begin() as conn:
        draft = create_draft(conn, item, "anna", settings)
        known = {f.id for f in list_facts(conn)}
    assert [c["facts"][0]["id"] for c in draft.claims if c["facts"]] == ["VD-GP-01"]
    assert draft.unmatched == 1 and UNMATCHED in draft.body
    assert set(cited_ids(draft.body)) == set(draft.fact_ids) <= known
    assert "[VD-GP-01, 0001/TB-SXD (ví dụ), 06/01/2020]" in draft.body
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(render_docx(draft, settings)))
                     .paragraphs)  # fmt: skip
    assert "VD-GP-01" in text and "Nghị định số 09/2017/NĐ-CP" in text


def test_edits_add_versions_and_unknown_citations_are_refused(engine) -> None:
    item = _signed_off(engine)
    with engine.begin() as conn:
        first = create_draft(conn, item, "anna", load_settings({}))
        second = edit_draft(conn, item, "anna", first.body.replace("Về nội dung 1", "Nội dung 1"))
        with pytest.raises(InvalidInput, match="XX-1"):
            edit_draft(conn, item, "anna", first.body + "\nBịa đặt [XX-1, 1/QĐ, 01/01/2020].")
        assert [d.version for d in versions(conn, item)] == [2, 1] and second.version == 2


def test_draft_needs_sign_off(engine) -> None:
    [item] = seed(engine, [Spec("Chưa duyệt", text=TEXT, evidence=EVIDENCE)])
    with engine.begin() as conn, pytest.raises(InvalidInput, match="signed off"):
        create_draft(conn, item, "anna", load_settings({}))


def test_case_lifecycle_is_recorded_and_audited(engine) -> None:
    item = _signed_off(engine)
    with engine.begin() as conn:
        case = cases.open_case(conn, "anna", item, "rebuttal", channel="correction_request")
        with pytest.raises(InvalidInput, match="approval"):
            cases.mark_sent(conn, "anna", case.id)
        cases.approve(conn, "lan", case.id, "Nguyễn Văn A")
        cases.mark_sent(conn, "anna", case.id)
        cases.record_answer(conn, "anna", case.id, "Tòa soạn đồng ý cải chính.")
        done = cases.record_correction(conn, "anna", case.id, "https://bao.vn/cai-chinh")
        n_audit = conn.scalar(select(func.count()).where(audit_log.c.entity == "case"))
    assert done.status == "corrected" and done.approved_by == "Nguyễn Văn A"
    assert n_audit == 5
