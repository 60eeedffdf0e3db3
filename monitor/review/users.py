"""Users with roles, argon2 password hashes and login rate limiting stored in the database
(so that it holds across processes and restarts)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, Row, func, select, update
from sqlalchemy.exc import IntegrityError

from ..store.tables import login_attempts, users
from . import InvalidInput, NotFound, ReviewError
from . import audit as audit_log
from .status import ROLES

log = logging.getLogger(__name__)
HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_PASSWORD = 8
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20


class LoginFailed(ReviewError):
    """Wrong name or password (deliberately not saying which)."""


class LoginThrottled(ReviewError):
    """Too many failed attempts recently; try again later."""


@dataclass(frozen=True, slots=True)
class User:
    """A person who can log in."""

    id: int
    name: str
    role: str
    active: bool = True


def _user(row: Row[Any]) -> User:
    return User(row.id, row.name, row.role, bool(row.active))


def check_role(role: str) -> str:
    """``role`` if it is known, else InvalidInput."""
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return role


def add_user(conn: Connection, name: str, role: str, password: str, actor: str = "cli") -> User:
    """Create a user with an argon2 password hash; audited."""
    name = name.strip()
    if not name or len(name) > 64:
        raise InvalidInput("a user name must have 1 to 64 characters")
    check_role(role)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password must have at least {MIN_PASSWORD} characters")
    now = datetime.now(UTC)
    try:
        with conn.begin_nested():
            conn.execute(
                users.insert().values(name=name, role=role, password_hash=HASHER.hash(password),
                                      active=True, created_at=now)
            )  # fmt: skip
    except IntegrityError:
        raise InvalidInput(f"a user named {name!r} already exists") from None
    audit_log.record(conn, actor, "user.add", "user", name, None, {"role": role}, now)
    return get_user(conn, name)


def get_user(conn: Connection, name: str) -> User:
    """The user called ``name``."""
    row = conn.execute(select(users).where(users.c.name == name)).first()
    if row is None:
        raise NotFound(f"no user named {name!r}")
    return _user(row)


def list_users(conn: Connection) -> list[User]:
    """Every user, by name."""
    return [_user(r) for r in conn.execute(select(users).order_by(users.c.name))]


def set_user(
    conn: Connection, name: str, actor: str, role: str | None = None, active: bool | None = None
) -> User:
    """Change a user's role or active flag; audited."""
    before = get_user(conn, name)
    values: dict[str, object] = {}
    if role is not None:
        values["role"] = check_role(role)
    if active is not None:
        values["active"] = active
    if values:
        conn.execute(update(users).where(users.c.name == name).values(**values))
        audit_log.record(conn, actor, "user.change", "user", name,
                         {"role": before.role, "active": before.active}, values)  # fmt: skip
    return get_user(conn, name)


def _recent_failures(conn: Connection, column: Any, value: str, now: datetime) -> int:
    return conn.execute(
        select(func.count())
        .select_from(login_attempts)
        .where(column == value, login_attempts.c.at >= now - WINDOW,
               login_attempts.c.success.is_(False))
    ).scalar_one()  # fmt: skip


def authenticate(
    engine: Engine, name: str, password: str, client: str, now: datetime | None = None
) -> User:
    """The user if the password is right; every attempt is committed for rate limiting."""
    now = now or datetime.now(UTC)
    client, name = client[:64], name[:64]
    with engine.begin() as conn:
        if (
            _recent_failures(conn, login_attempts.c.username, name, now) >= MAX_FAILURES_PER_USER
            or _recent_failures(conn, login_attempts.c.client, client, now)
            >= MAX_FAILURES_PER_CLIENT
        ):
            log.warning("login throttled", extra={"username": name, "client": client})
            raise LoginThrottled("too many failed attempts; wait 15 minutes")
        row = conn.execute(select(users).where(users.c.name == name)).first()
        ok = row is not None and bool(row.active) and _verify(row.password_hash, password)
        conn.execute(
            login_attempts.insert().values(username=name, client=client, at=now, success=ok)
        )
        if ok and row is not None:
            conn.execute(update(users).where(users.c.id == row.id).values(last_login_at=now))
    # Raised after the commit, so that the failed attempt counts.
    if not ok or row is None:
        raise LoginFailed("wrong user name or password")
    return _user(row)


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
