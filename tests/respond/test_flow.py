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
    check_draft,
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

ADMIN = User(0, "admin", "admin")
ANNA = User(0, "anna", "analyst")
LAN = User(0, "lan", "lead")

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
        import_facts(conn, ADMIN, load_yaml(EXAMPLE))
        verdicts.record_verdict(conn, User(1, "anna", "analyst"), item, "confirm_distorted", "Sai")
        verdicts.sign_off(conn, User(2, "lan", "lead"), item)
    return item


def test_example_fact_base_imports_and_is_audited(engine) -> None:
    with engine.begin() as conn:
        first = import_facts(conn, ADMIN, load_yaml(EXAMPLE))
        again = import_facts(conn, ADMIN, load_yaml(EXAMPLE))
        n_audit = conn.scalar(select(func.count()).where(audit_log.c.action == "fact_save"))
    assert first.added == 9 and again.unchanged == 9
    assert n_audit == 9


def test_draft_cites_only_existing_facts_and_marks_unmatched_claims(engine) -> None:
    item = _signed_off(engine)
    settings = load_settings({})
    with engine.begin() as conn:
        draft = create_draft(conn, item, ANNA, settings)
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
        first = create_draft(conn, item, ANNA, load_settings({}))
        second = edit_draft(conn, item, ANNA, first.body.replace("Về nội dung 1", "Nội dung 1"))
        with pytest.raises(InvalidInput, match="XX-1"):
            edit_draft(conn, item, ANNA, first.body + "\nBịa đặt [XX-1, 1/QĐ, 01/01/2020].")
        assert [d.version for d in versions(conn, item)] == [2, 1] and second.version == 2


def test_draft_needs_sign_off(engine) -> None:
    [item] = seed(engine, [Spec("Chưa duyệt", text=TEXT, evidence=EVIDENCE)])
    with engine.begin() as conn, pytest.raises(InvalidInput, match="signed off"):
        create_draft(conn, item, ANNA, load_settings({}))


def test_case_lifecycle_is_recorded_and_audited(engine) -> None:
    item = _signed_off(engine)
    with engine.begin() as conn:
        case = cases.open_case(conn, ANNA, item, "rebuttal", channel="correction_request")
        with pytest.raises(InvalidInput, match="approval"):
            cases.mark_sent(conn, ANNA, case.id)
        check_draft(conn, item, create_draft(conn, item, ANNA, load_settings({})).version, ANNA)
        cases.approve(conn, LAN, case.id, "Nguyễn Văn A")
        cases.mark_sent(conn, ANNA, case.id)
        cases.record_answer(conn, ANNA, case.id, "Tòa soạn đồng ý cải chính.")
        done = cases.record_correction(conn, ANNA, case.id, "https://bao.vn/cai-chinh")
        n_audit = conn.scalar(select(func.count()).where(audit_log.c.entity == "case"))
    assert done.status == "corrected" and done.approved_by == "Nguyễn Văn A"
    assert n_audit == 5


def test_approval_waits_for_a_named_check_of_the_latest_version(engine) -> None:
    """Retrieval can cite a fact about something else, so a person compares every citation
    with its document; an edit is a new version, checked again; approval pins that version."""
    item = _signed_off(engine)
    with engine.begin() as conn:
        first = create_draft(conn, item, ANNA, load_settings({}))
        assert first.fact_ids and first.needs_check
        case = cases.open_case(conn, ANNA, item, "rebuttal", channel="correction_request",
                               draft_id=first.id)  # fmt: skip
        with pytest.raises(InvalidInput, match="draft version 1 cites .* nobody has compared"):
            cases.approve(conn, LAN, case.id, "Nguyễn Văn A")
        checked = check_draft(conn, item, 1, ANNA)
        assert checked.checked_by == "anna" and not checked.needs_check
        with pytest.raises(InvalidInput, match="already checked by anna"):
            check_draft(conn, item, 1, LAN)
        second = edit_draft(conn, item, ANNA, first.body + "\nĐã rà soát.")
        assert second.needs_check  # the edit is a new version: checked again
        with pytest.raises(InvalidInput, match="draft version 2"):
            cases.approve(conn, LAN, case.id, "Nguyễn Văn A")
        check_draft(conn, item, 2, LAN)
        approved = cases.approve(conn, LAN, case.id, "Nguyễn Văn A")
        actions = conn.scalars(select(audit_log.c.action).where(audit_log.c.entity == "item")).all()
    assert approved.status == "approved" and approved.draft_id == second.id
    assert actions.count("draft_check") == 2


def test_respond_functions_check_the_role_as_review_does(engine) -> None:
    """The same permission table as the dashboard: an analyst does not record the
    spokesperson's approval, a writer neither drafts nor opens cases, nobody but an admin
    changes the fact base, and a deactivated lead can do nothing."""
    from monitor.vocabulary import PermissionDenied

    item = _signed_off(engine)
    writer, gone = User(0, "viet", "writer"), User(0, "cu", "lead", active=False)
    with engine.begin() as conn:
        case = cases.open_case(conn, ANNA, item, "rebuttal", channel="correction_request")
        for refused in (
            lambda: cases.approve(conn, ANNA, case.id, "Nguyễn Văn A"),
            lambda: cases.approve(conn, gone, case.id, "Nguyễn Văn A"),
            lambda: create_draft(conn, item, writer, load_settings({})),
            lambda: check_draft(conn, item, 1, writer),
            lambda: cases.close(conn, writer, case.id, "xong"),
            lambda: import_facts(conn, LAN, load_yaml(EXAMPLE)),
        ):
            with pytest.raises(PermissionDenied):
                refused()


def test_cli_checks_a_version_by_name(engine, db_url, monkeypatch, capsys) -> None:
    from monitor.cli import main

    item = _signed_off(engine)
    monkeypatch.setenv("MONITOR_DATABASE_URL", db_url)
    assert main(["draft", str(item)]) == 0  # composes version 1
    out = capsys.readouterr().out
    assert f"draft {item} --check 1 --by NAME" in out  # says what is left to do
    assert main(["draft", str(item), "--check", "1"]) == 2
    assert "--by NAME" in capsys.readouterr().err
    assert main(["draft", str(item), "--check", "1", "--by", "Nguyễn Văn A"]) == 0
    assert "checked by Nguyễn Văn A" in capsys.readouterr().out
    with engine.connect() as conn:
        assert versions(conn, item)[0].checked_by == "Nguyễn Văn A"
