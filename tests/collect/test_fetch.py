"""The fetcher against a real local HTTP server: one test per behaviour, tiny timeouts."""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import logging
import threading
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from monitor.collect.fetch import (
    BlockedURL,
    Fetcher,
    FetchError,
    FetchSettings,
    FetchTimeout,
    HTTPStatusError,
    ResponseTooLarge,
    RobotsDisallowed,
    TooManyRedirects,
    check_link,
    is_private_host,
    parse_retry_after,
)
from monitor.devserver import LocalServer, Request, Response
from monitor.records import FetchResult

FAST = FetchSettings(connect_timeout=1.0, read_timeout=1.0, total_timeout=2.0)
TEXT = "Sở Xây dựng tỉnh Lạng Sơn kiểm tra công trình nhà ở xã hội.\n" * 50


@pytest.fixture(scope="module")
def _shared_server() -> Iterator[LocalServer]:
    with LocalServer() as srv:  # one per module: stopping a server costs half a second
        yield srv


@pytest.fixture
def server(_shared_server: LocalServer) -> LocalServer:
    """The module's server with no routes and no recorded hits."""
    _shared_server.routes.clear()
    _shared_server.hits.clear()
    _shared_server.requests.clear()
    return _shared_server


def fetch(url: str, settings: FetchSettings = FAST, **kwargs: Any) -> FetchResult:
    """One fetch in a fresh event loop; local tests allow the loopback address."""
    kwargs.setdefault("allow_private", True)

    async def go() -> FetchResult:
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url, **kwargs)

    return asyncio.run(go())


def fetch_error(url: str, settings: FetchSettings = FAST, **kwargs: Any) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, settings, **kwargs)
    assert str(url) in str(info.value)  # the message names the URL
    return info.value


# -- plain answers ----------------------------------------------------------------------------


def test_200_returns_body_headers_and_validators(server: LocalServer) -> None:
    stamp = "Mon, 01 Jan 2024 00:00:00 GMT"
    server.route("/a", Response(200, TEXT, {"ETag": '"v1"', "Last-Modified": stamp}))
    result = fetch(server.url("/a"))
    assert result.status == 200
    assert result.content.decode() == TEXT
    assert result.url == result.requested_url == server.url("/a")
    assert result.etag == '"v1"'
    assert result.last_modified == stamp
    assert result.content_type.startswith("text/html")
    assert result.permanent_redirect is None
    request = server.requests[-1]
    assert request.headers["user-agent"].startswith("LangSonMonitor/")
    assert "gzip" in request.headers["accept-encoding"]


def test_304_with_etag(tmp_path: Path) -> None:
    (tmp_path / "feed.xml").write_text("<rss/>", encoding="utf-8")
    with LocalServer(root=tmp_path) as static:
        first = fetch(static.url("/feed.xml"))
        second = fetch(static.url("/feed.xml"), etag=first.etag)
    assert first.status == 200 and first.etag
    assert second.status == 304 and second.not_modified and second.content == b""


def test_304_with_last_modified(server: LocalServer) -> None:
    stamp = "Tue, 02 Jan 2024 03:04:05 GMT"

    def conditional(request: Request) -> Response:
        if request.headers.get("if-modified-since") == stamp:
            return Response(304)
        return Response(200, "<rss/>", {"Last-Modified": stamp})

    server.route("/feed", conditional)
    first = fetch(server.url("/feed"))
    second = fetch(server.url("/feed"), last_modified=first.last_modified)
    assert first.status == 200 and first.last_modified == stamp
    assert second.not_modified and second.content == b""


def test_accept_header_can_be_chosen(server: LocalServer) -> None:
    server.route("/feed", Response(200, "<rss/>"))
    fetch(server.url("/feed"), accept="application/rss+xml")
    assert server.requests[-1].headers["accept"] == "application/rss+xml"


# -- redirects --------------------------------------------------------------------------------


def test_permanent_redirect_chain_sets_permanent_redirect(server: LocalServer) -> None:
    server.route("/old", Response(301, headers={"Location": "/older"}))  # relative
    server.route("/older", Response(308, headers={"Location": server.url("/new")}))
    server.route("/new", Response(200, "moved"))
    result = fetch(server.url("/old"))
    assert result.content == b"moved"
    assert result.url == server.url("/new")
    assert result.requested_url == server.url("/old")
    assert result.permanent_redirect == server.url("/new")


def test_a_temporary_hop_leaves_permanent_redirect_unset(server: LocalServer) -> None:
    server.route("/old", Response(301, headers={"Location": "/tmp"}))
    server.route("/tmp", Response(302, headers={"Location": "/new"}))
    server.route("/new", Response(200, "here"))
    result = fetch(server.url("/old"))
    assert result.url == server.url("/new")
    assert result.permanent_redirect is None


def test_redirect_loop_raises_too_many_redirects(server: LocalServer) -> None:
    server.route("/ping", Response(302, headers={"Location": "/pong"}))
    server.route("/pong", Response(302, headers={"Location": "/ping"}))
    settings = FetchSettings(read_timeout=1.0, total_timeout=2.0, max_redirects=3)
    error = fetch_error(server.url("/ping"), settings)
    assert isinstance(error, TooManyRedirects) and error.kind == "redirects"
    assert server.hits["/ping"] + server.hits["/pong"] == 4


def test_redirect_to_another_scheme_is_refused(server: LocalServer) -> None:
    server.route("/ftp", Response(301, headers={"Location": "ftp://example.vn/a"}))
    with pytest.raises(BlockedURL) as info:
        fetch(server.url("/ftp"))
    assert info.value.kind == "scheme"


# -- error statuses ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 500])
def test_error_status_raises_http_status_error(server: LocalServer, status: int) -> None:
    server.route("/x", Response(status, "lỗi"))
    error = fetch_error(server.url("/x"))
    assert isinstance(error, HTTPStatusError)
    assert (error.kind, error.status, error.retry_after) == ("http", status, None)
    assert f"HTTP {status}" in str(error)


def test_429_with_retry_after_seconds(server: LocalServer) -> None:
    server.route("/x", Response(429, headers={"Retry-After": "120"}))
    error = fetch_error(server.url("/x"))
    assert (error.status, error.retry_after) == (429, 120.0)


def test_429_with_retry_after_http_date(server: LocalServer) -> None:
    when = datetime.now(UTC) + timedelta(seconds=300)
    stamp = email.utils.format_datetime(when, usegmt=True)
    server.route("/x", Response(429, headers={"Retry-After": stamp}))
    error = fetch_error(server.url("/x"))
    assert error.status == 429
    assert error.retry_after is not None and 290 <= error.retry_after <= 300


def test_503_retry_after_is_capped(server: LocalServer) -> None:
    server.route("/x", Response(503, headers={"Retry-After": "9999999"}))
    error = fetch_error(server.url("/x"))
    assert (error.status, error.retry_after) == (503, 6 * 3600.0)


def test_parse_retry_after_forms() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    assert parse_retry_after("30") == 30.0
    assert parse_retry_after("Mon, 01 Jan 2024 00:01:00 GMT", now) == 60.0
    assert parse_retry_after("Sun, 31 Dec 2023 00:00:00 GMT", now) == 0.0  # already past
    assert parse_retry_after("soon") is None
    assert parse_retry_after("") is None and parse_retry_after(None) is None


# -- time limits ------------------------------------------------------------------------------


def test_slow_server_times_out(server: LocalServer) -> None:
    server.route("/slow", Response(200, "late", delay=0.6))
    settings = FetchSettings(connect_timeout=0.5, read_timeout=0.1, total_timeout=2.0)
    started = time.monotonic()
    error = fetch_error(server.url("/slow"), settings)
    assert isinstance(error, FetchTimeout) and error.kind == "timeout"
    assert time.monotonic() - started < 1.0  # the read timeout, not the 2 s total cap


def test_slow_drip_body_hits_the_total_deadline(server: LocalServer) -> None:
    # Each 16 KiB chunk arrives well within the read timeout; only the wall clock stops it.
    server.route("/drip", Response(200, b"x" * 16384 * 16, chunk_delay=0.1))  # 1.6 s in all
    settings = FetchSettings(connect_timeout=0.5, read_timeout=0.5, total_timeout=0.3)
    started = time.monotonic()
    error = fetch_error(server.url("/drip"), settings)
    assert isinstance(error, FetchTimeout) and "in total" in str(error)
    assert time.monotonic() - started < 1.2


# -- size limits and encodings ----------------------------------------------------------------


def test_oversized_body_with_content_length(server: LocalServer) -> None:
    server.route("/big", Response(200, b"x" * 300_000))
    settings = FetchSettings(read_timeout=1.0, total_timeout=2.0, max_bytes=100_000)
    error = fetch_error(server.url("/big"), settings)
    assert isinstance(error, ResponseTooLarge) and error.kind == "too-large"


def test_gzip_bomb_is_stopped_on_decompressed_size(server: LocalServer) -> None:
    server.route("/bomb", Response(200, b"\0" * (4 << 20), gzip=True))  # ~4 KiB on the wire
    settings = FetchSettings(read_timeout=1.0, total_timeout=2.0, max_bytes=256 << 10)
    error = fetch_error(server.url("/bomb"), settings)
    assert isinstance(error, ResponseTooLarge)


def test_body_exactly_at_the_limit_is_accepted(server: LocalServer) -> None:
    server.route("/fit", Response(200, b"y" * 50_000, gzip=True))
    settings = FetchSettings(read_timeout=1.0, total_timeout=2.0, max_bytes=50_000)
    assert len(fetch(server.url("/fit"), settings).content) == 50_000


def test_gzip_body_is_decoded(server: LocalServer) -> None:
    server.route("/gz", Response(200, TEXT, gzip=True))
    result = fetch(server.url("/gz"))
    assert result.content.decode() == TEXT
    assert "content-encoding" not in result.headers


@pytest.mark.parametrize("wbits", [zlib.MAX_WBITS, -zlib.MAX_WBITS], ids=["zlib", "raw"])
def test_deflate_body_is_decoded(server: LocalServer, wbits: int) -> None:
    packer = zlib.compressobj(wbits=wbits)
    body = packer.compress(TEXT.encode()) + packer.flush()
    server.route("/deflate", Response(200, body, {"Content-Encoding": "deflate"}))
    assert fetch(server.url("/deflate")).content.decode() == TEXT


# -- politeness -------------------------------------------------------------------------------


def test_per_host_concurrency_is_never_exceeded(server: LocalServer) -> None:
    lock, state = threading.Lock(), {"now": 0, "max": 0}

    def counted(request: Request) -> Response:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        return Response(200, "ok")

    server.route("/count", counted)

    async def go() -> None:
        async with Fetcher(FetchSettings(per_host_concurrency=2, read_timeout=2.0)) as fetcher:
            urls = [server.url("/count") for _ in range(8)]
            await asyncio.gather(*(fetcher.fetch(u, allow_private=True) for u in urls))
            assert not fetcher._hosts  # no slot left behind once the host is idle

    asyncio.run(go())
    assert server.hits["/count"] == 8
    assert state["max"] == 2


def test_fetch_logs_stable_keys(server: LocalServer, caplog: pytest.LogCaptureFixture) -> None:
    server.route("/a", Response(200, "ok"))
    with caplog.at_level(logging.INFO, logger="monitor.collect.fetch"):
        fetch(server.url("/a"))
    record = caplog.records[-1]
    assert (record.url, record.status) == (server.url("/a"), 200)  # type: ignore[attr-defined]
    assert isinstance(record.duration_ms, int)  # type: ignore[attr-defined]


# -- link guard -------------------------------------------------------------------------------


def test_loopback_is_blocked_unless_private_links_are_allowed(server: LocalServer) -> None:
    server.route("/a", Response(200, "ok"))
    error = fetch_error(server.url("/a"), allow_private=False)
    assert isinstance(error, BlockedURL) and error.kind == "blocked"
    assert "/a" not in server.hits  # refused before any request
    assert fetch(server.url("/a"), allow_private=True).status == 200


def test_a_rebinding_name_gets_no_byte_to_the_private_address(server, monkeypatch) -> None:
    # DNS rebinding: the guard's first lookup answers a public address, the lookup made for
    # the connection a private one (a stub resolver). The connection goes only to an address
    # the guard approved, so the local server, which records every request, receives none.
    from monitor.collect import fetch as fetch_module

    monkeypatch.setattr(fetch_module, "_addresses",
                        lambda *_a: [ipaddress.ip_address("93.184.216.34")])  # fmt: skip
    asked: list[str] = []

    async def rebinding(host: str, port: int) -> list:
        asked.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    server.route("/a", Response(200, "internal data"))
    port = server.url("/").split(":")[-1].rstrip("/")
    url = f"http://rebind.example:{port}/a"

    async def go() -> FetchError:
        async with Fetcher(FAST, resolver=rebinding) as fetcher:
            with pytest.raises(FetchError) as info:
                await fetcher.fetch(url, allow_private=False)
        return info.value

    error = asyncio.run(go())
    assert isinstance(error, BlockedURL) and "non-public address 127.0.0.1" in str(error)
    assert asked == ["rebind.example"] and server.requests == []  # not one byte arrived


def test_one_private_answer_among_public_ones_refuses_the_host(server) -> None:
    async def mixed(host: str, port: int) -> list:
        return [ipaddress.ip_address("93.184.216.34"), ipaddress.ip_address("127.0.0.1")]

    port = server.url("/").split(":")[-1].rstrip("/")

    async def go() -> FetchError:
        async with Fetcher(FAST, resolver=mixed) as fetcher:
            with pytest.raises(FetchError) as info:
                await fetcher._exchange(f"http://mixed.example:{port}/a", {}, 1000, False)
        return info.value

    assert isinstance(asyncio.run(go()), BlockedURL) and server.requests == []


def test_name_resolving_to_loopback_is_blocked(server: LocalServer) -> None:
    url = server.url("/a").replace("127.0.0.1", "localhost")
    error = fetch_error(url, allow_private=False)
    assert isinstance(error, BlockedURL)


def test_every_redirect_hop_passes_the_guard(server: LocalServer) -> None:
    # A public first hop cannot be served locally, so this one exchange goes through a
    # transport that answers for a public literal address and redirects to the loopback.
    server.route("/secret", Response(200, "internal"))

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(301, headers={"Location": server.url("/secret")})

    async def go() -> None:
        async with Fetcher(FAST, transport=httpx.MockTransport(answer)) as fetcher:
            await fetcher.fetch("http://93.184.215.14/feed.xml")

    with pytest.raises(BlockedURL) as info:
        asyncio.run(go())
    assert info.value.url == server.url("/secret")
    assert "/secret" not in server.hits


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://10.0.0.1/",
        "http://192.168.1.1/",
        "http://172.16.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://0.0.0.0/",
        "http://224.0.0.1/",
        "http://100.64.0.1/",
        "http://[::1]/",
        "http://[fe80::1]/",
        "http://[fc00::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::]/",
        "http://240.0.0.1/",
    ],
)
def test_check_link_refuses_non_public_addresses(url: str) -> None:
    with pytest.raises(BlockedURL):
        asyncio.run(check_link(url, allow_private=False))
    asyncio.run(check_link(url, allow_private=True))
    assert is_private_host(url)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.vn/a", "javascript:alert(1)"])
def test_check_link_refuses_other_schemes_even_when_private_is_allowed(url: str) -> None:
    with pytest.raises(BlockedURL) as info:
        asyncio.run(check_link(url, allow_private=True))
    assert info.value.kind == "scheme"


def test_check_link_accepts_public_literal_addresses() -> None:
    asyncio.run(check_link("https://8.8.8.8/", allow_private=False))
    asyncio.run(check_link("https://[2001:4860:4860::8888]/", allow_private=False))
    assert not is_private_host("https://8.8.8.8/")


def test_is_private_host_resolves_names() -> None:
    assert is_private_host("http://localhost:8000/feed.xml")
    assert not is_private_host("ftp://localhost/")


# -- robots.txt -------------------------------------------------------------------------------


def test_robots_disallow_and_allow(server: LocalServer) -> None:
    server.route("/robots.txt", Response(200, "User-agent: *\nDisallow: /rieng/\n"))
    server.route("/rieng/a", Response(200, "no"))
    server.route("/tin/a", Response(200, "yes"))

    async def go() -> None:
        async with Fetcher(FAST) as fetcher:
            ok = await fetcher.fetch(server.url("/tin/a"), allow_private=True, respect_robots=True)
            assert ok.content == b"yes"
            with pytest.raises(RobotsDisallowed) as info:
                await fetcher.fetch(server.url("/rieng/a"), allow_private=True, respect_robots=True)
            assert info.value.kind == "robots"
            await fetcher.fetch(server.url("/rieng/a"), allow_private=True)  # feeds skip robots

    asyncio.run(go())
    assert server.hits["/robots.txt"] == 1  # cached per origin
    assert server.hits["/rieng/a"] == 1


def test_robots_group_for_our_agent(server: LocalServer) -> None:
    server.route("/robots.txt", Response(200, "User-agent: LangSonMonitor\nDisallow: /\n"))
    server.route("/tin/a", Response(200, "yes"))
    error = fetch_error(server.url("/tin/a"), respect_robots=True)
    assert isinstance(error, RobotsDisallowed)


def test_missing_robots_allows_everything(server: LocalServer) -> None:
    server.route("/tin/a", Response(200, "yes"))  # /robots.txt answers 404
    assert fetch(server.url("/tin/a"), respect_robots=True).content == b"yes"
    assert server.hits["/robots.txt"] == 1


def test_failing_robots_refuses_for_now(server: LocalServer) -> None:
    server.route("/robots.txt", Response(503))
    server.route("/tin/a", Response(200, "yes"))
    error = fetch_error(server.url("/tin/a"), respect_robots=True)
    assert isinstance(error, RobotsDisallowed)
    assert "/tin/a" not in server.hits


def test_oversized_robots_refuses_for_now(server: LocalServer) -> None:
    server.route("/robots.txt", Response(200, "#" * 5000))
    server.route("/tin/a", Response(200, "yes"))
    settings = FetchSettings(read_timeout=1.0, total_timeout=2.0, robots_max_bytes=1000)
    error = fetch_error(server.url("/tin/a"), settings, respect_robots=True)
    assert isinstance(error, RobotsDisallowed)
