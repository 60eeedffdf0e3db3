"""sources.yaml is parsed strictly: every problem names the file, the line and the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.sources import SourcesError, load_sources, parse_sources

ROOT = Path(__file__).resolve().parent.parent

GOOD = """
sources:
  - id: baolangson
    name: Báo Lạng Sơn
    url: https://baolangson.vn/rss/thoi-su.rss
    tags: [provincial]
  - id: portal
    name: Cổng thông tin
    url: https://langson.gov.vn/tin-tuc
    type: html
    interval_minutes: 60
    selectors: {item: "article.news", link: "h3 a", date: ".date"}
"""


def test_good_file_and_defaults() -> None:
    first, second = parse_sources(GOOD)
    assert first.type == "rss" and first.interval_minutes == 30 and first.fetch_articles
    assert first.language == "vi" and first.enabled and first.tags == ("provincial",)
    assert not first.allow_private_links
    assert second.selectors is not None and second.selectors.link == "h3 a"


@pytest.mark.parametrize(
    ("snippet", "expected"),
    [
        ("  - {id: a, name: A, url: 'https://a.vn/rss', colour: red}", ":2: colour: unknown key"),
        ("  - {id: A B, name: A, url: 'https://a.vn/rss'}", ":2: id: 'A B' is not a slug"),
        ("  - {id: a, name: A, url: 'ftp://a.vn/rss'}", ":2: url: 'ftp://a.vn/rss' is not"),
        ("  - {id: a, name: A, url: 'https://a.vn', type: atom}", ":2: type: 'atom' is not one"),
        ("  - {id: a, name: A, url: 'https://a.vn', interval_minutes: 0}", "interval_minutes: 0"),
        ("  - {id: a, name: A, url: 'https://a.vn', enabled: 'yes please'}", "enabled: must be"),
        ("  - {id: a, name: A, url: 'https://a.vn', type: html}", "selectors: is required"),
        ("  - {id: a, url: 'https://a.vn'}", ":2: name: is required"),
        ("  - {id: a, name: A, url: 'https://a.vn', tags: x}", "tags: must be a list"),
    ],
)
def test_bad_values_name_line_and_key(snippet: str, expected: str) -> None:
    with pytest.raises(SourcesError) as info:
        parse_sources("sources:\n" + snippet + "\n", "my.yaml")
    assert f"my.yaml{expected}" in str(info.value) or expected in str(info.value)
    assert str(info.value).startswith("my.yaml:")


def test_duplicate_ids_name_both_lines() -> None:
    text = "sources:\n  - {id: a, name: A, url: 'https://a.vn'}\n  - {id: a, name: B, url: 'https://b.vn'}\n"
    with pytest.raises(
        SourcesError, match=r"x.yaml:3: id: 'a' is already used by the source on line 2"
    ):
        parse_sources(text, "x.yaml")


def test_nothing_is_half_loaded() -> None:
    text = (
        "sources:\n  - {id: a, name: A, url: 'https://a.vn'}\n  - {id: b, name: B, url: 'nope'}\n"
    )
    with pytest.raises(SourcesError):
        parse_sources(text)


@pytest.mark.parametrize("text", ["", "sources: 3", "feeds: []", "sources:\n  - [1, 2]", "a: [b"])
def test_malformed_files(text: str) -> None:
    with pytest.raises(SourcesError):
        parse_sources(text)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourcesError, match="file not found"):
        load_sources(tmp_path / "none.yaml")


def test_shipped_sources_file_is_valid() -> None:
    path = ROOT / "sources.yaml"
    if not path.exists():
        pytest.skip("sources.yaml not written yet")
    sources = load_sources(path)
    assert len(sources) >= 12
    assert {"provincial", "construction", "national", "foreign"} <= {
        t for s in sources for t in s.tags
    }
