"""Capture an item's page as evidence: WARC records written once, hashed, recorded, audited.

One capture is one compressed WARC file under MONITOR_EVIDENCE_DIR
(``<item id>/<capture id>-<UTC time>.warc.gz``) holding, in order:

- ``warcinfo``: the tool and its version;
- ``request`` and ``response``: the GET of the item's URL and the answer as received (status,
  headers, body; under the crawler's rules: robots.txt, size and time limits, the link
  guard). A page that cannot be fetched makes a *failed* capture with the reason, and the
  other records are still written;
- ``metadata`` (``feed-entry``): what the feed said (title, summary, GUID, dates, source);
- ``resource`` (``extracted-text``): the text the tool stored and classified;
- ``metadata`` (``capture``): item, time, who, why, outcome.

The file is created exclusively and made read-only; its SHA-256 and size go into
``evidence_captures`` and the audit log. Nothing edits or deletes it afterwards (the
retention job purges texts in the database only).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from ..collect.fetch import Fetcher, FetchError, RobotsDisallowed, is_private_host
from ..collect.pipeline import fetch_settings, source_from_row
from ..config import Settings
from ..files import write_once
from ..records import FetchResult
from ..review import audit
from ..store.tables import evidence_captures, item_scores, items, sources
from ..vocabulary import SYSTEM, TIP_SOURCE, User, require
from .timestamp import TimestampError, stamp

REASONS = ("flagged", "confirmed", "changed", "manual", "tip")
TOOL = "lang-son-monitor"


class EvidenceError(Exception):
    """A capture or a packet cannot be made or read; the message says why."""


@dataclass(frozen=True, slots=True)
class Capture:
    id: int
    item_id: int
    url: str
    captured_at: datetime
    captured_by: str
    reason: str
    status: str  # ok, failed
    http_status: int | None
    problem: str | None
    path: str  # relative to the evidence directory
    sha256: str
    size: int
    token_path: str | None = None  # the RFC 3161 token (relative), when MONITOR_TSA_URL is set
    token_time: datetime | None = None


def evidence_root(settings: Settings) -> Path:
    return Path(settings.evidence_dir).resolve()


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lang-son-monitor")
    except PackageNotFoundError:
        return "dev"


def captures_of(conn: Connection, item_id: int) -> list[Capture]:
    rows = conn.execute(
        select(evidence_captures)
        .where(evidence_captures.c.item_id == item_id)
        .order_by(evidence_captures.c.id)
    )
    return [Capture(**dict(r._mapping)) for r in rows]


def item_row(conn: Connection, item_id: int) -> Any:
    """The item with its source's address, configuration and name."""
    row = conn.execute(
        select(items, sources.c.url.label("source_url"), sources.c.config, sources.c.name)
        .join(sources, sources.c.id == items.c.source_id)
        .where(items.c.id == item_id)
    ).first()
    if row is None:
        raise EvidenceError(f"no item {item_id}")
    return row


@dataclass(frozen=True, slots=True)
class Fetched:
    """The page, or why it could not be had (with the HTTP status when there was one)."""

    result: FetchResult | None
    problem: str | None = None
    status: int | None = None


def fetch_pages(settings: Settings, rows: list[Any]) -> list[Fetched]:
    """The items' pages under the crawler's rules (robots.txt, limits, the link guard), one
    after the other through one fetcher (its connections and robots.txt answers shared)."""
    return asyncio.run(_fetch_all(settings, rows))


async def _fetch_all(settings: Settings, rows: list[Any]) -> list[Fetched]:
    out = []
    async with Fetcher(fetch_settings(settings)) as fetcher:
        for row in rows:
            if not row.url.startswith(("http://", "https://")):  # pasted tip: no page
                out.append(Fetched(None, "not fetched: a pasted tip has no address"))
                continue
            allow_private = _allow_private(settings, row)
            try:
                result = await fetcher.fetch(row.url, allow_private=allow_private,
                                             respect_robots=settings.respect_robots)  # fmt: skip
                out.append(Fetched(result))
            except RobotsDisallowed as exc:
                out.append(Fetched(None, f"not fetched: {exc}"))
            except FetchError as exc:
                out.append(Fetched(None, f"fetch failed: {exc}", exc.status))
    return out


def _allow_private(settings: Settings, row: Any) -> bool:
    """The link guard of the crawl (or of tips, for a tip's page: MONITOR_TIP_ALLOW_PRIVATE)."""
    if row.source_id == TIP_SOURCE:
        return bool(settings.tip_allow_private)
    config = source_from_row(row)
    return config.allow_private_links or is_private_host(row.source_url)


def capture_item(
    engine: Engine, settings: Settings, item_id: int, actor: User, reason: str = "manual",
    now: datetime | None = None, fetched: Fetched | None = None,
) -> Capture:  # fmt: skip
    """Keep the item's page (fetched now, or the answer just ``fetched`` by the caller) with
    the feed entry and the stored text."""
    require(actor, "judge", "capture evidence")
    if reason not in REASONS:
        raise EvidenceError(f"reason must be one of {', '.join(REASONS)}")
    with engine.connect() as conn:
        row = item_row(conn, item_id)
    fetched = fetched or fetch_pages(settings, [row])[0]
    result, problem = fetched.result, fetched.problem
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        capture_id = conn.execute(
            evidence_captures.insert().values(
                item_id=item_id, url=row.url, captured_at=now, captured_by=actor.name,
                reason=reason, status="ok" if result else "failed",
                http_status=result.status if result else fetched.status, problem=problem,
                path="", sha256="", size=0,
            ).returning(evidence_captures.c.id)
        ).scalar_one()  # fmt: skip
        relative = f"{item_id}/{capture_id}-{now.strftime('%Y%m%dT%H%M%SZ')}.warc.gz"
        meta = {"item_id": item_id, "capture_id": capture_id, "captured_at": now.isoformat(),
                "captured_by": actor.name, "reason": reason,
                "status": "ok" if result else "failed", "problem": problem}  # fmt: skip
        digest, size = write_warc(evidence_root(settings) / relative, row, result, meta)
        conn.execute(
            evidence_captures.update()
            .where(evidence_captures.c.id == capture_id)
            .values(path=relative, sha256=digest, size=size)
        )
        audit.record(conn, actor.name, "evidence_capture", "item", item_id, None,
                     {"capture": capture_id, "status": meta["status"], "sha256": digest,
                      "file": relative}, now)  # fmt: skip
    if settings.tsa_url:  # outside the transaction: the authority may take a while
        _timestamp(engine, settings, item_id, int(capture_id), relative, actor)
    with engine.connect() as conn:
        return captures_of(conn, item_id)[-1]


def _timestamp(engine: Engine, settings: Settings, item_id: int, capture_id: int,
               relative: str, actor: User) -> None:  # fmt: skip
    """A verified RFC 3161 token over the capture file, kept beside it (written once); a
    failure is noted on the capture, which stays valid without it."""
    root = evidence_root(settings)
    try:
        found = stamp((root / relative).read_bytes(), settings)
    except TimestampError as exc:
        with engine.begin() as conn:
            problem = conn.scalar(select(evidence_captures.c.problem)
                                  .where(evidence_captures.c.id == capture_id))  # fmt: skip
            note = f"{problem}; " if problem else ""
            conn.execute(evidence_captures.update().where(evidence_captures.c.id == capture_id)
                         .values(problem=f"{note}no trusted timestamp: {exc}"))  # fmt: skip
        return
    token = relative.removesuffix(".warc.gz") + ".tsr"
    _write_once(root / token, found.token)
    with engine.begin() as conn:
        conn.execute(evidence_captures.update().where(evidence_captures.c.id == capture_id)
                     .values(token_path=token, token_time=found.time))  # fmt: skip
        audit.record(conn, actor.name, "evidence_timestamp", "item", item_id, None,
                     {"capture": capture_id, "time": found.time.isoformat(), "file": token})


def capture_flagged(
    engine: Engine, settings: Settings, actor: User = SYSTEM, limit: int | None = None
) -> int:
    """Capture flagged items that have no capture yet, the newest first (they are the ones
    most likely to be edited or deleted soon), at most MONITOR_EVIDENCE_BATCH a run: the
    scheduler calls this after every scoring pass, so a backlog drains over a few ticks
    without holding up scoring. Returns how many were captured."""
    done = select(evidence_captures.c.item_id)
    with engine.connect() as conn:
        ids = list(
            conn.scalars(
                select(item_scores.c.item_id)
                .where(item_scores.c.flagged, item_scores.c.item_id.not_in(done))
                .order_by(item_scores.c.item_id.desc())
                .limit(limit or settings.evidence_batch)
            )
        )
    with engine.connect() as conn:
        rows = [item_row(conn, i) for i in ids]
    for row, fetched in zip(rows, fetch_pages(settings, rows), strict=True):
        capture_item(engine, settings, row.id, actor, "flagged", fetched=fetched)
    return len(ids)


# -- the WARC file ------------------------------------------------------------------------------
def write_warc(
    path: Path, row: Any, result: FetchResult | None, meta: dict[str, Any]
) -> tuple[str, int]:
    """Write the capture's WARC file once (never over an existing one); its SHA-256 and size."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    info = writer.create_warcinfo_record(path.name, {"software": f"{TOOL} {tool_version()}",
                                                     "format": "WARC File Format 1.1"})  # fmt: skip
    writer.write_record(info)
    if result is not None:
        _exchange(writer, row.url, result)
    entry = {"title": row.title, "summary": row.summary, "guid": row.guid,
             "published_at": _iso(row.published_at), "fetched_at": _iso(row.fetched_at),
             "source_id": row.source_id, "source_name": row.name}  # fmt: skip
    _json_record(writer, row.url, "metadata", entry, "feed-entry")
    text = f"{row.title}\n\n{row.text or row.summary or ''}".encode()
    writer.write_record(writer.create_warc_record(
        row.url, "resource", payload=io.BytesIO(text), length=len(text),
        warc_content_type="text/plain; charset=utf-8",
        warc_headers_dict={"WARC-Description": "extracted-text"},
    ))  # fmt: skip
    _json_record(writer, row.url, "metadata", meta, "capture")
    data = buffer.getvalue()
    _write_once(path, data)
    return hashlib.sha256(data).hexdigest(), len(data)


def _write_once(path: Path, data: bytes) -> None:
    """Evidence is never overwritten."""
    if not write_once(path, data):
        raise EvidenceError(f"{path} exists already; evidence is never overwritten")


def _exchange(writer: WARCWriter, url: str, result: FetchResult) -> None:
    from urllib.parse import urlsplit

    parts = urlsplit(result.requested_url or url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = StatusAndHeaders(f"GET {target} HTTP/1.1", [("Host", parts.netloc)],
                               is_http_request=True)  # fmt: skip
    writer.write_record(writer.create_warc_record(
        result.requested_url or url, "request", payload=io.BytesIO(b""), length=0,
        http_headers=request,
    ))  # fmt: skip
    headers = [(k, v) for k, v in result.headers.items()
               if k not in ("content-encoding", "transfer-encoding", "content-length")]  # fmt: skip
    headers.append(("Content-Length", str(len(result.content))))
    response = StatusAndHeaders(f"{result.status} {_reason(result.status)}", headers,
                                protocol="HTTP/1.1")  # fmt: skip
    writer.write_record(writer.create_warc_record(
        url, "response", payload=io.BytesIO(result.content), length=len(result.content),
        http_headers=response,
        warc_headers_dict={"WARC-Description": f"final URL {result.url}"},
    ))  # fmt: skip


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def _json_record(writer: WARCWriter, url: str, kind: str, value: Any, name: str) -> None:
    payload = json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True).encode()
    writer.write_record(writer.create_warc_record(
        url, kind, payload=io.BytesIO(payload), length=len(payload),
        warc_content_type="application/json",
        warc_headers_dict={"WARC-Description": name},
    ))  # fmt: skip


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
