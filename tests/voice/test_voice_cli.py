"""`monitor activities` and `monitor plan` as a user runs them: a real process; errors exit 2
with one sentence per problem on stderr, and a bad file changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "monitor" / "data"


def monitor(*args: str, db: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    sources = cwd / "sources.yaml"
    if not sources.exists():
        sources.write_text("sources: []\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "monitor.cli", "--database", db, "--sources", str(sources), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "MONITOR_EVIDENCE_DIR": str(cwd / "evidence")},
    )


def test_activities_import_and_list(db_url: str, tmp_path: Path) -> None:
    done = monitor(
        "activities", "import", str(DATA / "demo_activities.yaml"), db=db_url, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert "8 activities imported" in done.stdout

    listed = monitor(
        "activities", "list", "--year", "2026", "--format", "json", db=db_url, cwd=tmp_path
    )
    assert listed.returncode == 0, listed.stderr
    found = json.loads(listed.stdout)
    assert len(found) == 8 and found[0]["day"] == "2026-01-20"
    assert found[0]["kind"] == "press_conference" and "Hữu Nghị – Chi Lăng" in found[0]["title"]
    assert {"items", "cases", "attachments", "origin"} <= set(found[0])

    only = monitor(
        "activities", "list", "--year", "2026", "--kind", "interview", db=db_url, cwd=tmp_path
    )
    lines = only.stdout.strip().splitlines()
    assert len(lines) == 2 and all("\tinterview\t" in line for line in lines)
    empty = monitor("activities", "list", "--year", "2025", db=db_url, cwd=tmp_path)
    assert empty.returncode == 0 and "no activity recorded in 2025" in empty.stdout


def test_a_bad_activity_file_exits_2_and_names_each_line(db_url: str, tmp_path: Path) -> None:
    path = tmp_path / "xau.csv"
    path.write_text(
        "day,kind,title\n2026-01-20,press_conference,Tốt\n"
        "2026-02-30,interview,Ngày sai\n2026-03-01,khong_co,Loại sai\n"
        "2026-01-20,Họp báo,tốt\n",
        encoding="utf-8",
    )
    done = monitor("activities", "import", str(path), db=db_url, cwd=tmp_path)
    assert done.returncode == 2, done.stdout
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 3, errors
    assert errors[0].startswith(f"monitor: error: {path}:3: '2026-02-30' is not a date")
    assert errors[1].startswith(f"{path}:4: 'khong_co' is not a kind of activity")
    assert errors[2] == f"{path}:5: the same activity (day, kind, title) is already on line 2"
    listed = monitor(
        "activities", "list", "--year", "2026", "--format", "json", db=db_url, cwd=tmp_path
    )
    assert json.loads(listed.stdout) == []
    missing = monitor("activities", "import", str(tmp_path / "khong.csv"), db=db_url, cwd=tmp_path)
    assert missing.returncode == 2 and "cannot read the file" in missing.stderr


def test_plan_import_and_show(db_url: str, tmp_path: Path) -> None:
    assert (
        monitor(
            "activities", "import", str(DATA / "demo_activities.yaml"), db=db_url, cwd=tmp_path
        ).returncode
        == 0
    )
    done = monitor("plan", "import", str(DATA / "demo_plan.yaml"), db=db_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "plan 2026: 7 targets" in done.stdout
    shown = monitor(
        "plan",
        "show",
        "--year",
        "2026",
        "--format",
        "json",
        "--today",
        "2026-07-02",
        db=db_url,
        cwd=tmp_path,
    )
    assert shown.returncode == 0, shown.stderr
    report = json.loads(shown.stdout)
    by_key = {t["key"]: t for t in report["targets"]}
    assert report["year"] == 2026 and by_key["cooperation"]["state"] == "reached"
    assert by_key["own_post"] == {
        "key": "own_post",
        "target": 24,
        "done": 0,
        "share": 0.0,
        "expected": 12.03,
        "on_track": False,
        "state": "behind",
        "note": "",
    }
    text = monitor("plan", "show", "--year", "2026", db=db_url, cwd=tmp_path)
    assert "cooperation\t1/1\t100%" in text.stdout and "Họp báo" in text.stdout

    bad = tmp_path / "xau.yaml"
    bad.write_text("year: 2026\ntargets:\n  own_post: -3\n  foo: 1\n", encoding="utf-8")
    refused = monitor("plan", "import", str(bad), db=db_url, cwd=tmp_path)
    assert refused.returncode == 2
    assert f"{bad}:3: the target of own_post must be a positive whole number" in refused.stderr
    assert f"{bad}:4: 'foo' is not a plan key" in refused.stderr
    none = monitor("plan", "show", "--year", "2030", db=db_url, cwd=tmp_path)
    assert none.returncode == 0 and "no plan for 2030" in none.stdout
