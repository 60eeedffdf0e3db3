"""Respond and report commands: the fact base, rebuttal drafts, response cases, the weekly
digest and the yearly report. Nothing here sends anything to an outlet."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..config import Settings
from ..respond.cases import CHANNELS
from ..vocabulary import OPERATOR, User
from . import UserError, command, store


def _facts_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = sub.add_parser("import", help="add or update facts from a YAML file (audited)")
    imp.add_argument("file", help="YAML file, see monitor/data/facts.example.yaml")
    sub.add_parser("list", help="every fact with its document and validity")


@command("facts", _facts_args)
def cmd_facts(args: argparse.Namespace, settings: Settings) -> int:
    """Import the fact base from YAML or list it; every change is written to the audit log.

    Example: monitor facts import monitor/data/facts.example.yaml
    """
    from ..respond import RespondError
    from ..respond.facts import import_facts, list_facts, load_yaml

    with store(settings, RespondError) as engine:
        if args.action == "import":
            with engine.begin() as conn:
                s = import_facts(conn, OPERATOR, load_yaml(args.file))
            print(f"{s.added} added, {s.updated} updated, {s.unchanged} unchanged")
        else:
            with engine.connect() as conn:
                for f in list_facts(conn):
                    until = f"{f.valid_until:%d/%m/%Y}" if f.valid_until else "nay"
                    state = "" if f.active else " (withdrawn)"
                    print(f"{f.id}\t{f.citation()}\t{f.valid_from:%d/%m/%Y}-{until}{state}")
    return 0


def _draft_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("item_id", type=int, help="a signed-off distorted item")
    p.add_argument("--out", metavar="FILE", help="write the draft as .docx or .md")
    p.add_argument("--new", action="store_true", help="compose a new version even if one exists")
    p.add_argument("--check", metavar="VERSION", type=int,
                   help="record that every citation of this version was compared with its "
                        "document (needs --by); a rebuttal case is approved only on a checked "
                        "version")  # fmt: skip
    p.add_argument("--by", metavar="NAME", help="with --check: who compared the citations")


@command("draft", _draft_args)
def cmd_draft(args: argparse.Namespace, settings: Settings) -> int:
    """Compose (or reuse the latest) rebuttal draft for a signed-off distorted item.

    Claims are the sentences carrying the classifier's evidence; each is answered only with
    facts of the fact base (BM25 scores shown), cited as [id, document, date]; a claim no fact
    answers is marked for the analyst.
    Every citation is for a person to compare with its document: --check records who did,
    and a rebuttal case is approved only on a checked version.
    Example: monitor draft 42 --out draft-42.docx
    """
    from ..respond import NotFound, RespondError
    from ..respond.rebuttal import check_draft, create_draft, latest_draft, render_docx

    if args.check is not None:
        if not (args.by or "").strip():
            raise UserError("--check needs --by NAME: the person who compared the citations")
        checker = User(0, args.by.strip()[:64], OPERATOR.role)
        with store(settings, RespondError) as engine, engine.begin() as conn:
            checked = check_draft(conn, args.item_id, args.check, checker)
        print(f"draft version {checked.version}: {len(checked.fact_ids)} citation(s) checked "
              f"by {checked.checked_by}")  # fmt: skip
        return 0
    with store(settings, RespondError) as engine, engine.begin() as conn:
        try:
            draft = create_draft(conn, args.item_id, OPERATOR, settings) if args.new else (
                latest_draft(conn, args.item_id))  # fmt: skip
        except NotFound:
            draft = create_draft(conn, args.item_id, OPERATOR, settings)
    for n, claim in enumerate(draft.claims, 1):
        scores = ", ".join(f"{f['id']} ({f['score']})" for f in claim["facts"]) or "NO FACT"
        print(f"claim {n}: {scores}")
    if draft.needs_check:
        print(f"citations not yet checked: compare each with its document, then "
              f"monitor draft {args.item_id} --check {draft.version} --by NAME")  # fmt: skip
    if args.out:
        out = Path(args.out)
        if out.suffix not in {".docx", ".md"}:
            raise UserError("--out must end in .docx or .md")
        data = render_docx(draft, settings) if out.suffix == ".docx" else draft.body.encode()
        out.write_bytes(data)
        print(f"draft version {draft.version} written to {out}")
    else:
        print(draft.body)
    return 0


def _cases_args(p: argparse.ArgumentParser) -> None:
    sub = p.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub.add_parser("list", help="every case with its status")
    op = sub.add_parser("open", help="open a rebuttal (--channel) or criticism (--office) case")
    op.add_argument("item_id", type=int)
    op.add_argument("--channel", choices=CHANNELS)
    op.add_argument("--office", help="criticism: the office it is routed to")
    for name, help_, extra in (("approve", "spokesperson's approval", "spokesperson"),
                               ("sent", "record the date it was sent", None),
                               ("answer", "record the answer", "text"),
                               ("correction", "record the correction published", "url"),
                               ("close", "close with a note", "note")):  # fmt: skip
        child = sub.add_parser(name, help=help_)
        child.add_argument("case_id", type=int)
        if extra:
            child.add_argument(extra)


@command("cases", _cases_args)
def cmd_cases(args: argparse.Namespace, settings: Settings) -> int:
    """Track responses: open a case, record approval, sending, answer, correction, closing.

    The program never sends anything itself: people send and record what they did.
    Example: monitor cases open 42 --channel correction_request
    """
    from ..respond import RespondError, cases

    with store(settings, RespondError) as engine, engine.begin() as conn:
        if args.action == "list":
            for c in cases.list_cases(conn):
                where = c.channel or c.office
                print(f"{c.id}\titem {c.item_id}\t{c.kind}\t{where}\t{c.status}")
            return 0
        if args.action == "open":
            kind = "criticism" if args.office else "rebuttal"
            c = cases.open_case(conn, OPERATOR, args.item_id, kind, channel=args.channel,
                                office=args.office)  # fmt: skip
        elif args.action == "approve":
            c = cases.approve(conn, OPERATOR, args.case_id, args.spokesperson)
        elif args.action == "sent":
            c = cases.mark_sent(conn, OPERATOR, args.case_id, settings=settings)
        elif args.action == "answer":
            c = cases.record_answer(conn, OPERATOR, args.case_id, args.text)
        elif args.action == "correction":
            c = cases.record_correction(conn, OPERATOR, args.case_id, args.url)
        else:
            c = cases.close(conn, OPERATOR, args.case_id, args.note)
    print(f"case {c.id}: {c.status}")
    return 0


def _digest_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--week", required=True, help="ISO week, e.g. 2020-W10")
    p.add_argument("--out", metavar="FILE", help="write .html, .docx or .pdf")
    p.add_argument("--send", action="store_true", help="email it to MONITOR_DIGEST_RECIPIENTS")


@command("digest", _digest_args)
def cmd_digest(args: argparse.Namespace, settings: Settings) -> int:
    """Write the weekly digest for leadership (one page) and optionally email it over SMTP.

    Example: monitor digest --week 2020-W10 --out digest.pdf --send
    """
    from ..reports.digest import DigestError, compute, render, send

    if not args.out and not args.send:
        raise UserError("give --out FILE, --send, or both")
    with store(settings, DigestError, ValueError) as engine:
        with engine.connect() as conn:
            digest = compute(conn, args.week, settings.silent_after_intervals)
        out = Path(args.out) if args.out else None
        if out:
            out.write_bytes(render(digest, out.suffix.lower()))
            print(f"digest {args.week} written to {out}")
        if args.send:
            sent_to = send(digest, settings, out)
            print(f"digest sent to {len(sent_to)} recipient(s)")
    return 0


def _year(raw: str) -> int:
    """A year the tool can have figures for: 2000 up to next year."""
    from datetime import date

    try:
        year = int(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a year") from None
    if not 2000 <= year <= date.today().year + 1:
        raise argparse.ArgumentTypeError(f"{year} is outside 2000-{date.today().year + 1}")
    return year


def _report_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--year", type=_year, required=True, help="the calendar year, e.g. 2026")
    p.add_argument("--out", required=True, metavar="FILE.docx")
    p.add_argument("--csv", metavar="DIR", help="also write one CSV per table here")


@command("report", _report_args)
def cmd_report(args: argparse.Namespace, settings: Settings) -> int:
    """Write the yearly report (Decree 30/2020/NĐ-CP DOCX), every figure defined in an appendix.

    Counts use the publication day (fetch day when undated), as `monitor export` does.
    Example: monitor report --year 2020 --out bao-cao-2020.docx --csv bao-cao-2020/
    """
    from ..reports.yearly import compute, render_docx, write_csvs

    if not args.out.endswith(".docx"):
        raise UserError("--out must end in .docx")
    with store(settings) as engine, engine.connect() as conn:
        report = compute(conn, args.year)
    Path(args.out).write_bytes(render_docx(report, settings))
    print(f"report {args.year} written to {args.out}")
    if args.csv:
        print(f"{len(write_csvs(report, args.csv))} CSV files written to {args.csv}")
    return 0
