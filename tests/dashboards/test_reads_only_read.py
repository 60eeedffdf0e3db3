"""Reads only read (issue 13): the writers (crawl, scoring, verdicts) bring the review state up to
date after they write; dashboard pages, the API's reads, the digest and the yearly report change
nothing in the store. Only the login session's own bookkeeping may be written on a GET."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import delete, event

from monitor.store.tables import app_settings
from tests.dashboards.conftest import app, client_as, fast_hashing  # noqa: F401 (fixtures)
from tests.review.seeding import Spec, seed

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|REPLACE)\b", re.I)
ALLOWED = re.compile(r"\b(sessions|login_attempts)\b", re.I)  # who is logged in, not the data


@contextmanager
def writes(engine) -> Iterator[list[str]]:
    found: list[str] = []

    def watch(conn, cursor, statement, params, context, executemany) -> None:
        if WRITE.match(statement) and not ALLOWED.search(statement.split("(")[0]):
            found.append(statement.split("\n")[0][:120])

    event.listen(engine, "before_cursor_execute", watch)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", watch)


def test_pages_and_reports_do_not_write(engine, client_as) -> None:  # noqa: F811
    [flagged, other] = seed(engine, [
        Spec("Tin đồn về cửa khẩu", label="distorted", flagged=True, score=0.9),
        Spec("Lạng Sơn khởi công đường", flagged=False),
    ])  # fmt: skip
    with engine.begin() as conn:  # scores newer than the review state: a refresh would write
        conn.execute(delete(app_settings).where(app_settings.c.key == "review.score_upto"))
    clients = {role: client_as(role) for role in ("analyst", "lead", "writer", "admin")}
    pages = {
        "analyst": ["/queue", "/queue?q=cua+khau", f"/items/{flagged}", f"/items/{other}",
                    f"/api/items/{flagged}", "/api/items?status=flagged", "/criticism",
                    "/cases", "/facts", "/api/stats?group=week&days=60", "/overview",
                    "/overview?period=year", "/overview/export"],
        "lead": ["/audit", "/reports", "/reports/digest?week=2026-W10&format=html",
                 "/reports/yearly.docx?year=2026",
                 "/reports/yearly-csv.zip?year=2026", "/sources"],
        "writer": ["/reports", "/overview"],
        "admin": ["/admin/users", "/sources"],
    }  # fmt: skip
    with writes(engine) as found:
        for role, paths in pages.items():
            for path in paths:
                answer = clients[role].get(path)
                assert answer.status_code < 400, (role, path, answer.status_code)
    assert not found, found
