"""Every error page a user can reach speaks the interface's language only (Vietnamese by
default); the technical detail goes to the log; /api/ keeps its JSON errors."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from dashboards.errors import MESSAGES
from dashboards.i18n import catalogue
from monitor.review import verdicts
from monitor.review.users import User
from tests.dashboards.conftest import login
from tests.review.seeding import Spec, seed

ENGLISH = ("Not Found", "Method Not Allowed", "Internal Server Error", "Unprocessable",
           '"detail"', "must be", "four eyes", "ISO week", "Traceback")  # fmt: skip


def _visible(html: str) -> str:
    """The page's main text (the navigation is the same on every page)."""
    main = html.split("<main>", 1)[1].split("</main>", 1)[0]
    return re.sub(r"<[^>]+>", " ", main)


def _vietnamese_only(response, status: int, *expected: str) -> str:  # noqa: ANN001
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    text = _visible(response.text)
    for word in ENGLISH:
        assert word not in response.text, word
    for sentence in expected:
        assert sentence in text, sentence
    return text


def test_unknown_address_and_wrong_method(client_as) -> None:
    analyst = client_as("analyst")
    _vietnamese_only(analyst.get("/khong-co-trang-nay"), 404, "Không tìm thấy.")
    _vietnamese_only(analyst.get("/logout"), 405, "Trang này không nhận kiểu yêu cầu đó.")
    assert analyst.get("/api/khong-co").json() == {"detail": "Not Found"}
    assert analyst.delete("/api/items").status_code == 405
    assert analyst.delete("/api/items").json() == {"detail": "Method Not Allowed"}


def test_bad_values_on_pages_are_explained_in_vietnamese(client_as) -> None:
    writer = client_as("writer")
    _vietnamese_only(writer.get("/reports/digest?week=2026-53x"), 400, "Tuần không hợp lệ")
    _vietnamese_only(
        writer.get("/reports/yearly.docx?year=1890"), 400, "Năm phải từ 2000 đến 2100."
    )
    _vietnamese_only(writer.get("/overview/export?days=abc"), 422, "Dữ liệu không hợp lệ.")
    _vietnamese_only(writer.get("/audit/export?format=xml"), 400, "Định dạng tệp không hợp lệ.")
    api = writer.get("/api/stats?days=abc")
    assert api.status_code == 422 and api.json()["detail"]


def test_service_messages_are_translated_or_logged(engine, client_as, caplog) -> None:
    [item] = seed(engine, [Spec("Tin")])
    with engine.begin() as conn:
        verdicts.record_verdict(conn, User(2, "lead", "lead"), item, "confirm_distorted", "Sai")
    lead = client_as("lead")
    page = lead.post(f"/items/{item}/signoff", data={"csrf_token": lead.csrf})
    _vietnamese_only(page, 403, "Nguyên tắc hai người")
    with caplog.at_level(logging.INFO, logger="dashboards.errors"):
        missing = lead.get("/cases/999")
    text = _vietnamese_only(missing, 404, "Không tìm thấy.")
    assert "999" not in text and "no case 999" in caplog.text  # the detail is in the log


def test_a_crash_shows_a_vietnamese_page_and_logs_the_traceback(app, caplog) -> None:
    def boom() -> None:
        raise RuntimeError("secret detail of the crash")

    app.add_api_route("/hong", boom)
    app.add_api_route("/api/hong", boom)
    client = TestClient(app, raise_server_exceptions=False)
    assert login(client, "analyst").status_code == 303
    with caplog.at_level(logging.ERROR, logger="dashboards.errors"):
        page = client.get("/hong")
    text = _vietnamese_only(page, 500, "Đã có lỗi trong chương trình")
    assert "secret detail" not in page.text and "secret detail" in caplog.text
    assert "secret" not in text
    api = client.get("/api/hong")
    assert api.status_code == 500 and api.json() == {"detail": "internal error"}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_known_message_has_its_text(lang: str) -> None:
    texts = catalogue(lang)
    for pattern, key in MESSAGES:
        assert texts.get(key), key
        assert texts[key].count("{") == pattern.groups, key  # one blank per group
