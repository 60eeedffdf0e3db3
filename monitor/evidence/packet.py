"""Evidence packets: one ZIP per item to attach to a correction or removal request, and the
check that nothing in it changed.

The ZIP holds ``manifest.json`` (the item, every capture with its time in UTC and +07:00,
the SHA-256 and size of every other file, the tool and its version, and the chain of
custody: who captured and who exported, when), the capture files (``captures/*.warc.gz``),
the trusted timestamps when there are any (``timestamps/*.tsr``: RFC 3161 answers over the
capture files), the extracted text (``text.txt``) and a one-page summary in Vietnamese
(``summary.html`` and ``summary.pdf``). ``verify`` recomputes every hash, checks that each
timestamp covers its capture file, and names the first thing that differs.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from .. import pdffmt
from ..config import Settings
from ..i18n import vi
from ..review import audit
from ..store.tables import audit_log
from ..timefmt import show, to_local_iso
from ..vocabulary import User, require
from .capture import (
    TOOL,
    Capture,
    EvidenceError,
    captures_of,
    evidence_root,
    item_row,
    tool_version,
)
from .timestamp import covers

FORMAT = f"{TOOL} evidence packet 1"
MANIFEST = "manifest.json"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def export_packet(
    engine: Engine, settings: Settings, item_id: int, actor: User, now: datetime | None = None
) -> bytes:
    """The item's evidence packet as ZIP bytes; the export is audited (custody)."""
    require(actor, "judge", "export evidence")
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        row = item_row(conn, item_id)
        captures = captures_of(conn, item_id)
        if not captures:
            raise EvidenceError(f"item {item_id} has no capture yet: capture it first")
        audit.record(conn, actor.name, "evidence_export", "item", item_id, None,
                     {"captures": [c.id for c in captures]}, now)  # fmt: skip
        custody = _custody(conn, item_id)
    files: dict[str, bytes] = {}
    root = evidence_root(settings)
    for c in captures:
        data = (root / c.path).read_bytes()
        if _sha(data) != c.sha256:
            raise EvidenceError(f"capture {c.id} ({c.path}) no longer matches its recorded hash")
        files[f"captures/{Path(c.path).name}"] = data
        if c.token_path:
            files[f"timestamps/{Path(c.token_path).name}"] = (root / c.token_path).read_bytes()
    text = f"{row.title}\n\n{row.text or row.summary or ''}\n"
    files["text.txt"] = text.encode()
    summary = _summary_html(row, captures, custody)
    files["summary.html"] = summary.encode()
    files["summary.pdf"] = _summary_pdf(row, captures)
    manifest = {
        "format": FORMAT,
        "tool": {"name": TOOL, "version": tool_version()},
        "item": {"id": row.id, "url": row.url, "title": row.title, "source": row.name,
                 "published_at": to_local_iso(row.published_at)},  # fmt: skip
        "captures": [_capture_entry(c) for c in captures],
        "files": {name: {"sha256": _sha(data), "size": len(data)} for name, data in files.items()},
        "custody": custody,
        "exported_at": now.isoformat(),
        "exported_at_local": to_local_iso(now),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
        for name, data in files.items():
            zf.writestr(name, data)
    return out.getvalue()


def _capture_entry(c: Capture) -> dict[str, Any]:
    return {"id": c.id, "file": f"captures/{Path(c.path).name}", "url": c.url,
            "captured_at": c.captured_at.isoformat(),
            "captured_at_local": to_local_iso(c.captured_at),
            "captured_by": c.captured_by, "reason": c.reason, "status": c.status,
            "http_status": c.http_status, "problem": c.problem, "sha256": c.sha256,
            "size": c.size,
            "timestamp": None if not c.token_path else {
                "file": f"timestamps/{Path(c.token_path).name}",
                "time": c.token_time.isoformat() if c.token_time else None,
                "time_local": to_local_iso(c.token_time)}}  # fmt: skip


def _custody(conn: Any, item_id: int) -> list[dict[str, Any]]:
    """Who captured and who exported the item's evidence, and when (from the audit log)."""
    rows = conn.execute(
        select(audit_log.c.at, audit_log.c.actor, audit_log.c.action)
        .where(audit_log.c.entity == "item", audit_log.c.entity_id == str(item_id),
               audit_log.c.action.in_(("evidence_capture", "evidence_timestamp",
                                       "evidence_export")))
        .order_by(audit_log.c.id)
    )  # fmt: skip
    return [{"action": r.action.removeprefix("evidence_"), "by": r.actor,
             "at": r.at.isoformat(), "at_local": to_local_iso(r.at)} for r in rows]  # fmt: skip


def verify(data: bytes) -> tuple[bool, str]:
    """(True, summary) when every file matches the manifest; else (False, the first reason)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(zf.read(MANIFEST))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        return False, f"not an evidence packet: {exc}"
    if manifest.get("format") != FORMAT:
        return False, f"unknown packet format {manifest.get('format')!r}"
    listed = manifest.get("files") or {}
    present = set(zf.namelist()) - {MANIFEST}
    if present - set(listed):
        return False, f"file not in the manifest: {sorted(present - set(listed))[0]}"
    for name, expected in listed.items():
        if name not in present:
            return False, f"file missing: {name}"
        body = zf.read(name)
        if _sha(body) != expected.get("sha256") or len(body) != expected.get("size"):
            return False, f"file changed: {name} (its SHA-256 differs from the manifest)"
    for capture in manifest.get("captures") or []:
        entry = listed.get(capture.get("file"), {})
        if entry.get("sha256") != capture.get("sha256"):
            return False, f"capture {capture.get('id')} does not match its file"
        stamp = capture.get("timestamp")
        if stamp and (stamp.get("file") not in listed or not covers(
                zf.read(stamp["file"]), zf.read(capture["file"]))):  # fmt: skip
            return False, f"the timestamp of capture {capture.get('id')} does not cover its file"
        if capture.get("status") == "ok" and not _has_response(
            zf.read(capture["file"]), manifest["item"]["url"]
        ):
            return False, f"capture {capture.get('id')} has no response record for the item's URL"
    return True, f"ok: {len(listed)} files match the manifest of item {manifest['item']['id']}"


def _has_response(warc: bytes, url: str) -> bool:
    from warcio.archiveiterator import ArchiveIterator

    return any(
        r.rec_type == "response" and r.rec_headers.get_header("WARC-Target-URI") == url
        for r in ArchiveIterator(io.BytesIO(warc))
    )


# -- the one-page summary ----------------------------------------------------------------------
def _summary_lines(row: Any, captures: list[Capture]) -> list[tuple[str, str]]:
    lines = [("Tiêu đề", row.title), ("Địa chỉ (URL)", row.url), ("Nguồn", row.name),
             ("Thời điểm đăng", show(row.published_at))]  # fmt: skip
    for c in captures:
        what = vi(f"evidence.status.{c.status}")
        detail = f" (HTTP {c.http_status})" if c.http_status else f" ({c.problem})"
        lines.append((f"Lần lưu {c.id}", f"{show(c.captured_at)}, {what}{detail}; "
                      f"người lưu: {c.captured_by}; SHA-256: {c.sha256}"))  # fmt: skip
    return lines


def _summary_html(row: Any, captures: list[Capture], custody: list[dict[str, Any]]) -> str:
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>"
                   for k, v in _summary_lines(row, captures))  # fmt: skip
    chain = "".join(
        f"<li>{html.escape(e['at_local'] or '')}: {html.escape(e['action'])}, "
        f"{html.escape(e['by'])}</li>" for e in custody
    )
    return (
        "<!doctype html><html lang='vi'><head><meta charset='utf-8'>"
        "<title>Tóm tắt chứng cứ</title></head><body>"
        "<h1>Tóm tắt chứng cứ lưu trữ</h1>"
        "<p>Bản lưu trang tin dưới đây được tạo tự động và không bị chỉnh sửa sau khi lưu: mỗi "
        "tệp kèm mã băm SHA-256 trong manifest.json; lệnh <code>monitor evidence verify</code> "
        "kiểm tra lại toàn bộ.</p>"
        f"<table>{rows}</table><h2>Quá trình lưu giữ</h2><ul>{chain}</ul></body></html>"
    )


def _summary_pdf(row: Any, captures: list[Capture]) -> bytes:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph

    regular, _bold = pdffmt.register_fonts()
    body = ParagraphStyle("b", fontName=regular, fontSize=9, leading=12, spaceAfter=4)
    head = ParagraphStyle("h", fontName=regular, fontSize=13, leading=16, spaceAfter=8)

    def para(text: str, style: ParagraphStyle = body) -> Paragraph:
        return Paragraph(pdffmt.pdf_text(text), style)

    story = [para("Tóm tắt chứng cứ lưu trữ", head)]
    story += [para(f"{k}: {v}") for k, v in _summary_lines(row, captures)]
    story.append(para("Mỗi tệp trong gói kèm mã băm SHA-256 (manifest.json); lệnh "
                      "monitor evidence verify kiểm tra lại toàn bộ."))  # fmt: skip
    return pdffmt.build(story)
