"""Tips against a real local HTTP server and a real store (SQLite, and PostgreSQL when
MONITOR_TEST_DATABASE_URL is set): settings, pages, users of every role, an app."""

from __future__ import annotations

import asyncio
import re
import struct
import zlib
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from monitor.collect.pipeline import crawl
from monitor.config import load_settings
from monitor.devserver import LocalServer, Response
from monitor.review import users as users_mod
from monitor.review.users import add_user
from monitor.sources import parse_sources
from monitor.store import queries
from monitor.store.tables import items, tips
from monitor.vocabulary import User
from tests.collect.sitegen import STORY_CAO_TOC, Page, publish, sources_yaml

ANALYST = User(1, "anna", "analyst")
PASSWORD = "mat-khau-thu"
ROLES = ("analyst", "lead", "writer", "admin")
CAO_TOC = Page(
    "/a/cao-toc.html", "Cao tốc Hữu Nghị – Chi Lăng hoàn thành 65% khối lượng", STORY_CAO_TOC
)
# A post as an analyst would paste it: a distorted retelling of the same works.
RUMOUR = (
    "Tin đồn: cao tốc Hữu Nghị – Chi Lăng bị bỏ dở\n"
    "Lan truyền trên mạng rằng nhà thầu đã rút khỏi công trường cao tốc ở Lạng Sơn, công trình "
    "bị bỏ hoang và tiền đền bù giải phóng mặt bằng bị chiếm đoạt. Sở Xây dựng chưa lên tiếng."
)


@pytest.fixture(scope="session")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One models directory for the session: the seed model is built once."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture
def server():
    with LocalServer() as srv:
        srv.route(CAO_TOC.path, Response(200, CAO_TOC.html()))
        yield srv


@pytest.fixture
def settings(engine, tmp_path, models_dir):
    """The local server is on 127.0.0.1: tips may reach it here (MONITOR_TIP_ALLOW_PRIVATE)."""
    return load_settings(
        {}, database_url=str(engine.url.render_as_string(hide_password=False)),
        extract_workers=1, evidence_dir=str(tmp_path / "evidence"), models_dir=str(models_dir),
        tip_allow_private=True, secret_key="k" * 40,
    )  # fmt: skip


def crawled(engine, settings, server, pages=(CAO_TOC,)) -> int:
    """The pages crawled from a feed on the local server; the first page's item id (pages
    are stored in the order they finish, so the smallest id may be another page's)."""
    publish(server, "/rss.xml", list(pages))
    queries.sync_sources(engine, parse_sources(sources_yaml([("mau", server.url("/rss.xml"))])))
    asyncio.run(crawl(engine, settings, force=True))
    with engine.connect() as conn:
        return conn.execute(
            select(items.c.id).where(items.c.url == server.url(pages[0].path))
        ).scalar_one()


def counts(engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(items)).scalar_one(),
            conn.execute(select(func.count()).select_from(tips)).scalar_one(),
        )


def png(width: int = 2, height: int = 2) -> bytes:
    """A small valid PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b""))  # fmt: skip


# -- the dashboard ---------------------------------------------------------------------------------
@pytest.fixture
def app(engine, settings, monkeypatch):
    from dashboards.app import create_app

    monkeypatch.setattr(users_mod, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024))
    with engine.begin() as conn:
        for role in ROLES:
            add_user(conn, role, role, PASSWORD)
    return create_app(settings, engine=engine)


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def client_as(app):
    """A TestClient logged in as the user named after ``role``, with .csrf set."""

    def make(role: str) -> TestClient:
        client = TestClient(app)
        form = client.get("/login")
        done = client.post("/login", data={"username": role, "password": PASSWORD,
                                           "csrf_token": _csrf(form.text)},
                           follow_redirects=False)  # fmt: skip
        assert done.status_code == 303
        client.csrf = client.get("/api/session").json()["csrf_token"]
        return client

    return make
