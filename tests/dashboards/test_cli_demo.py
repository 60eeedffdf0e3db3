"""The review CLI commands and the demo users."""

from __future__ import annotations

import io
import json

from dashboards.demo import prepare_demo_users
from monitor.cli import main
from monitor.review.users import authenticate


def test_users_add_list_and_audit_export(db_url, monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("mot-mat-khau-dai\n"))
    assert (
        main(["--database", db_url, "users", "add", "lan", "--role", "lead", "--password-stdin"])
        == 0
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("ngan\n"))
    assert (
        main(
            ["--database", db_url, "users", "add", "binh", "--role", "analyst", "--password-stdin"]
        )
        == 2
    )
    capsys.readouterr()
    assert main(["--database", db_url, "users", "list"]) == 0
    assert capsys.readouterr().out.split() == ["lan", "lead", "active"]
    assert main(["--database", db_url, "audit", "export", "--format", "json"]) == 0
    [entry] = json.loads(capsys.readouterr().out)
    assert entry["action"] == "user.add" and entry["after"] == {"role": "lead"}


def test_demo_users_one_per_role_and_idempotent(engine) -> None:
    first = prepare_demo_users(engine)
    assert prepare_demo_users(engine) == first
    assert sorted(role for _, role, _ in first) == ["admin", "analyst", "lead", "writer"]
    name, _, password = first[0]
    assert authenticate(engine, name, password, "test").name == name
