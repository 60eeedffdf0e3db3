"""Score article extraction: token precision/recall/F1 against expected bodies, and speed.

Two sets: the Article Extraction Benchmark (181 English pages, ../shared/data/extraction)
and the project's own Vietnamese fixture pages (tests/fixtures/pages, expected.json). Our
``extract_article`` is compared with ``trafilatura.extract(html)`` with its default settings.

    .venv/bin/python bench/extraction.py [--limit N] [--no-write]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import trafilatura  # noqa: E402

from bench._report import write_section  # noqa: E402
from monitor.collect.extract import MIN_WORDS, ExtractionError, extract_article  # noqa: E402
from monitor.text.normalize import normalize_text  # noqa: E402

SHARED = Path(os.environ.get("MONITOR_SHARED_DATA", ROOT / ".." / "shared" / "data"))
FIXTURES = ROOT / "tests" / "fixtures" / "pages"

Page = tuple[str, str, bytes, str]  # id, url, html bytes, expected body
Extractor = Callable[[bytes, str], str]


def tokens(text: str) -> Counter[str]:
    return Counter(normalize_text(text).split())


def score(predicted: str, expected: str) -> tuple[float, float, float]:
    """Bag-of-tokens precision, recall and F1."""
    got, want = tokens(predicted), tokens(expected)
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0, 0.0, 0.0
    precision = overlap / sum(got.values())
    recall = overlap / sum(want.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def ours(html: bytes, url: str) -> str:
    try:
        return extract_article(html, url=url).text
    except ExtractionError:
        return ""


def trafilatura_default(html: bytes, url: str) -> str:
    return trafilatura.extract(html) or ""


def english_pages(limit: int | None) -> Iterator[Page]:
    folder = SHARED / "extraction"
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    for number, (page_id, item) in enumerate(sorted(truth.items())):
        if limit is not None and number >= limit:
            break
        html = gzip.decompress((folder / "html" / f"{page_id}.html.gz").read_bytes())
        yield page_id, item["url"], html, item["articleBody"]


def vietnamese_pages() -> Iterator[Page]:
    if not (FIXTURES / "expected.json").exists():
        return
    expected = json.loads((FIXTURES / "expected.json").read_text(encoding="utf-8"))
    for name, item in sorted(expected.items()):
        if item.get("body"):
            url = item.get("url", f"https://bao.example.vn/{name}")
            yield name, url, (FIXTURES / name).read_bytes(), item["body"]


def run(pages: list[Page], extractor: Extractor, repeat: int = 3) -> dict[str, float]:
    """Mean/median F1, mean precision/recall and median milliseconds per page.

    A page's time is the fastest of ``repeat`` runs: the machine is shared, and the
    minimum is the figure least disturbed by other processes.
    """
    f1s, precisions, recalls, times = [], [], [], []
    for _page_id, url, html, expected in pages:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            text = extractor(html, url)
            best = min(best, (time.perf_counter() - start) * 1000)
        times.append(best)
        precision, recall, f1 = score(text, expected)
        precisions.append(precision)
        recalls.append(recall)
        f1s.append(f1)
    return {
        "pages": len(pages),
        "precision": statistics.fmean(precisions),
        "recall": statistics.fmean(recalls),
        "f1_mean": statistics.fmean(f1s),
        "f1_median": statistics.median(f1s),
        "ms_median": statistics.median(times),
        "ms_p90": statistics.quantiles(times, n=10)[-1] if len(times) > 1 else times[0],
    }


def methods(pages: list[Page]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for _page_id, url, html, _expected in pages:
        try:
            counts[extract_article(html, url=url).method] += 1
        except ExtractionError:
            counts["error"] += 1
    return counts


def table(rows: dict[str, dict[str, float]]) -> str:
    lines = [
        "| extractor | pages | precision | recall | F1 mean | F1 median | ms/page median | p90 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['pages']} | {r['precision']:.3f} | {r['recall']:.3f} "
            f"| {r['f1_mean']:.3f} | {r['f1_median']:.3f} "
            f"| {r['ms_median']:.1f} | {r['ms_p90']:.1f} |"
        )
    return "\n".join(lines)


def ratio(rows: dict[str, dict[str, float]]) -> float:
    ours_ms, theirs_ms = (row["ms_median"] for row in rows.values())
    return ours_ms / theirs_ms if theirs_ms else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages")
    parser.add_argument("--no-write", action="store_true", help="print, do not touch BENCHMARKS.md")
    args = parser.parse_args()
    if not (SHARED / "extraction" / "ground-truth.json").exists():
        print(f"skipped: no extraction benchmark under {SHARED}")
        return 0
    english = list(english_pages(args.limit))
    vietnamese = list(vietnamese_pages())
    rows_en = {
        "extract_article (ours)": run(english, ours),
        "trafilatura.extract default": run(english, trafilatura_default),
    }
    rows_vi = {}
    if vietnamese:
        rows_vi = {
            "extract_article (ours)": run(vietnamese, ours),
            "trafilatura.extract default": run(vietnamese, trafilatura_default),
        }
    used_en, used_vi = methods(english), methods(vietnamese)
    body = (
        "Token-level bag-of-words precision/recall/F1 (tokens: whitespace split of "
        "`normalize_text`). Time per page: fastest of 3 runs, including decoding and "
        "parsing; ours also reads the title and the publication date. A page whose "
        f"extraction fails scores 0 (ours requires {MIN_WORDS} words).\n\n"
        f"### Article Extraction Benchmark (English, {len(english)} pages)\n\n"
        f"{table(rows_en)}\n\nMethods used by ours: {dict(sorted(used_en.items()))}. "
        f"Median time ours / trafilatura default: {ratio(rows_en):.2f}.\n\n"
        f"### Vietnamese CMS fixtures (tests/fixtures/pages, {len(vietnamese)} pages)\n\n"
        "The project's own pages and expected bodies, written together with the vn-rules: "
        "a regression check and a comparison, not an independent score.\n\n"
        f"{table(rows_vi)}\n\nMethods used by ours: {dict(sorted(used_vi.items()))}.\n"
    )
    print(body)
    if not args.no_write and args.limit is None:
        write_section("Extraction", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
