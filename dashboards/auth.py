"""Sessions (signed HttpOnly SameSite=Lax cookies), CSRF tokens and role checks."""

from __future__ import annotations

import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from fastapi import Request
from itsdangerous import BadSignature, URLSafeTimedSerializer

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
    """Who is logged in, the token their forms and API calls must carry, and the session's
    own token (its row in the store: monitor/review/sessions.py)."""

    user: User
    csrf: str
    token: str = ""


MIN_SECRET = 32  # characters of MONITOR_SECRET_KEY


def secret_key(configured: str = "", key_file: str = "") -> str:
    """The configured key (MONITOR_SECRET_KEY, at least MIN_SECRET characters), or one
    generated once into ``key_file``, readable by the service's user only: never in the
    database, so a copy of a backup cannot sign a session."""
    if configured:
        if len(configured) < MIN_SECRET:
            raise ValueError(f"MONITOR_SECRET_KEY must have at least {MIN_SECRET} characters")
        return configured
    path = Path(key_file or "monitor-secret.key")
    try:
        stored = path.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        stored = ""
    if len(stored) >= MIN_SECRET:
        return stored
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh = secrets.token_urlsafe(48)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as fh:
        fh.write(fresh + "\n")
    os.chmod(path, 0o600)
    return fresh


class Signer:
    """Signs and reads the session and login cookies."""

    def __init__(self, key: str) -> None:
        self._session = URLSafeTimedSerializer(key, salt="monitor.session")
        self._login = URLSafeTimedSerializer(key, salt="monitor.login")

    def session_cookie(self, user: User, token: str) -> str:
        """The signed cookie: the session's token, the user (checked again in the store on
        every request) and a CSRF token."""
        return self._session.dumps(
            {"id": user.id, "u": user.name, "r": user.role, "c": secrets.token_urlsafe(24),
             "t": token}
        )  # fmt: skip

    def read_session(self, raw: str | None) -> Session | None:
        if not raw:
            return None
        try:
            data = self._session.loads(raw, max_age=SESSION_MAX_AGE)
        except BadSignature:
            return None
        if not isinstance(data, dict) or not data.get("t"):
            return None  # a cookie from before server-side sessions: log in again
        user = User(int(data["id"]), str(data["u"]), str(data["r"]))
        return Session(user, str(data["c"]), str(data["t"]))

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


def _within(address: str, networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/openapi.json"
