"""`monitor demo`: the whole pipeline, offline, on the bundled demo news site."""

from __future__ import annotations

import asyncio
import shutil
import sys
from pathlib import Path

from rich.console import Console

from .config import Settings
from .devserver import LocalServer

DATA = Path(__file__).resolve().parent / "data"
DEMO_SITE = DATA / "demo_site"
DEMO_SOURCES = DATA / "demo_sources.yaml"


def prepare(directory: Path, base_url: str) -> Path:
    """Write the demo's sources file, pointing at the local site, into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "sources.yaml"
    path.write_text(
        DEMO_SOURCES.read_text(encoding="utf-8").replace("{{BASE}}", base_url), encoding="utf-8"
    )
    return path


def run_demo(directory: str, port: int, settings: Settings) -> int:
    """Serve the demo site, crawl it into a fresh SQLite database, print the summary."""
    from .collect.pipeline import crawl
    from .progress import CrawlProgress, print_summary
    from .sources import load_sources
    from .store import queries
    from .store.db import current_revision, open_store

    out = Console()
    target = Path(directory)
    if target.exists():
        shutil.rmtree(target)
    with LocalServer(root=DEMO_SITE, port=port, template_vars=True) as site:
        sources_path = prepare(target, site.base_url)
        db_url = f"sqlite:///{(target / 'monitor.db').resolve()}"
        settings = settings.with_overrides(database_url=db_url, sources=str(sources_path))
        engine = open_store(db_url)
        out.print(
            f"[bold]1.[/] Cơ sở dữ liệu mới: {target / 'monitor.db'} "
            f"(schema {current_revision(engine)})"
        )
        out.print(f"[bold]2.[/] Trang tin mẫu đang chạy tại {site.base_url}/ (offline)")
        configured = load_sources(sources_path)
        queries.sync_sources(engine, configured)
        out.print(f"[bold]3.[/] Thu thập {len(configured)} nguồn tin…")
        with CrawlProgress(enabled=sys.stderr.isatty()) as progress:
            summary = asyncio.run(crawl(engine, settings, force=True, progress=progress.update))
    print_summary(summary, sys.stdout)
    with engine.connect() as conn:
        totals = queries.collection_totals(conn)
        clusters = queries.top_clusters(conn, limit=8)
    out.print(
        f"\n[bold]Tổng cộng[/]: {totals['items']} bài đã lưu, {totals['relevant']} liên quan "
        f"(Lạng Sơn hoặc ngành xây dựng), {totals['stories']} câu chuyện khác nhau, "
        f"{totals['summary_only']} bài chỉ có tóm tắt từ feed, "
        f"{totals['undated']} bài không rõ ngày."
    )
    if clusters:
        out.print("\n[bold]Tin được nhiều báo đăng lại[/] (reach = số nguồn):")
        for c in clusters:
            out.print(f"  • [{c['reach']} nguồn, {c['copies']} bản] {c['title']}")
    out.print(
        f"\nXem thêm: monitor --database {db_url} sources status\n"
        f"          monitor --database {db_url} export --relevant-only"
    )
    return 0
