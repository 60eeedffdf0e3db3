"""Users with roles, argon2 password hashes and login rate limiting stored in the database
(so that it holds across processes and restarts)."""

from __future__ import annotations

import logging
import secrets
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, Row, and_, func, select, update
from sqlalchemy.exc import IntegrityError

from ..store.tables import login_attempts, users
from . import InvalidInput, NotFound, ReviewError
from . import audit as audit_log
from .sessions import revoke_all
from .status import ROLES, User

log = logging.getLogger(__name__)
HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_PASSWORD = 8
WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_PAIR = 5  # wrong passwords for one name from one client, per window
MAX_FAILURES_PER_CLIENT = 20  # wrong passwords from one client, any names, per window


class LoginFailed(ReviewError):
    """Wrong name or password (deliberately not saying which)."""


class LoginThrottled(ReviewError):
    """Too many failed attempts recently; try again later."""


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
        if active is False or (role is not None and role != before.role):
            _end_sessions(conn, before.id)
    return get_user(conn, name)


def set_password(conn: Connection, name: str, password: str, actor: str,
                 keep_session: str | None = None) -> User:  # fmt: skip
    """A new password (the user's own change, or an admin's reset); every other session of
    the user ends. Audited, without the password."""
    user = get_user(conn, name)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password must have at least {MIN_PASSWORD} characters")
    conn.execute(update(users).where(users.c.id == user.id)
                 .values(password_hash=HASHER.hash(password)))  # fmt: skip
    ended = _end_sessions(conn, user.id, keep_session)
    audit_log.record(conn, actor, "user.password", "user", name, None,
                     {"sessions_ended": ended})  # fmt: skip
    return user


def check_password(conn: Connection, name: str, password: str) -> bool:
    """True when ``password`` is the user's current one (for a password change form)."""
    row = conn.execute(select(users.c.password_hash).where(users.c.name == name)).first()
    return _verify(row.password_hash if row else _dummy_hash(HASHER), password) and row is not None


def _end_sessions(conn: Connection, user_id: int, keep: str | None = None) -> int:
    return revoke_all(conn, user_id, keep)


def _failures(
    conn: Connection, where: Any, now: datetime, before_id: int
) -> tuple[int, datetime | None]:
    """Failed attempts matching ``where`` in the window, counting those made up to and
    including attempt ``before_id``, and the time of the latest one before it."""
    failed = and_(where, login_attempts.c.at >= now - WINDOW, login_attempts.c.success.is_(False))
    count = conn.execute(
        select(func.count()).select_from(login_attempts)
        .where(failed, login_attempts.c.id <= before_id)
    ).scalar_one()  # fmt: skip
    latest = conn.execute(
        select(func.max(login_attempts.c.at)).where(failed, login_attempts.c.id < before_id)
    ).scalar()
    return int(count), latest


def _throttled(conn: Connection, name: str, client: str, now: datetime, attempt: int) -> bool:
    """Limits per (client, name) and per client, never per name alone: five wrong passwords
    from one client cannot lock the account for everyone else. Within a pair, after two
    failures each attempt waits longer after the last (2, 4, 8... seconds, at most 60); an
    attempt refused for being early counts as a failure too."""
    pair, latest = _failures(
        conn, and_(login_attempts.c.username == name, login_attempts.c.client == client), now,
        attempt,
    )  # fmt: skip
    by_client, _ = _failures(conn, login_attempts.c.client == client, now, attempt)
    if pair > MAX_FAILURES_PER_PAIR or by_client > MAX_FAILURES_PER_CLIENT:
        return True
    earlier = pair - 1  # failures before this attempt
    if earlier >= 2 and latest is not None:
        wait = timedelta(seconds=min(2 ** (earlier - 1), 60))
        return now - _aware(latest) < wait
    return False


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def authenticate(
    engine: Engine, name: str, password: str, client: str, now: datetime | None = None
) -> User:
    """The user if the password is right.

    The attempt is written (as a failure) and committed before the slow hash, so a burst of
    parallel guesses counts in full; unknown names are checked against a dummy hash so that
    they answer as slowly as known ones."""
    now = now or datetime.now(UTC)
    client, name = client[:64], name[:64]
    with engine.begin() as conn:
        attempt = conn.execute(
            login_attempts.insert()
            .values(username=name, client=client, at=now, success=False)
            .returning(login_attempts.c.id)
        ).scalar_one()
    with engine.connect() as conn:
        throttled = _throttled(conn, name, client, now, attempt)
        row = conn.execute(select(users).where(users.c.name == name)).first()
    if throttled:
        log.warning("login throttled", extra={"username": name, "client": client})
        raise LoginThrottled("too many failed attempts from here; wait a few minutes")
    right = _verify(row.password_hash if row is not None else _dummy_hash(HASHER), password)
    if not (right and row is not None and bool(row.active)):
        raise LoginFailed("wrong user name or password")
    with engine.begin() as conn:
        conn.execute(update(login_attempts).where(login_attempts.c.id == attempt)
                     .values(success=True))  # fmt: skip
        conn.execute(update(users).where(users.c.id == row.id).values(last_login_at=now))
    return _user(row)


@cache
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of nothing anyone knows, verified for unknown names (same time, no answer)."""
    return hasher.hash(secrets.token_urlsafe(16))


def _verify(stored: str, password: str) -> bool:
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
