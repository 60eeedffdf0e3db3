"""Run every benchmark in bench/ in turn (``make bench``); each writes its BENCHMARKS.md section."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Order: cheap first. Each script is also runnable on its own with --help for its options.
SCRIPTS = [
    "extraction.py",
    "relevance.py",
    "relevance_alternatives.py",
    "citations.py",
    "cluster.py",
    "crawl.py",
    "quality.py",
    "quality_e5.py",
    "classify.py",
    "evidence.py",
    "watch.py",
    "uptake.py",
    "dashboard.py",
    "report.py",
    "soak.py",
]


def main() -> int:
    failed = []
    for name in SCRIPTS:
        path = HERE / name
        if not path.exists():
            continue
        print(f"== bench/{name}", flush=True)
        if subprocess.call([sys.executable, str(path)]) != 0:
            failed.append(name)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
