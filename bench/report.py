"""Yearly report on a large store: seed N items (default 1,000,000) over one calendar year into
SQLite with bulk SQL, then time the report's figures, its DOCX and its CSVs, and the weekly
digest; check the total against a direct count; write the figures to BENCHMARKS.md ("Report").

Usage: python bench/report.py [--items N] [--year 2025] [--runs 3] [--dir PATH]
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _report import write_section  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from monitor.config import load_settings  # noqa: E402
from monitor.reports import digest, stats, yearly  # noqa: E402
from monitor.store.db import open_store  # noqa: E402
from monitor.store.tables import items  # noqa: E402

N_SOURCES = 40
TAGS = ("bao_trung_uong", "bao_dia_phuong", "cong_thong_tin", "mang_xa_hoi")

# One statement per table: a recursive CTE numbers the items, arithmetic on the number decides
# source, time (spread evenly over the year, local time), dated or not, relevance, topic,
# syndication (2 in 10 items copy the previous one), score, flag and review status.
ITEMS_SQL = """
INSERT INTO items (id, source_id, url, canonical_url, url_hash, content_hash, title, summary,
                   text, text_method, published_at, date_source, fetched_at, relevant, matches,
                   cluster_id)
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :n),
t(i, at) AS (SELECT i, datetime(:start, '+' || CAST((i - 1) * :span / :n AS INTEGER)
                                || ' seconds') FROM n)
SELECT i, 'nguon' || printf('%02d', i % 40), 'https://b.vn/' || i, 'https://b.vn/' || i,
       'u' || i, 'c' || i, 'Tin số ' || i, '', '', 'bench',
       CASE WHEN i % 10 = 9 THEN NULL ELSE at || '.000000' END,
       CASE WHEN i % 10 = 9 THEN NULL ELSE 'page' END,
       datetime(at, '+' || (i % 180) || ' minutes') || '.000000',
       i % 5 < 2,
       CASE i % 3 WHEN 0 THEN '[{"term": "lạng sơn", "kind": "place", "count": 1}]'
                  WHEN 1 THEN '[{"term": "xây dựng", "kind": "sector", "count": 1}]'
                  ELSE '[{"term": "lạng sơn", "kind": "place", "count": 1}, '
                       || '{"term": "xây dựng", "kind": "sector", "count": 1}]' END,
       CASE WHEN i % 10 IN (3, 7) THEN i - 1 ELSE i END
FROM t
"""
SCORES_SQL = """
INSERT INTO item_scores (item_id, model_version, label, scores, flags, flagged, evidence,
                         uncertainty, scored_at)
SELECT id, 'bench', CASE id % 4 WHEN 0 THEN 'distorted' WHEN 1 THEN 'hostile'
                                WHEN 2 THEN 'criticism' ELSE 'neutral' END,
       '{}', '[]', relevant AND id % 4 < 3 AND id % 23 = 0, '{}', 0.5, fetched_at
FROM items WHERE relevant AND id % 2 = 0
"""
REVIEW_SQL = """
INSERT INTO review_state (item_id, cluster_id, source_id, status, label, score, reach, priority,
                          seen_at, updated_at)
SELECT s.item_id, i.cluster_id, i.source_id,
       CASE WHEN s.item_id % 23000 = 0 THEN 'signed_off' WHEN s.item_id % 11500 = 0 THEN 'confirmed'
            WHEN s.item_id % 3 = 0 THEN 'dismissed' ELSE 'flagged' END,
       s.label, 0.9, 1, 0.0, coalesce(i.published_at, i.fetched_at), i.fetched_at
FROM item_scores s JOIN items i ON i.id = s.item_id WHERE s.flagged
"""
CASES_SQL = """
INSERT INTO response_cases (item_id, kind, channel, status, approved_by, approved_at, sent_at,
                            note, created_by, created_at, updated_at)
SELECT item_id, 'rebuttal', 'correction_request', 'sent', 'Người phát ngôn', seen_at,
       datetime(seen_at, '+' || (item_id % 72) || ' hours') || '.000000', '', 'bench', seen_at,
       seen_at
FROM review_state WHERE status = 'signed_off' AND item_id % 46000 = 0
"""


def seed(path: Path, n: int, year: int) -> None:
    """Sources, items, scores, review states and a few sent cases, in bulk SQL."""
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous=OFF")
    stamp = f"{year}-01-01 00:00:00.000000"
    db.executemany(
        "INSERT INTO sources (id, name, url, feed_url, type, enabled, in_config, "
        "interval_minutes, tags, config, last_status, error_count, item_count, created_at, "
        "updated_at, last_new_item_at) VALUES (?, ?, ?, ?, 'rss', 1, 1, 60, ?, '{}', 'ok', 0, "
        "0, ?, ?, ?)",
        [(f"nguon{k:02d}", f"Báo nguồn {k:02d}", f"https://n{k}.vn/", f"https://n{k}.vn/rss",
          f'["{TAGS[k % len(TAGS)]}"]', stamp, stamp, f"{year}-12-31 10:00:00.000000")
         for k in range(N_SOURCES)],
    )  # fmt: skip
    # 1 January 00:00 local is 31 December 17:00 UTC; spread over 365 days minus 4 hours.
    start, span = f"{year - 1}-12-31 17:00:00", 365 * 86400 - 4 * 3600
    for sql, params in ((ITEMS_SQL, {"n": n, "start": start, "span": span}), (SCORES_SQL, {}),
                        (REVIEW_SQL, {}), (CASES_SQL, {})):  # fmt: skip
        db.execute(sql, params)
        db.commit()
    db.execute("ANALYZE")
    db.close()


def timed(fn: Callable[[], Any], runs: int) -> tuple[Any, list[float]]:
    """The last result and the seconds of each run."""
    seconds, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - t0)
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dir", default="")
    args = parser.parse_args()
    folder = Path(args.dir or tempfile.mkdtemp(prefix="bench-report-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "monitor.db"
    path.unlink(missing_ok=True)
    engine = open_store(f"sqlite:///{path}")
    t0 = time.perf_counter()
    seed(path, args.items, args.year)
    seed_s = time.perf_counter() - t0
    settings = load_settings({})
    window = stats.year_window(args.year)
    with engine.connect() as conn:
        report, compute_s = timed(lambda: yearly.compute(conn, args.year), args.runs)
        direct = conn.scalar(
            select(func.count())
            .select_from(items)
            .where(stats.seen_at() >= window.start, stats.seen_at() < window.end)
        )
        week = f"{args.year}-W26"
        _, digest_s = timed(lambda: digest.compute(conn, week, 6.0), args.runs)
    docx, docx_s = timed(lambda: yearly.render_docx(report, settings), args.runs)
    _, csv_s = timed(lambda: yearly.write_csvs(report, folder / "csv"), args.runs)
    assert report.total.collected == direct == args.items, (report.total.collected, direct)
    total = [c + d + e for c, d, e in zip(compute_s, docx_s, csv_s, strict=True)]
    med = statistics.median
    size = path.stat().st_size / 2**20
    r = report.responses
    rows = [
        ("figures (`yearly.compute`: cells, stories, responses)", compute_s),
        ("DOCX (`yearly.render_docx`, 2 charts)", docx_s),
        ("CSVs (`yearly.write_csvs`, 8 files)", csv_s),
        ("**report total** (figures + DOCX + CSVs)", total),
        (f"weekly digest figures (`digest.compute`, {week}, 8-week trend)", digest_s),
    ]
    body = (
        f"{args.items:,} items seen in {args.year} (40 sources in 4 outlet types, 10% undated, "
        f"40% relevant, 20% syndicated copies, {report.total.flagged:,} flagged, "
        f"{r.confirmed} confirmed stories, {r.sent} responses sent) in SQLite "
        f"({size:,.0f} MiB), seeded with bulk SQL in {seed_s:.0f} s. Report total "
        f"{report.total.collected:,} = direct count of items seen in the year. Median of "
        f"{args.runs} runs (min–max).\n\n"
        "| step | median s | min–max s |\n|---|---:|---:|\n"
        + "\n".join(f"| {name} | {med(s):.2f} | {min(s):.2f}–{max(s):.2f} |" for name, s in rows)
        + f"\n\nDOCX size {len(docx) / 1024:.0f} KiB. Target: the yearly report under 30 s."
    )
    print(body)
    write_section("Report", body)


if __name__ == "__main__":
    main()
