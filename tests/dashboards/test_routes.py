"""Routes, roles, CSRF, sessions and the web contract."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from dashboards.app import create_app
from monitor.config import load_settings
from monitor.store.tables import sources
from monitor.vocabulary import User
from tests.dashboards.conftest import csrf_from, login
from tests.review.seeding import Spec, seed

ADMIN = User(0, "admin", "admin")

PAGES = ["/queue", "/overview", "/sources", "/audit", "/admin/users"]
ALLOWED = {
    "analyst": {"/queue", "/overview", "/sources"},
    "lead": {"/queue", "/overview", "/sources", "/audit"},
    "writer": {"/overview", "/sources", "/audit"},
    "admin": {"/queue", "/overview", "/sources", "/audit", "/admin/users"},
}


def test_login_form_and_session_cookie(app) -> None:
    client = TestClient(app)
    form = client.get("/login")
    assert form.status_code == 200 and csrf_from(form.text)
    response = login(client, "analyst")
    assert response.status_code == 303 and response.headers["location"] == "/queue"
    cookie = response.headers["set-cookie"]
    assert "monitor_session=" in cookie and "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_login_without_csrf_or_with_wrong_password(app) -> None:
    client = TestClient(app)
    client.get("/login")
    no_token = client.post("/login", data={"username": "analyst", "password": "mat-khau-thu"})
    assert no_token.status_code == 403
    assert login(client, "analyst", "sai-mat-khau").status_code == 401


def test_login_attempts_are_rate_limited(app) -> None:
    client = TestClient(app)
    codes = [login(client, "lead", "sai-mat-khau").status_code for _ in range(6)]
    assert codes[:2] == [401, 401] and codes[-1] == 429  # delays grow, then a hard limit
    assert login(client, "lead").status_code == 429  # even the right password, from here
    other = TestClient(app, client=("198.51.100.7", 4000))
    assert login(other, "lead").status_code == 303  # never from another client


def test_forwarded_for_counts_only_behind_a_trusted_proxy(engine, db_url) -> None:
    from dashboards.auth import client_address

    class Req:
        def __init__(self, peer: str, forwarded: str) -> None:
            self.client = type("C", (), {"host": peer})()
            self.headers = {"x-forwarded-for": forwarded}

    assert client_address(Req("203.0.113.5", "1.2.3.4"), "") == "203.0.113.5"
    assert client_address(Req("203.0.113.5", "1.2.3.4"), "10.0.0.0/8") == "203.0.113.5"
    assert client_address(Req("10.0.0.2", "1.2.3.4, 10.0.0.9"), "10.0.0.0/8") == "1.2.3.4"
    assert client_address(Req("10.0.0.2", "spoofed, 5.6.7.8"), "10.0.0.0/8") == "5.6.7.8"


def test_without_session_api_401_pages_redirect(app) -> None:
    client = TestClient(app)
    assert client.get("/api/items?status=flagged").status_code == 401
    assert client.post("/api/items/1/verdict", json={"verdict": "dismiss"}).status_code == 401
    page = client.get("/queue", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")


def test_roles_on_every_page(client_as) -> None:
    for role, allowed in ALLOWED.items():
        client = client_as(role)
        for page in PAGES:
            expected = 200 if page in allowed else 403
            assert client.get(page).status_code == expected, (role, page)


def test_api_items_contract_and_verdict(engine, client_as) -> None:
    ids = seed(
        engine,
        [
            Spec("Tin sai về cửa khẩu"),
            Spec("Bản đăng lại", source="b", cluster=0),
            Spec("Tin thường", flagged=False, label="neutral"),
        ],
    )
    client = client_as("analyst")
    items = client.get("/api/items?status=flagged").json()["items"]
    assert {i["id"] for i in items} == set(ids[:2])
    assert {"id", "title", "source_id", "label", "scores", "status", "cluster_id"} <= set(items[0])
    assert items[0]["status"] == "flagged" and items[0]["cluster_id"] == ids[0]
    no_csrf = client.post(f"/api/items/{ids[0]}/verdict", json={"verdict": "dismiss"})
    assert no_csrf.status_code == 403
    headers = {"X-CSRF-Token": client.csrf}
    missing = client.post(
        f"/api/items/{ids[0]}/verdict", json={"verdict": "dismiss"}, headers=headers
    )
    assert missing.status_code == 400 and "reason" in missing.json()["detail"]
    done = client.post(
        f"/api/items/{ids[0]}/verdict",
        headers=headers,
        json={"verdict": "false_alarm", "reason": "Tin đúng."},
    )
    assert done.status_code == 200
    assert done.json() == {"verdict": "dismiss", "item_ids": ids[:2], "status": "dismissed"}
    unflagged = client.post(
        f"/api/items/{ids[2]}/verdict", headers=headers, json={"verdict": "escalated"}
    )
    assert unflagged.json()["status"] == "escalated"
    assert client.get("/api/items?status=flagged").json()["items"] == []


def test_writer_cannot_give_verdicts(engine, client_as) -> None:
    [item] = seed(engine, [Spec("Tin")])
    writer = client_as("writer")
    response = writer.post(
        f"/api/items/{item}/verdict",
        headers={"X-CSRF-Token": writer.csrf},
        json={"verdict": "escalate"},
    )
    assert response.status_code == 403
    assert writer.get("/api/items").status_code == 403


def test_page_forms_need_the_csrf_field(engine, client_as) -> None:
    [item] = seed(engine, [Spec("Tin")])
    client = client_as("analyst")
    form = {"verdict": "escalate", "reason": ""}
    assert client.post(f"/items/{item}/verdict", data=form).status_code == 403
    page = client.get(f"/items/{item}")
    ok = client.post(
        f"/items/{item}/verdict",
        data={**form, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    lead = client_as("lead")
    audit = lead.get("/audit")
    assert "analyst" in audit.text and f"#{item}" in audit.text
    export = json.loads(lead.get("/audit/export?format=json").text)
    assert export[-1]["after"]["verdict"] == "escalate"


def test_session_survives_an_app_restart(app, engine, db_url, client_as) -> None:
    client = client_as("lead")
    again = create_app(load_settings(database_url=db_url), engine=engine)
    restarted = TestClient(again, cookies=client.cookies)
    assert restarted.get("/api/session").json()["user"] == "lead"


def test_security_headers_and_openapi(app, client_as) -> None:
    client = client_as("analyst")
    response = client.get("/queue")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert '<meta name="csrf-token" content="' in response.text
    assert "<script>" not in response.text and "cdn" not in response.text.lower()
    assert TestClient(app).get("/openapi.json").status_code == 401  # anonymous: no map
    spec = client_as("writer").get("/openapi.json").json()
    assert "/api/items" in spec["paths"] and "/api/items/{item_id}/verdict" in spec["paths"]
    assert TestClient(app).get("/docs").status_code == 404


def test_every_page_renders_for_its_roles(engine, client_as) -> None:
    evidence = {"distorted": [{"phrase": "lang son", "weight": 1.0}]}
    [item] = seed(engine, [Spec("Tin", text="Tin đồn ở Lạng Sơn lan rộng.", evidence=evidence)])
    lead = client_as("lead")
    for page in (
        "/queue?q=lang+son",
        "/queue?status=all&label=distorted",
        f"/items/{item}",
        "/overview",
        "/sources",
        "/audit",
        "/overview/export?group=label",
    ):
        assert lead.get(page).status_code == 200, page
    assert (
        '<mark class="distorted" title="Xuyên tạc">Lạng Sơn</mark>'
        in lead.get(f"/items/{item}").text
    )
    assert lead.get("/queue?lang=en").text.count("Review queue") >= 1


def test_sources_page_lists_open_alerts_escaped(engine, client_as) -> None:
    from monitor.store.queries import utcnow
    from monitor.store.tables import service_alerts

    seed(engine, [Spec("Tin", text="Tin về Lạng Sơn.")])
    with engine.begin() as conn:
        source = conn.execute(select(sources.c.id).where(sources.c.in_config)).scalar_one()
        for kind, message, closed in (
            ("silent", "no item <script>x</script>", None),
            ("volume_drop", "closed one", utcnow()),
        ):
            conn.execute(
                service_alerts.insert().values(
                    source_id=source,
                    kind=kind,
                    message=message,
                    opened_at=utcnow(),
                    closed_at=closed,
                )
            )
    page = client_as("writer").get("/sources").text
    assert "Cảnh báo đang mở (1)" in page and "Nguồn im lặng" in page
    assert "&lt;script&gt;x" in page and "<script>x" not in page
    assert "closed one" not in page


def test_each_role_lands_on_its_own_page(app) -> None:
    for role, landing in (("analyst", "/queue"), ("lead", "/queue"), ("writer", "/overview"),
                          ("admin", "/admin/users")):  # fmt: skip
        client = TestClient(app, client=(f"198.51.100.{len(role)}", 1))
        answer = login(client, role)
        assert answer.status_code == 303 and answer.headers["location"] == landing, role
        assert client.get(landing).status_code == 200, role


def test_a_malformed_address_gets_a_page_not_json(client_as) -> None:
    lead = client_as("lead")
    page = lead.get("/items/abc")
    assert page.status_code == 404 and "<html" in page.text and '"detail"' not in page.text
    api = lead.get("/api/items/abc")
    assert api.status_code == 422 and api.json()["detail"]


def test_the_forbidden_page_speaks_vietnamese_and_leads_home(client_as) -> None:
    writer = client_as("writer")
    page = writer.get("/queue")
    assert page.status_code == 403
    assert "Vai trò của bạn không được mở trang này." in page.text
    assert ">role<" not in page.text and 'href="/overview"' in page.text


def test_search_without_results_says_so_and_the_favicon_is_there(client_as) -> None:
    analyst = client_as("analyst")
    page = analyst.get("/queue?q=khong+co+tu+nay+dau")
    assert "Không tìm thấy tin nào khớp với từ khóa." in page.text
    assert "Không có bài nào cần xem xét." not in page.text
    assert 'rel="icon"' in page.text and analyst.get("/static/favicon.svg").status_code == 200


def test_an_expired_fact_is_not_shown_as_in_use(engine, client_as) -> None:
    from monitor.respond.facts import EXAMPLE, import_facts, load_yaml

    with engine.begin() as conn:
        import_facts(conn, ADMIN, load_yaml(EXAMPLE))
    page = client_as("writer").get("/facts").text
    start = page.index("VD-CC-01")
    row = page[start : page.index("</tr>", start)]
    assert "Hết hiệu lực" in row and "Đang dùng" not in row


def test_the_sources_page_speaks_vietnamese(client_as, engine) -> None:
    from sqlalchemy import update

    from monitor.store.tables import sources as sources_t
    from tests.review.seeding import add_sources

    add_sources(engine, ["canh-bao"])
    with engine.begin() as conn:
        conn.execute(update(sources_t).where(sources_t.c.id == "canh-bao").values(
            last_status="warning", last_warning="3 bài chỉ có tóm tắt"))  # fmt: skip
    page = client_as("writer").get("/sources").text
    assert "Có cảnh báo" in page and "3 bài chỉ có tóm tắt" in page
    assert ">warning<" not in page and ">ok<" not in page
    assert "Bài mới 14 ngày qua (tổng)" in page and "lần chu kỳ thu thập" in page
