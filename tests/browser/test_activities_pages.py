"""The activity register in Chromium: a writer adds an activity through the form, sees it
listed with the plan's progress, then sees the plan on the overview; the pages fit the window
at 1280 and 390 px."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboards.app import create_app
from monitor.config import load_settings
from monitor.review.users import add_user
from monitor.vocabulary import OPERATOR
from monitor.voice.activities import import_activities
from monitor.voice.plan import import_plan
from tests.browser.conftest import WIDER, fits, log_in, serve

pytestmark = pytest.mark.browser
WIDTHS = (1280, 390)
PASSWORD = "mat-khau-thu-4"
DATA = Path(__file__).resolve().parents[2] / "monitor" / "data"


def _fits(page, where) -> None:
    scroll, inner = fits(page)
    assert scroll <= inner, (where, scroll, inner, page.evaluate(WIDER))


def test_a_writer_adds_an_activity_and_sees_the_plan(engine, db_url, browser, tmp_path) -> None:
    import_activities(engine, OPERATOR, DATA / "demo_activities.yaml")
    import_plan(engine, OPERATOR, DATA / "demo_plan.yaml")
    with engine.begin() as conn:
        add_user(conn, "baocao", "writer", PASSWORD)
    settings = load_settings(
        database_url=db_url,
        evidence_dir=str(tmp_path / "evidence"),
        secret_key_file=str(tmp_path / "secret.key"),
    )
    app = create_app(settings, engine=engine)
    with serve(app) as base_url:
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 900})
            log_in(page, base_url, "baocao", PASSWORD)
            page.click("nav a[href='/activities']")
            page.wait_for_url(f"{base_url}/activities")
            page.goto(f"{base_url}/activities?year=2026")
            assert page.inner_text("h1") == "Hoạt động đối ngoại"
            _fits(page, (width, "/activities"))

            title = f"Trả lời phỏng vấn VOV về cửa khẩu số {width}"
            page.fill("#activity-form input[name=day]", "20/10/2026")
            page.select_option("#activity-form select[name=kind]", "interview")
            page.fill("#activity-form input[name=title]", title)
            page.fill("#activity-form input[name=partner]", "Đài Tiếng nói Việt Nam")
            page.click("#activity-form button[type=submit]")
            page.wait_for_url(f"{base_url}/activities?year=2026&done=added")
            assert "Đã thêm hoạt động." in page.inner_text("#activities-done")
            row = page.locator("tr[data-activity]", has_text=title)
            assert row.count() == 1 and "Trả lời phỏng vấn" in row.inner_text()
            plan_row = page.locator("#plan tr[data-plan=interview]")
            done = 3 if width == WIDTHS[0] else 4  # the demo's 2, then one added per width
            assert f"{done}/4" in plan_row.inner_text()
            _fits(page, (width, "added"))

            page.click("nav a[href='/overview']")
            page.goto(f"{base_url}/overview?period=year&year=2026")
            block = page.locator("#overview-plan")
            assert "Kế hoạch năm 2026" in block.inner_text()
            assert f"{done}/4" in block.locator("tr[data-plan=interview]").inner_text()
            assert "Đã hoàn thành" in block.locator("tr[data-plan=cooperation]").inner_text()
            assert block.locator("progress").count() == 7
            _fits(page, (width, "/overview"))
            page.close()
