"""The watch page in Chromium: an analyst and a lead add a rule through the form and see it
listed, a bad query is shown with its position, the rule is tested and deleted after the
confirmation; the page and the test page fit the window at 1280 and 390 px."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dashboards.app import create_app
from monitor.config import load_settings
from monitor.review.users import add_user
from monitor.store.tables import alert_deliveries
from tests.browser.conftest import WIDER, fits, log_in, serve
from tests.review.seeding import Spec, seed

pytestmark = pytest.mark.browser
WIDTHS = (1280, 390)
PASSWORD = "mat-khau-thu-3"
LONG = "https://relay.example.vn/" + "duong-dan-rat-dai-khong-co-dau-cach-" * 4


def _fits(page, where: str) -> None:
    scroll, inner = fits(page)
    assert scroll <= inner, (where, scroll, inner, page.evaluate(WIDER))


def test_analyst_and_lead_add_a_rule_through_the_form(engine, db_url, browser) -> None:
    [item] = seed(engine, [Spec("Tin đồn cửa khẩu Hữu Nghị đóng cửa",
                                text="Cửa khẩu Hữu Nghị sẽ đóng cửa vĩnh viễn.")],
                  now=datetime.now(UTC))  # fmt: skip
    now = datetime.now(UTC)
    with engine.begin() as conn:
        add_user(conn, "phantich", "analyst", PASSWORD)
        add_user(conn, "lanhdao", "lead", PASSWORD)
        conn.execute(alert_deliveries.insert().values(
            target=f"webhook:{LONG}?token=bi-mat", state="failed", subject="Cảnh báo: 1 tin",
            events=1, attempts=5, last_error="connection refused " + LONG, created_at=now,
        ))  # fmt: skip
    app = create_app(load_settings(database_url=db_url), engine=engine)
    with serve(app) as base_url:
        for user, role in (("phantich", "analyst"), ("lanhdao", "lead")):
            for width in WIDTHS:
                name = f"Cửa khẩu {role} {width}"
                page = browser.new_page(viewport={"width": width, "height": 900})
                log_in(page, base_url, user, PASSWORD)
                page.click("nav a[href='/watch']")
                page.wait_for_url(f"{base_url}/watch")
                assert page.inner_text("h1") == "Theo dõi & cảnh báo"
                _fits(page, (role, width, "/watch"))

                page.fill("#watch-form input[name=name]", name)
                page.fill("#watch-form input[name=query]", "cửa khẩu AND")
                page.click("#watch-form button[type=submit]")
                error = page.inner_text("#watch-error")
                assert "Truy vấn có lỗi ở ký tự 13" in error, error
                assert page.input_value("#watch-form input[name=name]") == name  # kept
                _fits(page, (role, width, "error"))

                page.fill("#watch-form input[name=query]", '"cửa khẩu" AND (đóng OR dong)')
                page.select_option("#watch-form select[name=label]", "distorted")
                page.fill("#watch-form textarea[name=notify]", f"email:{user}@example.vn")
                page.click("#watch-form button[type=submit]")
                page.wait_for_url(f"{base_url}/watch?done=added")
                row = page.locator("tr[data-rule]", has_text=name)
                assert row.count() == 1, name
                assert "Đang bật" in row.inner_text() and "Xuyên tạc" in row.inner_text()
                _fits(page, (role, width, "listed"))

                row.locator("a", has_text="Thử").click()
                page.wait_for_load_state()
                assert "1 bài khớp quy tắc" in page.inner_text("#watch-test-summary")
                assert page.locator(f"a[href='/items/{item}']").count() == 1
                _fits(page, (role, width, "test"))
                page.go_back()

                row = page.locator("tr[data-rule]", has_text=name)
                row.locator("summary", has_text="Xóa").click()
                row.locator("button", has_text="Xóa quy tắc").click()
                page.wait_for_url(f"{base_url}/watch?done=removed")
                assert page.locator("tr[data-rule]", has_text=name).count() == 0
                resend = page.locator("button", has_text="Gửi lại").count()
                assert resend == (1 if role == "lead" else 0), role
                page.close()
