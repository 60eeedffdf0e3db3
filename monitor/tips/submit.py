"""Submit a tip: what the crawlers cannot reach, brought in by a person or a partner system.

A URL is fetched once under the crawler's rules (robots.txt, MONITOR_MAX_BYTES, timeouts, the
link guard: private addresses are refused) and must be an HTML page; the answer goes through
the crawler's own processing (extraction, normalisation, language, relevance, fingerprint) and
is kept as evidence (a WARC capture of that same answer). Pasted text, with an optional image,
goes through the same processing. Then, like a crawled item:

- an exact duplicate of a stored item (same canonical URL, or same content) is not stored
  again: the tip links to that item (audited on it);
- a near duplicate joins that story's cluster (the crawl's ClusterIndex);
- the item is stored with source "tip" and channel "tip", with a ``tips`` row (where and when
  it was seen, by whom, through what, the note, the image), audited, indexed for review and
  scored at once, so that it reaches the queue without waiting for the scheduler.

Platforms are never scraped: people submit.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError

from ..collect.cluster import ClusterIndex
from ..collect.fetch import (
    BlockedURL,
    Fetcher,
    FetchError,
    FetchTimeout,
    ResponseTooLarge,
    RobotsDisallowed,
    check_link,
)
from ..collect.pipeline import fetch_settings, load_index
from ..collect.process import PageJob, build_article
from ..collect.relevance import rules_for
from ..collect.urls import canonical_url
from ..config import Settings
from ..evidence.capture import Fetched, capture_item, evidence_root
from ..flag import active_model, narrative_index, score_rows
from ..records import FeedEntry, FetchResult, Processed
from ..review import audit
from ..store import queries
from ..store.codec import item_content, item_identity, key_hash
from ..store.review_index import refresh
from ..store.scores import items_to_score, store_scores
from ..store.tables import item_scores, items, tips
from ..text.normalize import normalize_text
from ..timefmt import LOCAL
from ..vocabulary import OPERATOR_ROLE, PLATFORMS, TIP_SOURCE, User, require
from .errors import TipError
from .images import StoredImage, check_image, store_image

log = logging.getLogger(__name__)

VIA = ("cli", "web", "api")
MAX_NOTE = 2000
HTML_TYPES = ("text/html", "application/xhtml+xml")
FUTURE_SLACK = timedelta(minutes=5)  # clocks differ a little


@dataclass(frozen=True, slots=True)
class TipResult:
    """The tip's item; ``duplicate_of`` is set (and equal to ``id``) when the tip repeated a
    stored item exactly and was linked to it instead of being stored again."""

    id: int
    duplicate_of: int | None = None
    cluster_id: int | None = None
    joined_story: bool = False  # a near duplicate: it joined another item's cluster
    flagged: bool = False

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id}
        if self.duplicate_of is not None:
            out["duplicate_of"] = self.duplicate_of
        return out


def parse_seen_at(value: str | datetime | None, now: datetime) -> datetime | None:
    """When it was seen: an ISO time (no offset: Asia/Ho_Chi_Minh), in UTC, not in the future."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.strip())
        except ValueError:
            raise TipError(
                "seen_at", f"{value.strip()[:40]!r} is not an ISO time such as 2026-11-20T08:30"
            ) from None
    else:
        moment = value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL)
    moment = moment.astimezone(UTC)
    if moment > now + FUTURE_SLACK:
        raise TipError("seen_at_future", "the time it was seen is in the future")
    return moment


def submit_tip(
    engine: Engine,
    settings: Settings,
    user: User,
    *,
    url: str | None = None,
    text: str | None = None,
    seen_on: str | None = None,
    seen_at: str | datetime | None = None,
    note: str = "",
    image: bytes | None = None,
    via: str,
    now: datetime | None = None,
) -> TipResult:
    """Take one tip (a URL or pasted text) through the crawler's processing to the queue."""
    require(user, "tip", "submit a tip")
    if via not in VIA:
        raise ValueError(f"via must be one of {', '.join(VIA)}")
    now = now or queries.utcnow()
    url, text = (url or "").strip(), text or ""
    if bool(url) == bool(text.strip()):
        raise TipError("url_or_text", "give either a URL or a text, not both and not neither")
    platform = (seen_on or ("web" if url else "")).strip().lower()
    if not platform:
        raise TipError("seen_on_missing", "say where it was seen (--seen-on)")
    if platform not in PLATFORMS:
        raise TipError("seen_on", f"where it was seen must be one of {', '.join(PLATFORMS)}")
    seen = parse_seen_at(seen_at, now)
    if text and seen is None:
        raise TipError("seen_at_missing", "say when the text was seen (--seen-at)")
    note = normalize_text(note).strip()
    if len(note) > MAX_NOTE:
        raise TipError("note_long", f"the note is longer than {MAX_NOTE} characters")
    kind = check_image(image, settings.tip_max_image_bytes) if image is not None else None
    rules = rules_for(settings.relevance_gazetteer, settings.relevance_lexicon)
    tip = {"seen_on": platform, "seen_at": seen, "note": note, "via": via,
           "submitted_by": user.name[:64]}  # fmt: skip

    fetched: FetchResult | None = None
    if url:
        canon = _check_url(url)
        existing = _item_with_url(engine, canon)
        if existing is not None:  # known already: nothing to fetch
            return _link(engine, user, existing, tip, "url", now)
        fetched = _fetch(settings, url)
        _check_html(url, fetched)
        final = canonical_url(fetched.url)
        existing = _item_with_url(engine, final) if final != canon else None
        if existing is not None:
            return _link(engine, user, existing, tip, "url", now)
        job = PageJob(TIP_SOURCE, FeedEntry(url, None, "", "", None), url, final,
                      fetched.content, fetched.headers.get("content-type", ""),
                      min_words=settings.min_text_words)  # fmt: skip
        processed = build_article(job, rules)
        if processed.article.page_status != "page" or not processed.article.text.strip():
            raise TipError("no_text", f"no article text could be read from {url}")
    else:
        if len(text) > settings.tip_max_chars:
            raise TipError(
                "text_long", f"the text is longer than {settings.tip_max_chars} characters"
            )
        processed = _pasted(text, seen, settings, rules)
    article = processed.article
    if article.published_at is None and seen is not None:
        article = dataclasses.replace(article, published_at=seen, date_source="tip")
    processed = dataclasses.replace(processed, article=article)
    existing = _item_with_content(engine, article.content_hash)
    if existing is not None:
        return _link(engine, user, existing, tip, "content", now)

    picture = None
    if image is not None and kind is not None:
        picture = store_image(evidence_root(settings), image, kind)
    stored = _store(engine, settings, user, processed, tip, picture, now)
    if stored.duplicate_of is not None:
        return stored
    if fetched is not None:
        # The answer just read is the evidence: captured from it, not fetched a second time.
        # The capture is the system's, on the submitter's behalf (the name is kept on it).
        custodian = User(user.id, user.name[:64], OPERATOR_ROLE)
        capture_item(engine, settings, stored.id, custodian, "tip", now, Fetched(fetched))
    return _score(engine, settings, stored)


# -- input ----------------------------------------------------------------------------------
def _check_url(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise TipError("url", f"{url[:200]!r} is not an http(s) link")
    if len(url) > 2000:
        raise TipError("url", "the link is longer than 2000 characters")
    return canonical_url(url)


def _fetch(settings: Settings, url: str) -> FetchResult:
    """The page, under the crawler's rules; each refusal is a TipError that says why."""

    async def run() -> FetchResult:
        # The link first (its name resolved once here): a private address is named as such,
        # not as an unreadable robots.txt. The connection itself is guarded again.
        await check_link(url, allow_private=settings.tip_allow_private)
        async with Fetcher(fetch_settings(settings)) as fetcher:
            return await fetcher.fetch(
                url, allow_private=settings.tip_allow_private,
                respect_robots=settings.respect_robots,
            )  # fmt: skip

    try:
        return asyncio.run(run())
    except BlockedURL as exc:
        code = "url" if exc.kind == "scheme" else "private"
        raise TipError(code, f"not fetched: {exc}") from None
    except RobotsDisallowed as exc:
        raise TipError("robots", f"not fetched: {exc}") from None
    except ResponseTooLarge as exc:
        raise TipError(
            "too_large", f"not kept: {exc} (MONITOR_MAX_BYTES={settings.max_bytes})"
        ) from None
    except FetchTimeout as exc:
        raise TipError("fetch", f"fetch failed: {exc}") from None
    except FetchError as exc:
        raise TipError("fetch", f"fetch failed: {exc}") from None


def _check_html(url: str, result: FetchResult) -> None:
    ctype = result.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype in HTML_TYPES:
        return
    if not ctype:  # no type given: an HTML document says so in its first bytes
        head = result.content[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")):
            return
    raise TipError("not_html", f"the page at {url} is not HTML ({ctype or 'no content type'})")


def _pasted(text: str, seen: datetime | None, settings: Settings, rules: Any) -> Processed:
    """Pasted text through the crawler's processing: a first line followed by more text is
    the title (as a page's headline above its body); a single paragraph is title and text."""
    body = normalize_text(text)
    lines = [line for line in body.splitlines() if line.strip()]
    if not lines:
        raise TipError("url_or_text", "the text is empty")
    first = lines[0]
    if len(lines) > 1 and len(first) <= 300:
        title, rest = first, "\n".join(lines[1:])
    else:
        title, rest = (first if len(first) <= 200 else first[:200].rsplit(" ", 1)[0] + "…"), body
    entry = FeedEntry(None, None, title, rest, seen)
    job = PageJob(TIP_SOURCE, entry, "", "", None, min_words=settings.min_text_words)
    processed = build_article(job, rules)
    # No address: the item's URL names the tip by its content (unique, like a page's).
    address = f"tip:text:{processed.article.content_hash[:32]}"
    article = dataclasses.replace(processed.article, url=address, canonical_url=address,
                                  text_method="tip-text", fetch_error=None)  # fmt: skip
    return dataclasses.replace(processed, article=article)


# -- duplicates -----------------------------------------------------------------------------
def _item_with_url(engine: Engine, canon: str) -> int | None:
    with engine.connect() as conn:
        return conn.scalar(select(items.c.id).where(items.c.url_hash == key_hash(canon)))


def _item_with_content(engine: Engine, digest: str) -> int | None:
    with engine.connect() as conn:
        return conn.scalar(
            select(items.c.id).where(items.c.content_hash == digest).order_by(items.c.id).limit(1)
        )


def _link(
    engine: Engine, user: User, item_id: int, tip: dict[str, Any], by: str, now: datetime
) -> TipResult:
    """The tip repeats a stored item: nothing is stored but the audit entry on that item."""
    with engine.begin() as conn:
        cluster = conn.scalar(select(items.c.cluster_id).where(items.c.id == item_id))
        audit.record(conn, user.name, "tip_duplicate", "item", item_id, None,
                     {**_plain(tip), "same": by}, now)  # fmt: skip
    log.info("tip-linked item_id=%s same=%s", item_id, by)
    return TipResult(item_id, item_id, cluster)


def _plain(tip: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in tip.items()}


# -- store and score ------------------------------------------------------------------------
def _store(
    engine: Engine, settings: Settings, user: User, processed: Processed, tip: dict[str, Any],
    picture: StoredImage | None, now: datetime,
) -> TipResult:  # fmt: skip
    """Insert the item, its cluster, its tips row and the audit entry in one transaction."""
    values = {**item_identity(processed.article), **item_content(processed)}
    values.update(fetched_at=now, article_etag=None, article_last_modified=None, channel="tip")
    index: ClusterIndex | None = None
    if processed.fingerprint is not None:
        index = load_index(engine, settings, now)
    try:
        return _insert(engine, user, processed, tip, picture, now, values, index)
    except _Stored:
        other = _item_with_content(engine, values["content_hash"]) or _item_with_url(
            engine, values["canonical_url"]
        )
        if other is None:
            raise TipError("duplicate", "the tip conflicts with a stored item") from None
        return _link(engine, user, other, tip, "content", now)


class _Stored(Exception):
    """The same item was stored by someone else between the check and the insert."""


def _insert(
    engine: Engine, user: User, processed: Processed, tip: dict[str, Any],
    picture: StoredImage | None, now: datetime, values: dict[str, Any],
    index: ClusterIndex | None,
) -> TipResult:  # fmt: skip
    with engine.begin() as conn:
        cluster = index.match(processed.fingerprint) if index is not None else None
        item_id = queries.insert_item(conn, values)
        if item_id is None:  # stored meanwhile by someone else (same URL or content)
            raise _Stored()
        joined = cluster is not None
        cluster = cluster if cluster is not None else item_id
        queries.set_cluster(conn, item_id, cluster)
        row = {**tip, "item_id": item_id, "created_at": now}
        if picture is not None:
            row.update(image_sha256=picture.sha256, image_path=picture.path,
                       image_type=picture.media_type)  # fmt: skip
        conn.execute(tips.insert().values(**row))
        after = {**_plain(tip), "title": processed.article.title[:200],
                 "url": processed.article.url, "cluster": cluster,
                 "relevant": processed.relevance.relevant}  # fmt: skip
        if picture is not None:
            after["image_sha256"] = picture.sha256
        audit.record(conn, user.name, "tip_submit", "item", item_id, None, after, now)
    log.info("tip-stored item_id=%s cluster=%s via=%s", item_id, cluster, tip["via"])
    return TipResult(item_id, None, cluster, joined)


def _score(engine: Engine, settings: Settings, stored: TipResult) -> TipResult:
    """Index the new item for review and score it now with the active model, narrative
    matching included, as the service's scoring pass would (a failure leaves it to that pass:
    the tip itself is stored)."""
    with engine.begin() as conn:
        refresh(conn)
    try:
        version, model = active_model(settings)
        rows = items_to_score(engine, stored.id - 1, 1, rescore=False)
        rows = [r for r in rows if r.id == stored.id]
        rules = rules_for(settings.relevance_gazetteer, settings.relevance_lexicon)
        records = score_rows(model, version, rows, narrative_index(engine, settings), rules)
        store_scores(engine, records, replace=False)
    except IntegrityError:  # the service scored it meanwhile
        pass
    except Exception:  # the model cannot be loaded: the service scores it later
        log.exception("tip-not-scored item_id=%s", stored.id)
        return stored
    with engine.connect() as conn:
        flagged = conn.scalar(
            select(item_scores.c.flagged).where(item_scores.c.item_id == stored.id)
        )
    return dataclasses.replace(stored, flagged=bool(flagged))
