"""The year's foreign-information plan as data: a target per kind of output (posts on the
Department's own channels, each kind of activity), and the progress against each target.

A plan file is YAML::

    year: 2026
    targets:
      own_post: 24          # or the Vietnamese name of the key
      training: 2
      cooperation: {target: 1, note: "Bằng Tường"}

It is read strictly (every problem named with its line; nothing is changed unless the whole
file is valid) and replaces that year's targets in one transaction (audited).
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, Engine, delete, select

from ..review import audit
from ..store.tables import plan_targets
from ..vocabulary import PLAN_KEYS, User, require
from .activities import ActivityError, Problem, activity_counts, parse_kind, read_import_file
from .output import own_posts_total

__all__ = ["PlanTarget", "Progress", "import_plan", "parse_plan", "plan_targets_of", "progress"]

MAX_TARGET = 100_000
MAX_NOTE = 1000
MAX_FILE = 200_000


@dataclass(frozen=True, slots=True)
class PlanTarget:
    """One line of the year's plan."""

    year: int
    key: str  # PLAN_KEYS
    target: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class Progress:
    """How far one target is: done against the target, and against the time of year.

    ``expected`` is target × the elapsed share of the year (today counted); a target is on
    track when done reaches the whole part of what is expected by now (an activity due later
    in the year is not late yet), and reached once done meets the target."""

    key: str
    target: int
    done: int
    share: float  # done / target (may pass 1)
    expected: float
    on_track: bool
    note: str = ""

    @property
    def state(self) -> str:
        """reached, on_track or behind."""
        if self.done >= self.target:
            return "reached"
        return "on_track" if self.on_track else "behind"

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "target": self.target, "done": self.done,
                "share": round(self.share, 4), "expected": round(self.expected, 2),
                "on_track": self.on_track, "state": self.state, "note": self.note}  # fmt: skip


def _problem(code: str, node: yaml.Node | None, value: Any = "", key: str = "") -> Problem:
    line = node.start_mark.line + 1 if node is not None else 1
    return Problem(code, str(value), field=key, line=line)


def _scalar(node: yaml.Node) -> Any:
    if not isinstance(node, yaml.ScalarNode):
        return None
    try:
        return yaml.safe_load(yaml.serialize(node))
    except (ValueError, yaml.YAMLError):
        return str(node.value)


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def parse_plan(source: str, text: str) -> tuple[int, list[PlanTarget]]:
    """The year and its targets from the text of a plan file; ActivityError lists every
    problem with the file and the line."""
    problems: list[Problem] = []
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ActivityError([Problem("yaml", str(getattr(exc, "problem", exc)),
                                     line=mark.line + 1 if mark else 1,
                                     source=source)]) from None  # fmt: skip
    if not isinstance(root, yaml.MappingNode):
        raise ActivityError([Problem("plan_top", line=1, source=source)])
    fields: dict[str, tuple[yaml.Node, yaml.Node]] = {}
    for key_node, value_node in root.value:
        key = str(key_node.value)
        if key not in ("year", "targets"):
            problems.append(_problem("plan_top_key", key_node, key))
        fields[key] = (key_node, value_node)
    year = 0
    if "year" not in fields:
        problems.append(_problem("plan_year", root, ""))
    else:
        value = _scalar(fields["year"][1])
        if not _whole(value) or not 2000 <= value <= 2100:
            problems.append(_problem("plan_year", fields["year"][1], fields["year"][1].value))
        else:
            year = value
    targets: list[PlanTarget] = []
    node = fields.get("targets", (None, None))[1]
    if not isinstance(node, yaml.MappingNode) or not node.value:
        problems.append(_problem("plan_targets", node or root))
    else:
        seen: set[str] = set()
        for key_node, value_node in node.value:
            plan_key = parse_kind(str(key_node.value), PLAN_KEYS)
            if plan_key is None:
                problems.append(_problem("plan_key", key_node, key_node.value))
                continue
            if plan_key in seen:
                problems.append(_problem("plan_twice", key_node, key_node.value))
                continue
            seen.add(plan_key)
            found = _target(value_node, plan_key, problems)
            if found is not None:
                targets.append(PlanTarget(year, plan_key, *found))
    if problems:
        problems = [Problem(p.code, p.value, p.field, p.line, source) for p in problems]
        raise ActivityError(sorted(problems, key=lambda p: p.line))
    order = {k: n for n, k in enumerate(PLAN_KEYS)}
    return year, sorted(targets, key=lambda t: order[t.key])


def _target(node: yaml.Node, key: str, problems: list[Problem]) -> tuple[int, str] | None:
    note = ""
    target_node: yaml.Node = node
    if isinstance(node, yaml.MappingNode):
        entry = {str(k.value): (k, v) for k, v in node.value}
        for name, (k, _v) in entry.items():
            if name not in ("target", "note"):
                problems.append(_problem("plan_entry_key", k, name, key))
        if "note" in entry:
            raw = _scalar(entry["note"][1])
            if not isinstance(raw, str) or len(raw) > MAX_NOTE:
                problems.append(_problem("plan_note", entry["note"][1], "", key))
            else:
                note = raw.strip()
        if "target" not in entry:
            problems.append(_problem("plan_target", node, "", key))
            return None
        target_node = entry["target"][1]
    value = _scalar(target_node)
    if not _whole(value) or not 0 < value <= MAX_TARGET:
        shown = target_node.value if isinstance(target_node, yaml.ScalarNode) else "…"
        problems.append(_problem("plan_target", target_node, shown, key))
        return None
    return value, note


def import_plan(
    engine: Engine, user: User, path: str | Path, now: datetime | None = None
) -> list[PlanTarget]:
    """Read a plan file and replace that year's targets with it (one transaction, audited)."""
    return import_plan_data(engine, user, str(path), read_import_file(path), now)


def import_plan_data(
    engine: Engine, user: User, source: str, raw: bytes, now: datetime | None = None
) -> list[PlanTarget]:
    """:func:`import_plan` from the bytes of a file named ``source`` (an upload)."""
    require(user, "activities", "importing the year's plan")
    if len(raw) > MAX_FILE:
        raise ActivityError([Problem("file_size", source=source, limit=MAX_FILE)])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ActivityError([Problem("encoding", source=source)]) from None
    year, targets = parse_plan(source, text)
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        before = {t.key: t.target for t in plan_targets_of(conn, year)}
        conn.execute(delete(plan_targets).where(plan_targets.c.year == year))
        for t in targets:
            conn.execute(plan_targets.insert().values(
                year=year, key=t.key, target=t.target, note=t.note, updated_by=user.name,
                updated_at=now,
            ))  # fmt: skip
        after = {t.key: t.target for t in targets}
        audit.record(conn, user.name, "plan_import", "plan", year, before or None,
                     {"source": Path(source).name, "targets": after}, now=now)  # fmt: skip
    return targets


def plan_targets_of(conn: Connection, year: int) -> list[PlanTarget]:
    """The stored targets of a year, in the order of PLAN_KEYS."""
    rows = conn.execute(select(plan_targets).where(plan_targets.c.year == year))
    order = {k: n for n, k in enumerate(PLAN_KEYS)}
    found = [PlanTarget(r.year, r.key, int(r.target), r.note) for r in rows]
    return sorted(found, key=lambda t: order.get(t.key, len(order)))


def elapsed_share(year: int, today: date) -> float:
    """The share of ``year`` gone by at the end of ``today`` (0 before it, 1 after it)."""
    if today < date(year, 1, 1):
        return 0.0
    if today > date(year, 12, 31):
        return 1.0
    days = 366 if calendar.isleap(year) else 365
    return (today.timetuple().tm_yday) / days


def progress(conn: Connection, year: int, today: date) -> list[Progress]:
    """Each target of the year's plan with what is done: own_post from the posts of the
    Department's own channels (own_posts_total), every other key from the activity register
    (activity_counts); [] when the year has no plan."""
    targets = plan_targets_of(conn, year)
    if not targets:
        return []
    counts = activity_counts(conn, year)
    posts = own_posts_total(conn, year) if any(t.key == "own_post" for t in targets) else 0
    elapsed = elapsed_share(year, today)
    out = []
    for t in targets:
        done = posts if t.key == "own_post" else counts.get(t.key, 0)
        expected = t.target * elapsed
        out.append(Progress(t.key, t.target, done, done / t.target, expected,
                            done >= math.floor(expected + 1e-9), t.note))  # fmt: skip
    return out
