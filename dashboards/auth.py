"""Sessions (signed HttpOnly SameSite=Lax cookies), CSRF tokens and role checks."""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import Engine

from monitor.review.index import get_setting, put_setting
from monitor.review.users import User

SESSION_COOKIE = "monitor_session"
LOGIN_COOKIE = "monitor_login"  # CSRF token of the login form, before any session
SESSION_MAX_AGE = 12 * 3600
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class NotLoggedIn(Exception):
    """No valid session: 401 for the API, a redirect to /login for pages."""


class Forbidden(Exception):
    """The user's role does not allow this route, or the CSRF token is missing or wrong."""


@dataclass(frozen=True, slots=True)
class Session:
    """Who is logged in, and the token their forms and API calls must carry."""

    user: User
    csrf: str


def secret_key(engine: Engine, configured: str = "") -> str:
    """The configured key (MONITOR_SECRET_KEY), or one generated once and kept in the store,
    so sessions survive a restart."""
    if configured:
        return configured
    with engine.begin() as conn:
        stored = get_setting(conn, "session.secret")
        if stored is None:
            stored = secrets.token_urlsafe(48)
            put_setting(conn, "session.secret", stored)
    return stored


class Signer:
    """Signs and reads the session and login cookies."""

    def __init__(self, key: str) -> None:
        self._session = URLSafeTimedSerializer(key, salt="monitor.session")
        self._login = URLSafeTimedSerializer(key, salt="monitor.login")

    def session_cookie(self, user: User) -> str:
        return self._session.dumps(
            {"id": user.id, "u": user.name, "r": user.role, "c": secrets.token_urlsafe(24)}
        )

    def read_session(self, raw: str | None) -> Session | None:
        if not raw:
            return None
        try:
            data = self._session.loads(raw, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        return Session(User(int(data["id"]), str(data["u"]), str(data["r"])), str(data["c"]))

    def login_cookie(self, token: str) -> str:
        return self._login.dumps(token)

    def read_login(self, raw: str | None) -> str | None:
        if not raw:
            return None
        try:
            return str(self._login.loads(raw, max_age=3600))
        except BadSignature:
            return None


def same_token(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison of CSRF tokens."""
    return bool(given and expected and hmac.compare_digest(given, expected))


async def submitted_token(request: Request) -> str | None:
    """The CSRF token from the X-CSRF-Token header or the csrf_token form field."""
    header = request.headers.get("x-csrf-token")
    if header:
        return header
    kind = request.headers.get("content-type", "")
    if kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get("csrf_token")
        return value if isinstance(value, str) else None
    return None


def client_address(request: Request, trusted_proxies: str = "") -> str:
    """The client's address: the connection's, or, when the connection comes from a trusted
    proxy, the nearest address in X-Forwarded-For that is not itself a trusted proxy."""
    peer = request.client.host if request.client else "?"
    networks = _networks(trusted_proxies)
    if not networks or not _within(peer, networks):
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _within(hop, networks):
            return hop[:64]
    return peer


def _networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    out = []
    for part in text.split(","):
        if part.strip():
            out.append(ipaddress.ip_network(part.strip(), strict=False))
    return out


def _within(address: str, networks: list) -> bool:  # type: ignore[type-arg]
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"
