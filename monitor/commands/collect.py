"""Collection commands: migrate, crawl, export, sources, demo, config."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import json
import sys
from typing import Any, TextIO

from ..config import Settings
from ..sources import load_sources
from ..text.csvsafe import SafeDictWriter
from ..timefmt import parse_range, to_local_iso
from . import UserError, command, open_engine, store, sync


@command("migrate")
def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    """Create or upgrade the database schema to the newest version.

    Example: monitor --database sqlite:///monitor.db migrate
    """
    from ..store.db import create_store_engine, current_revision, head_revision, migrate
    from ..store.review_index import refresh

    engine = create_store_engine(settings.database_url)
    before = current_revision(engine)
    migrate(engine)
    with engine.begin() as conn:
        refresh(conn)  # an upgraded store's review state catches up here, not on a read
    engine.dispose()
    print(f"schema at {head_revision()} (was {before or 'empty'})")
    return 0


def _crawl_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--force", action="store_true", help="poll every enabled source, due or not")
    p.add_argument(
        "--source", action="append", metavar="ID", help="poll only this source (repeatable)"
    )


@command("crawl", _crawl_args)
def cmd_crawl(args: argparse.Namespace, settings: Settings) -> int:
    """Poll every due source once, store new items and print a summary.

    Exits 0 even when some sources failed (their errors are stored and shown by
    `monitor sources status`); non-zero only when nothing could run.
    Example: monitor crawl --force --source baolangson
    """
    from ..collect.pipeline import crawl
    from ..progress import CrawlProgress, print_summary

    load_sources(settings.sources)  # a missing or broken file fails before any store is made
    engine = open_engine(settings)
    configured = sync(settings, engine)
    unknown = set(args.source or ()) - {s.id for s in configured}
    if unknown:
        raise UserError(f"no source with id {', '.join(sorted(unknown))} in {settings.sources}")
    with CrawlProgress(enabled=sys.stderr.isatty()) as progress:
        summary = asyncio.run(
            crawl(engine, settings, force=args.force, only=args.source, progress=progress.update)
        )
    print_summary(summary, sys.stdout)
    return 0


def _export_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    p.add_argument("--since", metavar="DATE", help="from this day (YYYY-MM-DD, local) or time")
    p.add_argument(
        "--until", metavar="DATE", help="up to and including this day, or before this time"
    )
    p.add_argument("--relevant-only", action="store_true", help="only items judged relevant")
    p.add_argument("--out", metavar="FILE", help="write here instead of standard output")


@command("export", _export_args)
def cmd_export(args: argparse.Namespace, settings: Settings) -> int:
    """Write stored items as JSON lines or CSV, times in ISO 8601 with the +07:00 offset.

    The window applies to the publication time (the fetch time for undated items).
    Example: monitor export --format csv --since 2026-11-01 --relevant-only --out items.csv
    """
    from ..store.queries import EXPORT_FIELDS, export_rows

    try:
        since, until = parse_range(args.since, args.until)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    engine = open_engine(settings)
    with contextlib.ExitStack() as stack:
        stack.callback(engine.dispose)  # last: after the connection below is closed
        out: TextIO = sys.stdout
        if args.out:
            out = stack.enter_context(open(args.out, "w", encoding="utf-8", newline=""))
        conn = stack.enter_context(engine.connect())
        rows = export_rows(conn, since=since, until=until, relevant_only=args.relevant_only)
        if args.format == "jsonl":
            for row in rows:
                out.write(json.dumps(_export_record(row), ensure_ascii=False) + "\n")
        else:
            writer = SafeDictWriter(out, fieldnames=list(EXPORT_FIELDS))
            writer.writeheader()
            for row in rows:
                record = _export_record(row)
                record["matches"] = json.dumps(record["matches"], ensure_ascii=False)
                writer.writerow(record)
    return 0


def _export_record(row: dict[str, Any]) -> dict[str, Any]:
    row["published_at"] = to_local_iso(row["published_at"])
    row["fetched_at"] = to_local_iso(row["fetched_at"])
    for flag in ("relevant", "place_relevant", "sector_relevant"):
        row[flag] = bool(row[flag])
    return row


def _relevance_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    rescore = sub.add_parser("rescore", help="assess stored items again with the current rules")
    rescore.add_argument("--since", metavar="DATE", help="only items seen from this day on")
    rescore.add_argument("--format", choices=("text", "json"), default="text")
    explain = sub.add_parser("explain", help="why an item is (not) relevant")
    explain.add_argument("item_id", type=int, metavar="ITEM_ID")
    explain.add_argument("--format", choices=("text", "json"), default="text")


@command("relevance", _relevance_args)
def cmd_relevance(args: argparse.Namespace, settings: Settings) -> int:
    """Assess stored items again after the gazetteer or lexicon changed, or explain one item.

    `rescore` prints how many items changed each way (relevant, Lạng Sơn part, sector part);
    statistics, flags and the queue follow. `explain` prints the stored reason, the sector
    score and every term found with its place (title, sapo, body) and positions.
    Example: monitor relevance rescore --since 2026-01-01
    Example: monitor relevance explain 42
    """
    from ..collect.relevance import RulesError
    from ..collect.rescore import explain, rescore_relevance

    with store(settings, RulesError) as engine:
        if args.action == "explain":
            with engine.connect() as conn:
                found = explain(conn, args.item_id)
            if found is None:
                raise UserError(f"no item {args.item_id}")
            _print_explanation(found, args.format)
            return 0
        try:
            since, _until = parse_range(args.since, None)
        except ValueError as exc:
            raise UserError(str(exc)) from None
        summary = rescore_relevance(engine, _rules(settings), since)
    if args.format == "json":
        print(json.dumps(summary.as_dict()))
        return 0
    print(
        f"{summary.examined} items assessed with rules {summary.rules_version}: "
        f"{summary.changed} changed, {summary.became} became relevant, "
        f"{summary.lost} no longer relevant (construction +{summary.sector_gained} "
        f"-{summary.sector_lost}, Lạng Sơn +{summary.place_gained} -{summary.place_lost}); "
        f"{summary.flags_changed} flags followed"
        + (f"; {summary.from_summary} from title and summary (text purged)"
           if summary.from_summary else "")
    )  # fmt: skip
    return 0


def _rules(settings: Settings) -> Any:
    from ..collect.relevance import rules_for

    return rules_for(settings.relevance_gazetteer, settings.relevance_lexicon)


def _print_explanation(found: Any, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps(dataclasses.asdict(found), ensure_ascii=False))
        return
    score = "—" if found.sector_score is None else f"{found.sector_score:.2f}".replace(".", ",")
    print(f"#{found.item_id} {found.title}")
    print(f"relevant: {'yes' if found.relevant else 'no'} ({found.part}); sector score {score}")
    print(found.reason or "(no reason stored: run `monitor relevance rescore`)")
    for m in found.matches:
        zones = ", ".join(f"{z} {n}" for z, n in m.zones)
        print(f"  {m.kind:<10} {m.term} ×{m.occurrences}" + (f" ({zones})" if zones else ""))


def _sources_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = sub.add_parser("status", help="each source's health")
    status.add_argument("--format", choices=("table", "json"), default="table")
    sub.add_parser("check", help="validate the sources file and list its sources")


STATUS_FIELDS = (
    "id",
    "name",
    "feed_url",
    "enabled",
    "last_status",
    "last_http_status",
    "error_count",
    "last_error",
    "last_warning",
    "last_checked_at",
    "last_success_at",
    "next_check_at",
    "last_new_item_at",
    "item_count",
)


@command("sources", _sources_args)
def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    """Check the sources file, or show each source's health.

    `sources status` lists last status, error count, last error and warning, last success,
    next check, item count and the time of the last new item (times in Asia/Ho_Chi_Minh).
    Example: monitor sources status --format json
    """
    if args.action == "check":
        for src in load_sources(settings.sources):
            state = "" if src.enabled else " (disabled)"
            print(
                f"{src.id:<24} {src.type:<5} every {src.interval_minutes:>4} min  {src.url}{state}"
            )
        return 0
    from ..store.queries import source_status

    load_sources(settings.sources)  # a missing or broken file fails before any store is made
    engine = open_engine(settings)
    sync(settings, engine)
    with engine.connect() as conn:
        rows = [{k: row[k] for k in STATUS_FIELDS} for row in source_status(conn)]
    if args.format == "json":
        for row in rows:
            for key, value in row.items():
                if key.endswith("_at"):
                    row[key] = to_local_iso(value)
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        from ..progress import print_status_table

        print_status_table(rows, sys.stdout)
    return 0


def _demo_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dir", default="demo-data", help="where the demo database goes (recreated)")
    p.add_argument("--port", type=int, default=0, help="port of the demo news site (0: any free)")
    p.add_argument("--no-serve", action="store_true", help="stop after the summary")
    p.add_argument("--host", default="127.0.0.1", help="address of the dashboard")
    p.add_argument("--web-port", type=int, default=8000, help="port of the dashboard")


@command("demo", _demo_args)
def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """Run the whole pipeline offline on the bundled demo site, then serve the dashboard.

    Serves the demo news site on 127.0.0.1, migrates a fresh SQLite database in --dir,
    crawls it with a progress display, scores the items with the bundled seed model (built
    on first use), prints what was collected and flagged with the reasons, then runs the
    service (`monitor run`: scheduler and dashboard) with one demo login per role until
    Ctrl+C (not with --no-serve).
    Example: monitor demo --dir demo-data --web-port 8000
    """
    from ..demo import run_demo

    return run_demo(
        args.dir,
        args.port,
        settings,
        serve=not args.no_serve,
        web_host=args.host,
        web_port=args.web_port,
    )


def _config_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub.add_parser("show", help="every setting with its value (secrets masked) and help")


@command("config", _config_args)
def cmd_config(args: argparse.Namespace, settings: Settings) -> int:
    """Show every setting, where it comes from (MONITOR_<NAME>) and its value, secrets masked.

    Example: monitor config show
    """
    for name, value, help_text in settings.describe():
        print(f"{name:<24} {value}\n    MONITOR_{name.upper()}: {help_text}")
    return 0
