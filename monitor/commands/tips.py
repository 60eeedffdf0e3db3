"""Tips commands: submit a tip (a URL or pasted text), and the API tokens of partner systems."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..config import Settings
from ..vocabulary import OPERATOR, PLATFORMS, User
from . import UserError, command, store


def _submit_args(p: argparse.ArgumentParser) -> None:
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--url", metavar="URL", help="the page where it was seen")
    what.add_argument(
        "--text-file", metavar="FILE", help="the text, as copied (UTF-8; - for standard input)"
    )
    p.add_argument(
        "--seen-on", metavar="PLATFORM", help=f"where: {', '.join(PLATFORMS)} (URL: default web)"
    )
    p.add_argument(
        "--seen-at", metavar="ISO-TIME", help="when (no offset: Asia/Ho_Chi_Minh); text: required"
    )
    p.add_argument("--image", metavar="FILE", help="a screenshot (PNG, JPEG, WebP or GIF)")
    p.add_argument("--note", metavar="TEXT", default="", help="what the analyst noticed")
    p.add_argument("--by", metavar="NAME", help="who submits it (default: cli)")


@command("submit", _submit_args)
def cmd_submit(args: argparse.Namespace, settings: Settings) -> int:
    """Submit a tip: a URL or a pasted text seen where the crawlers do not go.

    A URL is fetched once under the crawler's rules (robots.txt, MONITOR_MAX_BYTES, timeouts;
    private addresses refused) and must be an HTML page; it is kept as evidence. Text needs
    --seen-on and --seen-at; an image is kept under MONITOR_EVIDENCE_DIR/tips by its SHA-256.
    The tip is processed, clustered and scored like a crawled item (source "tip") and is in the
    queue at once. Prints {"id": N}; a tip that repeats a stored item exactly is linked to it:
    {"id": N, "duplicate_of": N}. A refused tip prints why on standard error (exit status 2).
    Example: monitor submit --url https://example.vn/bai-viet --seen-on facebook --note "lan rộng"
    Example: monitor submit --text-file bai.txt --seen-on zalo --seen-at 2026-11-20T08:30
    """
    from ..tips import TipError, submit_tip

    text = image = None
    if args.text_file:
        text = _read_text(args.text_file)
    if args.image:
        try:
            image = Path(args.image).read_bytes()
        except OSError as exc:
            raise UserError(f"cannot read {args.image}: {exc.strerror}") from None
    user = User(0, args.by.strip()[:64], OPERATOR.role) if args.by and args.by.strip() else OPERATOR
    with store(settings, TipError) as engine:
        result = submit_tip(
            engine, settings, user, url=args.url, text=text, seen_on=args.seen_on,
            seen_at=args.seen_at, note=args.note, image=image, via="cli",
        )  # fmt: skip
    print(json.dumps(result.as_dict()))
    return 0


def _read_text(name: str) -> str:
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read {name}: {exc.strerror}") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"{name} is not UTF-8 text") from None


def _token_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = sub.add_parser("create", help="make a token and print it once")
    create.add_argument("name", metavar="NAME")
    listing = sub.add_parser("list", help="every token: name, creator, last use, revoked")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    revoke = sub.add_parser("revoke", help="the token opens nothing from now on")
    revoke.add_argument("name", metavar="NAME")


@command("token", _token_args)
def cmd_token(args: argparse.Namespace, settings: Settings) -> int:
    """API tokens for partner systems that submit tips (POST /api/tips).

    A partner sends `Authorization: Bearer <token>`. `create` prints the new token once: only
    its SHA-256 is stored. A token may submit tips and nothing else; each use is noted.
    `list --format json` prints one JSON line per token (name, scope, created_by, created_at,
    last_used_at, revoked_at, active; times +07:00). `revoke` ends it. Creation and revocation
    are audited.
    Example: monitor token create doi-tac-zalo
    Example: monitor token list --format json
    Example: monitor token revoke doi-tac-zalo
    """
    from ..tips import TipError, create_token, list_tokens, revoke_token

    with store(settings, TipError) as engine:
        if args.action == "create":
            print(create_token(engine, args.name, OPERATOR))
            return 0
        if args.action == "revoke":
            revoke_token(engine, args.name, OPERATOR)
            print(f"token {args.name} revoked")
            return 0
        with engine.connect() as conn:
            found = list_tokens(conn)
    for token in found:
        if args.format == "json":
            print(json.dumps(token.as_dict(), ensure_ascii=False))
        else:
            state = "revoked" if token.revoked_at else "active"
            used = token.last_used_at.isoformat() if token.last_used_at else "never used"
            print(f"{token.name}\t{state}\t{token.created_by}\t{used}")
    return 0
