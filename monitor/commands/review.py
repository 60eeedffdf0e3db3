"""Review commands: serve the dashboard, manage users, export the audit log."""

from __future__ import annotations

import argparse
import sys

from ..config import Settings
from ..timefmt import parse_range
from ..vocabulary import ROLES
from . import UserError, command, open_engine, store


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1", help="address to listen on")
    p.add_argument("--port", type=int, default=8000, help="port to listen on")


@command("serve", _serve_args)
def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    """Serve the review dashboard (queue, items, audit, sources, overview) over HTTP.

    The session secret comes from MONITOR_SECRET_KEY (32 characters or more), or is
    generated once into MONITOR_SECRET_KEY_FILE (beside the SQLite database by default),
    readable by the service only. Create users first with `monitor users add`.
    Example: monitor serve --host 0.0.0.0 --port 8000
    """
    import uvicorn

    from dashboards.app import create_app

    app = create_app(settings, engine=open_engine(settings))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def _users_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="create a user (password read from standard input)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of standard input",
    )
    sub.add_parser("list", help="every user with role and state")
    passwd = sub.add_parser("passwd", help="set a user's password (ends their sessions)")
    passwd.add_argument("name")
    passwd.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the new password from the first line of standard input",
    )


@command("users", _users_args)
def cmd_users(args: argparse.Namespace, settings: Settings) -> int:
    """Add dashboard users, list them, or set a password; passwords are hashed with argon2.

    Roles: analyst (verdicts), lead (sign-off, assignment), writer (reads statistics),
    admin (users and sources). `passwd` ends every session of the user.
    Example: echo 'a-long-password' | monitor users add lan --role lead --password-stdin
    Example: echo 'a-new-long-password' | monitor users passwd lan --password-stdin
    """
    from ..review import ReviewError
    from ..review.users import add_user, list_users, set_password

    with store(settings, ReviewError) as engine:
        if args.action == "list":
            with engine.connect() as conn:
                for user in list_users(conn):
                    state = "active" if user.active else "inactive"
                    print(f"{user.name:<24} {user.role:<8} {state}")
            return 0
        password = sys.stdin.readline().rstrip("\r\n")
        with engine.begin() as conn:
            if args.action == "passwd":
                set_password(conn, args.name, password, actor="cli")
                print(f"password of {args.name} set; their sessions ended")
                return 0
            user = add_user(conn, args.name, args.role, password, actor="cli")
    print(f"user {user.name} added with role {user.role}")
    return 0


def _audit_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    export = sub.add_parser("export", help="write the audit log as CSV or JSON")
    export.add_argument("--format", choices=("csv", "json"), default="csv")
    export.add_argument("--since", metavar="DATE", help="from this day (YYYY-MM-DD, local) or time")
    export.add_argument("--until", metavar="DATE", help="up to and including this day")


@command("audit", _audit_args)
def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    """Export the append-only audit log (who, what, when, before, after), oldest first.

    Times are ISO 8601 with the +07:00 offset.
    Example: monitor audit export --format json --since 2026-11-01
    """
    from ..review import audit

    try:
        since, until = parse_range(args.since, args.until)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    with store(settings) as engine, engine.connect() as conn:
        audit.export(conn, sys.stdout, args.format, since, until)
    return 0
