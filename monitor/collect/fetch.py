"""Every network request of the crawler: politeness, conditional GET, size and time limits,
manual redirects, robots.txt and a guard against links to private addresses."""

from __future__ import annotations

import asyncio
import dataclasses
import email.utils
import ipaddress
import logging
import socket
import time
import urllib.request
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpcore
import httpx

from monitor.collect.urls import host_of
from monitor.config import DEFAULT_USER_AGENT
from monitor.records import FetchResult

log = logging.getLogger(__name__)

DEFAULT_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MAX_RETRY_AFTER = 6 * 3600.0
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_STATUSES = frozenset({301, 308})
AddressType = ipaddress.IPv4Address | ipaddress.IPv6Address


class FetchError(Exception):
    """A fetch that produced no usable response; ``kind`` is a short stable label."""

    default_kind: ClassVar[str] = "network"

    def __init__(
        self,
        url: str,
        message: str,
        *,
        kind: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.url = url
        self.kind = kind or self.default_kind
        self.status = status
        self.retry_after = retry_after


class HTTPStatusError(FetchError):
    default_kind = "http"


class ResponseTooLarge(FetchError):
    default_kind = "too-large"


class FetchTimeout(FetchError):
    default_kind = "timeout"


class NetworkError(FetchError):
    default_kind = "network"


class BlockedURL(FetchError):
    default_kind = "blocked"


class RobotsDisallowed(FetchError):
    default_kind = "robots"


class TooManyRedirects(FetchError):
    default_kind = "redirects"


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Politeness and safety limits of one crawler process."""

    user_agent: str = DEFAULT_USER_AGENT
    global_concurrency: int = 16
    per_host_concurrency: int = 2
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0  # wall clock for one response, slow-drip bodies included
    max_bytes: int = 8 * 1024 * 1024  # decompressed
    max_redirects: int = 5
    robots_ttl_seconds: float = 86400.0
    robots_failure_ttl_seconds: float = 600.0  # a failing robots.txt is asked again soon
    robots_max_bytes: int = 512 * 1024
    trust_env: bool = False  # honour HTTP(S)_PROXY from the environment


# -- link guard -----------------------------------------------------------------------------


def _target(url: str) -> tuple[str, int]:
    """Host and port of an http(s) URL, or BlockedURL for any other scheme."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise BlockedURL(url, f"The URL {url!r} cannot be parsed ({exc}).", kind="scheme") from exc
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise BlockedURL(url, f"The URL {url!r} is not an http(s) link.", kind="scheme")
    return parts.hostname, port or (443 if parts.scheme.lower() == "https" else 80)


def _is_blocked_address(address: AddressType) -> bool:
    """Private, loopback, link-local, reserved, multicast and unspecified are all refused."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast or address.is_reserved


def _addresses(url: str, host: str, port: int) -> list[AddressType]:
    """Every address the host resolves to (the host itself when it is an IP literal)."""
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass  # a name, not a literal: resolve it below
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise NetworkError(url, f"The host of {url} could not be resolved ({exc}).") from exc
    return [ipaddress.ip_address(str(info[4][0])) for info in infos]


async def check_link(url: str, *, allow_private: bool, resolve: bool = True) -> None:
    """Refuse non-http(s) links and, unless allowed, links that resolve to private addresses.

    ``resolve=False`` when the connection itself is guarded (GuardedBackend): names are then
    resolved once, at connect time, and only address literals are checked here."""
    host, port = _target(url)
    if allow_private:
        return
    if not resolve:
        try:
            addresses = [ipaddress.ip_address(host.strip("[]"))]
        except ValueError:
            return
    else:
        addresses = await asyncio.to_thread(_addresses, url, host, port)  # DNS blocks
    for address in addresses:
        if _is_blocked_address(address):
            raise BlockedURL(url, f"The link {url} points to the non-public address {address}.")


def _check_peer(url: str, response: httpx.Response, through_proxy: bool) -> None:
    """Refuse a response whose connection reached a non-public address."""
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if through_proxy or not peer:
        return  # a proxy resolves the name itself; no socket information (HTTP/2 pools)
    address = ipaddress.ip_address(str(peer[0]).split("%")[0])
    if _is_blocked_address(address):
        raise BlockedURL(url, f"The link {url} reached the non-public address {address}.")


def is_private_host(url: str) -> bool:
    """True when the URL's host is written as a non-public address ("127.0.0.1", "[::1]",
    "localhost"). Never asks DNS: what an outlet's name resolves to today must not decide
    whether its links may reach private addresses."""
    try:
        host, _port = _target(url)
    except FetchError:
        return False
    if host.rstrip(".").lower() == "localhost":
        return True
    try:
        return _is_blocked_address(ipaddress.ip_address(host))
    except ValueError:
        return False


# -- response helpers -----------------------------------------------------------------------


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date), capped."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class _Inflater:
    """Decompresses gzip/deflate with an output cap, so a compression bomb stays small."""

    def __init__(self, url: str, encoding: str) -> None:
        self.encoding = encoding.strip().lower()
        if self.encoding in ("", "identity"):
            self._z = None
        elif self.encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self._z = zlib.decompressobj()
        else:
            raise NetworkError(url, f"The server at {url} used the unsupported {encoding!r}.")
        self._started = False

    def feed(self, data: bytes, room: int) -> bytes:
        """Decoded bytes of ``data``; stops once more than ``room`` bytes came out."""
        if self._z is None:
            return data
        if not self._started and self.encoding == "deflate" and data[:1] != b"\x78":
            self._z = zlib.decompressobj(-zlib.MAX_WBITS)  # raw deflate without zlib header
        self._started = True
        out = bytearray()
        while data and len(out) <= room:
            out += self._z.decompress(data, room + 1 - len(out))
            data = self._z.unconsumed_tail
        return bytes(out)

    def finish(self) -> bytes:
        return self._z.flush() if self._z is not None else b""


async def _read_limited(response: httpx.Response, url: str, limit: int) -> bytes:
    """The decoded body, refused as soon as it passes ``limit`` bytes."""
    length = response.headers.get("content-length", "")
    too_large = ResponseTooLarge(url, f"The response from {url} is larger than {limit} bytes.")
    if length.isdigit() and int(length) > limit:
        raise too_large
    inflater = _Inflater(url, response.headers.get("content-encoding", ""))
    body = bytearray()
    try:
        async for raw in response.aiter_raw():
            body += inflater.feed(raw, limit - len(body))
            if len(body) > limit:
                raise too_large
        body += inflater.finish()
    except zlib.error as exc:
        raise NetworkError(url, f"The body from {url} could not be decompressed ({exc}).") from exc
    if len(body) > limit:
        raise too_large
    return bytes(body)


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    headers: httpx.Headers
    content: bytes


@dataclass(frozen=True, slots=True)
class _Robots:
    parser: RobotFileParser | None  # None with allow=False: refuse everything
    allow: bool
    expires: float

    def allows(self, url: str, agent: str) -> bool:
        return self.parser.can_fetch(agent, url) if self.parser is not None else self.allow


def _status_error(url: str, reply: _Reply) -> HTTPStatusError:
    retry_after = parse_retry_after(reply.headers.get("retry-after"))
    return HTTPStatusError(
        url,
        f"The server at {url} answered HTTP {reply.status}.",
        status=reply.status,
        retry_after=retry_after,
    )


def _log(level: int, event: str, **fields: object) -> None:
    text = " ".join(f"{key}={value}" for key, value in fields.items())
    log.log(level, "%s %s", event, text, extra=fields)


# -- the fetcher ----------------------------------------------------------------------------


@dataclass
class _HostSlot:
    semaphore: asyncio.Semaphore
    users: int = 0


Resolver = Callable[[str, int], Awaitable[list[AddressType]]]


async def resolve(host: str, port: int) -> list[AddressType]:
    """The host's addresses (itself when it is a literal), from the system resolver."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    infos = await asyncio.to_thread(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]


class RefusedAddress(Exception):
    """The guard refused to connect: the name resolves to a non-public address."""

    def __init__(self, address: AddressType) -> None:
        super().__init__(f"non-public address {address}")
        self.address = address


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend with the link guard inside: the name is resolved once,
    every address is checked, and the connection goes to a checked address. One non-public
    address among the answers refuses the host (a rebinding name cannot win a race)."""

    def __init__(self, resolver: Resolver) -> None:
        self._resolve = resolver
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self, host: str, port: int, timeout: float | None = None,
        local_address: str | None = None, socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:  # fmt: skip
        try:
            addresses = await self._resolve(host, port)
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"the host {host} could not be resolved ({exc})") from exc
        for address in addresses:
            if _is_blocked_address(address):
                raise RefusedAddress(address)
        if not addresses:
            raise httpcore.ConnectError(f"the host {host} has no address")
        problem: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:  # try the next address, like getaddrinfo
                problem = exc
        assert problem is not None
        raise problem

    async def connect_unix_socket(self, *args: Any, **kwargs: Any) -> httpcore.AsyncNetworkStream:
        return await self._inner.connect_unix_socket(*args, **kwargs)

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class Fetcher:
    """``async with Fetcher() as f: result = await f.fetch(url)``; one client, shared limits."""

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        resolver: Resolver | None = None,
    ) -> None:
        self.settings = settings or FetchSettings()
        self._transport = transport
        self._resolver = resolver or resolve
        self._clients: dict[bool, httpx.AsyncClient] = {}
        self._global = asyncio.Semaphore(self.settings.global_concurrency)
        self._hosts: dict[str, _HostSlot] = {}  # only hosts with a request in flight or queued
        self._robots: dict[str, _Robots] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}
        # Through a proxy the connection reaches the proxy, which resolves names itself.
        self._proxied = self.settings.trust_env and bool(urllib.request.getproxies())
        # Our own transport, no proxy: the connection is guarded, DNS is asked once per connect.
        self._guarded = transport is None and not self._proxied

    async def __aenter__(self) -> Fetcher:
        # Two clients, two pools: a connection opened for a source allowed to reach private
        # addresses is never reused for one that is not.
        self._clients = {True: self._new_client(guarded=False), False: self._new_client(True)}
        return self

    def _new_client(self, guarded: bool) -> httpx.AsyncClient:
        s = self.settings
        # In-flight requests are bounded by our own global and per-host semaphores; the pool
        # only keeps idle connections. A pool capped at the concurrency evicts and reopens
        # connections whenever requests rotate over more hosts than that (measured: 92% of
        # requests opened a new connection in bench/crawl.py with 20 hosts).
        limits = httpx.Limits(
            max_connections=None,
            max_keepalive_connections=2 * s.global_concurrency,
            keepalive_expiry=30.0,
        )
        transport = self._transport
        if transport is None:
            transport = httpx.AsyncHTTPTransport(limits=limits, trust_env=s.trust_env)
            if guarded:
                # The guard resolves the name itself and connects to the address it approved:
                # no byte of a request reaches an address it refused (DNS rebinding included).
                transport._pool._network_backend = GuardedBackend(self._resolver)
        return httpx.AsyncClient(
            transport=transport,
            headers={"User-Agent": s.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(
                connect=s.connect_timeout,
                read=s.read_timeout,
                write=s.read_timeout,
                pool=s.total_timeout,
            ),
            limits=limits,
            follow_redirects=False,
            trust_env=s.trust_env,
        )

    async def __aexit__(self, *exc: object) -> None:
        for client in getattr(self, "_clients", {}).values():
            await client.aclose()
        self._clients = {}

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        allow_private: bool = False,
        respect_robots: bool = False,
        accept: str | None = None,
    ) -> FetchResult:
        """GET ``url`` within every limit; raises a FetchError subclass when that fails."""
        headers = {"Accept": accept or DEFAULT_ACCEPT}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        started = time.monotonic()
        try:
            result = await self._follow(
                url, headers, allow_private, respect_robots, self.settings.max_bytes
            )
        except FetchError as exc:
            ms = int((time.monotonic() - started) * 1000)
            _log(
                logging.INFO,
                "fetch-failed",
                url=url,
                kind=exc.kind,
                status=exc.status,
                duration_ms=ms,
            )
            raise
        ms = int((time.monotonic() - started) * 1000)
        _log(logging.INFO, "fetched", url=url, status=result.status, duration_ms=ms)
        return dataclasses.replace(result, elapsed_ms=ms)

    async def _follow(
        self, url: str, headers: dict[str, str], allow_private: bool, robots: bool, limit: int
    ) -> FetchResult:
        """Follow redirects by hand so every hop passes the guard and is counted."""
        current, permanent = url, True
        for _hop in range(self.settings.max_redirects + 1):
            await check_link(current, allow_private=allow_private, resolve=not self._guarded)
            if robots:
                await self._check_robots(current, allow_private)
            reply = await self._exchange(current, headers, limit, allow_private)
            if reply.status in REDIRECT_STATUSES:
                location = reply.headers.get("location", "").strip()
                if not location:
                    raise _status_error(current, reply)
                permanent = permanent and reply.status in PERMANENT_STATUSES
                current = urljoin(current, location)
                continue
            if reply.status != 304 and not 200 <= reply.status < 300:
                raise _status_error(current, reply)
            moved = current if permanent and current != url else None
            return _result(url, current, reply, moved)
        raise TooManyRedirects(
            url, f"The URL {url} redirected more than {self.settings.max_redirects} times."
        )

    @asynccontextmanager
    async def _slot(self, host: str) -> AsyncIterator[None]:
        """Hold a per-host slot first, then a global one, so a busy host blocks no one else."""
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = _HostSlot(
                asyncio.Semaphore(self.settings.per_host_concurrency)
            )
        slot.users += 1
        try:
            async with slot.semaphore, self._global:
                yield
        finally:
            slot.users -= 1
            if slot.users == 0:
                del self._hosts[host]

    async def _exchange(
        self, url: str, headers: dict[str, str], limit: int, allow_private: bool = True
    ) -> _Reply:
        """One GET with the wall-clock deadline; the body is read only for 2xx answers.

        Unless private links are allowed, the address the connection actually reached is
        checked before anything is read: the name may have resolved differently for the
        connection than for the guard (DNS rebinding).
        """
        if not self._clients:
            raise RuntimeError("Fetcher must be used as 'async with Fetcher() as fetcher'.")
        client = self._clients[allow_private]
        total = self.settings.total_timeout
        async with self._slot(host_of(url)):
            try:
                async with (
                    asyncio.timeout(total),
                    client.stream("GET", url, headers=headers) as response,
                ):
                    if not allow_private:
                        _check_peer(url, response, self._proxied)
                    ok = 200 <= response.status_code < 300
                    body = await _read_limited(response, url, limit) if ok else b""
                    return _Reply(response.status_code, response.headers, body)
            except TimeoutError as exc:
                raise FetchTimeout(
                    url, f"The request to {url} took longer than {total:g} s in total."
                ) from exc
            except httpx.TimeoutException as exc:
                raise FetchTimeout(url, f"The request to {url} timed out ({exc!r}).") from exc
            except RefusedAddress as exc:
                raise BlockedURL(
                    url, f"The link {url} resolves to the non-public address {exc.address}."
                ) from exc
            except (httpx.TransportError, httpx.InvalidURL) as exc:
                raise NetworkError(url, f"The request to {url} failed ({exc!r}).") from exc

    # -- robots.txt ---------------------------------------------------------------------

    async def _check_robots(self, url: str, allow_private: bool) -> None:
        parts = urlsplit(url)
        origin = f"{parts.scheme.lower()}://{parts.netloc.lower()}"
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:  # one robots.txt request per origin even under concurrency
            rules = self._robots.get(origin)
            if rules is None or rules.expires <= time.monotonic():
                rules = self._robots[origin] = await self._load_robots(origin, allow_private)
        if rules.parser is None and not rules.allow:
            raise RobotsDisallowed(
                url, f"The robots.txt of {origin} could not be read, so {url} is skipped for now."
            )
        if not rules.allows(url, self.settings.user_agent):
            raise RobotsDisallowed(url, f"The robots.txt of {origin} disallows {url}.")

    async def _load_robots(self, origin: str, allow_private: bool) -> _Robots:
        """Missing robots.txt allows all; a failing one refuses all, but only for a while."""
        s, now = self.settings, time.monotonic()
        refuse = _Robots(None, False, now + min(s.robots_failure_ttl_seconds, s.robots_ttl_seconds))
        try:
            result = await self._follow(
                origin + "/robots.txt",
                {"Accept": "text/plain,*/*;q=0.5"},
                allow_private,
                False,
                s.robots_max_bytes,
            )
        except HTTPStatusError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                return _Robots(None, True, now + s.robots_ttl_seconds)
            return refuse
        except FetchError as exc:
            _log(logging.WARNING, "robots-failed", url=exc.url, kind=exc.kind)
            return refuse
        parser = RobotFileParser()
        parser.parse(result.content.decode("utf-8", errors="replace").splitlines())
        return _Robots(parser, True, now + s.robots_ttl_seconds)


def _result(requested: str, final: str, reply: _Reply, moved: str | None) -> FetchResult:
    """FetchResult of the last hop; headers describe the decoded body."""
    headers = {
        name.lower(): value
        for name, value in reply.headers.items()
        if name.lower() not in ("content-encoding", "content-length")
    }
    return FetchResult(
        requested_url=requested,
        url=final,
        status=reply.status,
        content=reply.content,
        headers=headers,
        etag=headers.get("etag"),
        last_modified=headers.get("last-modified"),
        permanent_redirect=moved,
    )
