"""The evidence on the item page, the request column of the cases page and the case page, in
Chromium as every role that may read them (analyst, lead, admin): the content is there and the
page fits the window at 1280 and 390 px; a writer is refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboards.app import create_app
from monitor.evidence import capture_item, check_item
from monitor.respond import cases
from monitor.review.users import add_user
from monitor.review.verdicts import sign_off
from monitor.vocabulary import User
from tests.browser.conftest import WIDER, fits, log_in, serve
from tests.evidence.test_evidence import (  # noqa: F401 (fixtures)
    ANALYST,
    _confirmed_and_captured,
    server,
    settings,
)

pytestmark = pytest.mark.browser
PASSWORD = "mat-khau-thu-1"
READERS = ("analyst", "lead", "admin")


@pytest.fixture
def story(engine, settings, server) -> tuple[int, int]:  # noqa: F811
    """A confirmed, captured, re-checked item with an overdue removal request; made before
    Playwright starts (its event loop would refuse the capture's own)."""
    item_id = _confirmed_and_captured(engine, settings, server)
    capture_item(engine, settings, item_id, ANALYST, "manual")
    check_item(engine, settings, item_id)
    lead = User(3, "lan", "lead")
    with engine.begin() as conn:
        sign_off(conn, lead, item_id, note="Đồng ý")
        case = cases.open_case(conn, ANALYST, item_id, "rebuttal", channel="removal_request")
        cases.approve(conn, lead, case.id, "Người phát ngôn")
        cases.mark_sent(conn, ANALYST, case.id, datetime.now(UTC) - timedelta(days=2), settings)
        for role in (*READERS, "writer"):
            add_user(conn, f"u-{role}", role, PASSWORD)
    return item_id, case.id


def test_evidence_requests_and_rechecks_as_every_reader(engine, settings, story, browser):  # noqa: F811
    item_id, case_id = story
    expected = {
        f"/items/{item_id}": ["Chứng cứ lưu trữ", "Kiểm tra lại trang", "Vẫn còn"],
        "/cases": ["Đề nghị nền tảng gỡ bỏ", "Quá hạn"],
        f"/cases/{case_id}": ["Hạn xử lý yêu cầu", "Quá hạn", "Vẫn còn"],
    }
    with serve(create_app(settings, engine=engine)) as base_url:
        for role in READERS:
            for width in (1280, 390):
                page = browser.new_page(viewport={"width": width, "height": 900})
                log_in(page, base_url, f"u-{role}", PASSWORD)
                for path, texts in expected.items():
                    page.goto(base_url + path)
                    body = page.inner_text("main")
                    missing = [t for t in texts if t.lower() not in body.lower()]  # th: upper case
                    assert not missing, (role, path, missing)
                    scroll, inner = fits(page)
                    assert scroll <= inner, (role, width, path, page.evaluate(WIDER))
                download = page.locator(f"a[href='/items/{item_id}/evidence.zip']")
                page.goto(f"{base_url}/items/{item_id}")
                assert download.count() == (0 if role == "admin" else 1), role  # judges only
                page.close()
        page = browser.new_page()
        log_in(page, base_url, "u-writer", PASSWORD)
        assert page.goto(f"{base_url}/items/{item_id}").status == 403
        page.close()
