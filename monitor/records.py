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


ZONES = ("title", "lead", "body")  # where a term sits: the title, the first paragraph, the rest


@dataclass(frozen=True, slots=True)
class Match:
    """A gazetteer or lexicon term found in an item.

    ``kind``: "place" (gazetteer), "sector" (lexicon, counted) or "figurative" (an exclusion
    phrase such as "xây dựng Đảng": shown as the reason a sector word was not counted).
    ``count`` counts a title occurrence twice; ``zones`` holds plain occurrences per zone;
    ``spans`` are (field, start, end) offsets into the normalised "title" or "text".
    """

    term: str  # the canonical entry name
    kind: str
    count: int
    topic: str = ""  # sector terms: the lexicon topic (works, planning, ...)
    zones: tuple[tuple[str, int], ...] = ()
    spans: tuple[tuple[str, int, int], ...] = ()

    @property
    def occurrences(self) -> int:
        return sum(n for _zone, n in self.zones) or self.count


# The parts of relevance by name, shown under these names everywhere (dashboard, demo, reports).
RELEVANCE_PARTS = {
    "both": ("Lạng Sơn và ngành xây dựng", "Lạng Sơn and the construction sector"),
    "lang_son": ("Chỉ nhắc Lạng Sơn", "Lạng Sơn only"),
    "construction": ("Chỉ ngành xây dựng", "Construction sector only"),
    "none": ("Không liên quan", "Not relevant"),
}


@dataclass(frozen=True, slots=True)
class Relevance:
    """Two questions kept apart: does the item mention Lạng Sơn (``place``), is it about the
    construction sector (``sector``, from ``sector_score`` >= 0.5)? ``relevant`` is their OR."""

    relevant: bool
    matches: tuple[Match, ...] = field(default_factory=tuple)
    place: bool = False
    sector: bool = False
    sector_score: float = 0.0
    reason: str = ""

    @property
    def part(self) -> str:
        """Which part fired: "both", "lang_son", "construction" or "none"."""
        return relevance_part(self.place, self.sector)


def relevance_part(place: bool, sector: bool) -> str:
    """The key of RELEVANCE_PARTS for an item's two answers."""
    if place:
        return "both" if sector else "lang_son"
    return "construction" if sector else "none"


# What became of an item's article page (items.page_status).
PAGE_STATUSES = (
    "page",  # the text is the page's
    "feed_only",  # the source does not fetch pages: the feed's summary is the text
    "not_fetched",  # a rule forbade fetching it (robots.txt, a blocked address): not retried
    "fetch_failed",  # the fetch failed: the summary is kept and the page retried for 3 days
    "unusable",  # fetched, but extraction failed or gave too little: the summary is kept
)


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
    page_status: str = "page"  # one of PAGE_STATUSES


@dataclass(frozen=True, slots=True)
class Processed:
    """An article ready to store with its relevance answer and its near-duplicate fingerprint:
    what the crawl hands to the store (the codec turns it into items columns)."""

    article: Article
    relevance: Relevance
    fingerprint: bytes | None  # None for texts too short to compare
    rules_version: str = ""  # the gazetteer and lexicon that assessed relevance


# -- flagging ----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Phrase:
    """An evidence phrase that pushed the item toward a label; ``start``/``end`` index the
    item's body (items.text). None: the phrase is in the title, or an old row had none."""

    phrase: str
    weight: float
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True, slots=True)
class Signal:
    """A non-phrase reason: ``nearest:<label>``, ``nearest5:<label>`` or ``style:<measure>``."""

    name: str
    weight: float
    value: float
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ItemScore:
    """What scoring stored for one item (item_scores); the codec turns it into columns."""

    item_id: int
    model_version: str
    label: str  # the most probable label
    scores: dict[str, float]
    flags: tuple[str, ...]  # review labels over their threshold
    flagged: bool  # flags and relevant: the item goes to review
    evidence: dict[str, tuple[Phrase, ...]]
    signals: dict[str, tuple[Signal, ...]]
    reasons: dict[str, str]  # per flag, one sentence
    uncertainty: float
    narrative_of: int | None
    narrative_similarity: float | None
    scored_at: datetime
