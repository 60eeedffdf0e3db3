"""Watch rules and instant alerts: add, list, remove and test rules; send what is due."""

from __future__ import annotations

import argparse
import json

from ..config import Settings
from ..vocabulary import OPERATOR, PermissionDenied
from . import UserError, command, store


def _watch_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = sub.add_parser("add", help="save a rule")
    add.add_argument("--name", required=True)
    add.add_argument("--query", required=True, metavar="Q")
    add.add_argument("--label", help="only items scored with this label (distorted, hostile...)")
    add.add_argument("--source", help="only items of this source id or source tag")
    add.add_argument("--min-reach", type=int, default=0, metavar="N",
                     help="only stories carried by at least N outlets")  # fmt: skip
    add.add_argument("--relevant-only", action="store_true", help="only relevant items")
    add.add_argument("--notify", action="append", required=True, metavar="email:ADDR|webhook:URL",
                     help="whom to notify (repeat for several)")  # fmt: skip
    listing = sub.add_parser("list", help="every rule")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.add_argument("--owner", help="only this owner's rules (cli: those added here)")
    remove = sub.add_parser("remove", help="delete a rule")
    remove.add_argument("name", metavar="NAME")
    remove.add_argument("--owner", help="when several users have a rule of that name")
    test = sub.add_parser("test", help="which stored items the rule would match")
    test.add_argument("name", metavar="NAME")
    test.add_argument("--owner", help="when several users have a rule of that name")
    test.add_argument("--days", type=int, default=30, help="how far back to look (default 30)")
    test.add_argument("--format", choices=("text", "json"), default="text")
    sub.add_parser("send", help="match new items and send the alerts that are due now")
    status = sub.add_parser("status", help="alert deliveries by state and the latest ones")
    status.add_argument("--format", choices=("text", "json"), default="text")
    again = sub.add_parser("retry", help="send a failed alert delivery again")
    again.add_argument("delivery_id", type=int, metavar="DELIVERY_ID")


@command("watch", _watch_args)
def cmd_watch(args: argparse.Namespace, settings: Settings) -> int:
    """Watch rules: saved searches that alert the moment a new item matches.

    A query is words and "quoted phrases" with AND, OR, NOT (upper case) and parentheses; two
    terms side by side mean AND. Words match whole words; a term typed without diacritics
    matches any accents ("cua khau" finds "cửa khẩu"), one typed with them matches only that
    spelling. A bad query is refused with the position of the problem. Filters: --label
    (the item's label or a label over its review threshold), --source (a source id or tag),
    --min-reach (outlets carrying the story), --relevant-only. Rules added here belong to the
    owner "cli"; users manage theirs on the dashboard's watch page. The service checks new
    items after every scoring pass and notifies by email (MONITOR_SMTP_*) or webhook (a JSON
    POST, see the README). `test` shows which stored items of the last --days days the rule
    would match, without notifying anyone. `list --format json` prints one JSON array.

    Alerts: high-priority flagged items and fast-spreading stories go to MONITOR_ALERT_NOTIFY.
    The service matches and sends after every scoring pass (a burst is one message per
    recipient; quiet hours hold them; a failure is retried with back-off, then marked failed).
    `send` does one pass now; `status` prints deliveries by state (pending, sending, sent,
    failed) and the latest ones, failed first, with their last error; `retry` puts a failed
    delivery back in line.
    Example: monitor watch add --name "Cửa khẩu" --query '"cửa khẩu" AND (đóng OR dong)' --notify email:phongtt@example.vn
    Example: monitor watch list --format json
    Example: monitor watch test "Cửa khẩu"
    Example: monitor watch remove "Cửa khẩu"
    Example: monitor watch status --format json
    """  # noqa: E501
    from ..watch.rules import RuleError, add_rule, list_rules, remove_rule, try_rule

    if args.action in ("send", "status", "retry"):
        return _alerts(args, settings)
    with store(settings, RuleError, PermissionDenied) as engine:
        if args.action == "add":
            rule = add_rule(engine, OPERATOR, name=args.name, query=args.query,
                            notify=args.notify, label=args.label, source=args.source,
                            min_reach=args.min_reach, relevant_only=args.relevant_only)  # fmt: skip
            print(f"watch rule {rule.name!r} saved (id {rule.id}); notifies "
                  + ", ".join(rule.notify))  # fmt: skip
            return 0
        if args.action == "list":
            with engine.connect() as conn:
                rules = list_rules(conn, args.owner)
            if args.format == "json":
                print(json.dumps([r.as_json() for r in rules], ensure_ascii=False, indent=2))
            for r in rules if args.format == "text" else ():
                filters = [f"{k}={v}" for k, v in (("label", r.label), ("source", r.source),
                           ("min_reach", r.min_reach or None),
                           ("relevant_only", r.relevant_only or None)) if v]  # fmt: skip
                state = "" if r.active else " (paused)"
                print(f"{r.owner}\t{r.name}{state}\t{r.query}\t{' '.join(filters) or '-'}\t"
                      + ",".join(r.notify))  # fmt: skip
            return 0
        if args.action == "remove":
            rule = remove_rule(engine, OPERATOR, args.name, args.owner)
            print(f"watch rule {rule.name!r} of {rule.owner} removed")
            return 0
        if args.days <= 0:
            raise UserError("--days must be a positive number of days")
        found = try_rule(engine, args.name, args.owner, days=args.days)
    if args.format == "json":
        print(json.dumps({"rule": found.rule.as_json(), "days": found.days,
                          "scanned": found.scanned, "total": found.total,
                          "matches": found.matches}, ensure_ascii=False, indent=2))  # fmt: skip
        return 0
    print(f"{found.total} of {found.scanned} items of the last {found.days} days match "
          f"{found.rule.name!r}")  # fmt: skip
    for m in found.matches:
        print(f"{m['id']}\t{m['seen_at'] or '-'}\t{m['source_id']}\t{m['title']}")
    return 0


def _alerts(args: argparse.Namespace, settings: Settings) -> int:
    from ..watch.alerts import deliver, delivery_counts, match_new, recent_deliveries, resend
    from ..watch.rules import RuleError

    with store(settings, RuleError) as engine:
        if args.action == "send":
            matched = match_new(engine, settings)
            sent = deliver(engine, settings)
            held = " (quiet hours: held)" if sent.held else ""
            print(f"items={matched.items} events={matched.events} deliveries={sent.grouped} "
                  f"sent={sent.sent} retrying={sent.retrying} failed={sent.failed}"
                  + held)  # fmt: skip
            return 0
        if args.action == "retry":
            if not resend(engine, args.delivery_id, OPERATOR):
                raise UserError(f"delivery {args.delivery_id} is not a failed delivery")
            print(f"delivery {args.delivery_id} will be sent again at the next pass")
            return 0
        with engine.connect() as conn:
            counts, latest = delivery_counts(conn), recent_deliveries(conn, 20)
    if args.format == "json":
        rows = [{"id": d["id"], "target": d["shown_target"], "state": d["state"],
                 "events": d["events"], "attempts": d["attempts"], "subject": d["subject"],
                 "last_error": d["last_error"],
                 "sent_at": d["sent_at"].isoformat() if d["sent_at"] else None}
                for d in latest]  # fmt: skip
        print(json.dumps({"counts": counts, "latest": rows}, ensure_ascii=False, indent=2))
        return 0
    print(" ".join(f"{k}={v}" for k, v in counts.items()))
    for d in latest:
        print(f"{d['id']}\t{d['state']}\t{d['shown_target']}\t{d['events']} event(s)\t"
              f"{d['last_error'] or ''}")  # fmt: skip
    return 0
