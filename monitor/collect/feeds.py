"""Feed documents (RSS 2.0, Atom, RDF) to FeedEntry records, tolerant of real breakage.

Problems that still leave readable entries (bare ``&``, a wrong charset, a BOM, odd dates)
become warnings on the ParsedFeed; a document that is not a feed raises FeedError.
No DTD is ever read: a DOCTYPE in the prolog is removed whole (found by a scanner that
honours quotes, comments and the internal subset, not by a pattern), references to the
entities it declared are dropped, and a declaration anywhere else refuses the document. So no
entity is expanded and nothing is fetched, in any form.
"""

from __future__ import annotations

import io
import logging
import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import feedparser
from lxml import etree
from lxml.html import HtmlElement, document_fromstring, fragment_fromstring

from monitor.collect.dates import parse_date, plausible
from monitor.collect.extract import decode_bytes
from monitor.records import FeedEntry, ParsedFeed
from monitor.text.normalize import normalize_line, normalize_text

__all__ = ["FeedError", "parse_feed", "html_to_text"]

log = logging.getLogger(__name__)

_XML_ENCODING = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.I)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HTML_START = re.compile(
    r"^\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html|<head|<body)", re.I | re.S
)
_ENTITY_NAME = re.compile(r"<!ENTITY\s+(?:%\s+)?([\w.:-]+)")
_XML_PREDEFINED = {"amp", "lt", "gt", "quot", "apos"}
_CHARREF = re.compile(r"&#([xX][0-9a-fA-F]{1,8}|[0-9]{1,10});")
_MARKUP = re.compile(r"<[a-zA-Z/!][^>]*>")
_FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml"}
_TEXT_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote"}


class FeedError(Exception):
    """The document cannot be read as a feed (HTML page, empty body, garbage)."""


def _kind(version: str) -> str:
    """rss, atom or rdf from feedparser's version string ("rss20", "atom10", "rss10" ...)."""
    if version in ("rss090", "rss10"):
        return "rdf"
    return "atom" if version.startswith("atom") else "rss"


def html_to_text(value: str | None, *, one_line: bool = False) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, normalised."""
    if not value:
        return ""
    if _MARKUP.search(value):
        value = _strip_markup(value)
    return normalize_line(value) if one_line else normalize_text(value)


def _strip_markup(value: str) -> str:
    try:
        root: HtmlElement = fragment_fromstring(value, create_parent="div")
    except (etree.ParserError, ValueError):
        return _MARKUP.sub(" ", value)
    for element in root.iter("script", "style"):
        element.text = ""
    for element in root.iter(*_TEXT_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    return root.text_content()


# --- bytes to something feedparser may safely read -------------------------------------------


def _decode(content: bytes, content_type: str) -> tuple[str, list[str]]:
    found = _XML_ENCODING.match(content.lstrip(b"\xef\xbb\xbf"))
    declared = found.group(1).decode("ascii") if found else None
    notes = ["UTF-8 byte order mark removed"] if content.startswith(b"\xef\xbb\xbf") else []
    text, warning = decode_bytes(content, content_type, declared)
    if warning:
        notes.append(warning)
    return text, notes


def _doctype_end(text: str, start: int) -> int:
    """Index just past the DOCTYPE that starts at ``start``; -1 when it never ends.

    Quoted strings (which may hold ">" or "]"), comments and the internal subset in
    brackets are skipped as XML defines them."""
    depth, i, n = 0, start + len("<!DOCTYPE"), len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            close = text.find(ch, i + 1)
            if close < 0:
                return -1
            i = close + 1
            continue
        if text.startswith("<!--", i):
            close = text.find("-->", i + 4)
            if close < 0:
                return -1
            i = close + 3
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth = max(0, depth - 1)
        elif ch == ">" and depth == 0:
            return i + 1
        i += 1
    return -1


def _prolog_doctype(text: str) -> tuple[int, int] | None:
    """(start, end) of the DOCTYPE in the prolog, if any (before the first element)."""
    i, n = 0, len(text)
    while i < n:
        if text[i] in " \t\r\n\ufeff":
            i += 1
        elif text.startswith("<?", i):
            close = text.find("?>", i + 2)
            i = n if close < 0 else close + 2
        elif text.startswith("<!--", i):
            close = text.find("-->", i + 4)
            i = n if close < 0 else close + 3
        elif text[i : i + 9].upper() == "<!DOCTYPE":
            return i, _doctype_end(text, i)
        else:
            return None
    return None


_DECLARATION = re.compile(r"<!(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)\b", re.I)
_CDATA = re.compile(r"<!\[CDATA\[.*?\]\]>", re.S)


def _defuse(text: str) -> tuple[str, list[str]]:
    """Remove the prolog's DOCTYPE and references to what it declared; refuse any other
    declaration (outside CDATA) so that no parser of ours ever sees one."""
    notes: list[str] = []
    found = _prolog_doctype(text)
    if found is not None:
        start, end = found
        if end < 0:
            raise FeedError("unterminated DOCTYPE: document refused, no DTD is ever read")
        subset = text[start:end]
        names = set(_ENTITY_NAME.findall(subset)) - _XML_PREDEFINED
        text = text[:start] + text[end:]
        if names:
            pattern = "|".join(re.escape(name) for name in sorted(names))
            text = re.sub(rf"[&%](?:{pattern});", "", text)
            notes.append(
                f"DOCTYPE with {len(names)} entity declaration(s) removed, entities not expanded"
            )
        else:
            notes.append("DOCTYPE removed (a feed needs none; no DTD is ever read)")
    if _DECLARATION.search(_CDATA.sub("", text)):
        raise FeedError("markup declaration outside the prolog: document refused, no DTD is read")
    return text, notes


def _absolute(base: str, link: str) -> str | None:
    """``link`` resolved against ``base``; None when it is not an http(s) URL."""
    try:
        absolute = urljoin(base, link.strip())
    except ValueError:  # e.g. "http://[broken" is not a URL at all
        return None
    return absolute if absolute.startswith(("http://", "https://")) else None


def _announced_feeds(text: str, url: str) -> list[str]:
    """Feed URLs an HTML page announces with <link rel="alternate" type="...+xml">."""
    try:
        root = document_fromstring(_XML_DECLARATION.sub("", text, count=1))
    except (etree.ParserError, ValueError):
        return []
    base = url
    for element in root.iter("base"):
        base = _absolute(url, element.get("href") or "") or url
        break
    found: list[str] = []
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().strip()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in _FEED_TYPES and href:
            absolute = _absolute(base, href)
            if absolute and absolute not in found:
                found.append(absolute)
    return found


def _html_error(text: str, url: str) -> FeedError:
    feeds = _announced_feeds(text, url)
    where = f"; it announces these feeds: {', '.join(feeds)}" if feeds else "; it announces no feed"
    return FeedError(f"expected a feed but got an HTML page at {url}{where}")


def _valid_charref(match: re.Match[str]) -> str:
    """Keep a numeric character reference only when it names a character XML allows."""
    raw = match.group(1)
    code = int(raw[1:], 16) if raw[0] in "xX" else int(raw)
    allowed = code in (9, 10, 13) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0x10FFFF
    return match.group(0) if allowed and code not in (0xFFFE, 0xFFFF) else ""


def _feedparser(text: str, url: str) -> Any:
    """feedparser on UTF-8 bytes we decoded ourselves; a stream so it never opens a URL."""
    text = _XML_DECLARATION.sub('<?xml version="1.0" encoding="utf-8"?>', text, count=1)
    text = _CHARREF.sub(_valid_charref, text)
    headers = {"content-location": url, "content-type": "application/xml; charset=utf-8"}
    try:
        # Titles and summaries become plain text here, so feedparser's own HTML sanitiser
        # and link rewriting inside content would be wasted work (most of its run time).
        return feedparser.parse(
            io.BytesIO(text.encode("utf-8")),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except (ValueError, UnicodeError, LookupError, TypeError) as error:
        # feedparser's lenient parser has corner cases of its own; report, don't crash.
        raise FeedError(f"unreadable feed at {url}: {type(error).__name__}: {error}") from error


# --- entries -------------------------------------------------------------------------------


def _entry_url(entry: Any, base: str) -> str | None:
    """The entry's absolute http(s) link, else its guid when that is an http(s) URL; never a
    javascript:, data: or other scheme (an item's link is opened by analysts)."""
    link = _absolute(base, (entry.get("link") or "").strip()) if entry.get("link") else None
    if link:
        return link
    guid = (entry.get("id") or "").strip()
    return guid if guid.lower().startswith(("http://", "https://")) else None


def _field(entry: Any, key: str) -> Any:
    """A raw entry field, bypassing feedparser's deprecated key aliases (and their warning)."""
    return dict.get(entry, key)


def _entry_date(entry: Any, notes: list[str], label: str) -> datetime | None:
    raw = _field(entry, "published") or _field(entry, "updated") or _field(entry, "created")
    if not raw:
        return None
    value = parse_date(raw)
    if value is not None:
        return value
    parsed = _field(entry, "published_parsed") or _field(entry, "updated_parsed")
    if parsed:
        # feedparser's struct_time is UTC (its parsers assume UTC when no zone is given).
        year, month, day, hour, minute, second = parsed[:6]
        guess = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        if plausible(guess):
            return guess
    notes.append(f"{label}: date {raw!r} not understood or implausible, left empty")
    return None


def _summary(entry: Any) -> str:
    summary = entry.get("summary")
    if not summary and entry.get("content"):
        summary = entry["content"][0].get("value")
    return html_to_text(summary)


def _entry(entry: Any, index: int, base: str, notes: list[str]) -> FeedEntry | None:
    title = html_to_text(entry.get("title"), one_line=True)
    label = f"entry {index + 1}" + (f" ({title[:60]})" if title else "")
    guid = (entry.get("id") or "").strip() or None
    url = _entry_url(entry, base)
    if url is None:
        notes.append(f"{label} skipped: no http(s) link" + ("" if guid else " and no guid"))
        return None
    author = normalize_line(entry.get("author")) or None
    published = _entry_date(entry, notes, label)
    return FeedEntry(
        url=url,
        guid=guid,
        title=title,
        summary=_summary(entry),
        published_at=published,
        author=author,
    )


def _ttl(feed: Any) -> int | None:
    raw = str(feed.get("ttl") or "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def parse_feed(content: bytes, *, url: str, content_type: str = "") -> ParsedFeed:
    """Read an RSS, Atom or RDF document into entries plus non-fatal warnings."""
    if not content or not content.strip():
        raise FeedError(f"empty body where a feed was expected at {url}")
    text, notes = _decode(content, content_type)
    if _HTML_START.match(text[:2048].lstrip("\ufeff")):
        raise _html_error(text, url)
    text, defused = _defuse(text)
    notes.extend(defused)
    if not text.strip():
        raise FeedError(f"nothing left of the document at {url} once its entities were removed")
    data = _feedparser(text, url)
    version = data.get("version") or ""
    if not version:
        if re.search(r"<html[\s>]", text[:65536], re.I):
            raise _html_error(text, url)
        problem = data.get("bozo_exception")
        detail = f" (XML error: {problem})" if problem else ""
        raise FeedError(f"not a feed at {url}: no RSS, Atom or RDF document found{detail}")
    if data.get("bozo"):
        problem = data.get("bozo_exception")
        if not data.entries:  # broken and nothing readable: a failure, not a warning
            raise FeedError(
                f"broken feed at {url}: not well-formed XML and no entries "
                f"could be read ({problem})"
            )
        notes.append(f"not well-formed XML, read leniently: {problem}")
    if not data.entries:
        notes.append("the feed lists no entries")
    entries = [_entry(entry, index, url, notes) for index, entry in enumerate(data.entries)]
    log.debug("feed parsed url=%s kind=%s entries=%d", url, version, len(entries))
    return ParsedFeed(
        kind=_kind(version),
        title=html_to_text(data.feed.get("title"), one_line=True),
        entries=tuple(entry for entry in entries if entry is not None),
        warnings=tuple(notes),
        ttl_minutes=_ttl(data.feed),
    )
