"""Feed parsing on real-world breakage: each fixture is named after its quirk."""

from __future__ import annotations

import contextlib
import os
import time
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.collect.feeds import FeedError, html_to_text, parse_feed

HERE = Path(__file__).resolve().parent
FEEDS = HERE.parent / "fixtures" / "feeds"
SHARED = Path(os.environ.get("MONITOR_SHARED_DATA", HERE.parents[2] / "shared" / "data"))
FEED_URL = "https://baoxulang.example.vn/rss/thoi-su.rss"


def parse(name: str, **kwargs: str):
    return parse_feed((FEEDS / name).read_bytes(), url=FEED_URL, **kwargs)


def test_bare_ampersand_is_read_with_a_warning() -> None:
    feed = parse("feed-bare-ampersand.xml")
    assert feed.kind == "rss"
    assert feed.ttl_minutes == 20
    assert [e.title for e in feed.entries] == [
        "Sở Xây dựng & Sở Giao thông kiểm tra công trình đường tránh",
        "Giá vật liệu xây dựng quý IV: cát, đá & xi măng cùng tăng",
    ]
    assert feed.entries[1].url.endswith("?utm_source=rss&utm_medium=feed")
    assert feed.entries[0].summary.startswith("Đoàn kiểm tra liên ngành")
    assert "<" not in feed.entries[0].summary
    assert any("not well-formed" in w for w in feed.warnings)


@pytest.mark.shared_data
def test_real_vnexpress_excerpt_with_bare_ampersand() -> None:
    path = SHARED / "feeds" / "vnexpress-the-gioi-2025-02-06.xml"
    if not path.exists():
        pytest.skip("shared data absent")
    feed = parse_feed(path.read_bytes(), url="https://vnexpress.net/rss/the-gioi.rss")
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.url and entry.url.startswith("https://vnexpress.net/")
    assert entry.published_at == datetime(2025, 2, 6, 13, 30, 48, tzinfo=UTC)
    assert entry.summary and "<" not in entry.summary


@pytest.mark.parametrize(
    ("name", "warning"),
    [
        ("feed-wrong-charset-latin1-declared.xml", "declared charset ISO-8859-1"),
        ("feed-windows-1258-undeclared.xml", "guessed"),
        ("feed-windows-1258-declared.xml", None),
        ("feed-bom.xml", "byte order mark"),
        ("feed-nfd-text.xml", None),
    ],
)
def test_encodings_come_out_as_nfc_vietnamese(name: str, warning: str | None) -> None:
    feed = parse(name)
    assert feed.entries, feed.warnings
    for text in [feed.title] + [e.title for e in feed.entries] + [e.summary for e in feed.entries]:
        assert text == unicodedata.normalize("NFC", text)
        assert "Ã" not in text and "\ufffd" not in text
    if warning is None:
        assert not any("charset" in w for w in feed.warnings)
    else:
        assert any(warning in w for w in feed.warnings)


def test_specific_encoded_titles() -> None:
    assert parse("feed-windows-1258-declared.xml").entries[0].title == (
        "Huyện Lộc Bình nghiệm thu cầu treo Pắc Pẻn"
    )
    assert parse("feed-wrong-charset-latin1-declared.xml").title == "Kinh tế - Cổng tin Lạng Sơn"
    assert parse("feed-nfd-text.xml").entries[0].title == (
        "Lạng Sơn trùng tu đền Kỳ Cùng trước mùa lễ hội"
    )
    # The HTTP header's charset is believed over the document when the bytes disagree
    # with neither: here both say UTF-8.
    assert parse("feed-bom.xml", content_type="application/rss+xml; charset=utf-8").entries


def test_relative_links_resolve_against_feed_url_and_xml_base() -> None:
    urls = [e.url for e in parse("feed-relative-links.xml").entries]
    assert urls == [
        "https://baoxulang.example.vn/do-thi/via-he-vinh-trai-1201.html",
        "https://baoxulang.example.vn/rss/chieu-sang-phai-loan-1202.html",
        "https://anh.baovidu.example.vn/album/cau-ky-cung-1203.html",
    ]


def test_html_entities_and_markup_become_plain_text() -> None:
    feed = parse("feed-html-entities.xml")
    assert feed.title == "Bất động sản & Xây dựng"
    first, second = feed.entries
    assert first.title == 'Dự án "Khu đô thị Phú Lộc" được gia hạn tiến độ'
    assert first.summary == (
        "Chủ đầu tư xin gia hạn thêm 24 tháng do vướng giải phóng mặt bằng.\n"
        "Sở Xây dựng đề nghị xử lý dứt điểm."
    )
    assert second.title == "Giá nhà phố tăng 8% – người mua ở thực chững lại"
    assert second.summary == "Khảo sát cho thấy lượng giao dịch giảm “rõ rệt” so với quý trước."


def test_missing_and_unreadable_dates_are_none() -> None:
    feed = parse("feed-no-dates.xml")
    assert [e.published_at for e in feed.entries] == [None, None]
    assert any("không rõ" in w for w in feed.warnings)


def test_dates_without_zone_are_vietnamese_local_time() -> None:
    entries = parse("feed-dates-without-timezone.xml").entries
    assert [e.published_at for e in entries] == [
        datetime(2025, 11, 12, 1, 30, tzinfo=UTC),
        datetime(2025, 11, 12, 7, 0, tzinfo=UTC),
        datetime(2025, 11, 12, 9, 45, tzinfo=UTC),
        None,  # 2099: a broken CMS clock
    ]


def test_guid_url_stands_in_for_missing_link_and_entries_without_either_are_skipped() -> None:
    feed = parse("feed-guid-without-link.xml")
    assert [(e.url, e.guid) for e in feed.entries] == [
        ("https://baovidu.example.vn/tin-van/cau-na-sam-901.html",) * 2,
        ("https://baovidu.example.vn/tin-van/nuoc-sach-902.html",) * 2,
    ]
    # A guid that is no http(s) URL cannot stand in for the link an analyst opens.
    assert any("(Mã tin nội bộ) skipped: no http(s) link" in w for w in feed.warnings)
    assert any("skipped: no http(s) link and no guid" in w for w in feed.warnings)


@pytest.mark.parametrize(
    "link",
    ["javascript:alert(1)", "JAVASCRIPT:alert(1)", " jav&#x09;ascript:alert(1)",
     "data:text/html,hi", "vbscript:x", "file:///etc/passwd", "mailto:a@b.vn"],
)  # fmt: skip
def test_only_http_links_are_kept(link: str) -> None:
    xml = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"<item><title>X</title><link>{link}</link><guid>javascript:alert(2)</guid></item>"
        "<item><title>Y</title><link>HTTPS://ok.vn/a</link></item></channel></rss>"
    )
    feed = parse_feed(xml.encode(), url="https://a.vn/rss")
    assert [e.url for e in feed.entries] == ["https://ok.vn/a"]


def test_atom() -> None:
    feed = parse("feed-atom.xml")
    assert feed.kind == "atom"
    first, second = feed.entries
    assert first.url == "https://blogxaydung.example.vn/bai-viet/do-be-tong-san-tang-5"
    assert first.title == "Đổ bê tông sàn tầng 5 nhà điều hành"
    assert first.summary == "Ca đổ bê tông kéo dài sáu giờ, dùng 120 m³ bê tông thương phẩm."
    assert first.published_at == datetime(2025, 11, 10, 1, 15, tzinfo=UTC)
    assert first.author == "Kỹ sư Lê Minh"
    assert second.published_at == datetime(2025, 11, 8, 16, 0, tzinfo=UTC)


def test_rdf() -> None:
    feed = parse("feed-rdf.xml")
    assert feed.kind == "rdf"
    (entry,) = feed.entries
    assert entry.url == "https://thuvien.example.vn/van-ban/qd-45-2025.html"
    assert entry.published_at == datetime(2025, 11, 7, 3, 0, tzinfo=UTC)


def test_entity_bomb_is_never_expanded() -> None:
    start = time.perf_counter()
    feed = parse("feed-entity-bomb.xml")
    assert time.perf_counter() - start < 1.0
    assert feed.entries[0].title == "Cảnh báo lừa đảo mua bán đất nền"
    assert "lol" not in feed.title + feed.entries[0].summary
    assert any("entity declaration" in w for w in feed.warnings)


def test_quadratic_blowup_is_never_expanded() -> None:
    big = "x" * 100_000
    refs = "&big;" * 50_000
    document = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY big "{big}">]>\n'
        f'<rss version="2.0"><channel><title>t</title><item><title>a{refs}</title>'
        "<link>https://x.example.vn/a.html</link></item></channel></rss>"
    ).encode()
    start = time.perf_counter()
    feed = parse_feed(document, url=FEED_URL)
    assert time.perf_counter() - start < 2.0
    assert feed.entries[0].title == "a"


def test_external_entities_are_not_resolved() -> None:
    feed = parse("feed-external-entity.xml")
    assert feed.entries[0].title == "Khởi công nhà máy nước Bắc Sơn"
    assert "root:" not in feed.entries[0].summary
    assert feed.entries[0].summary == "Nhà máy công suất 5.000 m³ mỗi ngày."


def test_html_page_names_the_feeds_it_announces() -> None:
    with pytest.raises(FeedError) as caught:
        parse("page-instead-of-feed.html")
    message = str(caught.value)
    assert "HTML page" in message
    assert "https://baoxulang.example.vn/rss/tin-moi.rss" in message
    assert "https://baoxulang.example.vn/atom/xay-dung.xml" in message


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "empty body"),
        (b"  \n ", "empty body"),
        (b"hello world, not xml", "not a feed"),
        (b"\x00\x01\x02\xff\xfe garbage", "not a feed"),
        (b'<?xml version="1.0"?><note><to>A</to></note>', "not a feed"),
        ("<html><body><p>Trang lỗi</p></body></html>".encode(), "HTML page"),
    ],
)
def test_not_a_feed(content: bytes, words: str) -> None:
    with pytest.raises(FeedError, match=words):
        parse_feed(content, url=FEED_URL)


def test_empty_channel_is_a_feed_with_a_warning() -> None:
    document = '<rss version="2.0"><channel><title>Trống</title></channel></rss>'.encode()
    feed = parse_feed(document, url=FEED_URL)
    assert feed.entries == () and feed.title == "Trống"
    assert feed.warnings == ("the feed lists no entries",)


def test_html_to_text() -> None:
    assert html_to_text("<p>Một</p><p>Hai &amp; ba</p>") == "Một\nHai & ba"
    assert html_to_text("<b>Lạng</b> Sơn", one_line=True) == "Lạng Sơn"
    assert html_to_text("Giá thép < 20 triệu") == "Giá thép < 20 triệu"
    assert html_to_text("<p>Tin</p><script>track()</script><style>p{}</style>") == "Tin"
    assert html_to_text(None) == ""


FIXTURE_BYTES = [path.read_bytes() for path in sorted(FEEDS.iterdir()) if path.is_file()]


@st.composite
def mutated_fixture(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(FIXTURE_BYTES)))
    for _ in range(draw(st.integers(0, 6))):
        position = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "truncate"]))
        if action == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        elif action == "delete":
            del data[position : position + draw(st.integers(1, 40))]
        else:
            del data[position:]
    return bytes(data)


@settings(
    max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(mutated_fixture())
def test_mutated_fixtures_raise_only_feed_error(content: bytes) -> None:
    with contextlib.suppress(FeedError):
        parse_feed(content, url=FEED_URL)


@settings(max_examples=40, deadline=None, database=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_raise_only_feed_error(content: bytes) -> None:
    with contextlib.suppress(FeedError):
        parse_feed(content, url=FEED_URL)


_ITEM = (
    '<rss version="2.0"><channel><title>t</title><item><title>a{refs}</title>'
    "<link>https://x.example.vn/a.html</link></item></channel></rss>"
)
_LAUGHS = (
    '<!ENTITY lol "lollollollollollollollollollol">'
    + "".join(
        f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">'.replace("&lol0;", "&lol;")
        for n in range(1, 10)
    )  # fmt: skip
)


_SPREAD = _LAUGHS.replace("><", ">\n  <")  # one declaration a line


@pytest.mark.parametrize(
    "doctype",
    [
        f"<!DOCTYPE rss [{_LAUGHS}]>",
        f'<!DOCTYPE rss PUBLIC "-//x>y//EN" "http://a.example/x>.dtd" [{_LAUGHS}]>',
        "<!DOCTYPE rss SYSTEM 'weird[bracket' [\n  " + _SPREAD + "\n]>",
        f"<!-- a ] comment > before -->\n<!DOCTYPE rss [<!-- ]> not the end -->{_LAUGHS}]>",
        f'<!DOCTYPE rss [<!ENTITY % p "x">{_LAUGHS}<!ATTLIST a b CDATA "]>">]>',
        f"<!DOCTYPE\n  rss\n  [\n{_LAUGHS}\n  ]\n>",
    ],
)
def test_no_doctype_form_gets_an_entity_expanded(doctype: str) -> None:
    document = f'<?xml version="1.0"?>\n{doctype}\n' + _ITEM.format(refs="&lol9;" * 100)
    start = time.perf_counter()
    feed = parse_feed(document.encode(), url=FEED_URL)
    assert time.perf_counter() - start < 2.0
    assert feed.entries[0].title == "a"
    assert any("entity declaration" in w for w in feed.warnings)


@pytest.mark.parametrize(
    "document",
    [
        '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY a "b">\n' + _ITEM.format(refs="&a;"),
        _ITEM.format(refs="").replace("<channel>", '<channel><!ENTITY x "y">'),
        _ITEM.format(refs="").replace("</rss>", "</rss><!DOCTYPE again [<!ENTITY z 'q'>]>"),
    ],
)
def test_unterminated_or_misplaced_declarations_refuse_the_document(document: str) -> None:
    with pytest.raises(FeedError, match="refused"):
        parse_feed(document.encode(), url=FEED_URL)


def test_a_doctype_in_cdata_content_is_just_text() -> None:
    item = _ITEM.format(refs="").replace(
        "</title><link>",
        "</title><description><![CDATA[<!DOCTYPE html><p>x</p>]]></description><link>",
    )
    assert parse_feed(item.encode(), url=FEED_URL).entries[0].title == "a"


_PIECES = [
    '<!ENTITY a "aaaaaaaaaa">', '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">',
    '<!ENTITY % p "<!ENTITY c \'&b;&b;&b;\'>">', "%p;", '<!ENTITY e SYSTEM "file:///etc/passwd">',
    "[", "]", ">", '"', "'", "<!--", "-->", "\n", " PUBLIC \"-//x>]//EN\"", " SYSTEM 'x>'",
    "&a;", "&b;", "&c;", "&e;", "<![CDATA[", "]]>",
]  # fmt: skip
_CODECS = ["utf-8", "utf-16", "windows-1258", "latin-1", "cp1252", "ascii", "shift_jis"]


@settings(max_examples=60, deadline=None, database=None)
@given(
    st.lists(st.sampled_from(_PIECES), max_size=25),
    st.lists(st.sampled_from(_PIECES), max_size=6),
    st.sampled_from(_CODECS),
    st.sampled_from(_CODECS),
)
def test_random_declarations_and_encodings_never_expand_or_escape(
    prolog: list[str], body: list[str], declared: str, actual: str
) -> None:
    import tracemalloc

    document = (
        f'<?xml version="1.0" encoding="{declared}"?>\n<!DOCTYPE rss [{"".join(prolog)}]>\n'
        + _ITEM.format(refs="Lạng Sơn &a;&b;&c;&e;" + "".join(body))
    )
    content = document.encode(actual, errors="replace")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with contextlib.suppress(FeedError):
            feed = parse_feed(content, url=FEED_URL)
            for entry in feed.entries:
                assert "aaaaaaaaaa" not in entry.title and "root:" not in entry.title
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.perf_counter() - started < 3 and peak < 64 * 1024 * 1024


def test_memory_stays_bounded_on_a_feed_at_the_size_limit() -> None:
    import tracemalloc

    from monitor.collect.fetch import FetchSettings

    limit = FetchSettings().max_bytes
    head = f'<?xml version="1.0"?>\n<!DOCTYPE rss [{_LAUGHS}]>\n'
    refs = "&lol9;" * ((limit - len(head) - len(_ITEM)) // len("&lol9;"))
    document = (head + _ITEM.format(refs=refs)).encode()
    assert len(document) <= limit
    tracemalloc.start()
    try:
        feed = parse_feed(document, url=FEED_URL)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert feed.entries[0].title == "a"
    assert peak < 12 * limit  # a few copies of the document, never the expansion (3 GB here)
