"""URL helpers without network access: a canonical form used to spot copies of one page."""

from __future__ import annotations

import contextlib
import re
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PREFIXES = ("utm_", "itm_", "pk_", "mtm_")
_TRACKING_KEYS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "igshid",
        "zarsrc",
        "gidzl",
        "_ga",
        "_gl",
        "mc_cid",
        "mc_eid",
        "cmpid",
        "ref_src",
        "ref_url",
        "amp",
    }
)
# "ref=rss" or "ref=facebook" names where the reader came from; "ref=12345" may be content.
_REFERRER_WORD = re.compile(r"[A-Za-z][A-Za-z._-]*\Z")
_HOST_PREFIXES = ("www.", "m.", "mobile.")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})?")
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_KEY_SAFE = "/?%:@!$'()*+,;-._~"
_VALUE_SAFE = _KEY_SAFE + "="


def is_http_url(url: str) -> bool:
    """True when ``url`` is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(url.strip())
        return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.hostname)
    except ValueError:
        return False


def host_of(url: str) -> str:
    """Lower-case host name of ``url`` without port ("" when there is none)."""
    try:
        return (urlsplit(url.strip()).hostname or "").rstrip(".")
    except ValueError:
        return ""


def canonical_url(url: str) -> str:
    """One spelling per page: same host variant, no tracking, sorted query, no fragment.

    Anything that is not a parsable http(s) URL comes back stripped but otherwise unchanged.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        scheme = parts.scheme.lower()
        port = parts.port
        host = parts.hostname or ""
    except ValueError:
        return text
    if scheme not in _DEFAULT_PORTS or not host:
        return text
    netloc = _canonical_host(host)
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    try:
        path = _strip_amp(_remove_dot_segments(_normalise_escapes(parts.path, _PATH_SAFE)))
        query = _canonical_query(parts.query)
    except UnicodeEncodeError:  # lone surrogates: no byte form exists, so no canonical one
        return text
    return urlunsplit((scheme, netloc, path or "/", query, ""))


def _canonical_host(host: str) -> str:
    """IDNA-encode, drop a trailing dot, and fold www./m./mobile. onto the bare domain."""
    host = host.rstrip(".")
    if ":" in host:  # IPv6 literal: brackets were removed by urlsplit
        return f"[{host}]"
    # A host the codec refuses (e.g. an empty label) keeps its lower-case form: still a key.
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    host = host.lower()
    stripped = True
    while stripped:  # loop so "www.m.example.vn" ends where "m.example.vn" ends
        stripped = False
        for prefix in _HOST_PREFIXES:
            rest = host[len(prefix) :]
            if host.startswith(prefix) and "." in rest:
                host, stripped = rest, True
    return host


def _normalise_escapes(text: str, safe: str) -> str:
    """Decode escapes of unreserved characters, upper-case the others, escape raw bytes."""

    def fix(match: re.Match[str]) -> str:
        if match.group(1) is None:
            return "%25"  # a stray "%" must not pair up with later text on a second pass
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return quote(_ESCAPE.sub(fix, text), safe=safe)


def _remove_dot_segments(path: str) -> str:
    """Resolve "." and ".." segments the way a browser does (RFC 3986, section 5.2.4)."""
    if "." not in path:
        return path
    segments = path.split("/")
    out: list[str] = []
    for segment in segments:
        if segment == "..":
            if len(out) > 1:
                out.pop()
        elif segment != ".":
            out.append(segment)
    if segments[-1] in (".", ".."):
        out.append("")  # "/a/b/.." names the directory "/a/"
    result = "/".join(out)
    return result if result.startswith("/") else "/" + result


def _strip_amp(path: str) -> str:
    """Drop a trailing "/amp" or "/amp/" segment (the AMP copy of an article)."""
    while True:
        if path.endswith(("/amp", "/amp/")):
            path = path[:-4]
        else:
            return path


def _canonical_query(query: str) -> str:
    """Drop tracking parameters, normalise escapes and sort what is left."""
    kept: list[tuple[str, str]] = []
    for part in query.split("&"):
        if not part:
            continue
        key, eq, value = part.partition("=")
        if _is_tracking(unquote_plus(key).strip().lower(), unquote_plus(value)):
            continue
        key = _normalise_escapes(key, _KEY_SAFE)
        kept.append((key, eq + _normalise_escapes(value, _VALUE_SAFE)))
    kept.sort()
    return "&".join(key + rest for key, rest in kept)


def _is_tracking(key: str, value: str) -> bool:
    """Whether a query parameter only says where the reader came from."""
    if key in _TRACKING_KEYS or key.startswith(_TRACKING_PREFIXES):
        return True
    if key == "outputtype":
        return value.lower() == "amp"
    return key == "ref" and bool(_REFERRER_WORD.match(value))
