"""The audit page: the append-only log, viewable and exportable (never editable).

The page shows each entry's before and after as a short list of changed fields in Vietnamese;
the CSV and JSON exports keep the stored values untouched.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from monitor.review import InvalidInput
from monitor.review import audit as audit_log
from monitor.timefmt import parse_range, show

from .i18n import catalogue, translate
from .web import AUDITORS, download, engine_of, lang_of, needs, render

router = APIRouter()
PER_PAGE = 100
LONGEST = 160  # characters of one value on the page (the export keeps everything)
SKIPPED = {"id", "created_at", "updated_at", "created_by"}  # the entry's own time and actor say it
# Values shown through the catalogue: field -> key prefix (per entity where they differ).
VALUE_KEYS = {
    ("item", "status"): "status.",
    ("case", "status"): "case.status.",
    ("case", "kind"): "case.kind.",
    ("case", "channel"): "case.channel.",
    ("item", "verdict"): "verdict.",
    ("user", "role"): "role.",
}


@dataclass(frozen=True, slots=True)
class Change:
    """One field of an audit entry: its name and its value before and after ("" when absent)."""

    field: str
    old: str
    new: str


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, page: int = 1, session=needs(*AUDITORS)) -> Response:
    """The newest entries first."""
    page, lang = max(page, 1), lang_of(request)
    with engine_of(request).connect() as conn:
        rows = audit_log.entries(conn, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    shown = [(e, action_name(lang, e.action), changes(lang, e)) for e in rows[:PER_PAGE]]
    return render(request, "audit.html", entries=shown, page=page, has_next=len(rows) > PER_PAGE)


def action_name(lang: str, action: str) -> str:
    """The action's name in ``lang``; an action without one shows its key (never a blank)."""
    key = f"audit.action.{action}"
    name = translate(lang, key)
    return action if name == key else name


def changes(lang: str, entry: audit_log.AuditEntry) -> list[Change]:
    """The fields that changed, in a readable order; a new record lists its filled fields."""
    before = {} if entry.before is None else entry.before
    after = {} if entry.after is None else entry.after
    if not isinstance(before, dict) or not isinstance(after, dict):  # a bare value
        plain = (_value(lang, entry.entity, "", v) for v in (entry.before, entry.after))
        return [Change("", *plain)]
    out = []
    for key in after or before:  # a partial "after" names only what the action changed
        if key in SKIPPED or before.get(key) == after.get(key):
            continue
        old, new = before.get(key), after.get(key)
        if key not in before and new in (None, "", []):
            continue  # an empty field of a new record says nothing
        was = _value(lang, entry.entity, key, old) or ("—" if key in before else "")
        out.append(Change(_field(lang, key), was, _value(lang, entry.entity, key, new)))
    return out


def _field(lang: str, key: str) -> str:
    return catalogue(lang).get(f"audit.field.{key}") or key


def _value(lang: str, entity: str, key: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, bool):
        return translate(lang, "users.yes" if value else "users.no")
    if isinstance(value, list | tuple):
        return ", ".join(_value(lang, entity, key, v) for v in value)
    if isinstance(value, dict):
        return "; ".join(
            f"{_field(lang, k)}: {_value(lang, entity, k, v)}" for k, v in value.items()
        )
    text = str(value)
    prefix = VALUE_KEYS.get((entity, key))
    if prefix and catalogue(lang).get(prefix + text):
        return catalogue(lang)[prefix + text]
    text = _when(text)
    return text if len(text) <= LONGEST else text[: LONGEST - 1] + "…"


def _when(text: str) -> str:
    """An ISO time as local time, an ISO date as dd/mm/yyyy; anything else unchanged."""
    if len(text) == 10:
        try:
            return date.fromisoformat(text).strftime("%d/%m/%Y")
        except ValueError:
            return text
    if len(text) >= 19 and text[4] == "-" and "T" in text:
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        return show(moment if moment.tzinfo else moment.replace(tzinfo=UTC))  # stored in UTC
    return text


@router.get("/audit/export", include_in_schema=False)
def audit_export(
    request: Request,
    format: str = "csv",
    since: str = "",
    until: str = "",
    session=needs(*AUDITORS),
) -> Response:
    """The whole log (or a window) as CSV or JSON."""
    if format not in {"csv", "json"}:
        raise InvalidInput("format must be csv or json")
    try:
        start, end = parse_range(since, until)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    out = io.StringIO()
    with engine_of(request).connect() as conn:
        audit_log.export(conn, out, format, start, end)
    kind = "text/csv" if format == "csv" else "application/json"
    return download(out.getvalue(), f"{kind}; charset=utf-8", f"audit.{format}")
