"""Evidence commands: capture an item's page now, export its packet, verify a packet."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..config import Settings
from ..vocabulary import OPERATOR
from . import UserError, command, store


def _evidence_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    capture = sub.add_parser("capture", help="fetch and keep the item's page now (WARC)")
    capture.add_argument("item_id", type=int, metavar="ITEM_ID")
    export = sub.add_parser("export", help="write the item's evidence packet (ZIP)")
    export.add_argument("item_id", type=int, metavar="ITEM_ID")
    export.add_argument("--out", required=True, metavar="FILE.zip")
    verify = sub.add_parser("verify", help="check every hash of a packet; exit 0 or 1")
    verify.add_argument("packet", metavar="FILE.zip")
    check = sub.add_parser("check", help="is the page still there? (confirmed items)")
    check.add_argument("--due", action="store_true", help="only the checks that are due now")
    status = sub.add_parser("status", help="one line per captured item: captures, last state")
    status.add_argument("--format", choices=("text", "json"), default="text")


@command("evidence", _evidence_args)
def cmd_evidence(args: argparse.Namespace, settings: Settings) -> int:
    """Evidence that survives deletion: captures written once, hashed, and packets to attach
    to a correction or removal request.

    `capture` fetches the item's page under the crawler's rules and keeps the request and the
    response, the feed entry, the extracted text and the capture's details as one WARC file
    (MONITOR_EVIDENCE_DIR); flagged items are captured by the service after scoring. `export`
    writes a ZIP with manifest.json (SHA-256 of every file, capture times in UTC and +07:00,
    the chain of custody), the WARC files, the text and a one-page summary in Vietnamese
    (HTML and PDF), and the RFC 3161 timestamps when MONITOR_TSA_URL is set. `verify`
    recomputes every hash, checks that each timestamp covers its capture, and prints one
    line: ok, or the first thing that differs (exit status 1). `check` fetches confirmed
    items' pages again and records live, changed (a new capture is taken), removed
    (404/410, a redirect to the home page, a "not found" page) or unreachable; the service
    does it daily for
    MONITOR_EVIDENCE_DAILY_DAYS after confirmation, then weekly until
    MONITOR_EVIDENCE_UNTIL_DAYS. `status --format json` prints one JSON line per captured item:
    id, url, captures, last_check, state.
    Example: monitor evidence capture 42
    Example: monitor evidence export 42 --out bang-chung-42.zip
    Example: monitor evidence verify bang-chung-42.zip
    Example: monitor evidence check --due
    Example: monitor evidence status --format json
    """
    from ..evidence import (
        EvidenceError,
        capture_item,
        check_due,
        evidence_status,
        export_packet,
        verify,
    )

    if args.action == "verify":
        try:
            data = Path(args.packet).read_bytes()
        except OSError as exc:
            raise UserError(f"cannot read {args.packet}: {exc.strerror}") from None
        ok, reason = verify(data)
        print(reason, file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1
    with store(settings, EvidenceError) as engine:
        if args.action == "status":
            for line in evidence_status(engine):
                print(json.dumps(line, ensure_ascii=False) if args.format == "json" else
                      f"{line['id']}\t{line['state']}\t{line['captures']}\t{line['url']}")
            return 0
        if args.action == "check":
            for done in check_due(engine, settings, every=not args.due):
                print(f"item {done.item_id}: {done.state} ({done.detail})")
            return 0
        if args.action == "capture":
            c = capture_item(engine, settings, args.item_id, OPERATOR, "manual")
            detail = f"HTTP {c.http_status}" if c.status == "ok" else c.problem
            print(f"capture {c.id} of item {c.item_id}: {c.status} ({detail}); "
                  f"{c.path} sha256={c.sha256}")  # fmt: skip
            return 0
        data = export_packet(engine, settings, args.item_id, OPERATOR)
    Path(args.out).write_bytes(data)
    print(f"evidence packet of item {args.item_id} written to {args.out}")
    return 0
