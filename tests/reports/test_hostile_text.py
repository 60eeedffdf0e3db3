"""Any crawled text goes through every output: control characters, every Unicode category,
formula-looking cells. DOCX, PDF, HTML and CSV build, and spreadsheets run nothing."""

from __future__ import annotations

import csv
import io
import sys
import unicodedata
from datetime import UTC, datetime

import docx

from monitor.config import load_settings
from monitor.reports import digest, yearly
from monitor.review import verdicts
from monitor.review.users import User
from monitor.text.csvsafe import safe_cell
from monitor.text.normalize import normalize_line, normalize_text, printable
from tests.review.seeding import Spec, seed

NOW = datetime(2020, 3, 6, 3, 0, tzinfo=UTC)


def one_of_each_category() -> str:
    """The first few code points of every Unicode general category, surrogates included."""
    seen: dict[str, list[str]] = {}
    for code in range(sys.maxunicode + 1):
        category = unicodedata.category(chr(code))
        if len(seen.setdefault(category, [])) < 3:
            seen[category].append(chr(code))
    return "".join(c for chars in seen.values() for c in chars)


HOSTILE = '=HYPERLINK("http://x")\x00\x07\x1b\x7f\x85\x9f\ud800\ufffe' + one_of_each_category()


def test_normalisation_strips_controls_but_keeps_lines() -> None:
    text = normalize_text("Tiêu\x00 đề\x07\x1b\x85\tvà\n\ndòng\ud800 mới\ufffe")
    assert text == "Tiêu đề và\ndòng mới"
    assert all(unicodedata.category(c) != "Cc" or c == "\n" for c in normalize_text(HOSTILE))
    assert printable("a\x00b\nc\td") == "ab\nc\td"
    normalize_line(HOSTILE).encode("utf-8")  # no lone surrogate left


def test_formula_cells_are_neutralised() -> None:
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(start + "1+1") == "'" + start + "1+1"
    assert safe_cell(-5) == -5 and safe_cell("Lạng Sơn") == "Lạng Sơn"


# What a database can hold of it: no NUL (PostgreSQL refuses it), no lone surrogate (not UTF-8).
STORABLE = "".join(c for c in HOSTILE if c != "\x00" and not 0xD800 <= ord(c) < 0xE000)


def test_every_output_builds_from_stored_hostile_text(engine, tmp_path) -> None:
    # Stored as is (as rows written before normalisation stripped controls would be).
    ids = seed(engine, [Spec(STORABLE, text=STORABLE, hours_ago=1)], now=NOW)
    with engine.begin() as conn:
        verdicts.record_verdict(conn, User(1, "anna", "analyst"), ids[0], "confirm_distorted",
                                "Sai", now=NOW)  # fmt: skip
        report = yearly.compute(conn, 2020)
        week = digest.compute(conn, "2020-W10", silent_after=3)
    docx.Document(io.BytesIO(yearly.render_docx(report, load_settings({}))))
    for suffix in (".html", ".docx", ".pdf"):
        assert digest.render(week, suffix)
    html = digest.render(week, ".html").decode()
    assert "<script" not in html.lower() or "&lt;" in html
    yearly.write_csvs(report, tmp_path)
    with (tmp_path / "phu_luc_vu_viec.csv").open(encoding="utf-8-sig") as fh:
        [_header, row] = list(csv.reader(fh))
    assert row[2].startswith("'=HYPERLINK")  # the title cell runs nothing in a spreadsheet


def test_a_draft_with_hostile_text_builds_as_docx() -> None:
    from monitor.respond.rebuttal import Draft, render_docx

    body = f"# DỰ THẢO\n\n## 1. Nội dung\n\n- “{STORABLE}”\n\n{HOSTILE}\n"
    draft = Draft(1, 1, 1, body, [], [], 0, "anna", "", NOW)
    docx.Document(io.BytesIO(render_docx(draft, load_settings({}))))
