"""The activity register and the plan in the dashboard (/activities) and the plan on the
overview: writers and leads write, admins read, analysts are refused; every POST needs the
CSRF token; entered text is escaped; a bad file shows its lines and imports nothing."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dashboards.app import create_app
from monitor.config import load_settings
from monitor.review.audit import entries
from monitor.review.users import add_user
from monitor.store.tables import activities
from monitor.vocabulary import OPERATOR
from monitor.voice.activities import import_activities_data
from tests.voice.seed_voice import items_and_case

from .conftest import PASSWORD, ROLES

DATA = Path(__file__).resolve().parents[2] / "monitor" / "data"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture
def app(engine, db_url, monkeypatch, tmp_path):
    """The dashboard with the evidence directory (attachments) in tmp_path."""
    monkeypatch.delenv("MONITOR_SECRET_KEY", raising=False)
    with engine.begin() as conn:
        for role in ROLES:
            add_user(conn, role, role, PASSWORD)
    settings = load_settings(
        database_url=db_url,
        evidence_dir=str(tmp_path / "evidence"),
        secret_key_file=str(tmp_path / "secret.key"),
    )
    return create_app(settings, engine=engine)


def _count(engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(activities)))


def _form(client, **values: str) -> dict[str, str]:
    base = {
        "day": "20/01/2026",
        "kind": "press_conference",
        "title": "Họp báo cao tốc",
        "place": "",
        "participants": "",
        "partner": "",
        "note": "",
        "items": "",
        "cases": "",
        "csrf_token": client.csrf,
    }
    return {**base, **values}


def test_who_reads_and_who_writes(client_as, engine) -> None:
    import_activities_data(engine, OPERATOR, "a.csv", b"day,kind,title\n2026-01-20,training,T\n")
    for role in ("writer", "lead"):
        page = client_as(role).get("/activities?year=2026")
        assert page.status_code == 200
        assert "Hoạt động đối ngoại" in page.text and 'id="activity-form"' in page.text
        assert 'href="/activities"' in page.text  # in the menu
        assert '<input name="items" value=""' in page.text  # the blank form is blank
    admin = client_as("admin")
    page = admin.get("/activities?year=2026")
    assert page.status_code == 200 and "Tập huấn" in page.text
    assert 'id="activity-form"' not in page.text and 'id="import-form"' not in page.text
    assert admin.post("/activities", data=_form(admin)).status_code == 403
    analyst = client_as("analyst")
    assert analyst.get("/activities").status_code == 403
    assert 'href="/activities"' not in analyst.get("/overview").text
    assert analyst.post("/activities", data=_form(analyst)).status_code == 403
    assert _count(engine) == 1


def test_a_writer_adds_edits_and_deletes_with_links(client_as, engine) -> None:
    (item, _), case = items_and_case(engine)
    writer = client_as("writer")
    done = writer.post(
        "/activities",
        data=_form(writer, items=f"{item}", cases=f"{case}", partner="Báo Lạng Sơn"),
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/activities?year=2026")
    page = writer.get(done.headers["location"])
    assert "Đã thêm hoạt động." in page.text and "Họp báo cao tốc" in page.text
    assert f"Bài {item}" in page.text and f"Hồ sơ {case}" in page.text
    with engine.connect() as conn:
        [entry] = entries(conn, entity="activity")
    activity_id = int(entry.entity_id)
    assert entry.actor == "writer" and entry.action == "activity_add"

    edit = writer.get(f"/activities?year=2026&edit={activity_id}")
    assert f'action="/activities/{activity_id}"' in edit.text and "Sửa hoạt động" in edit.text
    changed = writer.post(
        f"/activities/{activity_id}",
        data=_form(writer, title="Họp báo về cao tốc", day="2026-01-21"),
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert "Họp báo về cao tốc" in writer.get("/activities?year=2026").text
    gone = writer.post(
        f"/activities/{activity_id}/delete",
        data={"csrf_token": writer.csrf},
        follow_redirects=False,
    )
    assert gone.status_code == 303 and _count(engine) == 0
    assert (
        writer.post("/activities/999/delete", data={"csrf_token": writer.csrf}).status_code == 404
    )
    with engine.connect() as conn:
        actions = [e.action for e in entries(conn, entity="activity", newest_first=False)]
    assert actions == ["activity_add", "activity_update", "activity_delete"]


def test_mistakes_in_the_form_are_shown_in_vietnamese_with_the_values_kept(
    client_as, engine
) -> None:
    lead = client_as("lead")
    page = lead.post(
        "/activities", data=_form(lead, day="31/02/2026", kind="hop", title="Giữ lại", items="999")
    )
    assert page.status_code == 400
    assert "«31/02/2026» không phải là ngày" in page.text
    assert "«hop» không phải là loại hoạt động" in page.text
    assert 'value="Giữ lại"' in page.text
    page = lead.post("/activities", data=_form(lead, items="999"))
    assert page.status_code == 400 and "Không có bài số 999." in page.text
    assert _count(engine) == 0


def test_csrf_is_required_on_every_post(client_as, engine) -> None:
    writer = client_as("writer")
    data = _form(writer)
    data.pop("csrf_token")
    assert writer.post("/activities", data=data).status_code == 403
    assert writer.post("/activities", data={**data, "csrf_token": "sai"}).status_code == 403
    files = {"file": ("a.csv", b"day,kind,title\n2026-01-20,training,T\n", "text/csv")}
    assert writer.post("/activities/import", files=files).status_code == 403
    assert (
        writer.post("/activities/plan", files={"file": ("p.yaml", b"year: 2026\n")}).status_code
        == 403
    )
    assert _count(engine) == 0


def test_entered_text_is_escaped(client_as, engine) -> None:
    writer = client_as("writer")
    done = writer.post(
        "/activities", data=_form(writer, title=XSS, place=XSS, note=XSS), follow_redirects=False
    )
    assert done.status_code == 303
    page = writer.get("/activities?year=2026").text
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    bad = writer.post("/activities", data=_form(writer, kind=XSS, title="x"))
    assert bad.status_code == 400 and "<script>alert" not in bad.text


def test_import_shows_each_line_and_imports_nothing(client_as, engine) -> None:
    writer = client_as("writer")
    bad = (
        "day,kind,title\n2026-01-20,training,Tốt\n2026-13-01,training,Ngày sai\n"
        "2026-01-21,bay,Loại sai\n2026-01-20,Tập huấn,tốt\n"
    ).encode()
    page = writer.post(
        "/activities/import",
        data={"csrf_token": writer.csrf},
        files={"file": ("hoat-dong.csv", bad, "text/csv")},
    )
    assert page.status_code == 400
    assert "có 3 lỗi, chưa có dòng nào được nhập" in page.text
    assert "Dòng 3: «2026-13-01» không phải là ngày" in page.text
    assert "Dòng 4: «bay» không phải là loại hoạt động" in page.text
    assert "Dòng 5: Hoạt động trùng (cùng ngày, loại và tiêu đề) với dòng 2." in page.text
    assert _count(engine) == 0
    good = (DATA / "demo_activities.yaml").read_bytes()
    done = writer.post(
        "/activities/import",
        data={"csrf_token": writer.csrf},
        files={"file": ("demo.yaml", good, "application/yaml")},
        follow_redirects=False,
    )
    assert done.status_code == 303 and _count(engine) == 8
    assert "Đã nhập 8 hoạt động từ tệp." in writer.get(done.headers["location"]).text


def test_attachments_show_their_hash_and_download(client_as, engine, tmp_path: Path) -> None:
    import_activities_data(engine, OPERATOR, "a.csv", b"day,kind,title\n2026-04-08,delegation,D\n")
    with engine.connect() as conn:
        activity_id = conn.scalar(select(activities.c.id))
    writer = client_as("writer")
    data = "Biên bản hội đàm".encode()
    done = writer.post(
        f"/activities/{activity_id}/attachments",
        data={"csrf_token": writer.csrf},
        files={"file": ("biên bản.pdf", data, "application/pdf")},
        follow_redirects=False,
    )
    assert done.status_code == 303
    sha = hashlib.sha256(data).hexdigest()
    page = writer.get("/activities?year=2026").text
    assert f"SHA-256 {sha}" in page and "biên bản.pdf" in page
    assert (tmp_path / "evidence" / "activities" / sha).read_bytes() == data
    admin = client_as("admin")
    got = admin.get(f"/activities/{activity_id}/attachments/1")
    assert got.status_code == 200 and got.content == data
    assert got.headers["x-content-sha256"] == sha
    empty = writer.post(
        f"/activities/{activity_id}/attachments",
        data={"csrf_token": writer.csrf},
        files={"file": ("rong.txt", b"", "text/plain")},
    )
    assert empty.status_code == 400 and "Tệp đính kèm rỗng." in empty.text
    assert client_as("analyst").get(f"/activities/{activity_id}/attachments/1").status_code == 403


def test_plan_progress_on_the_page_and_the_overview(client_as, engine) -> None:
    writer = client_as("writer")
    import_activities_data(engine, OPERATOR, "a.yaml", (DATA / "demo_activities.yaml").read_bytes())
    bad = writer.post(
        "/activities/plan",
        data={"csrf_token": writer.csrf},
        files={"file": ("kh.yaml", b"year: 2026\ntargets:\n  foo: 1\n")},
    )
    assert bad.status_code == 400 and "Dòng 3: «foo» không phải là chỉ tiêu" in bad.text
    done = writer.post(
        "/activities/plan",
        data={"csrf_token": writer.csrf},
        files={"file": ("kh.yaml", (DATA / "demo_plan.yaml").read_bytes())},
        follow_redirects=False,
    )
    assert done.status_code == 303
    page = writer.get("/activities?year=2026").text
    assert "Kế hoạch năm 2026" in page and '<progress max="24" value="0"' in page
    assert 'data-plan="cooperation" class="plan-reached"' in page
    for role in ROLES:
        overview = client_as(role).get("/overview?period=year&year=2026").text
        assert 'id="overview-plan"' in overview and "Kế hoạch năm 2026" in overview
        assert "Hợp tác với địa phương Quảng Tây" in overview and "Đã hoàn thành" in overview
        assert ('href="/activities?year=2026#plan"' in overview) == (role != "analyst")
    assert 'id="overview-plan"' not in writer.get("/overview?period=year&year=2025").text
