"""The year's plan: strict import (every problem with its line, replaced atomically, audited)
and the progress numbers (own posts from the own sources, activities from the register, on
track for the time of year); on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from monitor.review.audit import entries
from monitor.vocabulary import OPERATOR, PermissionDenied, User
from monitor.voice.activities import ActivityError, import_activities_data
from monitor.voice.plan import elapsed_share, import_plan, plan_targets_of, progress

from .seed_voice import own_posts

DATA = Path(__file__).resolve().parents[2] / "monitor" / "data"
HEADER = "day,kind,title\n"


def _write(tmp_path: Path, text: str, name: str = "ke-hoach.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_demo_plan_imports(engine) -> None:
    targets = import_plan(engine, OPERATOR, DATA / "demo_plan.yaml")
    assert {t.key: t.target for t in targets} == {
        "own_post": 24,
        "press_conference": 2,
        "interview": 4,
        "written_answer": 6,
        "delegation": 2,
        "cooperation": 1,
        "training": 2,
    }
    assert all(t.year == 2026 for t in targets)


def test_vietnamese_keys_notes_and_replacing_a_year(engine, tmp_path: Path) -> None:
    import_plan(
        engine, OPERATOR, _write(tmp_path, "year: 2026\ntargets:\n  own_post: 24\n  training: 2\n")
    )
    path = _write(
        tmp_path,
        "year: 2026\ntargets:\n  Họp báo: 2\n  cooperation: {target: 1, note: Bằng Tường}\n",
    )
    import_plan(engine, OPERATOR, path)
    with engine.connect() as conn:
        stored = plan_targets_of(conn, 2026)
        log = entries(conn, entity="plan", newest_first=False)
    assert [(t.key, t.target, t.note) for t in stored] == [
        ("press_conference", 2, ""),
        ("cooperation", 1, "Bằng Tường"),
    ]
    assert [e.action for e in log] == ["plan_import", "plan_import"]
    assert log[1].before == {"own_post": 24, "training": 2}
    assert log[1].after["targets"] == {"press_conference": 2, "cooperation": 1}


def test_a_bad_plan_names_every_line_and_changes_nothing(engine, tmp_path: Path) -> None:
    import_plan(engine, OPERATOR, _write(tmp_path, "year: 2026\ntargets:\n  training: 2\n"))
    path = _write(
        tmp_path,
        "year: 2026\ntargets:\n  own_post: 24\n  bai_bao: 3\n"
        "  training: 0\n  interview: hai\n  Tập huấn, bồi dưỡng thông tin đối ngoại: 1\n"
        "  delegation: 2\n  training: 5\nnote: x\n",
        "xau.yaml",
    )
    with pytest.raises(ActivityError) as exc:
        import_plan(engine, OPERATOR, path)
    assert [(p.line, p.code) for p in exc.value.problems] == [
        (4, "plan_key"),
        (5, "plan_target"),
        (6, "plan_target"),
        (7, "plan_twice"),
        (9, "plan_twice"),
        (10, "plan_top_key"),
    ]
    assert str(exc.value.problems[0]).startswith(f"{path}:4: 'bai_bao' is not a plan key")
    with engine.connect() as conn:
        assert [(t.key, t.target) for t in plan_targets_of(conn, 2026)] == [("training", 2)]
    for text in (
        "targets: {training: 1}\n",
        "year: 1999\ntargets: {training: 1}\n",
        "year: 2026\ntargets: []\n",
        "- 1\n",
        "year: [\n",
    ):
        with pytest.raises(ActivityError):
            import_plan(engine, OPERATOR, _write(tmp_path, text))
    with pytest.raises(PermissionDenied):
        import_plan(engine, User(1, "phantich", "analyst"), DATA / "demo_plan.yaml")


def test_elapsed_share_of_the_year() -> None:
    assert elapsed_share(2026, date(2025, 12, 31)) == 0.0
    assert elapsed_share(2026, date(2026, 12, 31)) == 1.0
    assert elapsed_share(2026, date(2027, 1, 5)) == 1.0
    assert elapsed_share(2026, date(2026, 7, 2)) == pytest.approx(183 / 365)


def test_progress_numbers(engine, tmp_path: Path) -> None:
    own_posts(engine, 10)
    rows = [
        "2026-01-20,press_conference,Họp báo 1",
        "2026-02-10,training,Tập huấn",
        "2026-03-12,written_answer,Trả lời 1",
        "2026-05-15,interview,Phỏng vấn 1",
        "2026-06-18,cooperation,Bằng Tường",
        "2025-12-30,training,Năm trước",
    ]
    import_activities_data(engine, OPERATOR, "a.csv", (HEADER + "\n".join(rows)).encode())
    import_plan(engine, OPERATOR, DATA / "demo_plan.yaml")
    with engine.connect() as conn:
        mid = {p.key: p for p in progress(conn, 2026, date(2026, 7, 2))}  # 183 of 365 days
        assert progress(conn, 2025, date(2026, 7, 2)) == []
    posts = mid["own_post"]
    assert (posts.target, posts.done) == (24, 10)
    assert posts.expected == pytest.approx(24 * 183 / 365)  # 12.03
    assert posts.share == pytest.approx(10 / 24) and not posts.on_track
    assert posts.state == "behind"
    training = mid["training"]  # 1 of 2, half a year gone: expected 1.00 (floor 1)
    assert (training.done, training.on_track, training.state) == (1, True, "on_track")
    assert mid["cooperation"].state == "reached" and mid["cooperation"].share == 1.0
    assert (mid["written_answer"].done, mid["written_answer"].state) == (1, "behind")  # 3 due
    assert (mid["delegation"].done, mid["delegation"].state) == (0, "behind")  # 1 due by now
    assert (mid["interview"].done, mid["interview"].state) == (1, "behind")  # 2 due by now
    with engine.connect() as conn:
        early = {p.key: p for p in progress(conn, 2026, date(2026, 1, 5))}
    assert early["delegation"].state == "on_track"  # none due yet: not late
    assert list(mid) == [
        "own_post",
        "press_conference",
        "interview",
        "written_answer",
        "delegation",
        "cooperation",
        "training",
    ]
