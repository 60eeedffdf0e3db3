"""Watch rules: saved searches with filters and whom to notify, kept per user.

The command line and the dashboard call these functions; each change is audited. A rule is
named once per owner (a user, or "cli" for rules added on the server). Whom to notify is a list
of targets, ``email:ADDR`` or ``webhook:URL`` (webhooks only for roles with the "webhook"
permission: a webhook sends the store's content to another machine).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine, delete, select, update

from classifiers.labels import load_labels

from ..review import audit
from ..store.codec import decode_list, encode_json
from ..store.tables import item_scores, items, review_state, sources, watch_rules
from ..store.terms import seen_at
from ..text.normalize import normalize_line
from ..vocabulary import PermissionDenied, User, allowed, require
from .query import Document, Query, QueryError, RuleIndex, parse

__all__ = [
    "WatchRule", "RuleError", "ItemFacts", "RuleTest", "add_rule", "list_rules", "remove_rule",
    "find_rule", "rule_by_id", "set_active", "may_manage", "try_rule", "parse_target",
    "compile_rules", "passes_filters", "source_tags", "item_rows", "facts_of", "review_labels",
]  # fmt: skip

_EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"'.]+$")
MAX_TARGETS = 10


class RuleError(ValueError):
    """A rule that cannot be saved; the message says which part is wrong. ``code`` names the
    problem for a translated message (the catalogue's watch.error.<code>, with ``params``),
    ``field`` the part of the form it is about."""

    def __init__(self, message: str, code: str = "other", field: str = "",
                 params: tuple[object, ...] = ()) -> None:  # fmt: skip
        super().__init__(message)
        self.code, self.field, self.params = code, field, params


@dataclass(frozen=True, slots=True)
class WatchRule:
    id: int
    owner: str
    name: str
    query: str
    label: str | None
    source: str | None
    min_reach: int
    relevant_only: bool
    notify: tuple[str, ...]
    active: bool
    created_at: datetime

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["notify"] = list(self.notify)
        data["created_at"] = self.created_at.isoformat()
        return data


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """What the filters of a rule look at, for one item."""

    source_id: str
    source_tags: frozenset[str]
    labels: frozenset[str]  # the top label and every label over its review threshold
    reach: int
    relevant: bool


def parse_target(raw: str) -> str:
    """``email:ADDR`` or ``webhook:URL``, checked; RuleError names what is wrong."""
    kind, sep, value = raw.strip().partition(":")
    kind, value = kind.strip().lower(), value.strip()
    if not sep or kind not in ("email", "webhook"):
        raise RuleError(
            f"{raw!r}: a recipient is email:ADDRESS or webhook:URL", "target", "notify", (raw,)
        )
    if kind == "email":
        if not _EMAIL.match(value):
            raise RuleError(f"{raw!r}: not an email address", "target", "notify", (raw,))
        return f"email:{value}"
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuleError(
            f"{raw!r}: a webhook is an http or https address", "target", "notify", (raw,)
        )
    return f"webhook:{value}"


def review_labels() -> tuple[str, ...]:
    return tuple(spec.key for spec in load_labels())


def _check(
    conn: Connection, user: User, name: str, query: str, label: str | None, source: str | None,
    min_reach: int, notify: list[str],
) -> tuple[str, Query, tuple[str, ...]]:  # fmt: skip
    name = normalize_line(name).strip()
    if not name or len(name) > 120:
        raise RuleError("a rule needs a name of 1 to 120 characters", "name", "name")
    try:
        parsed = parse(query)
    except QueryError as exc:
        raise RuleError(f"query: {exc}") from None
    if label is not None and label not in review_labels():
        raise RuleError(
            f"label {label!r} is not one of {', '.join(review_labels())}", "label", "label"
        )
    if source is not None and not _source_known(conn, source):
        raise RuleError(
            f"source {source!r} is neither a source id nor a tag of a source",
            "source",
            "source",
            (source,),
        )
    if min_reach < 0:
        raise RuleError(
            "the minimum reach is a number of outlets, 0 or more", "min_reach", "min_reach"
        )
    targets = tuple(dict.fromkeys(parse_target(t) for t in notify))
    if not targets:
        raise RuleError("say whom to notify: email:ADDRESS or webhook:URL", "no_target", "notify")
    if len(targets) > MAX_TARGETS:
        raise RuleError(
            f"at most {MAX_TARGETS} recipients per rule", "too_many", "notify", (MAX_TARGETS,)
        )
    if any(t.startswith("webhook:") for t in targets) and not allowed(user.role, "webhook"):
        raise PermissionDenied(f"webhook recipients: not allowed for the role {user.role!r}")
    return name, parsed, targets


def _source_known(conn: Connection, source: str) -> bool:
    for sid, tags in conn.execute(select(sources.c.id, sources.c.tags)):
        if sid == source or source in decode_list(tags):
            return True
    return False


def add_rule(
    engine: Engine, user: User, *, name: str, query: str, notify: list[str],
    label: str | None = None, source: str | None = None, min_reach: int = 0,
    relevant_only: bool = False, now: datetime | None = None,
) -> WatchRule:  # fmt: skip
    """Save a new rule owned by ``user``; RuleError when a part is wrong or the name is taken."""
    require(user, "watch", "watch rules")
    now = now or datetime.now(UTC)
    with engine.begin() as conn:
        name, parsed, targets = _check(conn, user, name, query, label, source, min_reach, notify)
        taken = conn.execute(
            select(watch_rules.c.id).where(
                watch_rules.c.owner == user.name, watch_rules.c.name == name
            )
        ).first()
        if taken:
            raise RuleError(
                f"you already have a rule named {name!r}", "name_taken", "name", (name,)
            )
        values = dict(owner=user.name, name=name, query=parsed.text, label=label, source=source,
                      min_reach=min_reach, relevant_only=relevant_only,
                      notify=encode_json(list(targets)), active=True, created_at=now,
                      updated_at=now)  # fmt: skip
        inserted = conn.execute(watch_rules.insert().values(**values)).inserted_primary_key
        rule_id = int(inserted[0]) if inserted else 0
        rule = _rule(conn.execute(select(watch_rules).where(watch_rules.c.id == rule_id)).one())
        audit.record(conn, user.name, "watch_add", "watch_rule", rule_id, None, rule.as_json(),
                     now)  # fmt: skip
    return rule


def _rule(row: Any) -> WatchRule:
    return WatchRule(row.id, row.owner, row.name, row.query, row.label, row.source,
                     int(row.min_reach), bool(row.relevant_only), tuple(decode_list(row.notify)),
                     bool(row.active), row.created_at)  # fmt: skip


def list_rules(conn: Connection, owner: str | None = None) -> list[WatchRule]:
    """Every rule (or one owner's), by owner then name."""
    query = select(watch_rules).order_by(watch_rules.c.owner, watch_rules.c.name)
    if owner is not None:
        query = query.where(watch_rules.c.owner == owner)
    return [_rule(r) for r in conn.execute(query)]


def find_rule(conn: Connection, name: str, owner: str | None = None) -> WatchRule:
    """The rule called ``name`` (of ``owner`` when given); RuleError when none or ambiguous."""
    query = select(watch_rules).where(watch_rules.c.name == normalize_line(name).strip())
    if owner is not None:
        query = query.where(watch_rules.c.owner == owner)
    found = [_rule(r) for r in conn.execute(query)]
    if not found:
        raise RuleError(f"no watch rule named {name!r}")
    if len(found) > 1:
        owners = ", ".join(r.owner for r in found)
        raise RuleError(f"several rules are named {name!r} (owners: {owners}); name the owner")
    return found[0]


def rule_by_id(conn: Connection, rule_id: int) -> WatchRule | None:
    row = conn.execute(select(watch_rules).where(watch_rules.c.id == rule_id)).first()
    return _rule(row) if row is not None else None


def may_manage(user: User, rule: WatchRule) -> bool:
    """Owners manage their rules; leads and admins (and the operator) manage everyone's."""
    return rule.owner == user.name or allowed(user.role, "webhook")


def remove_rule(
    engine: Engine, user: User, name: str, owner: str | None = None, now: datetime | None = None
) -> WatchRule:
    """Delete a rule (the alerts it raised stay, with its name)."""
    require(user, "watch", "watch rules")
    with engine.begin() as conn:
        rule = find_rule(conn, name, owner)
        if not may_manage(user, rule):
            raise PermissionDenied(f"the rule {rule.name!r} belongs to {rule.owner}")
        conn.execute(delete(watch_rules).where(watch_rules.c.id == rule.id))
        audit.record(conn, user.name, "watch_remove", "watch_rule", rule.id, rule.as_json(), None,
                     now)  # fmt: skip
    return rule


def set_active(engine: Engine, user: User, rule_id: int, active: bool) -> WatchRule:
    """Pause or resume a rule."""
    require(user, "watch", "watch rules")
    with engine.begin() as conn:
        row = conn.execute(select(watch_rules).where(watch_rules.c.id == rule_id)).first()
        if row is None:
            raise RuleError(f"no watch rule {rule_id}")
        rule = _rule(row)
        if not may_manage(user, rule):
            raise PermissionDenied(f"the rule {rule.name!r} belongs to {rule.owner}")
        conn.execute(update(watch_rules).where(watch_rules.c.id == rule_id).values(
            active=active, updated_at=datetime.now(UTC)))  # fmt: skip
        action = "watch_resume" if active else "watch_pause"
        audit.record(conn, user.name, action, "watch_rule", rule_id, {"active": rule.active},
                     {"active": active})  # fmt: skip
    return rule


# -- matching ---------------------------------------------------------------------------------
def compile_rules(rules: list[WatchRule]) -> RuleIndex[WatchRule]:
    """The active rules under their anchors (a stored rule always parses: it was checked)."""
    return RuleIndex((r, parse(r.query)) for r in rules if r.active)


def passes_filters(rule: WatchRule, facts: ItemFacts) -> bool:
    if rule.label is not None and rule.label not in facts.labels:
        return False
    if rule.source is not None and rule.source not in (facts.source_id, *facts.source_tags):
        return False
    if facts.reach < rule.min_reach:
        return False
    return facts.relevant or not rule.relevant_only


def source_tags(conn: Connection) -> dict[str, frozenset[str]]:
    return {sid: frozenset(decode_list(tags))
            for sid, tags in conn.execute(select(sources.c.id, sources.c.tags))}  # fmt: skip


def item_rows() -> Any:
    """The columns matching reads, for a select over items (scores and review state joined)."""
    return (
        select(items.c.id, items.c.title, items.c.text, items.c.url, items.c.source_id,
               items.c.relevant, items.c.fetched_at, items.c.cluster_id, items.c.channel,
               seen_at().label("seen_at"), item_scores.c.label, item_scores.c.flags,
               item_scores.c.scores, item_scores.c.scored_at, review_state.c.reach,
               review_state.c.status, review_state.c.score)
        .select_from(items.outerjoin(item_scores, item_scores.c.item_id == items.c.id)
                     .outerjoin(review_state, review_state.c.item_id == items.c.id))
    )  # fmt: skip


def facts_of(row: Any, tags: dict[str, frozenset[str]]) -> ItemFacts:
    labels = set(decode_list(row.flags)) if row.flags else set()
    if row.label:
        labels.add(row.label)
    return ItemFacts(row.source_id, tags.get(row.source_id, frozenset()), frozenset(labels),
                     int(row.reach or 1), bool(row.relevant))  # fmt: skip


@dataclass(frozen=True, slots=True)
class RuleTest:
    rule: WatchRule
    days: int
    scanned: int
    matches: list[dict[str, Any]]  # newest first, at most ``limit``
    total: int


def try_rule(
    engine: Engine, name: str, owner: str | None = None, *, days: int = 30, limit: int = 50,
    now: datetime | None = None,
) -> RuleTest:  # fmt: skip
    """Which stored items of the last ``days`` days the rule would match (filters included)."""
    now = now or datetime.now(UTC)
    with engine.connect() as conn:
        rule = find_rule(conn, name, owner)
        index = RuleIndex([(rule, parse(rule.query))])
        tags = source_tags(conn)
        query = (item_rows().where(items.c.fetched_at >= now - timedelta(days=days))
                 .order_by(items.c.id.desc()))  # fmt: skip
        scanned, total, found = 0, 0, list[dict[str, Any]]()
        for row in conn.execute(query).yield_per(500):
            scanned += 1
            if not passes_filters(rule, facts_of(row, tags)):
                continue
            if not index.matching(Document.of_stored(row.title, row.text)):
                continue
            total += 1
            if len(found) < limit:
                found.append({"id": row.id, "title": row.title, "url": row.url,
                              "source_id": row.source_id, "channel": row.channel,
                              "seen_at": row.seen_at.isoformat() if row.seen_at else None,
                              "label": row.label})  # fmt: skip
    return RuleTest(rule, days, scanned, found, total)
