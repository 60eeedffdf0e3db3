"""The bundled demo site: feeds resolve, the manifest tells the truth, the text is clean."""

from __future__ import annotations

import html
import re
import unicodedata
import urllib.robotparser
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import httpx
import pytest
import yaml
from bs4 import BeautifulSoup

from monitor.devserver import LocalServer
from monitor.sources import Source, load_sources, parse_sources

REPO = Path(__file__).resolve().parents[1]
SITE = REPO / "monitor" / "data" / "demo_site"
DEMO_SOURCES = REPO / "monitor" / "data" / "demo_sources.yaml"
TEXT_SUFFIXES = {".html", ".xml", ".rss", ".atom", ".txt"}
LABELS = {"neutral", "criticism", "distorted", "hostile"}
VN = timezone(timedelta(hours=7))
MANIFEST = yaml.safe_load((SITE / "manifest.yaml").read_text(encoding="utf-8"))
ARTICLES = MANIFEST["articles"]
OUTLETS = {o["id"]: o for o in MANIFEST["outlets"]}


def file_of(url_path: str) -> Path:
    """The file the static server answers ``url_path`` with (directories serve index.html)."""
    rel = url_path.lstrip("/")
    return SITE / (rel + "index.html" if rel.endswith("/") else rel)


def url_path_of(file: Path) -> str:
    return "/" + file.relative_to(SITE).as_posix()


def canonical_path(url: str) -> str:
    """Path only: the demo's links differ from their canonical form by query strings alone."""
    return urlsplit(url).path


@pytest.fixture(scope="module")
def site() -> Iterator[LocalServer]:
    with LocalServer(root=SITE, template_vars=True) as server:
        yield server


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    # A fresh connection per request: keep-alive against the test server costs ~40 ms a request.
    with httpx.Client(timeout=5, headers={"Connection": "close"}) as c:
        yield c


@pytest.fixture(scope="module")
def demo_sources(site: LocalServer) -> list[Source]:
    text = DEMO_SOURCES.read_text(encoding="utf-8").replace("{{BASE}}", site.base_url)
    return parse_sources(text, str(DEMO_SOURCES))


@pytest.fixture(scope="module")
def announced(site: LocalServer, client: httpx.Client, demo_sources: list[Source]) -> dict:
    """Every link each feed or listing announces: {source id: [(absolute url, entry or None)]}."""
    out: dict[str, list[tuple[str, dict | None]]] = {}
    for source in demo_sources:
        response = client.get(source.url)
        assert response.status_code == 200, source.url
        if source.type == "html":
            assert source.selectors is not None
            soup = BeautifulSoup(response.text, "lxml")
            items = soup.select(source.selectors.item)
            out[source.id] = [
                (urljoin(source.url, item.select_one(source.selectors.link)["href"]), None)
                for item in items
            ]
        else:
            parsed = feedparser.parse(response.content)
            out[source.id] = [(urljoin(source.url, e.get("link", "")), e) for e in parsed.entries]
    return out


# -- the manifest and the files agree ------------------------------------------------------
def test_manifest_lists_every_article_page_and_nothing_else() -> None:
    pages = {url_path_of(p) for p in SITE.rglob("*.html")}
    article_files = {url_path_of(file_of(a["path"])) for a in ARTICLES}
    assert pages - set(MANIFEST["non_articles"]) == article_files
    assert all(file_of(p).is_file() for p in MANIFEST["non_articles"])
    assert len({a["path"] for a in ARTICLES}) == len(ARTICLES) == len({a["id"] for a in ARTICLES})


def test_manifest_covers_what_the_demo_needs() -> None:
    assert 45 <= len(ARTICLES) <= 60
    labels = defaultdict(int)
    for a in ARTICLES:
        assert a["label"] in LABELS, a["id"]
        assert a["outlet"] in OUTLETS, a["id"]
        assert isinstance(a["relevant"], bool), a["id"]
        labels[a["label"]] += 1
    assert labels["distorted"] >= 3 and labels["hostile"] >= 2 and labels["criticism"] >= 2
    assert sum(not a["relevant"] for a in ARTICLES) >= 4
    assert len(OUTLETS) == 7


def test_syndicated_copies_are_rewritten_and_credited() -> None:
    by_path = {a["path"]: a for a in ARTICLES}
    groups: dict[str, set[str]] = defaultdict(set)
    for a in ARTICLES:
        if a["group"]:
            groups[a["group"]].add(a["outlet"])
        if a["copy_of"]:
            original = by_path[a["copy_of"]]
            assert a["group"] == original["group"] and a["outlet"] != original["outlet"]
            assert a["title"] != original["title"], "a copy's title is reworded"
            text = file_of(a["path"]).read_text(encoding="utf-8")
            assert a["credit_line"] and a["credit_line"] in text
    assert sum(len(outlets) >= 2 for outlets in groups.values()) >= 4


# -- feeds, listings, robots ---------------------------------------------------------------
def test_every_announced_link_is_served(client: httpx.Client, announced: dict) -> None:
    links = [url for entries in announced.values() for url, _ in entries]
    assert len(links) >= 45
    for url in links:
        assert client.get(url).status_code == 200, url


def test_every_article_is_announced_unless_orphaned(announced: dict) -> None:
    listed = {canonical_path(url) for entries in announced.values() for url, _ in entries}
    for a in ARTICLES:
        if a["orphan_reason"]:
            assert a["path"] not in listed and a["listed_in"] is None, a["id"]
        else:
            assert a["path"] in listed, a["id"]
            assert a["listed_in"] in {o["feed"] for o in OUTLETS.values()}


def test_feed_dates_match_the_manifest(announced: dict) -> None:
    by_path = {a["path"]: a for a in ARTICLES}
    undated = 0
    for entries in announced.values():
        for url, entry in entries:
            if entry is None:
                continue
            a = by_path[canonical_path(url)]
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            if "feed" in a["date_in"]:
                expected = datetime.fromisoformat(a["published"]).astimezone(UTC)
                assert datetime(*stamp[:6], tzinfo=UTC) == expected, a["id"]
            else:
                assert stamp is None, a["id"]
                undated += 1
    assert undated >= 2


def test_one_story_is_announced_twice_with_tracking_parameters(announced: dict) -> None:
    urls = [url for url, _ in announced["baolangson-demo"]]
    tracked = [u for u in urls if "utm_source=rss" in urlsplit(u).query]
    assert len(tracked) == 1
    assert sum(canonical_path(u) == canonical_path(tracked[0]) for u in urls) == 2


def test_one_feed_item_has_a_relative_link() -> None:
    feed = (SITE / OUTLETS["tinnhanh-demo"]["feed"].lstrip("/")).read_text(encoding="utf-8")
    assert re.search(r"<link>/tinnhanh-demo/[^<]+</link>", feed)


def test_listing_has_one_item_per_portal_article(site: LocalServer, client: httpx.Client) -> None:
    soup = BeautifulSoup(client.get(site.url("/portal-demo/tin-tuc.html")).text, "lxml")
    items = soup.select("div.list-news div.news-item")
    portal = [a for a in ARTICLES if a["outlet"] == "portal-demo"]
    assert len(items) == len(portal)
    assert sum(item.select_one("span.news-date") is None for item in items) == sum(
        a["published"] is None for a in portal
    )


def test_broken_feed_yields_no_entries(site: LocalServer, client: httpx.Client) -> None:
    for path in MANIFEST["broken_feeds"]:
        response = client.get(site.url(path))
        assert response.status_code == 200
        parsed = feedparser.parse(response.content)
        assert parsed.bozo and not parsed.entries


def test_robots_txt_blocks_only_the_drafts(site: LocalServer, client: httpx.Client) -> None:
    response = client.get(site.url("/robots.txt"))
    assert response.status_code == 200
    rules = urllib.robotparser.RobotFileParser()
    rules.parse(response.text.splitlines())
    blocked = [a for a in ARTICLES if a["robots_blocked"]]
    assert blocked and all(a["listed_in"] for a in blocked), "a blocked page is announced"
    for a in ARTICLES:
        allowed = rules.can_fetch("langson-monitor", site.url(a["path"]))
        assert allowed is not a["robots_blocked"], a["id"]


# -- text quality ----------------------------------------------------------------------------
def test_base_placeholder_is_always_substituted(site: LocalServer, client: httpx.Client) -> None:
    for file in SITE.rglob("*"):
        if file.suffix not in TEXT_SUFFIXES:
            continue
        body = client.get(site.url(url_path_of(file))).text
        assert "{{" not in body, file
        if "{{BASE}}" in file.read_text(encoding="utf-8"):
            assert site.base_url in body, file


def test_pages_are_utf8_and_nfc_except_declared_quirks() -> None:
    nfd = {file_of(a["path"]) for a in ARTICLES if "nfd" in a["quirks"]}
    assert nfd
    for file in SITE.rglob("*"):
        if file.suffix not in TEXT_SUFFIXES | {".yaml", ".svg"}:
            continue
        text = file.read_bytes().decode("utf-8")  # strict: raises on any invalid byte
        if file in nfd:
            assert unicodedata.is_normalized("NFD", text)
            assert not unicodedata.is_normalized("NFC", text)
        else:
            assert unicodedata.is_normalized("NFC", text), file


def test_entity_title_page_decodes_to_its_title() -> None:
    quirky = [a for a in ARTICLES if "entities-title" in a["quirks"]]
    assert quirky
    for a in quirky:
        raw = re.search(r"<h1[^>]*>(.*?)</h1>", file_of(a["path"]).read_text(encoding="utf-8"))
        assert raw and "&#" in raw.group(1)
        assert html.unescape(raw.group(1)) == a["title"]


def body_of(a: dict) -> BeautifulSoup:
    soup = BeautifulSoup(file_of(a["path"]).read_text(encoding="utf-8"), "lxml")
    body = soup.select_one(OUTLETS[a["outlet"]]["body_selector"])
    assert body is not None, a["id"]
    return body


def test_bodies_read_like_news() -> None:
    for a in ARTICLES:
        body = body_of(a)
        paragraphs = [p for p in body.find_all("p") if len(p.get_text().split()) > 12]
        words = len(body.get_text(" ").split())
        # The lead (sapo) sits outside the body on most outlets: with it every page has 150+.
        assert 3 <= len(paragraphs) <= 7, (a["id"], len(paragraphs))
        assert 130 <= words <= 520, (a["id"], words)


def test_page_dates_match_the_manifest() -> None:
    low, high = datetime(2026, 10, 1, tzinfo=VN), datetime(2026, 11, 27, tzinfo=VN)
    markers = (
        "meta[property='article:published_time'], time, .date, .publish-time, "
        ".article-date, .news-date, .entry-meta"
    )
    for a in ARTICLES:
        soup = BeautifulSoup(file_of(a["path"]).read_text(encoding="utf-8"), "lxml")
        if not {"meta", "text"} & set(a["date_in"]):
            assert not soup.select(markers), a["id"]  # undated page, or dated in the feed only
        if a["published"] is None:
            continue
        published = datetime.fromisoformat(a["published"])
        assert low <= published < high, a["id"]
        meta = soup.select_one("meta[property='article:published_time']")
        if "meta" in a["date_in"]:
            stamp = datetime.fromisoformat(meta["content"].replace("Z", "+00:00"))
            assert stamp == published, a["id"]
        else:
            assert meta is None, a["id"]


def test_site_stays_small() -> None:
    assert sum(f.stat().st_size for f in SITE.rglob("*") if f.is_file()) < 1_500_000


# -- the sources files -----------------------------------------------------------------------
def test_demo_sources_point_at_every_outlet(demo_sources: list[Source], site: LocalServer) -> None:
    feeds = {site.url(o["feed"]) for o in OUTLETS.values()}
    assert {s.url for s in demo_sources} == feeds
    assert all(s.allow_private_links and s.enabled for s in demo_sources)


def test_real_sources_file_is_valid() -> None:
    sources = load_sources(REPO / "sources.yaml")
    assert len(sources) >= 15
    groups = {"provincial", "construction", "national", "foreign"}
    assert groups <= {t for s in sources for t in s.tags}
    for s in sources:
        assert urlsplit(s.url).scheme == "https", s.id
        assert 15 <= s.interval_minutes <= 60, s.id
        assert set(s.tags) <= groups | {"government"}, s.id
        assert not s.allow_private_links, s.id
