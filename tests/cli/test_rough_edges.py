"""What a new user hits on the command line: one-line errors, no tracebacks, nothing created
by a command that fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .test_cli import monitor


def test_missing_sources_file_creates_no_store(tmp_path: Path) -> None:
    db = tmp_path / "monitor.db"
    done = monitor("crawl", db=f"sqlite:///{db}", sources=tmp_path / "none.yaml")
    assert done.returncode == 2 and "file not found" in done.stderr
    assert "Traceback" not in done.stderr and not db.exists()


def test_missing_model_or_data_is_one_line(tmp_path: Path) -> None:
    sources = tmp_path / "sources.yaml"
    model, data = str(tmp_path / "m"), str(tmp_path / "d.jsonl")
    for args in (("predict", "--model", model, "--data", data),
                 ("train", "--data", data, "--model", model),
                 ("evaluate", "--model", model, "--data", data)):  # fmt: skip
        done = monitor(*args, db=f"sqlite:///{tmp_path / 'x.db'}", sources=sources)
        assert done.returncode == 2 and "Traceback" not in done.stderr, args
        assert done.stderr.startswith("monitor: error: ") and done.stderr.count("\n") == 1


def test_a_year_out_of_range_is_refused(tmp_path: Path) -> None:
    done = monitor("report", "--year", "1899", "--out", str(tmp_path / "r.docx"),
                   db=f"sqlite:///{tmp_path / 'x.db'}", sources=tmp_path / "s.yaml")  # fmt: skip
    assert done.returncode == 2 and "1899 is outside" in done.stderr


def test_export_into_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    from monitor.store.db import open_store
    from tests.review.seeding import Spec, seed

    engine = open_store(db)
    seed(engine, [Spec(f"Tin {n}", text="Nội dung " * 500) for n in range(300)])
    engine.dispose()
    export = subprocess.Popen(
        [sys.executable, "-m", "monitor.cli", "--database", db, "export"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert export.stdout is not None
    export.stdout.read(100)
    export.stdout.close()  # like `| head -c 100`
    _out, err = export.communicate(timeout=60)
    assert b"Traceback" not in err and export.returncode == 0
