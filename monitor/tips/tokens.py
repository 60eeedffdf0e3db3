"""API tokens for partner systems that submit tips (``Authorization: Bearer <token>``).

An admin creates a token by name; it is shown once and only its SHA-256 is stored. A token
may do one thing, submit tips (scope "tips"); each use is noted (last_used_at); a revoked
token opens nothing. Creation and revocation are audited.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import IntegrityError

from ..review import audit
from ..store.tables import api_tokens
from ..timefmt import to_local_iso
from ..vocabulary import User, require
from .errors import TipError

SCOPE = "tips"
PREFIX = "lsm_"  # recognisable in a leaked configuration file
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True, slots=True)
class Token:
    """A token as listed (never the secret itself)."""

    name: str
    scope: str
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        iso = to_local_iso
        return {"name": self.name, "scope": self.scope, "created_by": self.created_by,
                "created_at": iso(self.created_at), "last_used_at": iso(self.last_used_at),
                "revoked_at": iso(self.revoked_at), "active": self.revoked_at is None}  # fmt: skip


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine: Engine, name: str, actor: User, now: datetime | None = None) -> str:
    """A new token named ``name``; the returned secret is never stored nor shown again."""
    require(actor, "tokens", "create an API token")
    name = name.strip()
    if not _NAME.match(name):
        raise TipError(
            "token_name",
            "a token name has 1 to 64 letters, digits, dots, dashes or underscores",
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    now = now or datetime.now(UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                api_tokens.insert().values(
                    name=name, token_hash=token_hash(secret), scope=SCOPE,
                    created_by=actor.name, created_at=now,
                )
            )  # fmt: skip
            audit.record(conn, actor.name, "token_create", "api_token", name, None,
                         {"scope": SCOPE}, now)  # fmt: skip
    except IntegrityError:
        raise TipError("token_exists", f"a token named {name!r} exists already") from None
    return secret


def list_tokens(conn: Connection) -> list[Token]:
    rows = conn.execute(select(api_tokens).order_by(api_tokens.c.name))
    return [
        Token(r.name, r.scope, r.created_by, r.created_at, r.last_used_at, r.revoked_at)
        for r in rows
    ]


def revoke_token(engine: Engine, name: str, actor: User, now: datetime | None = None) -> None:
    """Revoke the token: from now on it opens nothing (audited)."""
    require(actor, "tokens", "revoke an API token")
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        row = conn.execute(select(api_tokens).where(api_tokens.c.name == name)).first()
        if row is None:
            raise TipError("token_unknown", f"no token named {name!r}")
        if row.revoked_at is not None:
            raise TipError("token_revoked", f"the token {name!r} is revoked already")
        conn.execute(update(api_tokens).where(api_tokens.c.name == name).values(revoked_at=now))
        audit.record(conn, actor.name, "token_revoke", "api_token", name, {"active": True},
                     {"active": False}, now)  # fmt: skip


def token_user(engine: Engine, secret: str, now: datetime | None = None) -> User | None:
    """Who a bearer token speaks for ("token:<name>"), or None when it is unknown or revoked.

    The user may submit tips and nothing else: the token's scope is checked here and no other
    route accepts a token."""
    if not secret or len(secret) > 200:
        return None
    with engine.begin() as conn:
        row = conn.execute(
            select(api_tokens.c.id, api_tokens.c.name, api_tokens.c.scope,
                   api_tokens.c.revoked_at)
            .where(api_tokens.c.token_hash == token_hash(secret))
        ).first()  # fmt: skip
        if row is None or row.revoked_at is not None or row.scope != SCOPE:
            return None
        conn.execute(
            update(api_tokens)
            .where(api_tokens.c.id == row.id)
            .values(last_used_at=now or datetime.now(UTC))
        )
    # The role lets submit_tip's permission check pass; the route accepts tokens for tips only.
    return User(int(row.id), f"token:{row.name}", "analyst")
