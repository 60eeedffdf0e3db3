"""canonical_url folds the spellings of one page into one; the helpers classify URLs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.collect.urls import canonical_url, host_of, is_http_url

CASES = [
    ("HTTP://Example.VN/a", "http://example.vn/a"),
    ("https://example.vn:443/a", "https://example.vn/a"),
    ("http://example.vn:80/a", "http://example.vn/a"),
    ("https://example.vn:8443/a", "https://example.vn:8443/a"),
    ("https://example.vn", "https://example.vn/"),
    ("https://example.vn/a#binh-luan", "https://example.vn/a"),
    ("https://www.example.vn/a", "https://example.vn/a"),
    ("https://m.baolangson.vn/a", "https://baolangson.vn/a"),
    ("https://mobile.example.vn/a", "https://example.vn/a"),
    ("https://m.vn/a", "https://m.vn/a"),
    ("https://example.vn/a?utm_source=fb&utm_medium=x&id=3", "https://example.vn/a?id=3"),
    ("https://example.vn/a?fbclid=A1&gclid=B2&zarsrc=30&gidzl=xyz", "https://example.vn/a"),
    ("https://example.vn/a?_ga=1&mc_cid=2&mc_eid=3&cmpid=4&itm_source=5", "https://example.vn/a"),
    ("https://example.vn/a?ref=rss&ref_src=twsrc", "https://example.vn/a"),
    ("https://example.vn/a?ref=1234", "https://example.vn/a?ref=1234"),
    ("https://example.vn/a?b=2&a=1&c", "https://example.vn/a?a=1&b=2&c"),
    ("https://example.vn/tin-tuc/bai-viet/amp", "https://example.vn/tin-tuc/bai-viet"),
    ("https://example.vn/tin-tuc/bai-viet/amp/", "https://example.vn/tin-tuc/bai-viet/"),
    ("https://example.vn/a?amp=1", "https://example.vn/a"),
    ("https://example.vn/a?outputType=amp", "https://example.vn/a"),
    ("https://example.vn/%7euser/%e1%ba%a1", "https://example.vn/~user/%E1%BA%A1"),
    ("https://example.vn/Lạng Sơn", "https://example.vn/L%E1%BA%A1ng%20S%C6%A1n"),
    ("https://example.vn/a/%2F/b", "https://example.vn/a/%2F/b"),
    ("https://example.vn/a/./b/../c", "https://example.vn/a/c"),
    ("https://báo.vn/a", "https://xn--bo-mia.vn/a"),
    ("https://user:secret@example.vn/a", "https://example.vn/a"),
    ("http://[::1]:8080/a", "http://[::1]:8080/a"),
    ("  https://example.vn/a  ", "https://example.vn/a"),
    ("mailto:toa-soan@example.vn", "mailto:toa-soan@example.vn"),
    ("https://example.vn:99999/a", "https://example.vn:99999/a"),
]


@pytest.mark.parametrize(("url", "expected"), CASES)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_www_and_bare_host_are_equal() -> None:
    assert canonical_url("https://www.baolangson.vn/x") == canonical_url("https://baolangson.vn/x")


_PIECE = st.text(alphabet="aAzZ09-._~%/?&=#+:;@!$ ạơĐ", max_size=20)
_HOSTS = st.sampled_from(
    ["Example.VN", "www.m.example.vn", "m.example.vn", "báo.vn", "127.0.0.1", "[::1]", "a..vn"]
)


@given(
    st.sampled_from(["http", "HTTPS", "https"]),
    _HOSTS,
    st.sampled_from(["", ":80", ":443", ":8080"]),
    _PIECE,
    _PIECE,
)
def test_canonical_url_is_idempotent(
    scheme: str, host: str, port: str, path: str, rest: str
) -> None:
    once = canonical_url(f"{scheme}://{host}{port}/{path}?{rest}")
    assert canonical_url(once) == once


@given(st.text(max_size=60))
def test_canonical_url_never_raises_and_is_idempotent_on_any_text(text: str) -> None:
    once = canonical_url(text)
    assert canonical_url(once) == once


def test_host_of() -> None:
    assert host_of("https://WWW.Example.vn:8080/a") == "www.example.vn"
    assert host_of("not a url") == ""
    assert host_of("http://[::1]:9/") == "::1"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.vn/a", True),
        ("HTTP://example.vn", True),
        ("ftp://example.vn/a", False),
        ("file:///etc/passwd", False),
        ("/relative/path", False),
        ("http://[::1", False),
    ],
)
def test_is_http_url(url: str, expected: bool) -> None:
    assert is_http_url(url) is expected
