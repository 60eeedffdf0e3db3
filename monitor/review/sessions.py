"""Dashboard sessions kept in the store, so that they can be revoked: logout ends one,
a password change, an admin's reset or deactivation end all of a user's."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, select, update

from ..store.tables import sessions, users
from .status import User


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(conn: Connection, user: User, lifetime: timedelta,
                 now: datetime | None = None) -> str:  # fmt: skip
    """A new session for ``user``; returns its token (put in the signed cookie only)."""
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(32)
    conn.execute(sessions.insert().values(token_hash=_hash(token), user_id=user.id,
                                          created_at=now, expires_at=now + lifetime))  # fmt: skip
    return token


def session_user(conn: Connection, token: str, now: datetime | None = None) -> User | None:
    """The active user of a live session, else None (unknown, revoked, expired, inactive)."""
    now = now or datetime.now(UTC)
    row = conn.execute(
        select(users.c.id, users.c.name, users.c.role, users.c.active)
        .join(sessions, sessions.c.user_id == users.c.id)
        .where(sessions.c.token_hash == _hash(token), sessions.c.revoked_at.is_(None),
               sessions.c.expires_at > now)
    ).first()  # fmt: skip
    if row is None or not row.active:
        return None
    return User(row.id, row.name, row.role, True)


def revoke(conn: Connection, token: str, now: datetime | None = None) -> None:
    """End one session (logout)."""
    conn.execute(update(sessions).where(sessions.c.token_hash == _hash(token))
                 .values(revoked_at=now or datetime.now(UTC)))  # fmt: skip


def revoke_all(conn: Connection, user_id: int, keep: str | None = None,
               now: datetime | None = None) -> int:  # fmt: skip
    """End every live session of a user (but ``keep``, the caller's own); returns how many."""
    query = update(sessions).where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
    if keep:
        query = query.where(sessions.c.token_hash != _hash(keep))
    return conn.execute(query.values(revoked_at=now or datetime.now(UTC))).rowcount or 0
