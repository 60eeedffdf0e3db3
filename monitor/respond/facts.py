"""The fact base: official statements with the document they come from, as data.

Facts are imported from YAML or edited by admins; every change is written to the audit log.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, select

from ..review import audit
from ..store.codec import decode_list, encode_json
from ..store.tables import facts as facts_t
from ..vocabulary import User, require
from . import InvalidInput, NotFound

REQUIRED = ("id", "statement", "doc_number", "doc_date", "issuer", "valid_from")
OPTIONAL = ("link", "valid_until", "topics", "active")
MAX_STATEMENT = 1000


@dataclass(frozen=True, slots=True)
class Fact:
    """One official fact and the document it comes from."""

    id: str
    statement: str
    doc_number: str
    doc_date: date
    issuer: str
    valid_from: date
    link: str = ""
    valid_until: date | None = None
    topics: tuple[str, ...] = ()
    active: bool = True

    def valid_on(self, day: date) -> bool:
        """True when the fact is active and its validity period covers ``day``."""
        ends = self.valid_until or date.max
        return self.active and self.valid_from <= day <= ends

    def citation(self) -> str:
        """The citation written after every sentence that uses this fact."""
        return f"[{self.id}, {self.doc_number}, {self.doc_date:%d/%m/%Y}]"

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (for the audit log and the YAML export)."""
        data = asdict(self)
        for key in ("doc_date", "valid_from", "valid_until"):
            data[key] = data[key].isoformat() if data[key] else None
        data["topics"] = list(self.topics)
        return data


@dataclass(frozen=True, slots=True)
class ImportSummary:
    added: int
    updated: int
    unchanged: int


def _date(value: Any, key: str, where: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{where}: {key} must be a date (YYYY-MM-DD), not {value!r}") from None


def _text(value: Any, key: str, where: str) -> str:
    if not isinstance(value, str | int) or isinstance(value, bool) or not str(value).strip():
        raise InvalidInput(f"{where}: {key} must be non-empty text")
    return " ".join(str(value).split())


def fact_from_dict(data: dict[str, Any], where: str = "fact") -> Fact:
    """A validated Fact from a mapping (a YAML entry or a form); errors name ``where``."""
    unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise InvalidInput(f"{where}: unknown key {unknown[0]!r}")
    missing = [k for k in REQUIRED if data.get(k) in (None, "")]
    if missing:
        raise InvalidInput(f"{where}: missing {missing[0]!r}")
    fact_id = _text(data["id"], "id", where)
    if len(fact_id) > 64 or not all(c.isalnum() or c in "-_." for c in fact_id):
        raise InvalidInput(f"{where}: id {fact_id!r} must be letters, digits, '-', '_' or '.'")
    topics = data.get("topics") or []
    if isinstance(topics, str):
        topics = [t for t in topics.split(",")]
    if not isinstance(topics, list):
        raise InvalidInput(f"{where}: topics must be a list of words")
    fact = Fact(
        id=fact_id,
        statement=_text(data["statement"], "statement", where),
        doc_number=_text(data["doc_number"], "doc_number", where),
        doc_date=_date(data["doc_date"], "doc_date", where),
        issuer=_text(data["issuer"], "issuer", where),
        valid_from=_date(data["valid_from"], "valid_from", where),
        link=str(data.get("link") or "").strip(),
        valid_until=_date(data["valid_until"], "valid_until", where)
        if data.get("valid_until") not in (None, "")
        else None,
        topics=tuple(t.strip() for t in (str(x) for x in topics) if t.strip()),
        active=data.get("active", True) not in (False, "false", "0", "off"),
    )
    if len(fact.statement) > MAX_STATEMENT:
        raise InvalidInput(f"{where}: statement is longer than {MAX_STATEMENT} characters")
    if fact.valid_until and fact.valid_until < fact.valid_from:
        raise InvalidInput(f"{where}: valid_until is before valid_from")
    return fact


def load_yaml(path: str | Path) -> list[Fact]:
    """Facts from a YAML file (``facts: [...]``); errors name the file and the entry."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from None
    return parse_yaml(text, str(path))


def parse_yaml(text: str, path: str = "YAML") -> list[Fact]:
    """Facts from YAML text (an uploaded file); errors name ``path`` and the entry."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or set(data) - {"facts", "example"}:
        raise InvalidInput(f"{path}: expected a mapping with the key 'facts' (and 'example')")
    entries = data.get("facts")
    if not isinstance(entries, list) or not entries:
        raise InvalidInput(f"{path}: 'facts' must be a non-empty list")
    out: list[Fact] = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict):
            raise InvalidInput(f"{path}: fact {n} is not a mapping")
        out.append(fact_from_dict(entry, f"{path}: fact {n}"))
    ids = [f.id for f in out]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise InvalidInput(f"{path}: fact id {dupes[0]!r} appears twice")
    return out


def _row(fact: Fact) -> dict[str, Any]:
    values = fact.as_json()
    for key in ("doc_date", "valid_from", "valid_until"):
        values[key] = getattr(fact, key)
    values["topics"] = encode_json(list(fact.topics))
    return values


def _fact(row: Any) -> Fact:
    return Fact(
        row.id, row.statement, row.doc_number, row.doc_date, row.issuer, row.valid_from,
        row.link, row.valid_until, tuple(decode_list(row.topics)), bool(row.active),
    )  # fmt: skip


def get_fact(conn: Connection, fact_id: str) -> Fact:
    """One fact by id."""
    row = conn.execute(select(facts_t).where(facts_t.c.id == fact_id)).first()
    if row is None:
        raise NotFound(f"no fact {fact_id!r}")
    return _fact(row)


def list_facts(conn: Connection, *, active_only: bool = False) -> list[Fact]:
    """Every fact, ordered by id."""
    query = select(facts_t).order_by(facts_t.c.id)
    if active_only:
        query = query.where(facts_t.c.active.is_(True))
    return [_fact(r) for r in conn.execute(query)]


def save_fact(conn: Connection, actor: User, fact: Fact, now: datetime | None = None) -> str:
    """Insert or update one fact, audited; returns "added", "updated" or "unchanged"."""
    require(actor, "facts", "change the fact base")
    now = now or datetime.now(UTC)
    try:
        before: Fact | None = get_fact(conn, fact.id)
    except NotFound:
        before = None
    if before == fact:
        return "unchanged"
    if before is None:
        conn.execute(facts_t.insert().values(**_row(fact), created_at=now, updated_at=now))
    else:
        conn.execute(
            facts_t.update().where(facts_t.c.id == fact.id).values(**_row(fact), updated_at=now)
        )
    audit.record(
        conn, actor.name, "fact_save", "fact", fact.id,
        before.as_json() if before else None, fact.as_json(), now,
    )  # fmt: skip
    return "updated" if before else "added"


def set_active(conn: Connection, actor: User, fact_id: str, active: bool) -> Fact:
    """Withdraw a fact from drafting (or bring it back); it stays cited by old drafts."""
    fact = replace(get_fact(conn, fact_id), active=active)
    save_fact(conn, actor, fact)
    return fact


def import_facts(conn: Connection, actor: User, facts: Iterable[Fact]) -> ImportSummary:
    """Save each fact (audited); facts absent from the file are left as they are."""
    tally = {"added": 0, "updated": 0, "unchanged": 0}
    for fact in facts:
        tally[save_fact(conn, actor, fact)] += 1
    return ImportSummary(**tally)


EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "facts.example.yaml"
