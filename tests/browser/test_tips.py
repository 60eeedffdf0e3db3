"""A tip in real headless Chromium at 1280 and 390 px: an analyst opens "Gửi tin báo" from the
navigation, pastes a text with a screenshot, lands on the item page marked as a tip (the image
shown, the note escaped), and finds it in the queue; the pages fit the window."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from dashboards.app import create_app
from monitor.config import load_settings
from monitor.flag import active_model
from monitor.review.users import add_user
from tests.browser.conftest import WIDER, fits, log_in, serve
from tests.tips.conftest import RUMOUR, png

pytestmark = pytest.mark.browser


@pytest.fixture
def base_url(engine, db_url, tmp_path, tmp_path_factory) -> Iterator[str]:
    with engine.begin() as conn:
        add_user(conn, "phantich", "analyst", "mat-khau-1")
    settings = load_settings(
        {}, database_url=engine.url.render_as_string(hide_password=False),
        evidence_dir=str(tmp_path / "evidence"), secret_key="k" * 40,
        models_dir=str(tmp_path_factory.getbasetemp() / "browser-tip-models"),
    )  # fmt: skip
    active_model(settings)  # the seed model is built here, not while the form waits
    with serve(create_app(settings, engine=engine)) as url:
        yield url


def test_a_tip_from_the_form_reaches_the_queue(base_url, browser, tmp_path) -> None:
    shot = tmp_path / "anh-chup.png"
    shot.write_bytes(png(40, 30))
    for n, width in enumerate((1280, 390)):
        page = browser.new_page(viewport={"width": width, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
        log_in(page, base_url, "phantich", "mat-khau-1")
        page.click("nav a[href='/tips']")
        page.wait_for_url(f"{base_url}/tips")
        assert page.locator("h1").inner_text() == "Gửi tin báo"
        width_now, window = fits(page)
        assert width_now <= window, page.evaluate(WIDER)
        title = f"Tin đồn số {n}: cao tốc Hữu Nghị – Chi Lăng bị bỏ dở"
        page.fill("textarea[name=text]", f"{title}\n{RUMOUR.split(chr(10), 1)[1]} Lần {n}.")
        page.select_option("select[name=seen_on]", "facebook")
        page.fill("input[name=seen_at]", "2026-11-20T08:30")
        page.set_input_files("input[name=image]", str(shot))
        page.fill("textarea[name=note]", "<img src=x onerror=alert(1)> chia sẻ nhiều")
        with page.expect_navigation():
            page.click("#tip-form button[type=submit]")
        assert "/items/" in page.url
        info = page.locator("#tip-info")
        assert "Tin báo" in info.inner_text() and "Facebook" in info.inner_text()
        assert "<img src=x onerror=alert(1)>" in info.inner_text()  # shown as text
        assert info.locator("img").count() == 1  # only the tip's own image
        assert page.evaluate("document.querySelector('#tip-info img').naturalWidth") == 40
        width_now, window = fits(page)
        assert width_now <= window, page.evaluate(WIDER)
        item_id = page.url.rsplit("/", 1)[1]

        page.goto(f"{base_url}/queue?status=all&source=tip")
        row = page.locator(f"tr[data-item='{item_id}']")
        assert row.count() == 1 and "Tin báo" in row.inner_text()
        assert title in row.inner_text()
        width_now, window = fits(page)
        assert width_now <= window, page.evaluate(WIDER)
        assert not errors, errors
        page.close()
