"""`monitor watch` (rules and alert deliveries) as a user runs them: a real process, a real store, a
real crawl, a real local SMTP server."""

from __future__ import annotations

import json

from monitor.devserver import MailSink
from tests.cli.test_cli import monitor, site  # noqa: F401  (the fixture)


def test_watch_add_list_test_remove_and_an_alert(db_url: str, site, tmp_path) -> None:  # noqa: F811
    _, sources = site
    add = monitor("watch", "add", "--name", "Cao tốc", "--query", '"cao toc" OR "nhà ở xã hội"',
                  "--relevant-only", "--notify", "email:phongtt@example.vn",
                  db=db_url, sources=sources)  # fmt: skip
    assert add.returncode == 0, add.stderr
    listed = monitor("watch", "list", "--format", "json", db=db_url, sources=sources)
    [rule] = json.loads(listed.stdout)
    assert rule["name"] == "Cao tốc" and rule["owner"] == "cli"
    assert rule["notify"] == ["email:phongtt@example.vn"] and rule["relevant_only"] is True

    assert monitor("crawl", db=db_url, sources=sources).returncode == 0
    tried = monitor("watch", "test", "Cao tốc", "--format", "json", db=db_url, sources=sources)
    found = json.loads(tried.stdout)
    assert found["total"] == 2 and {m["channel"] for m in found["matches"]} == {"crawl"}

    with MailSink() as sink:
        env = {"MONITOR_SMTP_HOST": sink.host, "MONITOR_SMTP_PORT": str(sink.port),
               "MONITOR_SMTP_TLS": "none", "MONITOR_SMTP_FROM": "giamsat@example.vn",
               "MONITOR_EVIDENCE_DIR": str(tmp_path / "ev")}  # fmt: skip
        assert monitor("classify", db=db_url, sources=sources, env=env).returncode == 0
        sent = monitor("watch", "send", db=db_url, sources=sources, env=env)
        assert sent.returncode == 0, sent.stderr
        assert "events=2" in sent.stdout and "sent=1" in sent.stdout
        assert sink.wait(1) and "2 cảnh báo" in sink.messages[0]["Subject"]
    status = monitor("watch", "status", "--format", "json", db=db_url, sources=sources)
    assert json.loads(status.stdout)["counts"]["sent"] == 1

    removed = monitor("watch", "remove", "Cao tốc", db=db_url, sources=sources)
    assert removed.returncode == 0, removed.stderr
    assert json.loads(monitor("watch", "list", "--format", "json", db=db_url,
                              sources=sources).stdout) == []  # fmt: skip


def test_a_bad_query_is_refused_with_its_position(db_url: str, site) -> None:  # noqa: F811
    _, sources = site
    bad = monitor("watch", "add", "--name", "x", "--query", "(cửa khẩu OR", "--notify",
                  "email:a@example.vn", db=db_url, sources=sources)  # fmt: skip
    assert bad.returncode == 2
    assert "at character 13" in bad.stderr and "missing at the end" in bad.stderr
    gone = monitor("watch", "remove", "không có", db=db_url, sources=sources)
    assert gone.returncode == 2 and "no watch rule" in gone.stderr
