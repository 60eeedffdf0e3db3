"""Listing pages of outlets without feeds."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.collect.feeds import FeedError
from monitor.collect.listing import parse_listing
from monitor.sources import Selectors

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
URL = "https://baoxulang.example.vn/xay-dung"
SELECTORS = Selectors(
    item="div.news-item", link="h3.title a", summary="p.sapo", date=".time"
)


def listing(selectors: Selectors = SELECTORS):
    content = (PAGES / "listing-vn-section.html").read_bytes()
    return parse_listing(content, url=URL, selectors=selectors)


def test_entries_with_resolved_links_titles_and_vietnamese_dates() -> None:
    feed = listing()
    assert feed.kind == "html"
    assert feed.title == "Xây dựng - Đô thị | Báo Xứ Lạng Ví Dụ"
    assert [(e.url, e.title, e.published_at) for e in feed.entries] == [
        (
            "https://baoxulang.example.vn/xay-dung/nha-o-xa-hoi-khanh-khe-2101.html",
            "Dự án nhà ở xã hội Khánh Khê mở bán đợt đầu",
            datetime(2025, 11, 21, 9, 20, tzinfo=UTC),
        ),
        (
            "https://baoxulang.example.vn/xay-dung/duong-ba-trieu-2098.html",
            "Nâng cấp đường & vỉa hè phố Bà Triệu",
            datetime(2025, 11, 20, 14, 0, tzinfo=UTC),
        ),
        (
            "https://baoxulang.example.vn/xay-dung/kiem-tra-giay-phep-2090.html",
            "Kiểm tra giấy phép xây dựng tại phường Đông Kinh",
            datetime(2025, 11, 18, 17, 0, tzinfo=UTC),
        ),
    ]
    summary = "Đợt đầu có 120 căn hộ dành cho công nhân và người thu nhập thấp."
    assert feed.entries[0].summary == summary
    assert feed.entries[2].summary == ""


def test_duplicates_and_unusable_links_are_dropped_with_notes() -> None:
    feed = listing()
    assert "item without a usable link skipped" in feed.warnings
    assert "date 'vừa xong' not understood" in feed.warnings


def test_title_selector_and_item_that_is_the_link() -> None:
    selectors = Selectors(item="h3.title a", link="a", title=None)
    feed = listing(selectors)
    assert len(feed.entries) == 3
    assert feed.entries[1].title == "Nâng cấp đường & vỉa hè phố Bà Triệu"
    assert all(e.published_at is None for e in feed.entries)


def test_nothing_matched_is_an_error() -> None:
    with pytest.raises(FeedError, match="matched nothing"):
        listing(Selectors(item="div.khong-co"))


def test_invalid_selector_is_an_error_naming_it() -> None:
    with pytest.raises(FeedError, match="invalid date selector"):
        listing(Selectors(item="div.news-item", date="span[[["))


@settings(max_examples=40, deadline=None, database=None)
@given(st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_arbitrary_bytes_raise_only_feed_error(content: bytes) -> None:
    with contextlib.suppress(FeedError):
        parse_listing(content, url=URL, selectors=SELECTORS)
