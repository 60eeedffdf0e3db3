"""The draft page and the item page fit the window at 1280 and 390 px (no sideways scrolling),
and their history tables get the page's full width, not the sidebar's; so do the overview, the
reports page and the queue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboards.app import create_app
from monitor.config import load_settings
from monitor.respond.facts import EXAMPLE, import_facts, load_yaml
from monitor.respond.rebuttal import create_draft, edit_draft
from monitor.review import verdicts
from monitor.review.users import User, add_user
from tests.browser.conftest import WIDER, fits, log_in, serve
from tests.review.seeding import Spec, seed

ADMIN = User(0, "admin", "admin")
PHANTICH = User(0, "phantich", "analyst")

pytestmark = pytest.mark.browser
LONG_URL_WORD = "https://baolangson.vn/" + "duong-dan-rat-dai-khong-co-dau-cach-" * 8
TEXT = (
    "Người dân phản ánh nhiều điều. Giấy phép xây dựng nhà ở riêng lẻ tại thành phố Lạng Sơn "
    "phải chờ ba tháng và nộp thêm lệ phí ngoài quy định. Chủ tịch tỉnh đi du lịch nước ngoài "
    f"bằng tiền quỹ từ thiện. Xem thêm {LONG_URL_WORD}"
)
EVIDENCE = {"distorted": [{"phrase": "phải chờ ba tháng", "weight": 1.0},
                          {"phrase": "du lịch nước ngoài", "weight": 0.8}]}  # fmt: skip
WIDTHS = (1280, 390)


@pytest.fixture
def site(engine, db_url) -> Iterator[tuple[str, int]]:
    """The app on a free port, with a signed-off story that has two draft versions."""
    [item] = seed(engine, [Spec("Cấp phép chậm " + "rất " * 30, text=TEXT, evidence=EVIDENCE)])
    settings = load_settings(database_url=db_url)
    with engine.begin() as conn:
        add_user(conn, "phantich", "analyst", "mat-khau-1")
        import_facts(conn, ADMIN, load_yaml(EXAMPLE))
        verdicts.record_verdict(conn, User(1, "phantich", "analyst"), item, "confirm_distorted",
                                "Sai sự thật " + LONG_URL_WORD)  # fmt: skip
        verdicts.sign_off(conn, User(2, "lanhdao", "lead"), item, note="Đồng ý")
        first = create_draft(conn, item, PHANTICH, settings)
        edit_draft(conn, item, PHANTICH, first.body + "\n\nGhi chú: " + LONG_URL_WORD,
                   note="Bổ sung " + LONG_URL_WORD)  # fmt: skip
    with serve(create_app(settings, engine=engine)) as url:
        yield url, item


def test_draft_and_item_pages_fit_and_history_is_full_width(site, browser) -> None:
    base_url, item = site
    for width in WIDTHS:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{base_url}/login")
        page.fill("input[name=username]", "phantich")
        page.fill("input[name=password]", "mat-khau-1")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base_url}/queue")
        for path in (f"/items/{item}/draft", f"/items/{item}"):
            page.goto(base_url + path)
            scroll, inner = fits(page)
            assert scroll <= inner, (width, path, scroll, inner, page.evaluate(WIDER))
            history = page.locator("section.history")
            assert history.count() == 1, path
            main = page.locator("main").bounding_box()
            box = history.bounding_box()
            assert box["width"] >= main["width"] - 40, (width, path, box, main)
        for path in ("/overview?period=4weeks", "/reports", "/queue"):  # the other wide pages
            page.goto(base_url + path)
            scroll, inner = fits(page)
            assert scroll <= inner, (width, path, scroll, inner, page.evaluate(WIDER))
        page.close()


def test_shared_pages_fit_for_every_role_that_sees_them(engine, db_url, browser) -> None:
    """The overview, the reports page, the audit page and an error page, opened by each role
    that may see them, fit the window at 1280 and 390 px and speak Vietnamese."""
    seed(engine, [Spec("Tin đồn đóng cửa khẩu", text=TEXT, evidence=EVIDENCE)])
    with engine.begin() as conn:
        for role in ("analyst", "lead", "writer", "admin"):
            add_user(conn, f"u-{role}", role, "mat-khau-thu-2")
    pages = {
        "analyst": ["/overview?period=year", "/reports", "/khong-co"],
        "lead": ["/overview?period=month", "/reports", "/audit", "/khong-co"],
        "writer": ["/overview", "/reports", "/audit", "/khong-co"],
        "admin": ["/overview?period=4weeks", "/reports", "/audit", "/admin/users", "/khong-co"],
    }
    with serve(create_app(load_settings(database_url=db_url), engine=engine)) as base_url:
        for role, paths in pages.items():
            for width in WIDTHS:
                page = browser.new_page(viewport={"width": width, "height": 900})
                log_in(page, base_url, f"u-{role}", "mat-khau-thu-2")
                for path in paths:
                    answer = page.goto(base_url + path)
                    assert answer.status == (404 if path == "/khong-co" else 200), (role, path)
                    scroll, inner = fits(page)
                    assert scroll <= inner, (role, width, path, page.evaluate(WIDER))
                    assert "Not Found" not in page.inner_text("body"), (role, path)
                page.close()
