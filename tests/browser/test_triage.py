"""The main flow in real headless Chromium: log in, triage three items with the keyboard,
see the audit entries, search without accents."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboards.app import create_app
from monitor.config import load_settings
from monitor.review.users import add_user
from tests.browser.conftest import serve
from tests.review.seeding import Spec, seed

pytestmark = pytest.mark.browser
@pytest.fixture
def base_url(engine, db_url) -> Iterator[str]:
    """The real app served by uvicorn in a thread on a free port."""
    with engine.begin() as conn:
        add_user(conn, "phantich", "analyst", "mat-khau-1")
        add_user(conn, "lanhdao", "lead", "mat-khau-2")
    seed(
        engine,
        [
            Spec("Tin đồn đóng cửa khẩu Hữu Nghị", score=0.95),
            Spec("Bài xuyên tạc về quy hoạch đô thị", label="hostile", score=0.9),
            Spec("Phản ánh đường vào khu tái định cư", label="criticism", score=0.8),
            Spec("Lạng Sơn khởi công nhà ở xã hội", label="neutral", flagged=False),
        ],
    )
    with serve(create_app(load_settings(database_url=db_url), engine=engine)) as url:
        yield url


def _login(page, base_url: str, name: str, password: str) -> None:
    page.goto(f"{base_url}/queue")
    assert "/login" in page.url
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/queue")


def test_keyboard_triage_audit_and_search(base_url, browser) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _login(page, base_url, "phantich", "mat-khau-1")
    assert page.locator("tr[data-item]").count() == 3
    for key, reason in (("c", "Sai sự thật, đã kiểm chứng."), ("d", "Tin đúng."), ("e", "")):
        first = page.locator("tr[data-item]").first.get_attribute("data-title")
        page.keyboard.press(key)
        page.wait_for_selector("#verdict-dialog[open]")
        if reason:
            page.keyboard.type(reason)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        titles = page.locator("tr[data-item]").evaluate_all("rs => rs.map(r => r.dataset.title)")
        assert first not in titles
    assert page.locator("tr[data-item]").count() == 0
    page.keyboard.press("?")
    assert page.locator("#help-dialog[open]").count() == 1

    page.goto(f"{base_url}/queue?status=all&q=lang+son")
    titles = page.locator("tr[data-item]").all_inner_texts()
    assert len(titles) == 1 and "Lạng Sơn khởi công" in titles[0]

    lead = browser.new_page()
    _login(lead, base_url, "lanhdao", "mat-khau-2")
    lead.goto(f"{base_url}/audit")
    rows = lead.locator("table.audit tbody tr").all_inner_texts()
    assert sum("\tphantich\tKết luận" in r for r in rows) == 3
    assert any("Sai sự thật, đã kiểm chứng." in r for r in rows)
    assert not [e for e in errors if "Content Security Policy" in e], errors
