"""The activity register: what no crawler sees (press conferences, briefings, interviews,
written answers, press releases, foreign delegations, cooperation with Guangxi, training).

Each activity has a local day, a kind (ACTIVITY_KINDS), a title, and optionally a place, the
participants, a partner, a note, linked items and cases (checked to exist) and attachments
(written once under MONITOR_EVIDENCE_DIR/activities/<sha256>, hashed). Every change is
audited. Files (CSV or YAML) are imported strictly: every problem is collected with the file
and the line, and nothing is imported unless the whole file is valid (one transaction).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, Engine, delete, func, select
from sqlalchemy.exc import IntegrityError

from ..files import write_once
from ..i18n import translate
from ..review import InvalidInput, NotFound, audit
from ..store.codec import decode_list, encode_json
from ..store.tables import activities as activities_t
from ..store.tables import activity_attachments, items, response_cases
from ..text.normalize import fold_key
from ..vocabulary import ACTIVITY_KINDS, PLAN_KEYS, User, require

__all__ = [
    "Activity",
    "ActivityDraft",
    "ActivityError",
    "Attachment",
    "ImportSummary",
    "Problem",
    "activities_of",
    "activity_counts",
    "add_activity",
    "add_attachment",
    "delete_activity",
    "get_activity",
    "import_activities",
    "import_activities_data",
    "list_activities",
    "parse_activities",
    "parse_day",
    "read_attachment",
    "read_draft",
    "update_activity",
]

COLUMNS = ("day", "kind", "title", "place", "participants", "partner", "note", "items", "cases")
REQUIRED = ("day", "kind", "title")
TEXTS = ("place", "participants", "partner", "note")
MAX_TITLE = 500
MAX_TEXT = 4000
MAX_FILE = 2_000_000  # bytes of an imported file
MAX_ROWS = 5000
ATTACHMENT_DIR = "activities"

# English sentences of the problems (the command line); the dashboard shows the catalogue's
# ``activity.error.<code>`` with the same {value}, {field} and {limit}.
MESSAGES = {
    "day": "{value!r} is not a date (YYYY-MM-DD, or DD/MM/YYYY)",
    "required": "the {field} is missing",
    "kind": "{value!r} is not a kind of activity (" + ", ".join(ACTIVITY_KINDS) + ")",
    "too_long": "the {field} is longer than {limit} characters",
    "text": "the {field} must be text",
    "ids": "{field}: {value!r} is not a list of ids (whole numbers)",
    "item": "item {value} does not exist",
    "case": "case {value} does not exist",
    "dup_file": "the same activity (day, kind, title) is already on line {value}",
    "dup_store": "an activity of that day, kind and title is already recorded (id {value})",
    "column": "unknown column {value!r} (known: " + ", ".join(COLUMNS) + ")",
    "key": "unknown key {value!r} (known: " + ", ".join(COLUMNS) + ")",
    "header": "the first row must name the columns, at least day, kind and title",
    "cells": "the row has more cells than the header has columns",
    "empty": "the file holds no activity",
    "too_many": "the file holds more than {limit} activities",
    "yaml": "not valid YAML: {value}",
    "shape": "expected a list of activities (one mapping of day, kind, title... each)",
    "mapping": "an activity must be a mapping of day, kind, title...",
    "encoding": "the file is not UTF-8 text",
    "file_size": "the file is larger than {limit} bytes",
    "format": "the file must be .csv, .yaml or .yml",
    "unreadable": "cannot read the file: {value}",
    "attachment_empty": "the attachment is empty",
    "attachment_size": "the attachment is larger than {limit} bytes",
    "attachment_twice": "this file ({value}) is already attached to the activity",
    "attachment_changed": "the stored file {value} no longer has its recorded SHA-256",
    # the year's plan (monitor/voice/plan.py)
    "plan_top": "a plan is a mapping with the keys year and targets",
    "plan_top_key": "unknown key {value!r} (a plan has year and targets)",
    "plan_year": "the year must be a whole number between 2000 and 2100, not {value!r}",
    "plan_targets": "targets must be a mapping of a key to a positive whole number",
    "plan_key": "{value!r} is not a plan key (" + ", ".join(PLAN_KEYS) + ")",
    "plan_twice": "the key {value!r} appears twice",
    "plan_target": "the target of {field} must be a positive whole number, not {value!r}",
    "plan_entry_key": "unknown key {value!r} in the target of {field} (target, note)",
    "plan_note": "the note of {field} must be text of at most 1000 characters",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an activity or a file: where (file, line, field) and what."""

    code: str
    value: str = ""
    field: str = ""
    line: int = 0
    source: str = ""
    limit: int = 0

    def message(self) -> str:
        """The English sentence, without the place."""
        return MESSAGES[self.code].format(value=self.value, field=self.field, limit=self.limit)

    def __str__(self) -> str:
        where = self.source + (f":{self.line}" if self.line else "")
        return f"{where}: {self.message()}" if where else self.message()


class ActivityError(InvalidInput):
    """The activity, the file or the attachment cannot be used; ``problems`` lists why."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file kept with an activity: written once, named by its SHA-256."""

    id: int
    activity_id: int
    name: str
    sha256: str
    size: int
    path: str  # relative to MONITOR_EVIDENCE_DIR
    added_by: str
    added_at: datetime

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "sha256": self.sha256, "size": self.size,
                "path": self.path, "added_by": self.added_by,
                "added_at": self.added_at.isoformat()}  # fmt: skip


@dataclass(frozen=True, slots=True)
class ActivityDraft:
    """What a person enters (a form, a row of a file); checked against the store on saving."""

    day: date
    kind: str
    title: str
    place: str = ""
    participants: str = ""
    partner: str = ""
    note: str = ""
    item_ids: tuple[int, ...] = ()
    case_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Activity:
    """A recorded activity with its attachments."""

    id: int
    day: date
    kind: str
    title: str
    place: str
    participants: str
    partner: str
    note: str
    item_ids: tuple[int, ...]
    case_ids: tuple[int, ...]
    origin: str
    created_by: str
    created_at: datetime
    updated_at: datetime
    attachments: tuple[Attachment, ...] = field(default=())

    @property
    def draft(self) -> ActivityDraft:
        return ActivityDraft(self.day, self.kind, self.title, self.place, self.participants,
                             self.partner, self.note, self.item_ids, self.case_ids)  # fmt: skip

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (the audit log, `monitor activities list --format json`)."""
        return {
            "id": self.id, "day": self.day.isoformat(), "kind": self.kind, "title": self.title,
            "place": self.place, "participants": self.participants, "partner": self.partner,
            "note": self.note, "items": list(self.item_ids), "cases": list(self.case_ids),
            "origin": self.origin, "created_by": self.created_by,
            "created_at": self.created_at.isoformat(), "updated_at": self.updated_at.isoformat(),
            "attachments": [a.as_json() for a in self.attachments],
        }  # fmt: skip


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """What an import added: the file, the number of activities, per kind."""

    source: str
    added: int
    by_kind: dict[str, int]


# -- reading values ----------------------------------------------------------------------------
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_VN = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")


def parse_day(value: Any) -> date:
    """A day written ISO (2026-03-12) or as Vietnamese users write it (12/03/2026);
    ValueError otherwise."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value if value is not None else "").strip()
    found = _ISO.fullmatch(text)
    if found:
        year, month, day = (int(g) for g in found.groups())
    else:
        found = _VN.fullmatch(text)
        if not found:
            raise ValueError(text)
        day, month, year = (int(g) for g in found.groups())
    if not 1900 <= year <= 2200:
        raise ValueError(text)
    return date(year, month, day)  # ValueError for 31/02


@cache
def _names(keys: tuple[str, ...]) -> dict[str, str]:
    """Accent-free key -> key, for each key and its Vietnamese and English names."""
    out: dict[str, str] = {}
    for key in keys:
        prefix = "plan.key." if key == "own_post" else "activity.kind."
        vi_name = translate("vi", prefix + key)
        # "Tập huấn" for "Tập huấn, bồi dưỡng ..." (a kind of activity's short name)
        short = re.split(r"[,(]", vi_name)[0] if key != "own_post" else key
        for text in (key, vi_name, short, translate("en", prefix + key)):
            out.setdefault(fold_key(text), key)
    return out


def parse_kind(value: Any, keys: tuple[str, ...] = ACTIVITY_KINDS) -> str | None:
    """The key named by ``value``: the key itself or its Vietnamese (or English) name, in any
    case and with or without accents; None when it names none."""
    if not isinstance(value, str) or not value.strip():
        return None
    return _names(keys).get(fold_key(value.strip()))


def _ids(value: Any) -> tuple[int, ...] | None:
    """Ids from a list, a number or text such as "12, 15" ("#12" too); None when malformed."""
    if value is None or value == "":
        return ()
    parts: Iterable[Any]
    if isinstance(value, list | tuple):
        parts = value
    elif isinstance(value, int) and not isinstance(value, bool):
        parts = [value]
    elif isinstance(value, str):
        parts = [p for p in re.split(r"[,;\s]+", value.strip()) if p]
    else:
        return None
    out: list[int] = []
    for part in parts:
        if isinstance(part, bool):
            return None
        text = str(part).strip().lstrip("#")
        if not text.isdigit() or int(text) <= 0 or int(text) > 2**62:
            return None
        if int(text) not in out:
            out.append(int(text))
    return tuple(out)


def _text(value: Any) -> str | None:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return None
    return unicodedata.normalize("NFC", str(value)).strip()


def read_draft(data: Mapping[str, Any]) -> tuple[ActivityDraft | None, list[Problem]]:
    """A draft from a mapping of the columns (a form, a CSV row, a YAML entry); the problems
    carry the field (the caller adds the file and the line)."""
    problems: list[Problem] = []
    values: dict[str, Any] = {}
    raw_day = data.get("day")
    if raw_day is None or (isinstance(raw_day, str) and not raw_day.strip()):
        problems.append(Problem("required", field="day"))
    else:
        try:
            values["day"] = parse_day(raw_day)
        except ValueError:
            problems.append(Problem("day", str(raw_day).strip(), field="day"))
    raw_kind = data.get("kind")
    if raw_kind is None or (isinstance(raw_kind, str) and not raw_kind.strip()):
        problems.append(Problem("required", field="kind"))
    else:
        kind = parse_kind(raw_kind)
        if kind is None:
            problems.append(Problem("kind", str(raw_kind).strip(), field="kind"))
        values["kind"] = kind
    title = _text(data.get("title"))
    if title is None:
        problems.append(Problem("text", field="title"))
    elif not title:
        problems.append(Problem("required", field="title"))
    elif len(title) > MAX_TITLE:
        problems.append(Problem("too_long", field="title", limit=MAX_TITLE))
    values["title"] = " ".join((title or "").split())
    for key in TEXTS:
        text = _text(data.get(key))
        if text is None:
            problems.append(Problem("text", field=key))
        elif len(text) > MAX_TEXT:
            problems.append(Problem("too_long", field=key, limit=MAX_TEXT))
        values[key] = text or ""
    for key, column in (("items", "item_ids"), ("cases", "case_ids")):
        found = _ids(data.get(key))
        if found is None:
            problems.append(Problem("ids", _show(data.get(key)), field=key))
        values[column] = found or ()
    if problems:
        return None, problems
    return ActivityDraft(**values), []


def _show(value: Any) -> str:
    return ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else str(value)


def _same(title: str) -> str:
    return " ".join(title.split()).casefold()


# -- checks against the store ------------------------------------------------------------------
def _missing(conn: Connection, column: Any, ids: Iterable[int]) -> set[int]:
    wanted = sorted(set(ids))
    found: set[int] = set()
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        found |= set(conn.scalars(select(column).where(column.in_(chunk))))
    return set(wanted) - found


def _duplicate(conn: Connection, draft: ActivityDraft, except_id: int | None = None) -> int | None:
    """The id of a stored activity of the same day, kind and title (case and spaces aside)."""
    rows = conn.execute(
        select(activities_t.c.id, activities_t.c.title).where(
            activities_t.c.day == draft.day, activities_t.c.kind == draft.kind
        )
    )
    for row in rows:
        if row.id != except_id and _same(row.title) == _same(draft.title):
            return int(row.id)
    return None


def _store_problems(
    conn: Connection, draft: ActivityDraft, except_id: int | None = None
) -> list[Problem]:
    problems = [Problem("item", str(i), field="items")
                for i in sorted(_missing(conn, items.c.id, draft.item_ids))]  # fmt: skip
    problems += [Problem("case", str(i), field="cases")
                 for i in sorted(_missing(conn, response_cases.c.id, draft.case_ids))]  # fmt: skip
    twin = _duplicate(conn, draft, except_id)
    if twin is not None:
        problems.append(Problem("dup_store", str(twin), field="title"))
    return problems


# -- reading the register ----------------------------------------------------------------------
def _attachment(row: Any) -> Attachment:
    return Attachment(int(row.id), int(row.activity_id), row.name, row.sha256, int(row.size),
                      row.path, row.added_by, row.added_at)  # fmt: skip


def _activities(conn: Connection, query: Any) -> list[Activity]:
    rows = list(conn.execute(query))
    ids = [int(r.id) for r in rows]
    files: dict[int, list[Attachment]] = {}
    for start in range(0, len(ids), 500):
        found = conn.execute(
            select(activity_attachments)
            .where(activity_attachments.c.activity_id.in_(ids[start : start + 500]))
            .order_by(activity_attachments.c.id)
        )
        for row in found:
            files.setdefault(int(row.activity_id), []).append(_attachment(row))
    return [
        Activity(
            int(r.id), r.day, r.kind, r.title, r.place, r.participants, r.partner, r.note,
            tuple(int(i) for i in decode_list(r.item_ids)),
            tuple(int(i) for i in decode_list(r.case_ids)),
            r.origin, r.created_by, r.created_at, r.updated_at, tuple(files.get(int(r.id), ())),
        )
        for r in rows
    ]  # fmt: skip


def get_activity(conn: Connection, activity_id: int) -> Activity:
    """The activity with this id (NotFound otherwise)."""
    found = _activities(conn, select(activities_t).where(activities_t.c.id == activity_id))
    if not found:
        raise NotFound(f"no activity {activity_id}")
    return found[0]


def list_activities(
    conn: Connection,
    year: int | None = None,
    kind: str | None = None,
    *,
    newest_first: bool = False,
) -> list[Activity]:
    """The register, of one local year and one kind when given; by day (then entry)."""
    query = select(activities_t)
    if year is not None:
        query = query.where(activities_t.c.day >= date(year, 1, 1),
                            activities_t.c.day <= date(year, 12, 31))  # fmt: skip
    if kind:
        query = query.where(activities_t.c.kind == kind)
    if newest_first:
        query = query.order_by(activities_t.c.day.desc(), activities_t.c.id.desc())
    else:
        query = query.order_by(activities_t.c.day, activities_t.c.id)
    return _activities(conn, query)


def activities_of(
    conn: Connection, year: int, kinds: Iterable[str] | None = None
) -> list[Activity]:
    """The activities of a local year, oldest first, of the given kinds (all when None): what
    the yearly report lists."""
    wanted = set(kinds) if kinds is not None else None
    return [a for a in list_activities(conn, year) if wanted is None or a.kind in wanted]


def activity_counts(conn: Connection, year: int) -> dict[str, int]:
    """The number of activities of each kind (every kind, 0 included) in a local year."""
    counts = dict.fromkeys(ACTIVITY_KINDS, 0)
    rows = conn.execute(
        select(activities_t.c.kind, func.count())
        .where(activities_t.c.day >= date(year, 1, 1), activities_t.c.day <= date(year, 12, 31))
        .group_by(activities_t.c.kind)
    )
    for kind, number in rows:
        counts[kind] = counts.get(kind, 0) + int(number)
    return counts


# -- writing -----------------------------------------------------------------------------------
def _values(draft: ActivityDraft) -> dict[str, Any]:
    return {"day": draft.day, "kind": draft.kind, "title": draft.title, "place": draft.place,
            "participants": draft.participants, "partner": draft.partner, "note": draft.note,
            "item_ids": encode_json(list(draft.item_ids)),
            "case_ids": encode_json(list(draft.case_ids))}  # fmt: skip


def _insert(
    conn: Connection, user: User, draft: ActivityDraft, origin: str, now: datetime, action: str
) -> int:
    try:
        with conn.begin_nested():
            new_id = conn.execute(
                activities_t.insert().values(
                    **_values(draft),
                    origin=origin,
                    created_by=user.name,
                    created_at=now,
                    updated_at=now,
                )  # fmt: skip
            ).inserted_primary_key[0]  # type: ignore[index]
    except IntegrityError:  # recorded meanwhile by someone else
        raise ActivityError([Problem("dup_store", "?", field="title")]) from None
    after = get_activity(conn, int(new_id)).as_json()
    audit.record(conn, user.name, action, "activity", int(new_id), None, after, now=now)
    return int(new_id)


def add_activity(
    conn: Connection,
    user: User,
    draft: ActivityDraft,
    *,
    origin: str = "dashboard",
    now: datetime | None = None,
) -> Activity:
    """Record one activity (writers and leads; audited); ActivityError lists what is wrong."""
    require(user, "activities", "recording an activity")
    problems = _store_problems(conn, draft)
    if problems:
        raise ActivityError(problems)
    new_id = _insert(conn, user, draft, origin, now or datetime.now(UTC), "activity_add")
    return get_activity(conn, new_id)


def update_activity(
    conn: Connection,
    user: User,
    activity_id: int,
    draft: ActivityDraft,
    now: datetime | None = None,
) -> Activity:
    """Change an activity's fields (audited with the values before and after)."""
    require(user, "activities", "changing an activity")
    before = get_activity(conn, activity_id)
    problems = _store_problems(conn, draft, except_id=activity_id)
    if problems:
        raise ActivityError(problems)
    if draft == before.draft:
        return before
    now = now or datetime.now(UTC)
    try:
        with conn.begin_nested():
            conn.execute(activities_t.update().where(activities_t.c.id == activity_id)
                         .values(**_values(draft), updated_at=now))  # fmt: skip
    except IntegrityError:
        raise ActivityError([Problem("dup_store", "?", field="title")]) from None
    after = get_activity(conn, activity_id)
    audit.record(conn, user.name, "activity_update", "activity", activity_id,
                 before.as_json(), after.as_json(), now=now)  # fmt: skip
    return after


def delete_activity(
    conn: Connection, user: User, activity_id: int, now: datetime | None = None
) -> Activity:
    """Remove an activity and its attachment rows (audited with everything it held); the
    attachment files stay where they were written once."""
    require(user, "activities", "deleting an activity")
    before = get_activity(conn, activity_id)
    conn.execute(
        delete(activity_attachments).where(activity_attachments.c.activity_id == activity_id)
    )
    conn.execute(delete(activities_t).where(activities_t.c.id == activity_id))
    audit.record(conn, user.name, "activity_delete", "activity", activity_id,
                 before.as_json(), None, now=now)  # fmt: skip
    return before


# -- attachments -------------------------------------------------------------------------------
def _file_name(name: str) -> str:
    base = re.split(r"[\\/]", name or "")[-1]
    clean = "".join(c for c in unicodedata.normalize("NFC", base)
                    if unicodedata.category(c)[0] != "C").strip()  # fmt: skip
    return clean[:200] or "tep-dinh-kem"


def _write_once(path: Path, data: bytes, digest: str) -> None:
    """Create ``path`` exclusively and read-only; a file already there must hold ``data``."""
    if not write_once(path, data) and hashlib.sha256(path.read_bytes()).hexdigest() != digest:
        raise ActivityError([Problem("attachment_changed", path.name)])


def add_attachment(
    conn: Connection,
    user: User,
    activity_id: int,
    name: str,
    data: bytes,
    *,
    root: str | Path,
    limit: int,
    now: datetime | None = None,
) -> Attachment:
    """Keep ``data`` with the activity: hashed (SHA-256) and written once under
    ``root``/activities/<sha256> (the same file attached elsewhere is stored once); audited."""
    require(user, "activities", "attaching a file to an activity")
    get_activity(conn, activity_id)
    if not data:
        raise ActivityError([Problem("attachment_empty")])
    if len(data) > limit:
        raise ActivityError([Problem("attachment_size", limit=limit)])
    digest = hashlib.sha256(data).hexdigest()
    twice = conn.scalar(select(activity_attachments.c.id).where(
        activity_attachments.c.activity_id == activity_id,
        activity_attachments.c.sha256 == digest,
    ))  # fmt: skip
    if twice is not None:
        raise ActivityError([Problem("attachment_twice", digest[:12])])
    relative = f"{ATTACHMENT_DIR}/{digest}"
    _write_once(Path(root).resolve() / relative, data, digest)
    now = now or datetime.now(UTC)
    new_id = conn.execute(activity_attachments.insert().values(
        activity_id=activity_id, name=_file_name(name), sha256=digest, size=len(data),
        path=relative, added_by=user.name, added_at=now,
    )).inserted_primary_key[0]  # type: ignore[index]  # fmt: skip
    row = conn.execute(
        select(activity_attachments).where(activity_attachments.c.id == new_id)
    ).one()
    attachment = _attachment(row)
    audit.record(conn, user.name, "activity_attach", "activity", activity_id, None,
                 attachment.as_json(), now=now)  # fmt: skip
    return attachment


def attachment_of(conn: Connection, activity_id: int, attachment_id: int) -> Attachment:
    """One attachment of one activity (NotFound otherwise)."""
    row = conn.execute(select(activity_attachments).where(
        activity_attachments.c.id == attachment_id,
        activity_attachments.c.activity_id == activity_id,
    )).first()  # fmt: skip
    if row is None:
        raise NotFound(f"no attachment {attachment_id} of activity {activity_id}")
    return _attachment(row)


def read_attachment(root: str | Path, attachment: Attachment) -> bytes:
    """The stored bytes, checked against the recorded SHA-256 (ActivityError if they differ)."""
    path = Path(root).resolve() / attachment.path
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise NotFound(f"the file of attachment {attachment.id} is missing: {exc}") from None
    if hashlib.sha256(data).hexdigest() != attachment.sha256:
        raise ActivityError([Problem("attachment_changed", attachment.path)])
    return data


# -- import ------------------------------------------------------------------------------------
Row = tuple[int, ActivityDraft]  # the line of the entry, the draft


def parse_activities(source: str, data: bytes) -> tuple[list[Row], list[Problem]]:
    """The drafts of a CSV or YAML file (by its name's ending) with their lines, and every
    problem the file alone shows (the store is checked on import)."""
    suffix = Path(source).suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        return [], [Problem("format", source=source)]
    if len(data) > MAX_FILE:
        return [], [Problem("file_size", source=source, limit=MAX_FILE)]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [Problem("encoding", source=source)]
    rows, problems = _csv_rows(text) if suffix == ".csv" else _yaml_rows(text)
    drafts: list[Row] = []
    seen: dict[tuple[date, str, str], int] = {}
    for line, mapping, lines in rows:
        draft, found = read_draft(mapping)
        problems += [replace(p, line=lines.get(p.field, line)) for p in found]
        if draft is None:
            continue
        key = (draft.day, draft.kind, _same(draft.title))
        if key in seen:
            problems.append(Problem("dup_file", str(seen[key]), field="title", line=line))
            continue
        seen[key] = line
        drafts.append((line, draft))
    if not rows and not problems:
        problems.append(Problem("empty", line=1))
    if len(rows) > MAX_ROWS:
        problems.append(Problem("too_many", limit=MAX_ROWS))
    problems = [replace(p, source=source) for p in problems]
    return drafts, sorted(problems, key=lambda p: p.line)


Entry = tuple[int, dict[str, Any], dict[str, int]]  # line, the mapping, lines of its keys


def _csv_rows(text: str) -> tuple[list[Entry], list[Problem]]:
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[Problem] = []
    try:
        header = next(reader, None)
    except csv.Error as exc:
        return [], [Problem("unreadable", str(exc), line=1)]
    if header is None:
        return [], []
    names = [unicodedata.normalize("NFC", h).strip().lower() for h in header]
    for name in names:
        if name and name not in COLUMNS:
            problems.append(Problem("column", name, line=1))
    if not set(REQUIRED) <= set(names):
        return [], [*problems, Problem("header", line=1)]
    rows: list[Entry] = []
    end = reader.line_num
    try:
        for cells in reader:
            line, end = end + 1, reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
                problems.append(Problem("cells", line=line))
                continue
            rows.append((line, {n: c for n, c in zip(names, cells, strict=False) if n}, {}))
    except csv.Error as exc:
        problems.append(Problem("unreadable", str(exc), line=reader.line_num))
    return rows, problems


def _yaml_rows(text: str) -> tuple[list[Entry], list[Problem]]:
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [], [Problem("yaml", str(getattr(exc, "problem", exc)),
                            line=mark.line + 1 if mark else 1)]  # fmt: skip
    if root is None:
        return [], []
    if isinstance(root, yaml.MappingNode) and [k.value for k, _ in root.value] == ["activities"]:
        root = root.value[0][1]
    if not isinstance(root, yaml.SequenceNode):
        return [], [Problem("shape", line=root.start_mark.line + 1)]
    rows: list[Entry] = []
    problems: list[Problem] = []
    for node in root.value:
        line = node.start_mark.line + 1
        if not isinstance(node, yaml.MappingNode):
            problems.append(Problem("mapping", line=line))
            continue
        mapping: dict[str, Any] = {}
        lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value).strip().lower()
            if key not in COLUMNS:
                problems.append(Problem("key", key, line=key_node.start_mark.line + 1))
                continue
            mapping[key] = _yaml_value(value_node)
            lines[key] = value_node.start_mark.line + 1
        rows.append((line, mapping, lines))
    return rows, problems


def _yaml_value(node: yaml.Node) -> Any:
    """A scalar's value (dates as dates), a list of scalars as a list; a mapping as itself
    (refused by the checks)."""
    if isinstance(node, yaml.SequenceNode):
        return [_yaml_value(n) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {"mapping": True}
    try:
        return yaml.safe_load(yaml.serialize(node))
    except (ValueError, yaml.YAMLError):  # 2026-13-01 looks like a date YAML cannot build
        return str(node.value)


def import_activities(engine: Engine, user: User, path: str | Path) -> ImportSummary:
    """Import a CSV or YAML file of activities (`monitor activities import`): all of it in
    one transaction, or nothing with every problem named by file and line."""
    return import_activities_data(engine, user, str(path), read_import_file(path))


def read_import_file(path: str | Path) -> bytes:
    """The bytes of a file to import; an unreadable file is an ActivityError naming it."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise ActivityError([Problem("unreadable", exc.strerror or str(exc),
                                     source=str(path))]) from None  # fmt: skip


def import_activities_data(
    engine: Engine, user: User, source: str, data: bytes, now: datetime | None = None
) -> ImportSummary:
    """Import the bytes of a file named ``source`` (an upload); see :func:`import_activities`."""
    require(user, "activities", "importing activities")
    drafts, problems = parse_activities(source, data)
    origin = Path(source).name
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        for line, draft in drafts:
            problems += [replace(p, line=line, source=source)
                         for p in _store_problems(conn, draft)]  # fmt: skip
        if problems:
            raise ActivityError(sorted(problems, key=lambda p: p.line))
        by_kind: dict[str, int] = {}
        for _line, draft in drafts:
            _insert(conn, user, draft, origin, now, "activity_import")
            by_kind[draft.kind] = by_kind.get(draft.kind, 0) + 1
    return ImportSummary(source, len(drafts), by_kind)
