"""The audit page reads as Vietnamese: every action named, before/after as changed fields;
the exports keep the stored values."""

from __future__ import annotations

import ast
import csv
import io
import json
from pathlib import Path

from dashboards.i18n import catalogue
from monitor.review import audit as audit_log
from tests.conftest import ROOT
from tests.review.seeding import Spec, seed

# Actions written with an f-string, and every value the f-string takes (a new one must be
# added here and to the catalogue).
BUILT = {"criticism_{}": ("answered", "fixed", "not_ours")}


def _written_actions() -> set[str]:
    """Every action key passed to audit.record(...) or cases._update(...) in the code."""
    found: set[str] = set()
    for path in [*(ROOT / "monitor").rglob("*.py"), *(ROOT / "dashboards").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
            if name == "record" and owner in {"audit", "audit_log"}:
                arg = node.args[2]
            elif name == "_update" and len(node.args) > 3:
                arg = node.args[3]
            else:
                continue
            found |= _values(arg, path)
    return found


def _values(arg: ast.expr, path: Path) -> set[str]:
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return {arg.value}
    if isinstance(arg, ast.JoinedStr):
        shape = "".join(p.value if isinstance(p, ast.Constant) else "{}" for p in arg.values)
        assert shape in BUILT, f"{path}: unknown built action {shape!r}"
        return {shape.format(v) for v in BUILT[shape]}
    return set()  # a variable: the call that passes it is itself scanned (e.g. _update)


def test_every_action_the_code_writes_has_a_vietnamese_name() -> None:
    actions = _written_actions()
    assert {"verdict", "signoff", "assign", "user.add", "fact_save", "case_open"} <= actions
    assert {"criticism_fixed", "report_text"} <= actions
    vi, en = catalogue("vi"), catalogue("en")
    missing = sorted(a for a in actions if not vi.get(f"audit.action.{a}"))
    assert not missing, missing
    assert all(en.get(f"audit.action.{a}") for a in actions)


def test_page_shows_changes_in_vietnamese_and_escaped(engine, client_as) -> None:
    [item] = seed(engine, [Spec("Tin")])
    with engine.begin() as conn:
        audit_log.record(conn, "phantich", "verdict", "item", item, {"status": "flagged"},
                         {"verdict": "dismiss", "reason": "<script>alert(1)</script>",
                          "status": "dismissed", "items": [item]})  # fmt: skip
        audit_log.record(conn, "quantri", "user.change", "user", "bao", {"role": "writer",
                         "active": True}, {"role": "lead"})  # fmt: skip
        audit_log.record(conn, "quantri", "some_future_action", "thing", "7", None, {"x": 1})
    page = client_as("lead").get("/audit")
    html = page.text
    assert page.status_code == 200
    assert "Kết luận</td>" in html and "Sửa người dùng" in html
    assert "audit.action." not in html and "{&#34;" not in html and '{"' not in html
    assert "Trạng thái:</span> <del>Cần xem xét</del> → Đã bỏ qua" in html
    assert "Lý do:</span> &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert "Vai trò:</span> <del>Người viết báo cáo</del> → Lãnh đạo" in html
    assert "Hoạt động:" not in html  # unchanged by that action
    assert "some_future_action" in html  # an unnamed action shows its key, not a blank


def test_exports_keep_the_stored_values(engine, client_as) -> None:
    [item] = seed(engine, [Spec("Tin")])
    before, after = (
        {"status": "flagged"},
        {"verdict": "dismiss", "reason": "trùng", "items": [item]},
    )
    with engine.begin() as conn:
        audit_log.record(conn, "phantich", "verdict", "item", item, before, after)
    lead = client_as("lead")
    entry = json.loads(lead.get("/audit/export?format=json").text)[-1]  # after the users
    assert (entry["action"], entry["before"], entry["after"]) == ("verdict", before, after)
    *_, row = csv.DictReader(io.StringIO(lead.get("/audit/export?format=csv").text))
    assert list(row) == list(audit_log.EXPORT_FIELDS)
    assert json.loads(row["before"]) == before and json.loads(row["after"]) == after
    assert row["action"] == "verdict"
