"""Demo users for `make demo`: one per role, with fixed passwords printed by the demo."""

from __future__ import annotations

from sqlalchemy import Engine

from monitor.review import InvalidInput
from monitor.review.users import add_user

DEMO_USERS = (
    ("phantich", "analyst", "demo-phantich"),
    ("lanhdao", "lead", "demo-lanhdao"),
    ("baocao", "writer", "demo-baocao"),
    ("quantri", "admin", "demo-quantri"),
)


def prepare_demo_users(engine: Engine) -> list[tuple[str, str, str]]:
    """Create one user per role (kept if they exist); returns (name, role, password)."""
    with engine.begin() as conn:
        for name, role, password in DEMO_USERS:
            try:
                add_user(conn, name, role, password, actor="demo")
            except InvalidInput:
                continue  # already there from an earlier run
    return list(DEMO_USERS)
