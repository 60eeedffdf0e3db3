"""Dates as Vietnamese outlets write them, turned into aware UTC datetimes.

A time written without an offset is Asia/Ho_Chi_Minh local time. Dates before 1990 or more
than a day ahead of now are rejected: they come from broken CMS clocks or template defaults.
"""

from __future__ import annotations

import email.utils
import json
import re
from datetime import UTC, datetime, timedelta, timezone

from lxml import etree
from lxml.html import HtmlElement

from monitor.timefmt import LOCAL as LOCAL_TZ

__all__ = [
    "LOCAL_TZ",
    "to_utc",
    "plausible",
    "parse_date",
    "find_visible_date",
    "page_date",
    "in_page_chrome",
]

_EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
_AHEAD = timedelta(days=1)

# Day-month-year (the Vietnamese order), year-month-day, or the spelled-out form.
_DATE = re.compile(
    r"(?<!\d)(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})(?!\d)"
    r"|(?<!\d)(?P<y2>\d{4})-(?P<m2>\d{1,2})-(?P<d2>\d{1,2})(?!\d)"
    r"|ngày\s+(?P<d3>\d{1,2})\s+tháng\s+(?P<m3>\d{1,2})\s*(?:năm|,)?\s+(?P<y3>\d{4})",
    re.IGNORECASE,
)
_TIME = r"(?P<H>\d{1,2})\s*[:hH]\s*(?P<M>\d{2})(?:\s*:\s*(?P<S>\d{2}))?(?:\s*(?P<ampm>[AaPp][Mm]))?"
# A time right after the date ("27/11/2026 - 08:30") or right before it ("08:30 27-11-2026").
_TIME_AFTER = re.compile(r"^[\s,|\-–—(]{0,6}(?:lúc\s+)?" + _TIME + r"(?!\d)", re.IGNORECASE)
_TIME_BEFORE = re.compile(
    r"(?<!\d)" + _TIME + r"[\s,|\-–—)]{0,6}(?:(?:ngày|,)\s*)?$", re.IGNORECASE
)
_OFFSET = re.compile(
    r"^[^\d]{0,6}?(?:GMT|UTC)\s*(?P<sign>[+-])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?"
)


def to_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; a naive value is taken as Vietnamese local time."""
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=LOCAL_TZ)
    return value.astimezone(UTC)


def plausible(value: datetime, now: datetime | None = None) -> bool:
    """True when an aware ``value`` lies between 1990 and one day after ``now``."""
    now = now or datetime.now(UTC)
    return _EARLIEST <= value <= now + _AHEAD


def _machine_date(text: str) -> datetime | None:
    """RFC 822 or ISO 8601, with or without an offset."""
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        parsed = None
    if parsed is not None:
        if parsed.tzinfo is None and text.rstrip().endswith("-0000"):
            parsed = parsed.replace(tzinfo=UTC)
        return to_utc(parsed)
    candidate = text.strip()
    if not re.match(r"\d{4}-\d{2}-\d{2}", candidate):
        return None
    try:
        return to_utc(datetime.fromisoformat(candidate))
    except ValueError:
        return None


def _build(match: re.Match[str], text: str) -> datetime | None:
    """Turn one date match plus the time and offset around it into UTC."""
    groups = match.groupdict()
    day = groups["d"] or groups["d2"] or groups["d3"]
    month = groups["m"] or groups["m2"] or groups["m3"]
    year = groups["y"] or groups["y2"] or groups["y3"]
    after = text[match.end() : match.end() + 40]
    time_match = _TIME_AFTER.match(after)
    rest = after[time_match.end() :] if time_match else after
    if time_match is None:
        time_match = _TIME_BEFORE.search(text[max(0, match.start() - 20) : match.start()])
    hour = minute = second = 0
    if time_match:
        hour, minute = int(time_match["H"]), int(time_match["M"])
        second = int(time_match["S"] or 0)
        ampm = (time_match["ampm"] or "").lower()
        if ampm == "pm" and hour < 12:
            hour += 12
        elif ampm == "am" and hour == 12:
            hour = 0
    try:
        value = datetime(int(year), int(month), int(day), hour, minute, second)
    except ValueError:
        return None
    offset = _OFFSET.match(rest)
    if offset:
        sign = -1 if offset["sign"] == "-" else 1
        delta = timedelta(hours=int(offset["h"]), minutes=int(offset["m"] or 0))
        if delta <= timedelta(hours=14):
            return value.replace(tzinfo=timezone(sign * delta)).astimezone(UTC)
    return to_utc(value)


def find_visible_date(text: str, now: datetime | None = None) -> datetime | None:
    """The first plausible date written in ``text`` ("Thứ Sáu, 27/11/2026 - 08:30" ...)."""
    for match in _DATE.finditer(text):
        value = _build(match, text)
        if value is not None and plausible(value, now):
            return value
    return None


def parse_date(text: str | None, now: datetime | None = None) -> datetime | None:
    """Parse a machine (RFC 822, ISO 8601) or Vietnamese date string; None when implausible."""
    if not text or not text.strip():
        return None
    value = _machine_date(text)
    if value is None:
        return find_visible_date(text, now)
    return value if plausible(value, now) else None


# --- dates written in an article page ---------------------------------------------------

_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "publication_date",
    "dc.date.issued",
    "dcterms.created",
    "dc.date",
    "date",
)
_META_RANK = {key: rank for rank, key in enumerate(_META_KEYS)}
_DATEISH = etree.XPath(
    "//*[not(self::script or self::style or self::meta or self::time)]"
    "[contains(@class,'date') or contains(@class,'time') or contains(@class,'Date')"
    " or contains(@class,'Time') or contains(@class,'publish') or contains(@id,'date')"
    " or contains(@id,'time') or contains(@class,'ngay') or contains(@class,'meta')]"
)
_OUTSIDE_ARTICLE = {"header", "nav", "footer", "aside"}


def _from_meta(tree: HtmlElement, now: datetime | None) -> datetime | None:
    found: list[tuple[int, str]] = []
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").lower()
        if key in _META_RANK and meta.get("content"):
            found.append((_META_RANK[key], meta.get("content", "")))
    for _rank, raw in sorted(found, key=lambda item: item[0]):
        value = parse_date(raw, now)
        if value is not None:
            return value
    return None


def _walk_json(node: object, depth: int = 0) -> str | None:
    """The first datePublished in a JSON-LD document (NewsArticle, @graph ...)."""
    if depth > 6:
        return None
    if isinstance(node, dict):
        value = node.get("datePublished")
        if isinstance(value, str):
            return value
        children: list[object] = list(node.values())
    elif isinstance(node, list):
        children = list(node)
    else:
        return None
    for child in children:
        found = _walk_json(child, depth + 1)
        if found:
            return found
    return None


def _from_json_ld(tree: HtmlElement, now: datetime | None) -> datetime | None:
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except ValueError:
            continue
        value = parse_date(_walk_json(data), now)
        if value is not None:
            return value
    return None


def in_page_chrome(element: HtmlElement) -> bool:
    """True inside the site header, menus or footer (where a 'today' clock lives)."""
    tags = {parent.tag for parent in element.iterancestors()}
    # An <article>'s own <header> holds its byline and date: that is not page chrome.
    return "article" not in tags and not tags.isdisjoint(_OUTSIDE_ARTICLE)


def _from_markup(tree: HtmlElement, now: datetime | None) -> datetime | None:
    for element in tree.iterfind(".//*[@itemprop='datePublished']"):
        raw = element.get("content") or element.get("datetime") or element.text_content()
        value = parse_date(raw, now)
        if value is not None:
            return value
    for element in tree.iterfind(".//time[@datetime]"):
        if not in_page_chrome(element):
            value = parse_date(element.get("datetime"), now)
            if value is not None:
                return value
    return None


def page_date(tree: HtmlElement, now: datetime | None = None) -> tuple[datetime | None, str | None]:
    """Publication date of an article page and where it came from ("meta" or "visible")."""
    for finder in (_from_meta, _from_json_ld, _from_markup):
        value = finder(tree, now)
        if value is not None:
            return value, "meta"
    value = _visible(tree, now)
    return (value, "visible") if value is not None else (None, None)


def _visible(tree: HtmlElement, now: datetime | None) -> datetime | None:
    """A date printed near the headline, in the Vietnamese formats newsrooms use."""
    for element in _DATEISH(tree):
        if len(element) > 8 or in_page_chrome(element):
            continue  # a big container is not a date line
        value = find_visible_date(element.text_content()[:200], now)
        if value is not None:
            return value
    for heading in tree.iter("h1"):
        parent = heading.getparent()
        if parent is None:
            continue
        # A date line beside the headline is short; a lead paragraph that mentions a date
        # ("có hiệu lực từ ngày 20/11/2026") is not the publication date.
        for line in parent:
            if line is heading or not isinstance(line.tag, str):
                continue
            text = line.text_content()
            if len(text) <= _DATE_LINE_MAX:
                value = find_visible_date(text, now)
                if value is not None:
                    return value
    return None


_DATE_LINE_MAX = 120
