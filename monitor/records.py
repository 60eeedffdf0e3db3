"""Small typed records passed between pipeline stages. No dicts of unknown shape cross a stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True)
class FetchResult:
    """One HTTP exchange as the crawler saw it (after redirects)."""

    requested_url: str
    url: str  # final URL after redirects
    status: int
    content: bytes
    headers: dict[str, str]  # lower-case names
    etag: str | None = None
    last_modified: str | None = None
    permanent_redirect: str | None = None  # set when a 301/308 chain ended at another URL
    elapsed_ms: int = 0

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One item announced by a feed or a listing page."""

    url: str | None  # absolute
    guid: str | None
    title: str
    summary: str  # plain text
    published_at: datetime | None  # aware, UTC
    author: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """Entries of one feed document plus the non-fatal problems met while reading it."""

    kind: str  # rss, atom, rdf, html
    title: str
    entries: tuple[FeedEntry, ...]
    warnings: tuple[str, ...] = ()
    ttl_minutes: int | None = None


@dataclass(frozen=True, slots=True)
class Extracted:
    """What the extractor read from one article page."""

    text: str
    title: str | None
    published_at: datetime | None  # aware, UTC
    date_source: str | None  # "meta" or "visible"
    method: str  # which extractor produced the text


@dataclass(frozen=True, slots=True)
class Match:
    """A gazetteer or lexicon term found in an item."""

    term: str  # the canonical entry name
    kind: str  # "place" or "sector"
    count: int


@dataclass(frozen=True, slots=True)
class Relevance:
    relevant: bool
    matches: tuple[Match, ...] = field(default_factory=tuple)


@dataclass(frozen=True, slots=True)
class Article:
    """A normalised article ready to store: the pipeline builds it from a FeedEntry."""

    source_id: str
    url: str
    canonical_url: str
    guid: str | None
    title: str
    summary: str
    text: str
    text_method: str  # extractor name, or "feed-summary" when the page failed
    published_at: datetime | None
    date_source: str | None  # feed, meta, visible
    language: str | None
    content_hash: str
    fetch_error: str | None = None
