"""What the terminal shows: the crawl's progress bar and summary, the source status table."""

from __future__ import annotations

from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .timefmt import show


class CrawlProgress:
    """A progress display fed by the crawler's events (sources done, articles processed)."""

    def __init__(self, enabled: bool, console: Console | None = None) -> None:
        self.enabled = enabled
        self._progress = Progress(
            TextColumn("{task.description:<12}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console or Console(stderr=True),
            transient=False,
        )
        self._sources = self._progress.add_task("nguồn tin", total=None, visible=False)
        self._items = self._progress.add_task("bài viết", total=0, visible=False)

    def __enter__(self) -> CrawlProgress:
        if self.enabled:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._progress.stop()

    def update(self, event: str, info: dict[str, Any]) -> None:
        if not self.enabled:
            return
        if event == "start":
            self._progress.update(self._sources, total=info["sources"], visible=True)
            self._progress.update(self._items, visible=True)
        elif event == "entries":
            task = self._progress.tasks[self._items]
            self._progress.update(self._items, total=(task.total or 0) + info["count"])
        elif event == "item":
            self._progress.advance(self._items)
        elif event == "source":
            self._progress.advance(self._sources)


STATUS_VI = {
    "ok": "tốt",
    "not_modified": "không đổi",
    "warning": "cảnh báo",
    "error": "LỖI",
    "never": "chưa chạy",
}


def print_summary(summary: Any, out: TextIO) -> None:
    """The crawl summary: one row per source, then totals."""
    console = Console(file=out, width=max(110, Console(file=out).width))
    table = Table(title="Kết quả thu thập (crawl summary)", show_lines=False)
    table.add_column("nguồn (source)", no_wrap=True)
    table.add_column("trạng thái", no_wrap=True)
    for name in ("mục", "mới", "liên quan", "trùng", "trang lỗi"):
        table.add_column(name, justify="right", no_wrap=True)
    table.add_column("ghi chú (message)", overflow="fold", ratio=1)
    for r in sorted(summary.reports, key=lambda r: r.source_id):
        table.add_row(
            r.source_id,
            STATUS_VI.get(r.status, r.status),
            str(r.entries),
            str(r.new_items),
            str(r.relevant),
            str(r.duplicates),
            str(r.page_failures),
            (r.message or "")[:200],
        )
    console.print(table)
    console.print(
        f"{len(summary.reports)} nguồn đã đọc, {len(summary.failed)} lỗi; "
        f"{summary.new_items} bài mới, {summary.relevant} liên quan "
        f"({len(summary.reports)} sources polled, {len(summary.failed)} failed; "
        f"{summary.new_items} new items, {summary.relevant} relevant)."
    )


def print_status_table(rows: list[dict[str, Any]], out: TextIO) -> None:
    console = Console(file=out, width=max(120, Console(file=out).width))
    table = Table(title="Tình trạng nguồn tin (source status)")
    for name in (
        "id",
        "status",
        "http",
        "errors",
        "last success",
        "next check",
        "last new item",
        "items",
        "last error / warning",
    ):
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(
            row["id"],
            f"{row['last_status']}",
            str(row["last_http_status"] or ""),
            str(row["error_count"]),
            show(row["last_success_at"]),
            show(row["next_check_at"]),
            show(row["last_new_item_at"]),
            str(row["item_count"]),
            (row["last_error"] or row["last_warning"] or "")[:200],
        )
    console.print(table)
