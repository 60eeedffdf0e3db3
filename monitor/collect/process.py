"""One feed entry (and its page, when fetched) -> a normalised, assessed Article.

Pure CPU work with no I/O, so the crawler can run it in worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..records import Article, FeedEntry, Processed
from ..text.normalize import normalize_line, normalize_text
from .cluster import content_hash, fingerprint
from .extract import ExtractionError, extract_article
from .language import detect_language
from .relevance import RelevanceRules, load_rules


@dataclass(frozen=True, slots=True)
class PageJob:
    """Everything needed to build one Article, picklable for a worker process."""

    source_id: str
    entry: FeedEntry
    url: str
    canonical_url: str
    page: bytes | None  # the article page, when it was fetched
    content_type: str = ""
    fetch_error: str | None = None  # why there is no page
    page_status: str = "feed_only"  # when there is no page: feed_only, not_fetched, fetch_failed
    min_words: int = 20


_RULES: RelevanceRules | None = None


def init_worker(gazetteer: str | None = None, lexicon: str | None = None) -> None:
    """Load the relevance rules once per process."""
    global _RULES
    from pathlib import Path

    _RULES = load_rules(Path(gazetteer) if gazetteer else None, Path(lexicon) if lexicon else None)


def process_job(job: PageJob) -> Processed:
    """Build the Article for ``job`` with the rules loaded by :func:`init_worker`."""
    if _RULES is None:
        init_worker()
    assert _RULES is not None
    return build_article(job, _RULES)


def build_article(job: PageJob, rules: RelevanceRules) -> Processed:
    """Extract, normalise, date, detect language, assess relevance and fingerprint one entry."""
    entry = job.entry
    summary = normalize_text(entry.summary)
    text, method, title = summary, "feed-summary", normalize_line(entry.title)
    published, date_source = entry.published_at, ("feed" if entry.published_at else None)
    problem, page_status = job.fetch_error, job.page_status
    if job.page is not None:
        try:
            extracted = extract_article(job.page, url=job.url, content_type=job.content_type)
        except ExtractionError as exc:
            problem, page_status = f"extraction failed: {exc}", "unusable"
        else:
            if len(extracted.text.split()) >= job.min_words or not summary:
                text, method, page_status = extracted.text, extracted.method, "page"
            else:
                problem = "extracted text too short; kept the feed summary"
                page_status = "unusable"
            title = title or normalize_line(extracted.title)
            if published is None and extracted.published_at is not None:
                published, date_source = extracted.published_at, extracted.date_source
    title = title or text[:120]
    article = Article(
        source_id=job.source_id,
        url=job.url,
        canonical_url=job.canonical_url,
        guid=entry.guid,
        title=title,
        summary=summary,
        text=text,
        text_method=method,
        published_at=published,
        date_source=date_source,
        language=detect_language(f"{title}\n{text}"),
        content_hash=content_hash(title, text),
        fetch_error=problem,
        page_status=page_status,
    )
    # title and text are normalised above: relevance need not normalise them again.
    relevance = rules.assess(title, text, normalized=True)
    return Processed(article, relevance, fingerprint(title, text), rules.version)
