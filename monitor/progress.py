"""What the terminal shows: the crawl's progress bar and summary, the source status table."""

from __future__ import annotations

from typing import Any, TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .i18n import vi
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
            vi(f"source.status.{r.status}"),
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


def print_evaluation(result: dict[str, Any], out: TextIO) -> None:
    """Per-label precision/recall/F1, macro-F1, ROC-AUC and the confusion matrix."""
    console = Console(file=out, width=max(100, Console(file=out).width))
    per_label = result.get("per_label", {})
    table = Table(title="Đánh giá mô hình (evaluation)")
    for name in ("label", "precision", "recall", "F1", "support"):
        table.add_column(name, justify="right" if name != "label" else "left")
    for label, row in per_label.items():
        table.add_row(
            label,
            f"{row['precision']:.3f}",
            f"{row['recall']:.3f}",
            f"{row['f1']:.3f}",
            str(row.get("support", "")),
        )
    console.print(table)
    console.print(f"macro-F1 {result.get('macro_f1', float('nan')):.3f}")
    if result.get("roc_auc") is not None:
        console.print(f"ROC-AUC {result['roc_auc']:.3f}")
    labels = result.get("labels", list(per_label))
    matrix = result.get("confusion_matrix") or []
    if matrix:
        grid = Table(title="confusion matrix (rows: truth, columns: predicted)")
        grid.add_column("")
        for label in labels:
            grid.add_column(label, justify="right")
        for label, row in zip(labels, matrix, strict=False):
            grid.add_row(label, *map(str, row))
        console.print(grid)
