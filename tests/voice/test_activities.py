"""The activity register: add, change, delete (audited), links checked, attachments hashed and
written once, and the strict import of CSV and YAML files (every problem with its line,
nothing half-imported); on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.review.audit import entries
from monitor.store.tables import activities, activity_attachments
from monitor.vocabulary import OPERATOR, PermissionDenied, User
from monitor.voice.activities import (
    ActivityDraft,
    ActivityError,
    activities_of,
    activity_counts,
    add_activity,
    add_attachment,
    delete_activity,
    get_activity,
    import_activities,
    import_activities_data,
    list_activities,
    parse_day,
    read_attachment,
    update_activity,
)

from .seed_voice import digest, items_and_case

WRITER = User(3, "baocao", "writer")
ANALYST = User(1, "phantich", "analyst")
HEADER = "day,kind,title,place,participants,partner,note,items,cases\n"
DATA = Path(__file__).resolve().parents[2] / "monitor" / "data"


def _count(engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(activities)))


def _problems(exc: pytest.ExceptionInfo[ActivityError]) -> list[str]:
    return [str(p) for p in exc.value.problems]


def test_days_iso_and_as_vietnamese_users_write_them() -> None:
    assert parse_day("2026-03-12") == parse_day("12/03/2026") == date(2026, 3, 12)
    assert parse_day("5/4/2026") == date(2026, 4, 5)
    for bad in ("31/02/2026", "2026-13-01", "12-03-2026", "hôm qua", ""):
        with pytest.raises(ValueError):
            parse_day(bad)


def test_add_update_delete_are_audited_and_links_checked(engine) -> None:
    (item, _other), case = items_and_case(engine)
    draft = ActivityDraft(
        date(2026, 1, 20),
        "press_conference",
        "Họp báo cao tốc",
        place="Sở Xây dựng",
        item_ids=(item,),
        case_ids=(case,),
    )
    with engine.begin() as conn:
        added = add_activity(conn, WRITER, draft)
    assert added.item_ids == (item,) and added.case_ids == (case,)
    assert added.origin == "dashboard" and added.created_by == "baocao"

    with engine.begin() as conn, pytest.raises(ActivityError) as exc:
        add_activity(
            conn,
            WRITER,
            ActivityDraft(
                date(2026, 2, 1), "interview", "Phỏng vấn", item_ids=(999,), case_ids=(888,)
            ),
        )
    assert [p.code for p in exc.value.problems] == ["item", "case"]
    with engine.begin() as conn, pytest.raises(ActivityError) as exc:
        add_activity(
            conn,
            WRITER,
            ActivityDraft(date(2026, 1, 20), "press_conference", "  họp báo   CAO TỐC "),
        )
    assert exc.value.problems[0].code == "dup_store"
    with engine.begin() as conn, pytest.raises(PermissionDenied):
        add_activity(conn, ANALYST, ActivityDraft(date(2026, 2, 1), "interview", "Phỏng vấn"))

    changed = ActivityDraft(
        date(2026, 1, 21), "press_conference", "Họp báo cao tốc", note="Dời một ngày"
    )
    with engine.begin() as conn:
        after = update_activity(conn, WRITER, added.id, changed)
    assert after.day == date(2026, 1, 21) and after.item_ids == () and after.note == "Dời một ngày"
    with engine.begin() as conn:
        delete_activity(conn, WRITER, added.id)
    assert _count(engine) == 0
    with engine.connect() as conn:
        log = entries(conn, entity="activity", newest_first=False)
    assert [e.action for e in log] == ["activity_add", "activity_update", "activity_delete"]
    assert log[1].before["day"] == "2026-01-20" and log[1].after["day"] == "2026-01-21"
    assert log[2].before["title"] == "Họp báo cao tốc" and log[2].after is None


def test_attachments_are_hashed_and_written_once(engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        act = add_activity(conn, WRITER, ActivityDraft(date(2026, 4, 8), "delegation", "Đoàn"))
        other = add_activity(conn, WRITER, ActivityDraft(date(2026, 4, 9), "delegation", "Đoàn 2"))
    data = "Biên bản làm việc với đoàn Sùng Tả".encode()
    with engine.begin() as conn:
        found = add_attachment(
            conn, WRITER, act.id, "C:\\tai lieu\\bien-ban.pdf", data, root=tmp_path, limit=1000
        )
    assert found.sha256 == digest(data) and found.size == len(data)
    assert found.name == "bien-ban.pdf" and found.path == f"activities/{digest(data)}"
    stored = tmp_path / found.path
    assert stored.read_bytes() == data
    assert not stored.stat().st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    assert read_attachment(tmp_path, found) == data
    with engine.begin() as conn:  # the same file on another activity: stored once
        again = add_attachment(
            conn, WRITER, other.id, "ban-sao.pdf", data, root=tmp_path, limit=1000
        )
    assert again.path == found.path
    for payload, code in (
        (data, "attachment_twice"),
        (b"", "attachment_empty"),
        (b"x" * 1001, "attachment_size"),
    ):
        with engine.begin() as conn, pytest.raises(ActivityError) as exc:
            add_attachment(conn, WRITER, act.id, "f", payload, root=tmp_path, limit=1000)
        assert exc.value.problems[0].code == code
    with engine.connect() as conn:
        assert [a.sha256 for a in get_activity(conn, act.id).attachments] == [digest(data)]
        log = entries(conn, entity="activity", newest_first=False)
    assert [e.action for e in log].count("activity_attach") == 2
    # A file changed behind the tool's back is refused when read.
    stored.chmod(0o644)
    stored.write_bytes(b"changed")
    with pytest.raises(ActivityError):
        read_attachment(tmp_path, found)
    with engine.begin() as conn:  # deleting the activity keeps the file written once
        delete_activity(conn, WRITER, act.id)
        assert conn.scalar(select(func.count()).select_from(activity_attachments)) == 1
    assert stored.exists()


def test_a_good_csv_with_a_bom_and_vietnamese_names(engine, tmp_path: Path) -> None:
    (item, other), case = items_and_case(engine)
    path = tmp_path / "hoat-dong.csv"
    path.write_text(
        "\ufeff"
        + HEADER
        + "2026-01-20,press_conference,Họp báo cao tốc Hữu Nghị – Chi Lăng,Sở,"
        + f'"Lãnh đạo, PV",,,"{item}, {other}",{case}\n'
        + '12/03/2026,Trả lời bằng văn bản,"Trả lời Báo Lạng Sơn, nhà ở xã hội",,,Báo Lạng Sơn,,,\n'
        + "\n"
        + "08/04/2026,đón tiếp đoàn nuoc ngoai,Đoàn Sùng Tả,,,,,,\n",
        encoding="utf-8",
    )
    summary = import_activities(engine, OPERATOR, path)
    assert summary.added == 3
    assert summary.by_kind == {"press_conference": 1, "written_answer": 1, "delegation": 1}
    with engine.connect() as conn:
        found = list_activities(conn, 2026)
    assert [a.kind for a in found] == ["press_conference", "written_answer", "delegation"]
    assert found[0].item_ids == (item, other) and found[0].case_ids == (case,)
    assert found[0].participants == "Lãnh đạo, PV" and found[1].partner == "Báo Lạng Sơn"
    assert {a.origin for a in found} == {"hoat-dong.csv"}
    with engine.connect() as conn:
        assert [e.action for e in entries(conn, entity="activity")] == ["activity_import"] * 3


def test_a_good_yaml_file(engine, tmp_path: Path) -> None:
    (item, _), _case = items_and_case(engine)
    path = tmp_path / "hoat-dong.yaml"
    path.write_text(
        f"""- day: 2026-06-18
  kind: cooperation
  title: Hội đàm với Bằng Tường
  partner: Cục Nhà ở và Xây dựng thành thị thị Bằng Tường
  items: [{item}]
- day: 10/02/2026
  kind: Tập huấn, bồi dưỡng thông tin đối ngoại
  title: Tập huấn thông tin đối ngoại
""",
        encoding="utf-8",
    )
    assert import_activities(engine, OPERATOR, path).added == 2
    with engine.connect() as conn:
        found = list_activities(conn, 2026, "cooperation")
    assert len(found) == 1 and found[0].item_ids == (item,)


def test_the_demo_files_import(engine) -> None:
    summary = import_activities(engine, OPERATOR, DATA / "demo_activities.yaml")
    assert 6 <= summary.added <= 10
    with engine.connect() as conn:
        counts = activity_counts(conn, 2026)
    assert counts["press_conference"] >= 1 and counts["cooperation"] >= 1
    assert counts["delegation"] >= 1 and counts["training"] >= 1 and counts["interview"] >= 1


def test_every_kind_of_bad_line_is_named_and_nothing_is_imported(engine, tmp_path: Path) -> None:
    (item, _), _case = items_and_case(engine)
    path = tmp_path / "xau.csv"
    path.write_text(
        HEADER
        + f"2026-01-20,press_conference,Họp báo tốt,,,,,{item},\n"  # line 2: fine
        + "31/02/2026,interview,Ngày sai,,,,,,\n"  # 3: no 31 February
        + "2026-03-01,hop mat,Loại lạ,,,,,,\n"  # 4: unknown kind
        + "2026-03-02,training,,,,,,,\n"  # 5: no title
        + "2026-03-03,training,Bài lạ,,,,,999999,\n"  # 6: unknown item
        + "2026-03-04,training,Hồ sơ lạ,,,,,,777\n"  # 7: unknown case
        + "2026-01-20,Họp báo,HỌP BÁO TỐT,,,,,,\n",  # 8: same as line 2
        encoding="utf-8",
    )
    with pytest.raises(ActivityError) as exc:
        import_activities(engine, OPERATOR, path)
    found = _problems(exc)
    assert found == [
        f"{path}:3: '31/02/2026' is not a date (YYYY-MM-DD, or DD/MM/YYYY)",
        f"{path}:4: 'hop mat' is not a kind of activity (press_conference, press_briefing, "
        "interview, written_answer, press_release, delegation, cooperation, training, other)",
        f"{path}:5: the title is missing",
        f"{path}:6: item 999999 does not exist",
        f"{path}:7: case 777 does not exist",
        f"{path}:8: the same activity (day, kind, title) is already on line 2",
    ]
    assert {p.line for p in exc.value.problems} == {3, 4, 5, 6, 7, 8}
    assert _count(engine) == 0  # line 2 was fine, and is not imported either


def test_duplicates_with_what_is_stored_and_in_a_yaml_file(engine, tmp_path: Path) -> None:
    import_activities_data(
        engine, OPERATOR, "a.csv", (HEADER + "2026-05-15,interview,Phỏng vấn VTV,,,,,,\n").encode()
    )
    text = """- day: 2026-05-16
  kind: interview
  title: Phỏng vấn khác
- day: 15/05/2026
  kind: interview
  title: phỏng vấn   vtv
- day: 2026-05-16
  kind: Trả lời phỏng vấn
  title: Phỏng vấn khác
- day: 2026-13-01
  kind: training
  title: Ngày sai
  extra: 1
- just text
"""
    with pytest.raises(ActivityError) as exc:
        import_activities_data(engine, OPERATOR, "b.yaml", text.encode())
    by_line = {p.line: p.code for p in exc.value.problems}
    assert by_line == {4: "dup_store", 7: "dup_file", 10: "day", 13: "key", 14: "mapping"}
    assert _count(engine) == 1


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("x.txt", b"day,kind,title\n", "format"),
        ("x.csv", "day,kind,title\n".encode("utf-16"), "encoding"),
        ("x.csv", b"ngay,loai,tieu de\n2026-01-01,training,x\n", "header"),
        ("x.csv", b"day,kind,title\n", "empty"),
        ("x.yaml", b"day: 2026-01-01\n", "shape"),
        ("x.yaml", b"- day: [\n", "yaml"),
        ("x.csv", b"day,kind,title\n2026-01-01,training,A,extra\n", "cells"),
    ],
)
def test_files_that_cannot_be_read(engine, name: str, data: bytes, code: str) -> None:
    with pytest.raises(ActivityError) as exc:
        import_activities_data(engine, OPERATOR, name, data)
    assert code in [p.code for p in exc.value.problems]
    assert all(str(p).startswith(name) for p in exc.value.problems)
    assert _count(engine) == 0


def test_counts_and_activities_of_a_year(engine) -> None:
    rows = [
        ("2025-12-31", "training", "Cuối năm trước"),
        ("2026-01-01", "training", "Đầu năm"),
        ("2026-12-31", "interview", "Cuối năm"),
        ("2027-01-01", "interview", "Năm sau"),
    ]
    csv_text = HEADER + "".join(f"{d},{k},{t},,,,,,\n" for d, k, t in rows)
    import_activities_data(engine, OPERATOR, "nam.csv", csv_text.encode())
    with engine.connect() as conn:
        counts = activity_counts(conn, 2026)
        of_year = activities_of(conn, 2026)
        only = activities_of(conn, 2026, kinds=["interview"])
    assert counts["training"] == 1 and counts["interview"] == 1 and counts["delegation"] == 0
    assert [a.title for a in of_year] == ["Đầu năm", "Cuối năm"]
    assert [a.title for a in only] == ["Cuối năm"]
    assert json.loads(json.dumps(of_year[0].as_json()))["day"] == "2026-01-01"
