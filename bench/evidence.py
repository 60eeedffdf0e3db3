"""Evidence: capture time and size per item, packet export and verify time.

A local HTTP server serves N article pages (the project's own test pages, about 4 KiB of
HTML each, and a padded set of about 200 KiB, as heavy news pages are); each is crawled, then
captured once as WARC (fetch included) and exported as a packet. Writes the "Evidence"
section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._report import median, write_section  # noqa: E402
from monitor.collect.pipeline import crawl  # noqa: E402
from monitor.config import load_settings  # noqa: E402
from monitor.devserver import LocalServer, Response  # noqa: E402
from monitor.evidence import capture_item, export_packet, verify  # noqa: E402
from monitor.sources import parse_sources  # noqa: E402
from monitor.store import queries  # noqa: E402
from monitor.store.db import open_store  # noqa: E402
from monitor.store.tables import items  # noqa: E402
from monitor.vocabulary import OPERATOR  # noqa: E402
from tests.collect.sitegen import STORY_CAO_TOC, Page, rss  # noqa: E402


def measure(n: int, padding: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp, LocalServer() as server:
        pages = [Page(f"/a/{i}.html", f"Bài {i}: cao tốc Hữu Nghị – Chi Lăng", STORY_CAO_TOC)
                 for i in range(n)]  # fmt: skip
        for page in pages:
            filler = secrets.token_hex(padding // 2)  # pages compress far less than "x" * n
            server.route(page.path, Response(200, page.html() + "<!--" + filler + "-->"))
        server.route("/rss.xml", Response(200, rss(server.base_url, pages),
                                          {"Content-Type": "application/rss+xml"}))  # fmt: skip
        url = f"sqlite:///{tmp}/m.db"
        settings = load_settings({}, database_url=url, evidence_dir=f"{tmp}/ev",
                                 extract_workers=1, respect_robots=False)  # fmt: skip
        engine = open_store(url)
        queries.sync_sources(engine, parse_sources(
            f"sources:\n  - {{id: b, name: B, url: '{server.url('/rss.xml')}'}}\n"))  # fmt: skip
        asyncio.run(crawl(engine, settings, force=True))
        with engine.connect() as conn:
            ids = list(conn.scalars(items.select().with_only_columns(items.c.id)))
        times, sizes = [], []
        for item_id in ids:
            start = time.perf_counter()
            capture = capture_item(engine, settings, item_id, OPERATOR)
            times.append(time.perf_counter() - start)
            sizes.append(capture.size)
        exports, checks = [], []
        for item_id in ids[:20]:
            start = time.perf_counter()
            packet = export_packet(engine, settings, item_id, OPERATOR)
            exports.append(time.perf_counter() - start)
            start = time.perf_counter()
            assert verify(packet)[0]
            checks.append(time.perf_counter() - start)
        engine.dispose()
    return {"items": len(ids), "capture_ms": 1000 * median(times),
            "size_kib": median(sizes) / 1024, "export_ms": 1000 * median(exports),
            "verify_ms": 1000 * median(checks)}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=40)
    parser.add_argument("--dry-run", action="store_true", help="print instead of writing")
    args = parser.parse_args()
    rows = []
    for name, padding in (("test pages (about 4 KiB)", 0), ("heavy pages (about 200 KiB)",
                                                             200_000)):  # fmt: skip
        m = measure(args.items, padding)
        rows.append(f"| {name} | {m['items']:.0f} | {m['capture_ms']:.0f} ms | "
                    f"{m['size_kib']:.1f} KiB | {m['export_ms']:.0f} ms | "
                    f"{m['verify_ms']:.0f} ms |")
    body = "\n".join([
        "Local HTTP server, SQLite store; medians per item. A capture includes fetching the",
        "page under the crawler's rules; an export includes the one-page PDF summary.",
        "",
        "| pages | items | capture | WARC file (gzip) | packet export | verify |",
        "|---|---:|---:|---:|---:|---:|",
        *rows,
    ])  # fmt: skip
    if args.dry_run:
        print(body)
    else:
        write_section("Evidence", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
