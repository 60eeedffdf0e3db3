"""Fact base, drafts, cases and reports pages: roles, CSRF, versions, escaping, downloads."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from monitor.respond import cases, rebuttal
from monitor.respond.facts import EXAMPLE, get_fact, import_facts, load_yaml
from monitor.vocabulary import User
from tests.review.seeding import Spec, seed

ADMIN = User(0, "admin", "admin")

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'
TEXT = (
    "Người dân phản ánh nhiều điều. Giấy phép xây dựng nhà ở riêng lẻ tại thành phố Lạng Sơn "
    f"phải chờ ba tháng {HOSTILE} và nộp thêm lệ phí ngoài quy định. Trời hôm nay đẹp."
)
EVIDENCE = {"distorted": [{"phrase": "phải chờ ba tháng", "weight": 1.0}]}
FACT_FORM = {
    "id": "VD-THU-01", "statement": "Sở Xây dựng cấp phép trong 15 ngày.",
    "doc_number": "12/QĐ-SXD", "doc_date": "2020-01-02", "issuer": "Sở Xây dựng",
    "valid_from": "2020-01-02",
    "topics": "cấp phép, xây dựng",
}  # fmt: skip


def _signed_off(engine, client_as) -> int:
    """A story confirmed distorted by the analyst and signed off by the lead, through the web."""
    [item] = seed(engine, [Spec("Cấp phép chậm " + HOSTILE, text=TEXT, evidence=EVIDENCE)])
    with engine.begin() as conn:
        import_facts(conn, ADMIN, load_yaml(EXAMPLE))
    analyst, lead = client_as("analyst"), client_as("lead")
    verdict = {"verdict": "confirm_distorted", "reason": "Sai", "csrf_token": analyst.csrf}
    assert analyst.post(f"/items/{item}/verdict", data=verdict).status_code == 200
    signoff = lead.post(f"/items/{item}/signoff", data={"csrf_token": lead.csrf})
    assert signoff.status_code == 200
    return item


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("analyst", {"/facts", "/cases", "/reports"}), ("lead", {"/facts", "/cases", "/reports"}),
     ("writer", {"/facts", "/reports"}), ("admin", {"/facts", "/cases", "/reports"})],
)  # fmt: skip
def test_roles_on_the_new_pages(client_as, role, allowed) -> None:
    client = client_as(role)
    for page in ("/facts", "/cases", "/reports"):
        assert client.get(page).status_code == (200 if page in allowed else 403), page
    navigation = client.get("/reports").text
    assert 'href="/reports"' in navigation and ('href="/cases"' in navigation) == (role != "writer")


def test_only_admins_edit_facts_and_every_write_needs_csrf(engine, client_as) -> None:
    admin, analyst = client_as("admin"), client_as("analyst")
    assert analyst.post("/facts", data={**FACT_FORM, "csrf_token": analyst.csrf}).status_code == 403
    assert admin.post("/facts", data=FACT_FORM).status_code == 403  # no token
    saved = admin.post(
        "/facts", data={**FACT_FORM, "csrf_token": admin.csrf}, follow_redirects=False
    )
    assert saved.status_code == 303
    withdraw = admin.post("/facts/VD-THU-01/active", data={"active": "0", "csrf_token": admin.csrf})
    assert withdraw.status_code == 200
    edited = {
        **FACT_FORM,
        "statement": "Sở Xây dựng cấp phép trong 10 ngày.",
        "csrf_token": admin.csrf,
    }
    assert admin.post("/facts", data=edited).status_code == 200
    with engine.connect() as conn:
        fact = get_fact(conn, "VD-THU-01")
    assert fact.statement.endswith("10 ngày.") and not fact.active  # withdrawal kept
    assert "Sở Xây dựng cấp phép trong 10 ngày." in client_as("writer").get("/facts").text
    bad = admin.post("/facts", data={**FACT_FORM, "doc_date": "hôm qua", "csrf_token": admin.csrf})
    assert bad.status_code == 400


def test_fact_import_from_an_uploaded_yaml(engine, client_as) -> None:
    admin = client_as("admin")
    upload = {"file": ("facts.yaml", EXAMPLE.read_bytes(), "application/x-yaml")}
    assert admin.post("/facts/import", files=upload).status_code == 403  # no token
    done = admin.post("/facts/import", files=upload, data={"csrf_token": admin.csrf})
    assert done.status_code == 200 and "VD-GP-01" in done.text
    broken = {"file": ("x.yaml", b"facts: [{id: 1}]", "application/x-yaml")}
    assert (
        admin.post("/facts/import", files=broken, data={"csrf_token": admin.csrf}).status_code
        == 400
    )


def test_draft_create_edit_versions_and_downloads(engine, client_as) -> None:
    item = _signed_off(engine, client_as)
    analyst, writer = client_as("analyst"), client_as("writer")
    assert f"/items/{item}/draft" in analyst.get(f"/items/{item}").text
    assert writer.post(f"/items/{item}/draft", data={"csrf_token": writer.csrf}).status_code == 403
    assert analyst.post(f"/items/{item}/draft").status_code == 403  # no token
    assert (
        analyst.post(f"/items/{item}/draft", data={"csrf_token": analyst.csrf}).status_code == 200
    )
    page = analyst.get(f"/items/{item}/draft").text
    assert "VD-GP-01" in page and "v1" in page
    with engine.connect() as conn:
        body = rebuttal.latest_draft(conn, item).body
    edit = {"body": body + "\nĐã rà soát.", "note": "sửa câu chữ", "csrf_token": analyst.csrf}
    assert analyst.post(f"/items/{item}/draft/edit", data=edit).status_code == 200
    with engine.connect() as conn:
        history = rebuttal.versions(conn, item)
    assert [d.version for d in history] == [2, 1] and history[0].note == "sửa câu chữ"
    assert history[1].body == body  # the old version is kept as it was
    invented = {"body": "Sai [VD-KHONG-CO, 1/QĐ, 01/01/2020].", "csrf_token": analyst.csrf}
    assert analyst.post(f"/items/{item}/draft/edit", data=invented).status_code == 400
    md = analyst.get(f"/items/{item}/draft.md?version=2")
    assert md.text.endswith("Đã rà soát.\n") and "attachment" in md.headers["content-disposition"]
    old = analyst.get(f"/items/{item}/draft.docx?version=1")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(old.content)).paragraphs)
    assert "VD-GP-01" in text and "Đã rà soát." not in text
    assert analyst.get(f"/items/{item}/draft?version=9").status_code == 404
    assert writer.get(f"/items/{item}/draft").status_code == 403


def test_hostile_claim_text_is_escaped_in_the_draft_page(engine, client_as) -> None:
    item = _signed_off(engine, client_as)
    analyst = client_as("analyst")
    analyst.post(f"/items/{item}/draft", data={"csrf_token": analyst.csrf})
    with engine.connect() as conn:
        claims = rebuttal.latest_draft(conn, item).claims
    assert any(HOSTILE in c["sentence"] for c in claims)  # the hostile text is in a claim
    for role in ("analyst", "admin"):  # textarea (editor) and read-only view
        html = client_as(role).get(f"/items/{item}/draft").text
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_case_opened_from_the_draft_and_each_step_recorded(engine, client_as) -> None:
    item = _signed_off(engine, client_as)
    analyst, lead = client_as("analyst"), client_as("lead")
    analyst.post(f"/items/{item}/draft", data={"csrf_token": analyst.csrf})
    form = {"kind": "rebuttal", "channel": "correction_request", "csrf_token": analyst.csrf}
    assert client_as("writer").post(f"/items/{item}/cases", data=form).status_code == 403
    opened = analyst.post(f"/items/{item}/cases", data=form, follow_redirects=False)
    assert opened.status_code == 303
    case_id = int(opened.headers["location"].rsplit("/", 1)[1])
    assert lead.post(f"/cases/{case_id}/sent", data={"csrf_token": lead.csrf}).status_code == 400
    by_analyst = {"text": "Nguyễn Văn A", "csrf_token": analyst.csrf}
    assert analyst.post(f"/cases/{case_id}/approve", data=by_analyst).status_code == 403
    # The citations are compared with their documents before the approval is recorded.
    assert "căn cứ chưa được đối chiếu" in lead.get(f"/cases/{case_id}").text
    early = {"text": "Nguyễn Văn A", "csrf_token": lead.csrf}
    refused = lead.post(f"/cases/{case_id}/approve", data=early)
    assert refused.status_code == 400 and "chưa được đối chiếu" in refused.text
    page = analyst.get(f"/items/{item}/draft").text
    assert 'id="citation-check"' in page and "Tôi đã đối chiếu từng căn cứ" in page
    check = {"version": "1", "csrf_token": analyst.csrf}
    assert client_as("writer").post(f"/items/{item}/draft/check", data=check).status_code == 403
    assert analyst.post(f"/items/{item}/draft/check", data={"version": "1"}).status_code == 403
    assert analyst.post(f"/items/{item}/draft/check", data=check).status_code == 200
    assert "Căn cứ đã được đối chiếu bởi" in lead.get(f"/cases/{case_id}").text
    page = lead.get(f"/items/{item}/draft").text
    assert "Căn cứ đã được đối chiếu bởi" in page and 'id="citation-check"' not in page
    again = analyst.post(f"/items/{item}/draft/check", data=check)
    assert again.status_code == 400 and "đã được" in again.text
    steps = [("approve", "Nguyễn Văn A", "2020-03-06T09:00"), ("sent", "", "2020-03-06T10:30"),
             ("answer", "Tòa soạn đồng ý cải chính", ""),
             ("correction", "https://bao.example.vn/cai-chinh", "2020-03-08T08:00")]  # fmt: skip
    for step, text, at in steps:
        done = lead.post(
            f"/cases/{case_id}/{step}", data={"text": text, "at": at, "csrf_token": lead.csrf}
        )
        assert done.status_code == 200, (step, done.text[-300:])
    assert lead.post(f"/cases/{case_id}/approve", data={"text": "x"}).status_code == 403  # no token
    with engine.connect() as conn:
        case = cases.get_case(conn, case_id)
    assert case.status == "corrected" and case.approved_by == "Nguyễn Văn A"
    assert case.sent_at.isoformat().startswith("2020-03-06T03:30")  # local 10:30 stored in UTC
    assert case.draft_id is not None
    # A version composed after the approval is not what was approved: the case shows v1.
    analyst.post(f"/items/{item}/draft", data={"csrf_token": analyst.csrf})
    page = lead.get(f"/cases/{case_id}").text
    assert "phiên bản được duyệt" in page and "?version=1" in page
    assert "căn cứ chưa được đối chiếu" not in page
    listing = analyst.get(f"/cases?item={item}").text
    assert "https://bao.example.vn/cai-chinh" in listing and "&lt;script&gt;" in listing
    assert "<script>alert" not in analyst.get(f"/cases/{case_id}").text


def test_reports_download_for_writers_and_bad_input(engine, client_as) -> None:
    seed(engine, [Spec("a"), Spec("b", relevant=False, flagged=None)])
    writer = client_as("writer")
    for fmt, magic in (("pdf", b"%PDF"), ("docx", b"PK"), ("html", b"<!doctype html>")):
        got = writer.get(f"/reports/digest?week=2026-W47&format={fmt}")
        assert got.status_code == 200 and got.content.startswith(magic), fmt
    report = writer.get("/reports/yearly.docx?year=2026")
    assert report.status_code == 200 and report.content.startswith(b"PK")
    archive = zipfile.ZipFile(io.BytesIO(writer.get("/reports/yearly-csv.zip?year=2026").content))
    names = archive.namelist()
    assert "bao-cao-2026/tong_hop.csv" in names and "bao-cao-2026/dinh_nghia.csv" in names
    totals = archive.read("bao-cao-2026/tong_hop.csv").decode("utf-8-sig").splitlines()
    assert totals[1].startswith("2026,2,1")
    assert writer.get("/reports/digest?week=2026-53x").status_code == 400
    assert writer.get("/reports/yearly.docx?year=1890").status_code == 400
    assert writer.get("/reports/digest?week=2026-W47&format=exe").status_code == 400
