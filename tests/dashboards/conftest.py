"""An app over a seeded store, users of every role, and a logged-in client factory."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from dashboards.app import create_app
from monitor.config import load_settings
from monitor.review import users as users_mod
from monitor.review.users import add_user

PASSWORD = "mat-khau-thu"
ROLES = ("analyst", "lead", "writer", "admin")


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters in tests (the real ones cost ~50 ms per hash)."""
    monkeypatch.setattr(users_mod, "HASHER", PasswordHasher(time_cost=1, memory_cost=1024))


@pytest.fixture
def app(engine, db_url, monkeypatch):
    monkeypatch.delenv("MONITOR_SECRET_KEY", raising=False)
    with engine.begin() as conn:
        for role in ROLES:
            add_user(conn, role, role, PASSWORD)
    return create_app(load_settings(database_url=db_url), engine=engine)


def csrf_from(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def login(client: TestClient, name: str, password: str = PASSWORD):
    form = client.get("/login")
    return client.post(
        "/login",
        data={"username": name, "password": password, "csrf_token": csrf_from(form.text)},
        follow_redirects=False,
    )


@pytest.fixture
def client_as(app) -> Callable[[str], TestClient]:
    """A TestClient logged in as the user named after ``role``, with .csrf set."""

    def make(role: str) -> TestClient:
        client = TestClient(app)
        assert login(client, role).status_code == 303
        client.csrf = client.get("/api/session").json()["csrf_token"]
        return client

    return make
