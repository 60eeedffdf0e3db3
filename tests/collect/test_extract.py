"""Article extraction on Vietnamese CMS pages: body, title, date, decoding."""

from __future__ import annotations

import codecs
import contextlib
import json
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.collect.dates import find_visible_date, page_date, parse_date
from monitor.collect.extract import (
    ExtractionError,
    _density,
    decode_html,
    extract_article,
    parse_html,
)

PAGES = Path(__file__).resolve().parent.parent / "fixtures" / "pages"
EXPECTED = json.loads((PAGES / "expected.json").read_text(encoding="utf-8"))
ARTICLES = sorted(name for name, item in EXPECTED.items() if not item.get("error"))


def extract(name: str, content: bytes | None = None, **kwargs):
    data = content if content is not None else (PAGES / name).read_bytes()
    return extract_article(data, url=f"https://bao.example.vn/{name}", **kwargs)


@pytest.mark.parametrize("name", ARTICLES)
def test_body_has_the_article_and_nothing_around_it(name: str) -> None:
    expected = EXPECTED[name]
    result = extract(name)
    paragraphs = result.text.split("\n")
    for line in expected["body"].split("\n"):
        assert line in paragraphs, line
    for phrase in expected["absent"]:
        assert phrase not in result.text, phrase
    assert result.method == expected["method"]
    assert result.title == expected["title"]


@pytest.mark.parametrize("name", ARTICLES)
def test_date_and_where_it_came_from(name: str) -> None:
    expected = EXPECTED[name]
    result = extract(name)
    want = expected["published_at"]
    assert result.published_at == (datetime.fromisoformat(want) if want else None)
    assert result.date_source == expected["date_source"]


def test_lead_is_the_first_paragraph() -> None:
    result = extract("page-vn-cms-sapo-body.html")
    assert result.text.startswith("Khu đô thị mới Mai Pha rộng hơn 280 ha")
    assert result.method == "vn-rules"


def test_subheadings_and_quotes_are_kept() -> None:
    text = extract("page-vn-cms-singular-figure.html").text
    assert "Chờ nhà đầu tư" in text.split("\n")
    assert "“Chúng tôi sẵn sàng chuyển đi tạm cư" in text


def test_page_without_text_raises() -> None:
    with pytest.raises(ExtractionError, match="no article text"):
        extract("page-not-article.html")


def test_empty_page_raises() -> None:
    with pytest.raises(ExtractionError):
        extract_article(b"", url="https://bao.example.vn/empty")


def test_meta_date_in_the_far_future_is_rejected_for_the_visible_one() -> None:
    page = (PAGES / "page-visible-date-only.html").read_text(encoding="utf-8")
    meta = '<meta property="article:published_time" content="2099-01-01T08:00:00+07:00">'
    page = page.replace("</title>", "</title>\n" + meta)
    result = extract("future.html", page.encode())
    assert result.published_at == datetime(2025, 11, 21, 1, 30, tzinfo=UTC)
    assert result.date_source == "visible"


def test_dates_after_now_are_rejected_and_site_header_clock_ignored() -> None:
    # Seen from 1 November 2025, the article (20 November) is in the future, and the
    # "today" clock in the site header must not be taken for the article's date.
    result = extract("page-vn-cms-sapo-body.html", now=datetime(2025, 11, 1, tzinfo=UTC))
    assert result.published_at is None and result.date_source is None


def test_nfd_page_comes_out_nfc() -> None:
    page = (PAGES / "page-no-date.html").read_text(encoding="utf-8")
    result = extract("nfd.html", unicodedata.normalize("NFD", page).encode())
    assert result.text == unicodedata.normalize("NFC", result.text)
    assert "Hồ sơ đề nghị cấp giấy phép" in result.text


def test_english_page_goes_to_trafilatura() -> None:
    sentence = "The provincial department approved the new bridge design after a public review. "
    page = (
        "<html lang='en'><head><title>Bridge approved</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<div class='story'><h1>Bridge design approved</h1><p>{sentence * 3}</p>"
        f"<p>{sentence * 2}</p></div><footer>Copyright Example Media</footer></body></html>"
    )
    result = extract_article(page.encode(), url="https://news.example.com/bridge")
    assert result.method == "trafilatura"
    assert "approved the new bridge design" in result.text
    assert "Copyright" not in result.text


# --- decoding ---------------------------------------------------------------------------------

VI = "<html><head>{meta}<title>Tin</title></head><body><p>Sở Xây dựng Lạng Sơn</p></body></html>"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (VI.format(meta='<meta charset="utf-8">').encode(), ""),
        (codecs.BOM_UTF8 + VI.format(meta="").encode(), ""),
        (VI.format(meta='<meta charset="iso-8859-1">').encode(), ""),  # wrong declaration
        (VI.format(meta="").encode(), "text/html; charset=ISO-8859-1"),  # wrong header
        (VI.format(meta='<meta charset="utf-8">').encode("utf-16"), ""),
        ((PAGES / "page-windows-1258-declared.html").read_bytes(), ""),
    ],
)
def test_decode_html(content: bytes, content_type: str) -> None:
    text = unicodedata.normalize("NFC", decode_html(content, content_type))
    assert "Lạng Sơn" in text
    assert "\ufeff" not in text


def test_header_charset_wins_over_meta_for_non_utf8_bytes() -> None:
    page = "<html><head><meta charset='utf-8'></head><body><p>Café crème brûlée</p></body></html>"
    content = page.encode("cp1252")
    assert "Café crème brûlée" in decode_html(content, "text/html; charset=windows-1252")


def test_undeclared_windows_1258_is_guessed() -> None:
    declared = (PAGES / "page-windows-1258-declared.html").read_bytes()
    undeclared = declared.replace(b"; charset=windows-1258", b"")
    text = unicodedata.normalize("NFC", decode_html(undeclared))
    assert "vật liệu xây dựng không nung" in text


# --- dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thứ hai, 24/11/2025 - 08:30", datetime(2025, 11, 24, 1, 30, tzinfo=UTC)),
        ("Thứ Sáu, 21/11/2025", datetime(2025, 11, 20, 17, 0, tzinfo=UTC)),
        ("21/11/2025 08:30 GMT+7", datetime(2025, 11, 21, 1, 30, tzinfo=UTC)),
        ("Cập nhật: 08:30 21-11-2025", datetime(2025, 11, 21, 1, 30, tzinfo=UTC)),
        ("ngày 21 tháng 11 năm 2025", datetime(2025, 11, 20, 17, 0, tzinfo=UTC)),
        ("Thứ năm, 6/2/2025, 20:30 (GMT+7)", datetime(2025, 2, 6, 13, 30, tzinfo=UTC)),
        ("08h30 ngày 21/11/2025", datetime(2025, 11, 21, 1, 30, tzinfo=UTC)),
        ("2025-11-21T08:30:00+07:00", datetime(2025, 11, 21, 1, 30, tzinfo=UTC)),
        ("2025-11-21 08:30", datetime(2025, 11, 21, 1, 30, tzinfo=UTC)),
        ("Fri, 21 Nov 2025 08:30:00 GMT", datetime(2025, 11, 21, 8, 30, tzinfo=UTC)),
        ("21/11/2099 08:30", None),
        ("01/01/1985", None),
        ("31/02/2025", None),
        ("không rõ", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_visible_date_inside_a_sentence() -> None:
    line = "Đăng lúc 14:05 | 03/10/2025. Chia sẻ bài viết"
    assert find_visible_date(line) == datetime(2025, 10, 3, 7, 5, tzinfo=UTC)


def test_density_fallback_takes_the_block_with_most_paragraph_text() -> None:
    body = "<p>Đoạn văn dài về công trình cầu mới bắc qua sông Kỳ Cùng ở thành phố.</p>" * 4
    page = (
        "<html><body><div class='menu'><p><a href='/'>Trang chủ</a></p></div>"
        f"<div class='x'>{body}</div><div class='y'><p>Chân trang</p></div></body></html>"
    )
    text = _density(parse_html(page))
    assert (
        text.split("\n")
        == ["Đoạn văn dài về công trình cầu mới bắc qua sông Kỳ Cùng ở thành phố."] * 4
    )


PAGE_BYTES = [path.read_bytes() for path in sorted(PAGES.glob("page-*.html"))]


@st.composite
def mutated_page(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(PAGE_BYTES)))
    for _ in range(draw(st.integers(0, 6))):
        position = draw(st.integers(0, len(data)))
        if draw(st.booleans()):
            data[position:position] = draw(st.binary(min_size=1, max_size=8))
        else:
            del data[position : position + draw(st.integers(1, 200))]
    return bytes(data)


@settings(max_examples=30, deadline=None, database=None)
@given(mutated_page() | st.binary(max_size=300))
def test_damaged_pages_raise_only_extraction_error(content: bytes) -> None:
    with contextlib.suppress(ExtractionError):
        extract_article(content, url="https://bao.example.vn/hong.html")


def test_article_header_dates_count_but_the_site_clock_does_not() -> None:
    page = (
        "<html><body><header><span class='date'>Thứ Năm, 27/11/2025</span></header><article>"
        "<header class='entry-header'><h1>Tiêu đề bài viết về công trình</h1>"
        "<div class='entry-meta'><time datetime='2025-08-15T08:30:00+07:00'>15/08/2025 08:30</time>"
        "</div></header><p>x</p></article></body></html>"
    )
    assert page_date(parse_html(page)) == (datetime(2025, 8, 15, 1, 30, tzinfo=UTC), "meta")
    without = page.replace(" datetime='2025-08-15T08:30:00+07:00'", "")
    assert page_date(parse_html(without)) == (datetime(2025, 8, 15, 1, 30, tzinfo=UTC), "visible")


_CODECS = ["utf-8", "utf-16", "windows-1258", "cp1252", "latin-1", "shift_jis", "koi8-r"]


@settings(max_examples=30, deadline=None, database=None)
@given(st.sampled_from(PAGE_BYTES), st.sampled_from(_CODECS), st.sampled_from(_CODECS))
def test_pages_in_random_encodings_raise_only_extraction_error(
    page: bytes, actual: str, declared: str
) -> None:
    text = (
        page.decode("utf-8", errors="replace").replace("utf-8", declared).replace("UTF-8", declared)
    )
    content = text.encode(actual, errors="replace")
    with contextlib.suppress(ExtractionError):
        result = extract_article(content, url="https://bao.example.vn/ma-hoa.html",
                                 content_type=f"text/html; charset={declared}")  # fmt: skip
        result.text.encode("utf-8")  # whatever came out is valid text
