"""Listing pages (a section front of an outlet without a feed) to FeedEntry records.

The outlet's entry in sources.yaml names CSS selectors for one item and, inside it, the link,
title, summary and date. Dates are read the way Vietnamese pages print them.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urljoin

import soupsieve
from bs4 import BeautifulSoup, Tag
from soupsieve import SelectorSyntaxError

from monitor.collect.dates import parse_date
from monitor.collect.extract import decode_html
from monitor.collect.feeds import FeedError
from monitor.records import FeedEntry, ParsedFeed
from monitor.sources import Selectors
from monitor.text.normalize import normalize_line, normalize_text

__all__ = ["parse_listing"]

log = logging.getLogger(__name__)

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _select_one(item: Tag, selector: str | None) -> Tag | None:
    if not selector:
        return None
    if item.css.match(selector):
        return item  # the item itself may be the link (<a class="item">)
    found = item.select_one(selector)
    return found if isinstance(found, Tag) else None


def _text(element: Tag | None) -> str:
    return normalize_line(element.get_text(" ")) if element is not None else ""


def _href(link: Tag | None, base: str) -> str | None:
    if link is None:
        return None
    raw = link.get("href")
    href = (raw if isinstance(raw, str) else "").strip()
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    try:
        absolute = urljoin(base, href)
    except ValueError:
        return None
    return absolute if absolute.startswith(("http://", "https://")) else None


def _date_text(element: Tag | None) -> str:
    """A machine date from datetime/content/title attributes, else the visible text."""
    if element is None:
        return ""
    for attribute in ("datetime", "content", "title", "data-time"):
        value = element.get(attribute)
        if isinstance(value, str) and value.strip():
            return value
    return element.get_text(" ")


def _base(soup: BeautifulSoup, url: str) -> str:
    base = soup.find("base", href=True)
    if isinstance(base, Tag) and isinstance(base.get("href"), str):
        try:
            return urljoin(url, str(base["href"]))
        except ValueError:
            return url
    return url


def _entry(item: Tag, selectors: Selectors, base: str) -> tuple[FeedEntry | None, str]:
    link = _select_one(item, selectors.link)
    url = _href(link, base)
    if url is None:
        return None, "item without a usable link skipped"
    title = _text(_select_one(item, selectors.title)) if selectors.title else ""
    if not title and link is not None:
        raw_title = link.get("title")
        title = _text(link) or normalize_line(raw_title if isinstance(raw_title, str) else "")
    summary_element = _select_one(item, selectors.summary)
    summary = normalize_text(summary_element.get_text(" ")) if summary_element else ""
    raw_date = _date_text(_select_one(item, selectors.date)) if selectors.date else ""
    published = parse_date(raw_date)
    note = f"date {normalize_line(raw_date)!r} not understood" if raw_date and not published else ""
    entry = FeedEntry(url=url, guid=None, title=title, summary=summary, published_at=published)
    return entry, note


def _check(selectors: Selectors) -> None:
    """Fail early, naming the selector, when one is not valid CSS."""
    for name in ("item", "link", "title", "summary", "date"):
        selector = getattr(selectors, name)
        if selector:
            try:
                soupsieve.compile(selector)
            except SelectorSyntaxError as error:
                raise FeedError(f"invalid {name} selector {selector!r}: {error}") from error


def parse_listing(
    content: bytes, *, url: str, selectors: Selectors, content_type: str = ""
) -> ParsedFeed:
    """Entries of a listing page found with ``selectors``; FeedError when none match."""
    _check(selectors)
    # An XHTML page's <?xml ...?> line would make BeautifulSoup warn that it is XML.
    text = _XML_DECLARATION.sub("", decode_html(content, content_type), count=1)
    if "<" not in text:
        raise FeedError(f"expected an HTML listing page at {url}, got no markup at all")
    soup = BeautifulSoup(text, "lxml")
    items = soup.select(selectors.item)
    if not items:
        raise FeedError(f"listing selector {selectors.item!r} matched nothing at {url}")
    base = _base(soup, url)
    entries: list[FeedEntry] = []
    notes: list[str] = []
    seen: set[str] = set()
    for item in items:
        entry, note = _entry(item, selectors, base)
        if note:
            notes.append(note)
        if entry is not None and entry.url not in seen:
            seen.add(entry.url or "")
            entries.append(entry)
    log.debug("listing parsed url=%s items=%d entries=%d", url, len(items), len(entries))
    title = soup.title.get_text() if soup.title else ""
    return ParsedFeed(
        kind="html",
        title=normalize_line(title),
        entries=tuple(entries),
        warnings=tuple(notes),
    )
