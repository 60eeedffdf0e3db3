"""Evidence captures and packets against a real local HTTP server and a real store: the page as
WARC records written once, the packet's manifest, verify and tampering, the CLI and the page."""

from __future__ import annotations

import asyncio
import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import select
from warcio.archiveiterator import ArchiveIterator

from monitor.collect.pipeline import crawl
from monitor.config import load_settings
from monitor.devserver import LocalServer, Response
from monitor.evidence import capture_flagged, capture_item, captures_of, export_packet, verify
from monitor.sources import parse_sources
from monitor.store import queries
from monitor.store.tables import audit_log, items
from monitor.vocabulary import PermissionDenied, User
from tests.collect.sitegen import STORY_CAO_TOC, Page, publish, sources_yaml

ROOT = Path(__file__).resolve().parents[2]
ANALYST = User(1, "anna", "analyst")
PAGES = [
    Page("/a/cao-toc.html", "Cao tốc Hữu Nghị – Chi Lăng hoàn thành 65% khối lượng", STORY_CAO_TOC)
]


@pytest.fixture
def server():
    with LocalServer() as srv:
        yield srv


@pytest.fixture
def settings(engine, tmp_path):
    return load_settings(
        {}, database_url=str(engine.url), extract_workers=1, evidence_dir=str(tmp_path / "evidence")
    )


def _crawled(engine, settings, server) -> tuple[int, str]:
    publish(server, "/rss.xml", PAGES[:1])
    queries.sync_sources(engine, parse_sources(sources_yaml([("mau", server.url("/rss.xml"))])))
    asyncio.run(crawl(engine, settings, force=True))
    with engine.connect() as conn:
        row = conn.execute(select(items.c.id, items.c.url)).one()
    return row.id, row.url


def _records(path: Path) -> list[tuple[str, str | None, str | None]]:
    with open(path, "rb") as fh:
        return [
            (
                r.rec_type,
                r.rec_headers.get_header("WARC-Target-URI"),
                r.rec_headers.get_header("WARC-Description"),
            )
            for r in ArchiveIterator(fh)
        ]


def test_a_capture_keeps_the_exchange_the_entry_and_the_text(engine, settings, server) -> None:
    item_id, url = _crawled(engine, settings, server)
    capture = capture_item(engine, settings, item_id, ANALYST, "manual")
    assert capture.status == "ok" and capture.http_status == 200
    path = Path(settings.evidence_dir) / capture.path
    kinds = _records(path)
    assert [k for k, _, _ in kinds] == [
        "warcinfo",
        "request",
        "response",
        "metadata",
        "resource",
        "metadata",
    ]
    assert ("response", url, f"final URL {url}") in kinds
    assert {d for _, _, d in kinds} >= {"feed-entry", "extracted-text", "capture"}
    import hashlib

    assert hashlib.sha256(path.read_bytes()).hexdigest() == capture.sha256
    assert not path.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)  # read-only
    with engine.connect() as conn:
        actions = conn.scalars(
            select(audit_log.c.action).where(audit_log.c.entity_id == str(item_id))
        ).all()
    assert "evidence_capture" in actions
    with pytest.raises(PermissionDenied):
        capture_item(engine, settings, item_id, User(2, "viet", "writer"))


def test_a_page_gone_at_capture_time_is_a_failed_capture_with_the_text(
    engine, settings, server
) -> None:
    item_id, _ = _crawled(engine, settings, server)
    server.route(PAGES[0].path, Response(404, "không tìm thấy"))
    capture = capture_item(engine, settings, item_id, ANALYST, "manual")
    assert capture.status == "failed" and "404" in (capture.problem or "")
    kinds = [k for k, _, _ in _records(Path(settings.evidence_dir) / capture.path)]
    assert kinds == ["warcinfo", "metadata", "resource", "metadata"]


def _flag(engine, ids: list[int]) -> None:
    """Scores that flag the items as distorted, stored by scoring's own writer."""
    from monitor.records import ItemScore
    from monitor.store.scores import store_scores

    now = queries.utcnow()
    scores = [ItemScore(i, "t", "distorted", {"distorted": 0.9}, ("distorted",), True, {}, {},
                        {}, 0.0, None, None, now) for i in ids]  # fmt: skip
    store_scores(engine, scores, replace=False)


def test_flagged_items_are_captured_once(engine, settings, server) -> None:
    item_id, _ = _crawled(engine, settings, server)
    _flag(engine, [item_id])
    assert capture_flagged(engine, settings) == 1
    assert capture_flagged(engine, settings) == 0
    with engine.connect() as conn:
        assert [c.reason for c in captures_of(conn, item_id)] == ["flagged"]


def _packet(engine, settings, server) -> tuple[int, bytes]:
    item_id, _ = _crawled(engine, settings, server)
    capture_item(engine, settings, item_id, ANALYST, "manual")
    return item_id, export_packet(engine, settings, item_id, ANALYST)


def _rewrite(packet: bytes, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(packet))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name in source.namelist():
            data = change(name, source.read(name))
            if data is not None:
                zf.writestr(name, data)
    return out.getvalue()


def test_a_packet_verifies_and_names_what_was_tampered_with(engine, settings, server) -> None:
    item_id, packet = _packet(engine, settings, server)
    names = set(zipfile.ZipFile(io.BytesIO(packet)).namelist())
    assert {"manifest.json", "text.txt", "summary.html", "summary.pdf"} <= names
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(packet)).read("manifest.json"))
    assert manifest["item"]["id"] == item_id
    assert manifest["captures"][0]["captured_at_local"].endswith("+07:00")
    assert [e["action"] for e in manifest["custody"]] == ["capture", "export"]
    assert verify(packet) == (
        True,
        f"ok: {len(manifest['files'])} files match the manifest of item {item_id}",
    )
    edited = _rewrite(packet, lambda n, d: d + b"x" if n == "text.txt" else d)
    assert verify(edited) == (
        False,
        "file changed: text.txt (its SHA-256 differs from the manifest)",
    )
    warc = next(n for n in names if n.endswith(".warc.gz"))
    assert verify(_rewrite(packet, lambda n, d: None if n == warc else d)) == (
        False,
        f"file missing: {warc}",
    )
    assert verify(_rewrite(packet, lambda n, d: d))[0]
    buffer = io.BytesIO(_rewrite(packet, lambda n, d: d))
    with zipfile.ZipFile(buffer, "a") as zf:
        zf.writestr("note.txt", "added later")
    assert verify(buffer.getvalue()) == (False, "file not in the manifest: note.txt")
    assert verify(b"not a zip")[0] is False


def test_export_refuses_a_capture_file_changed_on_disk(engine, settings, server) -> None:
    item_id, _ = _crawled(engine, settings, server)
    capture = capture_item(engine, settings, item_id, ANALYST, "manual")
    path = Path(settings.evidence_dir) / capture.path
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes() + b"\0")
    from monitor.evidence import EvidenceError

    with pytest.raises(EvidenceError, match="no longer matches"):
        export_packet(engine, settings, item_id, ANALYST)


def test_cli_exports_and_verifies(engine, settings, server, tmp_path) -> None:
    item_id, _ = _crawled(engine, settings, server)
    env = {
        **os.environ,
        "MONITOR_DATABASE_URL": str(engine.url),
        "MONITOR_EVIDENCE_DIR": settings.evidence_dir,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("MONITOR_SECRET_KEY", None)

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "monitor.cli", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert cli("evidence", "export", str(item_id), "--out", str(tmp_path / "p.zip")).returncode == 2
    made = cli("evidence", "capture", str(item_id))
    assert made.returncode == 0 and "sha256=" in made.stdout
    assert cli("evidence", "export", str(item_id), "--out", str(tmp_path / "p.zip")).returncode == 0
    good = cli("evidence", "verify", str(tmp_path / "p.zip"))
    assert good.returncode == 0 and good.stdout.startswith("ok:")
    (tmp_path / "bad.zip").write_bytes(
        _rewrite(
            (tmp_path / "p.zip").read_bytes(), lambda n, d: d + b"!" if n == "summary.html" else d
        )
    )
    bad = cli("evidence", "verify", str(tmp_path / "bad.zip"))
    assert (
        bad.returncode == 1 and "summary.html" in bad.stderr and len(bad.stderr.splitlines()) == 1
    )


def test_the_item_page_lists_captures_and_gives_the_packet(
    engine, db_url, tmp_path, server, monkeypatch
) -> None:
    from fastapi.testclient import TestClient

    from dashboards.app import create_app
    from monitor.review.users import add_user
    from tests.dashboards.conftest import PASSWORD, login

    monkeypatch.delenv("MONITOR_SECRET_KEY", raising=False)
    settings = load_settings(
        database_url=db_url, evidence_dir=str(tmp_path / "ev"), extract_workers=1
    )
    item_id, _ = _crawled(engine, settings, server)
    with engine.begin() as conn:
        for role in ("analyst", "admin"):
            add_user(conn, role, role, PASSWORD)
    app = create_app(settings, engine=engine)
    analyst, admin = TestClient(app), TestClient(app)
    assert login(analyst, "analyst").status_code == 303 and login(admin, "admin").status_code == 303
    assert "Chưa lưu bản nào" in analyst.get(f"/items/{item_id}").text
    assert analyst.get(f"/items/{item_id}/evidence.zip").status_code == 404  # nothing yet
    capture_item(engine, settings, item_id, ANALYST, "manual")
    page = analyst.get(f"/items/{item_id}").text
    assert "Chứng cứ lưu trữ" in page and f"/items/{item_id}/evidence.zip" in page
    packet = analyst.get(f"/items/{item_id}/evidence.zip")
    assert packet.status_code == 200 and verify(packet.content)[0]
    assert admin.get(f"/items/{item_id}/evidence.zip").status_code == 403


# -- is it still there? ------------------------------------------------------------------------
def _confirmed_and_captured(engine, settings, server) -> int:
    from monitor.review.verdicts import record_verdict

    item_id, _ = _crawled(engine, settings, server)
    with engine.begin() as conn:
        record_verdict(conn, ANALYST, item_id, "confirm_distorted", "sai sự thật")
    capture_item(engine, settings, item_id, ANALYST, "flagged")
    return item_id


def test_rechecks_see_a_page_live_changed_and_removed(engine, settings, server) -> None:
    from monitor.evidence import check_due, check_item, evidence_status

    item_id = _confirmed_and_captured(engine, settings, server)
    [first] = check_due(engine, settings)
    assert (first.item_id, first.state) == (item_id, "live")
    assert check_due(engine, settings) == []  # checked today: the next is due tomorrow
    rewritten = Page(PAGES[0].path, PAGES[0].title, ["Nội dung đã được sửa hoàn toàn khác."] * 8)
    server.route(PAGES[0].path, Response(200, rewritten.html()))
    hits = server.hits.get(PAGES[0].path, 0)
    changed = check_item(engine, settings, item_id)
    assert changed.state == "changed" and changed.capture_id is not None
    assert server.hits[PAGES[0].path] == hits + 1  # captured from the answer the check read
    with engine.connect() as conn:
        assert [c.reason for c in captures_of(conn, item_id)] == ["flagged", "changed"]
    server.route(PAGES[0].path, Response(404, "không tìm thấy"))
    assert check_item(engine, settings, item_id).state == "removed"
    status = evidence_status(engine)
    assert status == [
        {
            "id": item_id,
            "url": status[0]["url"],
            "captures": 2,
            "last_check": status[0]["last_check"],
            "state": "removed",
        }
    ]


def test_a_redirect_home_or_a_not_found_page_counts_as_removed(engine, settings, server) -> None:
    from monitor.evidence import check_item

    item_id = _confirmed_and_captured(engine, settings, server)
    server.route(PAGES[0].path, Response(302, "", {"Location": server.url("/")}))
    server.route("/", Response(200, "<html><body><h1>Trang chủ</h1><p>Tin mới.</p></body></html>"))
    assert check_item(engine, settings, item_id).state == "removed"
    gone = (
        "<html><head><title>Không tìm thấy trang</title></head><body>"
        "<p>Bài viết không tồn tại hoặc đã bị xóa.</p></body></html>"
    )
    server.route(PAGES[0].path, Response(200, gone))
    found = check_item(engine, settings, item_id)
    assert found.state == "removed" and "not found" in found.detail


def test_only_confirmed_items_are_rechecked_and_not_forever(engine, settings, server) -> None:
    from datetime import UTC, datetime, timedelta

    from monitor.evidence.recheck import _due, due_items

    item_id, _ = _crawled(engine, settings, server)
    capture_item(engine, settings, item_id, ANALYST, "manual")
    assert due_items(engine, settings, datetime.now(UTC)) == []  # captured, not confirmed
    now = datetime(2026, 12, 1, tzinfo=UTC)
    day = timedelta(days=1)
    assert _due(now - 3 * day, now - day, now, settings)  # daily in the first 30 days
    assert not _due(now - 40 * day, now - 3 * day, now, settings)  # then weekly
    assert _due(now - 40 * day, now - 8 * day, now, settings)
    assert not _due(now - 200 * day, None, now, settings)  # and not after 180 days


def test_retention_leaves_evidence_alone(engine, settings, server) -> None:
    from monitor.service.maintenance import purge_texts

    item_id = _confirmed_and_captured(engine, settings, server)
    before = sorted(p.name for p in Path(settings.evidence_dir).rglob("*.warc.gz"))
    with engine.begin() as conn:
        conn.execute(
            items.update().values(relevant=False, fetched_at=queries.utcnow().replace(year=2000))
        )
    assert purge_texts(engine, 30) == 1  # the text in the store goes; the capture stays
    assert sorted(p.name for p in Path(settings.evidence_dir).rglob("*.warc.gz")) == before
    assert verify(export_packet(engine, settings, item_id, ANALYST))[0]


def test_the_vocabulary_names_every_recheck_state() -> None:
    from monitor.evidence.recheck import STATES
    from monitor.i18n import vi

    assert all(vi(f"evidence.state.{s}") != f"evidence.state.{s}" for s in STATES)


# -- trusted timestamps: a local time-stamp authority (openssl ts) with a CA made here ------------
TSA_EXT = """basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=critical,timeStamping
"""
TSA_CONF = """[ tsa ]
default_tsa = tsa1
[ tsa1 ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/tsa.pem
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.2.3.4.1
other_policies = 1.2.3.4.2
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = no
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


@pytest.fixture
def tsa(tmp_path, server):
    """A test CA, a time-stamping certificate it signed, and ``openssl ts -reply`` behind
    POST /tsa on the local server. Returns the CA file."""
    import shutil

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    d = tmp_path / "tsa"
    d.mkdir()
    (d / "ext.cnf").write_text(TSA_EXT)
    (d / "ts.cnf").write_text(TSA_CONF.format(dir=d))
    (d / "serial").write_text("01\n")
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
             "ca.pem", "-days", "2", "-subj", "/CN=Test Root CA", "-addext",
             "basicConstraints=critical,CA:TRUE", "-addext",
             "keyUsage=critical,keyCertSign,cRLSign", cwd=d)  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "tsa.key", "-out", "tsa.csr",
             "-subj", "/CN=Test TSA", cwd=d)  # fmt: skip
    _openssl("x509", "-req", "-in", "tsa.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "tsa.pem", "-days", "2", "-extfile", "ext.cnf",
             cwd=d)  # fmt: skip
    lock = __import__("threading").Lock()

    def reply(request) -> Response:
        with lock:
            (d / "q.tsq").write_bytes(request.body)
            _openssl("ts", "-reply", "-config", "ts.cnf", "-queryfile", "q.tsq", "-out", "r.tsr",
                     cwd=d)  # fmt: skip
            return Response(200, (d / "r.tsr").read_bytes(),
                            {"Content-Type": "application/timestamp-reply"})  # fmt: skip

    server.route("/tsa", reply)
    return d / "ca.pem"


def test_captures_get_a_verified_trusted_timestamp(engine, settings, server, tsa) -> None:
    stamped = settings.with_overrides(tsa_url=server.url("/tsa"), tsa_ca_file=str(tsa))
    item_id, _ = _crawled(engine, stamped, server)
    capture = capture_item(engine, stamped, item_id, ANALYST, "manual")
    assert capture.token_path and capture.token_time is not None
    token = (Path(stamped.evidence_dir) / capture.token_path).read_bytes()
    from monitor.evidence.timestamp import covers

    assert covers(token, (Path(stamped.evidence_dir) / capture.path).read_bytes())
    packet = export_packet(engine, stamped, item_id, ANALYST)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(packet)).read("manifest.json"))
    stamp_entry = manifest["captures"][0]["timestamp"]
    assert stamp_entry["file"].startswith("timestamps/") and stamp_entry["time_local"]
    assert [e["action"] for e in manifest["custody"]] == ["capture", "timestamp", "export"]
    assert verify(packet)[0]
    # A token swapped for one over another file, its manifest entry rewritten: the hashes
    # agree, the cover does not.
    capture2 = capture_item(engine, stamped, item_id, ANALYST, "manual")
    other = (Path(stamped.evidence_dir) / capture2.token_path).read_bytes()

    import hashlib

    def swap(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            m = json.loads(data)
            m["files"][stamp_entry["file"]]["sha256"] = hashlib.sha256(other).hexdigest()
            m["files"][stamp_entry["file"]]["size"] = len(other)
            return json.dumps(m).encode()
        return other if name == stamp_entry["file"] else data

    assert verify(_rewrite(packet, swap)) == (
        False,
        f"the timestamp of capture {capture.id} does not cover its file",
    )


def test_a_timestamp_from_an_unknown_authority_is_refused(engine, settings, server, tsa, tmp_path):
    other_ca = tmp_path / "other.pem"
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "o.key", "-out",
             str(other_ca), "-days", "2", "-subj", "/CN=Other CA", cwd=tmp_path)  # fmt: skip
    stamped = settings.with_overrides(tsa_url=server.url("/tsa"), tsa_ca_file=str(other_ca))
    item_id, _ = _crawled(engine, stamped, server)
    capture = capture_item(engine, stamped, item_id, ANALYST, "manual")
    assert capture.token_path is None and "no trusted timestamp" in (capture.problem or "")
    assert capture.status == "ok"  # the capture itself stands


def test_a_backlog_of_flagged_items_is_captured_newest_first_in_batches(
    engine, settings, server
) -> None:
    pages = [Page(f"/b/{i}.html", f"Bài {i} về cao tốc Hữu Nghị – Chi Lăng", STORY_CAO_TOC)
             for i in range(3)]  # fmt: skip
    publish(server, "/rss.xml", pages)
    queries.sync_sources(engine, parse_sources(sources_yaml([("mau", server.url("/rss.xml"))])))
    asyncio.run(crawl(engine, settings, force=True))
    with engine.connect() as conn:
        ids = list(conn.scalars(select(items.c.id).order_by(items.c.id)))
    _flag(engine, ids)
    small = settings.with_overrides(evidence_batch=2)
    assert capture_flagged(engine, small) == 2
    with engine.connect() as conn:
        assert [bool(captures_of(conn, i)) for i in ids] == [False, True, True]
    assert capture_flagged(engine, small) == 1 and capture_flagged(engine, small) == 0


# -- correction and removal requests against their deadlines -----------------------------------
def test_a_removal_request_is_met_when_a_recheck_finds_the_page_gone(
    engine, settings, server
) -> None:
    from datetime import UTC, datetime, timedelta

    from monitor.evidence import check_item
    from monitor.evidence.requests import request_states
    from monitor.respond import cases
    from monitor.review.verdicts import sign_off

    item_id = _confirmed_and_captured(engine, settings, server)
    lead = User(3, "lan", "lead")
    sent = datetime.now(UTC) - timedelta(hours=2)
    with engine.begin() as conn:
        sign_off(conn, lead, item_id, note="Đồng ý")
        case = cases.open_case(conn, ANALYST, item_id, "rebuttal", channel="removal_request")
        cases.approve(conn, lead, case.id, "Người phát ngôn")
        sent_case = cases.mark_sent(conn, ANALYST, case.id, sent, settings)
    assert sent_case.request_due_at == sent + timedelta(hours=24)  # Decree 147/2024 default
    now = datetime.now(UTC)
    with engine.connect() as conn:
        [state] = request_states(conn, now)
    assert (state.outcome, state.overdue) == ("not_checked", False)
    with engine.connect() as conn:  # a day later, still up: overdue
        [late] = request_states(conn, now + timedelta(hours=30))
    assert late.overdue
    server.route(PAGES[0].path, Response(410, "gone"))
    assert check_item(engine, settings, item_id).state == "removed"
    with engine.connect() as conn:
        [done] = request_states(conn, now + timedelta(hours=30))
    assert (done.outcome, done.overdue) == ("removed", False) and done.met_at is not None


def test_requests_show_on_the_cases_page_and_in_the_digest(engine, settings, server) -> None:
    from datetime import UTC, datetime, timedelta

    from monitor.reports import digest
    from monitor.respond import cases
    from monitor.review.verdicts import sign_off

    item_id = _confirmed_and_captured(engine, settings, server)
    lead = User(3, "lan", "lead")
    sent = datetime.now(UTC) - timedelta(days=4)
    with engine.begin() as conn:
        sign_off(conn, lead, item_id, note="Đồng ý")
        case = cases.open_case(conn, ANALYST, item_id, "rebuttal", channel="correction_request")
        cases.approve(conn, lead, case.id, "Người phát ngôn")
        cases.mark_sent(conn, ANALYST, case.id, sent, settings)
    week = datetime.now(UTC).strftime("%G-W%V")
    with engine.connect() as conn:
        d = digest.compute(conn, week, 6.0)
    [section] = [s for s in digest.sections(d) if s[0].startswith("Yêu cầu cải chính")]
    assert len(section[2]) == 1 and "Quá hạn" in section[2][0][3]  # 72 h passed, nothing done
    from fastapi.testclient import TestClient

    from dashboards.app import create_app
    from monitor.review.users import add_user
    from tests.dashboards.conftest import PASSWORD, login

    with engine.begin() as conn:
        add_user(conn, "chuyenvien", "analyst", PASSWORD)
    client = TestClient(create_app(settings, engine=engine))
    assert login(client, "chuyenvien").status_code == 303
    page = client.get("/cases").text
    assert "Đề nghị cơ quan báo chí cải chính" in page and "Quá hạn" in page
    case_page = client.get(f"/cases/{case.id}").text
    assert "Hạn xử lý yêu cầu" in case_page and "Kiểm tra lại trang" in case_page
