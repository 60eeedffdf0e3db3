"""The command line (`monitor submit`, `monitor token`, the export's channel field) and the web
(POST /api/tips with a bearer token or the session and its CSRF token, the form, the item and
queue pages marking tips, the admin's tokens page)."""

from __future__ import annotations

import base64
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from monitor.cli import main
from monitor.devserver import Response
from monitor.store.tables import api_tokens, audit_log, items, tips
from monitor.tips import create_token, revoke_token
from monitor.vocabulary import OPERATOR
from tests.tips.conftest import CAO_TOC, RUMOUR, counts, crawled, png


@pytest.fixture
def cli(settings, monkeypatch, capsys):
    """`monitor ...` in this process with the test's settings; (status, stdout, stderr)."""
    for name in ("database_url", "evidence_dir", "models_dir"):
        monkeypatch.setenv(f"MONITOR_{name.upper()}", str(getattr(settings, name)))
    monkeypatch.setenv("MONITOR_TIP_ALLOW_PRIVATE", "true")

    def run(*args: str) -> tuple[int, str, str]:
        status = main(list(args))
        out, err = capsys.readouterr()
        return status, out, err

    return run


def test_cli_submit_prints_the_id_and_refuses_with_a_reason(cli, engine, server, tmp_path):
    status, out, err = cli("submit", "--url", server.url(CAO_TOC.path), "--seen-on", "facebook",
                           "--note", "nhiều lượt chia sẻ")  # fmt: skip
    assert status == 0 and err == ""
    first = json.loads(out)
    assert list(first) == ["id"] and out.count("\n") == 1
    status, out, _ = cli("submit", "--url", server.url(CAO_TOC.path))
    assert json.loads(out) == {"id": first["id"], "duplicate_of": first["id"]}

    text, image = tmp_path / "bai.txt", tmp_path / "anh.png"
    text.write_text(RUMOUR, encoding="utf-8")
    image.write_bytes(png())
    status, out, err = cli("submit", "--text-file", str(text), "--seen-on", "zalo",
                           "--seen-at", "2026-11-20T08:30", "--image", str(image),
                           "--by", "phantich")  # fmt: skip
    second = json.loads(out)["id"]
    with engine.connect() as conn:
        row = conn.execute(select(tips).where(tips.c.item_id == second)).one()
    assert (row.via, row.submitted_by, row.image_type) == ("cli", "phantich", "image/png")

    server.route("/file.pdf", Response(200, b"%PDF-1.4", {"Content-Type": "application/pdf"}))
    for args, words in (
        (("--url", server.url("/file.pdf")), "is not HTML"),
        (("--text-file", str(text), "--seen-on", "zalo"), "say when the text was seen"),
        (("--text-file", str(text), "--seen-on", "mxh", "--seen-at", "2026-11-20"),
         "must be one of facebook"),
        (("--text-file", str(tmp_path / "none.txt"), "--seen-on", "zalo"), "cannot read"),
    ):  # fmt: skip
        before = counts(engine)
        status, out, err = cli("submit", *args)
        assert status == 2 and out == "" and err.startswith("monitor: error: ")
        assert words in err, err
        assert counts(engine) == before


def test_cli_tokens_and_the_export_channel(cli, engine, settings, server):
    crawled(engine, settings, server)
    status, out, _ = cli("token", "create", "doi-tac")
    secret = out.strip()
    assert status == 0 and secret.startswith("lsm_") and len(secret) > 40
    with engine.connect() as conn:
        stored = conn.execute(select(api_tokens)).one()
    assert secret not in json.dumps([str(v) for v in stored]) and len(stored.token_hash) == 64
    assert cli("token", "create", "doi-tac")[0] == 2  # one name, one token
    _status, out, _ = cli("token", "list", "--format", "json")
    [listed] = [json.loads(line) for line in out.splitlines()]
    assert listed["name"] == "doi-tac" and listed["active"] and "token_hash" not in listed
    assert cli("token", "revoke", "doi-tac")[0] == 0
    assert json.loads(cli("token", "list", "--format", "json")[1])["active"] is False
    status, _out, err = cli("token", "revoke", "khong-co")
    assert status == 2 and "no token named" in err

    from monitor.tips import submit_tip

    submit_tip(engine, settings, OPERATOR, text=RUMOUR, seen_on="tiktok",
               seen_at="2026-11-20T08:30", via="cli")  # fmt: skip
    status, out, _ = cli("export", "--format", "jsonl")
    rows = [json.loads(line) for line in out.splitlines()]
    assert {(r["source_id"], r["channel"]) for r in rows} == {("mau", "crawl"), ("tip", "tip")}
    _status, out, _ = cli("export", "--format", "csv")
    header = out.splitlines()[0].split(",")
    assert header[:3] == ["id", "source_id", "channel"]


# -- the API -------------------------------------------------------------------------------------
def test_api_with_a_bearer_token(app, engine, server):
    secret = create_token(engine, "doi-tac", OPERATOR)
    client = TestClient(app)  # no session at all
    auth = {"Authorization": f"Bearer {secret}"}
    done = client.post("/api/tips", json={"url": server.url(CAO_TOC.path), "seen_on": "youtube",
                                          "note": "video lan truyền"}, headers=auth)  # fmt: skip
    assert done.status_code == 201, done.text
    body = done.json()
    assert body == {"id": body["id"], "item": f"/items/{body['id']}"}
    again = client.post("/api/tips", json={"url": server.url(CAO_TOC.path)}, headers=auth)
    assert again.status_code == 200 and again.json()["duplicate_of"] == body["id"]
    image = base64.b64encode(png()).decode()
    text = client.post(
        "/api/tips",
        headers=auth,
        json={
            "text": RUMOUR,
            "seen_on": "zalo",
            "seen_at": "2026-11-20T08:30",
            "image_base64": image,
        },
    )
    assert text.status_code == 201, text.text
    with engine.connect() as conn:
        row = conn.execute(select(tips).where(tips.c.item_id == body["id"])).one()
        used = conn.execute(select(api_tokens.c.last_used_at)).scalar_one()
    assert (row.via, row.submitted_by, row.seen_on) == ("api", "token:doi-tac", "youtube")
    assert used is not None
    bad = client.post("/api/tips", headers=auth, json={"text": RUMOUR, "seen_on": "myspace",
                                                      "seen_at": "2026-11-20T08:30"})  # fmt: skip
    assert bad.status_code == 400 and bad.json()["code"] == "seen_on"
    assert "must be one of" in bad.json()["detail"]
    assert client.post("/api/tips", headers=auth, content=b"[1]",
                       ).status_code == 400  # no content type  # fmt: skip

    before = counts(engine)
    revoke_token(engine, "doi-tac", OPERATOR)
    for headers in ({}, auth, {"Authorization": "Bearer lsm_khong-dung"},
                    {"Authorization": f"Basic {secret}"}):  # fmt: skip
        fields = {"text": RUMOUR, "seen_on": "zalo", "seen_at": "2026-11-20"}
        refused = client.post("/api/tips", json=fields, headers=headers)
        assert refused.status_code == 401 and refused.json()["detail"], headers
        assert "Bearer" in refused.headers["www-authenticate"]
    assert counts(engine) == before
    # a token opens the tips endpoint only
    other = create_token(engine, "doi-tac-2", OPERATOR)
    assert client.get("/api/items", headers={"Authorization": f"Bearer {other}"}).status_code == 401


def test_api_with_the_session_and_its_csrf_token(client_as, engine):
    analyst = client_as("analyst")
    fields = {"text": RUMOUR, "seen_on": "facebook", "seen_at": "2026-11-20T08:30"}
    refused = analyst.post("/api/tips", json=fields)
    assert refused.status_code == 403 and refused.json()["code"] == "csrf"
    done = analyst.post("/api/tips", data=fields, files={"image": ("a.png", png(), "image/png")},
                        headers={"X-CSRF-Token": analyst.csrf})  # fmt: skip
    assert done.status_code == 201, done.text
    with engine.connect() as conn:
        row = conn.execute(select(tips).where(tips.c.item_id == done.json()["id"])).one()
    assert (row.via, row.submitted_by, row.image_type) == ("web", "analyst", "image/png")
    writer = client_as("writer")
    denied = writer.post("/api/tips", json=fields, headers={"X-CSRF-Token": writer.csrf})
    assert denied.status_code == 403 and denied.json()["code"] == "role"
    anonymous = TestClient(analyst.app).post("/api/tips", json=fields)
    assert anonymous.status_code == 401


# -- the pages -------------------------------------------------------------------------------------
def test_the_form_the_item_page_and_the_queue_mark_the_tip_escaped(client_as, engine, server):
    analyst = client_as("analyst")
    page = analyst.get("/tips")
    assert page.status_code == 200 and "Gửi tin báo" in page.text and 'name="seen_on"' in page.text
    assert 'href="/tips"' in analyst.get("/queue").text
    assert client_as("writer").get("/tips").status_code == 403
    note = "<script>alert('x')</script> nhóm cư dân"
    form = {"csrf_token": analyst.csrf, "url": "", "text": "<b>Tin đồn</b> về Lạng Sơn\n" + RUMOUR,
            "seen_on": "tiktok", "seen_at": "2026-11-20T08:30", "note": note}  # fmt: skip
    done = analyst.post("/tips", data=form, files={"image": ("x.png", png(), "image/png")},
                        follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"].startswith("/items/")
    item = analyst.get(done.headers["location"])
    html = item.text
    assert "Tin báo" in html and "TikTok" in html and "analyst" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    assert "<b>Tin đồn</b>" not in html and "&lt;b&gt;Tin đồn&lt;/b&gt;" in html
    assert 'href="tip:' not in html  # no address: no link to the original
    item_id = int(done.headers["location"].rsplit("/", 1)[1])
    picture = analyst.get(f"/items/{item_id}/tip-image")
    assert picture.status_code == 200 and picture.content == png()
    assert picture.headers["content-type"] == "image/png"
    assert picture.headers["x-content-type-options"] == "nosniff"
    queue = analyst.get("/queue?status=all&source=tip").text
    assert f'data-item="{item_id}"' in queue and 'class="tag tip"' in queue
    listed = analyst.get("/api/items?status=all&source=tip").json()["items"]
    assert [(i["id"], i["channel"]) for i in listed] == [(item_id, "tip")]

    # a refusal shows the form again with the reason in Vietnamese, and what was typed
    bad = analyst.post("/tips", data={**form, "seen_on": ""}, follow_redirects=False)
    assert bad.status_code == 400 and "chọn nơi thấy" in bad.text and "nhóm cư dân" in bad.text
    # the same tip again goes to the stored item, which says so
    again = analyst.post("/tips", data=form, follow_redirects=False)
    assert again.headers["location"] == f"/items/{item_id}?tip=duplicate"
    assert 'id="tip-duplicate"' in analyst.get(again.headers["location"]).text
    # without the CSRF field nothing is stored
    before = counts(engine)
    no_csrf = {k: v for k, v in form.items() if k != "csrf_token"}
    assert analyst.post("/tips", data={**no_csrf, "text": "khác\nkhác nữa"}).status_code == 403
    assert counts(engine) == before
    with engine.connect() as conn:
        actions = set(conn.scalars(select(audit_log.c.action)))
        assert conn.execute(select(items.c.channel).where(items.c.id == item_id)).scalar() == "tip"
    assert {"tip_submit", "tip_duplicate"} <= actions
    assert analyst.get("/queue?lang=en&status=all&source=tip").text.count(">Tip<") >= 1


def test_admin_creates_and_revokes_tokens_shown_once(client_as, engine):
    admin = client_as("admin")
    assert 'href="/admin/tokens"' in admin.get("/admin/users").text
    assert client_as("analyst").get("/admin/tokens").status_code == 403
    made = admin.post("/admin/tokens", data={"name": "doi-tac", "csrf_token": admin.csrf})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    secret = made.text.split('<code class="secret">')[1].split("</code>")[0]
    assert secret.startswith("lsm_")
    listing = admin.get("/admin/tokens").text
    assert "doi-tac" in listing and secret not in listing
    bad = admin.post("/admin/tokens", data={"name": "<x>", "csrf_token": admin.csrf})
    assert bad.status_code == 400 and "Tên mã gồm" in bad.text and "<x>" not in bad.text
    gone = admin.post("/admin/tokens/doi-tac/revoke", data={"csrf_token": admin.csrf},
                      follow_redirects=False)  # fmt: skip
    assert gone.status_code == 303
    assert "Đã thu hồi" in admin.get("/admin/tokens").text
    refused = TestClient(admin.app).post(
        "/api/tips", json={"url": "https://example.org/"},
        headers={"Authorization": f"Bearer {secret}"})  # fmt: skip
    assert refused.status_code == 401
    with engine.connect() as conn:
        actions = list(conn.scalars(select(audit_log.c.action)
                                    .where(audit_log.c.entity == "api_token")))  # fmt: skip
    assert actions == ["token_create", "token_revoke"]
