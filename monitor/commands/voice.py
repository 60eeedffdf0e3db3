"""The Department's own voice: the activity register and the year's plan."""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime

from ..config import Settings
from ..i18n import vi
from ..timefmt import local_date
from ..vocabulary import ACTIVITY_KINDS, OPERATOR
from . import UserError, command, store


def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year such as 2026") from None
    if not 2000 <= year <= 2100:
        raise argparse.ArgumentTypeError(f"the year must be between 2000 and 2100, not {year}")
    return year


def _activities_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = sub.add_parser("import", help="add the activities of a CSV or YAML file (all or none)")
    imp.add_argument("file", metavar="FILE.csv|FILE.yaml")
    show = sub.add_parser("list", help="the activities of a year, oldest first")
    show.add_argument("--year", type=_year, required=True, metavar="YYYY")
    show.add_argument("--kind", choices=ACTIVITY_KINDS, metavar="KIND",
                      help="only this kind (" + ", ".join(ACTIVITY_KINDS) + ")")  # fmt: skip
    show.add_argument("--format", choices=("text", "json"), default="text")


@command("activities", _activities_args)
def cmd_activities(args: argparse.Namespace, settings: Settings) -> int:
    """The activity register: the Department's press work, delegations, cooperation, training.

    Kinds: press conferences and briefings, interviews, written answers and press releases
    (the forms of Decree 09/2017/NĐ-CP), foreign delegations received, cooperation with
    Guangxi localities, training on foreign information, other activities.

    `import` reads a CSV file (UTF-8, a BOM allowed; a header row naming the columns day,
    kind, title, place, participants, partner, note, items, cases) or a YAML file (a list of
    mappings with the same keys). A day is YYYY-MM-DD or DD/MM/YYYY; a kind is its key or its
    Vietnamese name; items and cases are ids of stored items and cases ("12, 15" in CSV, a
    list in YAML). The import is strict: a bad date, an unknown kind, a missing title, an
    unknown item or case, or a duplicate (same day, kind and title, in the file or already
    recorded) is reported with the file and the line, every problem at once, and nothing is
    imported unless the whole file is valid. Every activity added is audited. `list` prints
    the activities of a local year, oldest first; `--format json` prints one JSON array
    (attachments with their SHA-256 included).
    Example: monitor activities import hoat-dong-2026.csv
    Example: monitor activities list --year 2026 --kind press_conference --format json
    """
    from ..voice.activities import ActivityError, import_activities, list_activities

    with store(settings, ActivityError) as engine:
        if args.action == "import":
            summary = import_activities(engine, OPERATOR, args.file)
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(summary.by_kind.items()))
            print(f"{summary.added} activities imported from {args.file}"
                  + (f" ({kinds})" if kinds else ""))  # fmt: skip
            return 0
        with engine.connect() as conn:
            found = list_activities(conn, args.year, args.kind)
    if args.format == "json":
        print(json.dumps([a.as_json() for a in found], ensure_ascii=False, indent=1))
        return 0
    for a in found:
        links = "".join(
            [f" items={','.join(map(str, a.item_ids))}" if a.item_ids else "",
             f" cases={','.join(map(str, a.case_ids))}" if a.case_ids else "",
             f" attachments={len(a.attachments)}" if a.attachments else ""]
        )  # fmt: skip
        print(f"{a.id}\t{a.day:%d/%m/%Y}\t{a.kind}\t{a.title}{links}")
    if not found:
        print(f"no activity recorded in {args.year}")
    return 0


def _plan_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = sub.add_parser("import", help="replace a year's targets with those of a YAML file")
    imp.add_argument("file", metavar="FILE.yaml")
    show = sub.add_parser("show", help="each target of a year with what is done")
    show.add_argument("--year", type=_year, metavar="YYYY", help="default: this year")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.add_argument("--today", metavar="YYYY-MM-DD", help=argparse.SUPPRESS)


@command("plan", _plan_args)
def cmd_plan(args: argparse.Namespace, settings: Settings) -> int:
    """The year's foreign-information plan as data: a target per kind of output.

    `import` reads a YAML file such as `year: 2026` and `targets: {own_post: 24,
    training: 2, cooperation: 1}` (keys: own_post, the posts on the Department's own
    channels, and every kind of activity, or their Vietnamese names; positive whole numbers;
    `{target: 2, note: ...}` adds a note). It is strict (every problem with its line) and
    replaces that year's targets at once; audited. `show` prints, per target, what is done
    (own posts counted from the sources marked `own: true`; activities from the register), the
    share of the target, what is expected by today (target × the elapsed share of the year)
    and whether it is reached, on track or behind; `--format json` prints a JSON array.
    Example: monitor plan import ke-hoach-2026.yaml
    Example: monitor plan show --year 2026 --format json
    """
    from ..voice.activities import ActivityError
    from ..voice.plan import import_plan, progress

    with store(settings, ActivityError) as engine:
        if args.action == "import":
            targets = import_plan(engine, OPERATOR, args.file)
            year = targets[0].year if targets else "?"
            shown = ", ".join(f"{t.key} {t.target}" for t in targets)
            print(f"plan {year}: {len(targets)} targets ({shown})")
            return 0
        try:
            today = (datetime.strptime(args.today, "%Y-%m-%d").date() if args.today
                     else local_date(datetime.now(UTC)))  # fmt: skip
        except ValueError:
            raise UserError(f"{args.today!r} is not a date (YYYY-MM-DD)") from None
        year = args.year or today.year
        with engine.connect() as conn:
            found = progress(conn, year, today)
    if args.format == "json":
        print(json.dumps({"year": year, "today": today.isoformat(),
                          "targets": [p.as_json() for p in found]},
                         ensure_ascii=False, indent=1))  # fmt: skip
        return 0
    if not found:
        print(f"no plan for {year} (monitor plan import FILE.yaml)")
        return 0
    for p in found:
        name = vi("plan.key.own_post" if p.key == "own_post" else f"activity.kind.{p.key}")
        print(f"{p.key}\t{p.done}/{p.target}\t{p.share:.0%}\texpected {p.expected:.1f}\t"
              f"{p.state}\t{name}")  # fmt: skip
    return 0
