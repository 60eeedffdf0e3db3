"""Sessions live in the store: logout, a password change, an admin's reset and deactivation
end them server-side; the generated key lives in a private file, never in the database."""

from __future__ import annotations

import os
import stat

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from dashboards.app import create_app
from dashboards.auth import secret_key
from monitor.config import load_settings
from monitor.store.tables import app_settings

from .conftest import PASSWORD, login


def cookie_of(client: TestClient) -> str:
    return client.cookies.get("monitor_session")


def replay(app, cookie: str) -> int:
    """The status of /queue for a new client that only has a stolen copy of the cookie."""
    thief = TestClient(app)
    thief.cookies.set("monitor_session", cookie)
    return thief.get("/queue", follow_redirects=False).status_code


def test_logout_ends_the_session_even_for_a_copied_cookie(app, client_as) -> None:
    lead = client_as("lead")
    cookie = cookie_of(lead)
    assert replay(app, cookie) == 200
    assert lead.post("/logout", data={"csrf_token": lead.csrf}).status_code == 200
    assert replay(app, cookie) == 303  # back to /login


def test_a_password_change_ends_the_other_sessions(app, client_as) -> None:
    here, elsewhere = client_as("analyst"), client_as("analyst")
    form = {"current": PASSWORD, "new": "mat-khau-moi-dai", "again": "mat-khau-moi-dai",
            "csrf_token": here.csrf}  # fmt: skip
    wrong = here.post("/account/password", data={**form, "current": "sai"})
    assert wrong.status_code == 400
    done = here.post("/account/password", data=form)
    assert done.status_code == 200 and "/account/password" in str(done.url)
    assert here.get("/queue").status_code == 200  # this one goes on
    assert elsewhere.get("/queue", follow_redirects=False).status_code == 303
    assert login(TestClient(app), "analyst", "mat-khau-moi-dai").status_code == 303


def test_an_admin_reset_and_a_deactivation_end_every_session(app, client_as) -> None:
    lead, admin = client_as("lead"), client_as("admin")
    reset = {"password": "dat-lai-mat-khau", "csrf_token": admin.csrf}
    assert admin.post("/admin/users/lead/password", data=reset).status_code == 200
    assert lead.get("/queue", follow_redirects=False).status_code == 303
    again = client_as("analyst")
    off = {"active": "0", "csrf_token": admin.csrf}
    assert admin.post("/admin/users/analyst", data=off).status_code == 200
    assert again.get("/queue", follow_redirects=False).status_code == 303


def test_the_generated_key_is_a_private_file_not_in_the_database(engine, db_url, tmp_path,
                                                                 monkeypatch) -> None:  # fmt: skip
    monkeypatch.delenv("MONITOR_SECRET_KEY", raising=False)
    key_path = tmp_path / "keys" / "session.key"
    settings = load_settings(database_url=db_url, secret_key_file=str(key_path))
    create_app(settings, engine=engine)
    key = key_path.read_text().strip()
    assert len(key) >= 32 and stat.S_IMODE(os.stat(key_path).st_mode) == 0o600
    assert secret_key("", str(key_path)) == key  # the same key after a restart
    with engine.connect() as conn:
        assert (
            conn.execute(select(app_settings).where(app_settings.c.key == "session.secret")).first()
            is None
        )
    with pytest.raises(ValueError, match="32 characters"):
        secret_key("too-short")


def test_cookie_secure_setting(engine, db_url, monkeypatch) -> None:
    monkeypatch.delenv("MONITOR_SECRET_KEY", raising=False)
    app = create_app(load_settings(database_url=db_url, cookie_secure="true"), engine=engine)
    from monitor.review.users import add_user

    with engine.begin() as conn:
        add_user(conn, "an", "analyst", PASSWORD)
    answer = login(TestClient(app, base_url="https://testserver"), "an")
    assert answer.status_code == 303 and "Secure" in answer.headers["set-cookie"]
