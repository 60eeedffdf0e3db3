"""Criticism is routed, not dropped: the list "Góp ý, phản ánh".

An item about Lạng Sơn whose criticism score reaches the threshold (or that an analyst judged to be
criticism) becomes a criticism case: assigned to the responsible office (from the sector
topics its relevance found, see monitor/data/offices.yaml), with a due date, received until
the office answers, fixes the problem or says it is not the Department's matter. Nothing is
sent anywhere by the program: people record what was done. Every change is audited.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import Connection, Engine, and_, func, select

from ..collect.rulefiles import TOPICS
from ..config import Settings
from ..store.codec import decode_matches, decode_scores
from ..store.tables import item_scores, items, response_cases, review_state
from ..timefmt import local_date
from ..vocabulary import SYSTEM, User, require
from . import InvalidInput
from .cases import Case, _case, _update, get_case, list_cases, open_case

OFFICES = Path(__file__).resolve().parents[1] / "data" / "offices.yaml"
_ID = re.compile(r"^[a-z0-9-]{1,40}$")
CLOSED_TO_ROUTING = ("dismissed", "confirmed", "signed_off")  # an analyst said otherwise


@dataclass(frozen=True, slots=True)
class Office:
    id: str
    name: str
    topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Offices:
    """The Department's offices and which sector topics each one answers for."""

    offices: tuple[Office, ...]
    default: str

    def for_topics(self, topics: Counter[str]) -> Office:
        """The office of the item's most frequent topic, else the default office."""
        by_topic = {t: o for o in self.offices for t in o.topics}
        for topic, _n in topics.most_common():
            if topic in by_topic:
                return by_topic[topic]
        return self.by_id(self.default)

    def by_id(self, office_id: str) -> Office:
        return next(o for o in self.offices if o.id == office_id)

    def names(self) -> list[str]:
        return [o.name for o in self.offices]


def load_offices(path: str | Path | None = None) -> Offices:
    """The offices file, checked: errors name the file and the entry."""
    path = Path(path) if path else OFFICES
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput(f"cannot read {path}: {exc}") from None
    if not isinstance(data, dict) or set(data) != {"default", "offices"}:
        raise InvalidInput(f"{path}: expected the keys 'default' and 'offices'")
    offices = []
    for n, entry in enumerate(data["offices"] or [], 1):
        if not isinstance(entry, dict) or not set(entry) <= {"id", "name", "topics"}:
            raise InvalidInput(f"{path}: office {n} must have id, name and optional topics")
        office_id, name = str(entry.get("id", "")), str(entry.get("name", "")).strip()
        topics = tuple(str(t) for t in entry.get("topics") or ())
        if not _ID.match(office_id) or not name:
            raise InvalidInput(f"{path}: office {n}: id (a-z, 0-9, -) and name are required")
        unknown = sorted(set(topics) - set(TOPICS))
        if unknown:
            raise InvalidInput(f"{path}: office {n}: unknown topic {unknown[0]!r}")
        offices.append(Office(office_id, name, topics))
    if data["default"] not in {o.id for o in offices}:
        raise InvalidInput(f"{path}: default {data['default']!r} is not an office id")
    return Offices(tuple(offices), str(data["default"]))


def due_date(settings: Settings, now: datetime) -> date:
    """The local day by which an office answers criticism received ``now``."""
    return local_date(now) + timedelta(days=settings.criticism_due_days)


def route_pending(
    engine: Engine, settings: Settings, now: datetime | None = None
) -> int:
    """Open a criticism case for every relevant item over the threshold that has none yet;
    returns how many were routed."""
    now = now or datetime.now(UTC)
    offices = load_offices(settings.offices_file or None)
    routed_now = 0
    # One case a story: copies of a routed story (same cluster) are not routed again.
    routed = (
        select(func.coalesce(items.c.cluster_id, items.c.id))
        .join(response_cases, response_cases.c.item_id == items.c.id)
        .where(response_cases.c.kind == "criticism")
    )
    story = func.coalesce(items.c.cluster_id, items.c.id)
    query = (
        select(items.c.id, story.label("story"), items.c.matches, item_scores.c.scores,
               review_state.c.status)
        .join(item_scores, item_scores.c.item_id == items.c.id)
        .outerjoin(review_state, review_state.c.item_id == items.c.id)
        # The Department answers for Lạng Sơn: criticism elsewhere is not its matter.
        .where(and_(items.c.place_relevant, item_scores.c.label == "criticism"))
        .where(story.not_in(routed))
        .order_by(items.c.id)
    )  # fmt: skip
    with engine.begin() as conn:
        seen: set[int] = set()
        for row in conn.execute(query).all():
            score = decode_scores(row.scores).get("criticism", 0.0)
            if score < settings.criticism_threshold or row.status in CLOSED_TO_ROUTING:
                continue
            if row.story in seen:
                continue
            seen.add(row.story)
            office = offices.for_topics(_topics(row.matches))
            due = due_date(settings, now)
            open_case(conn, SYSTEM, row.id, "criticism", office=office.name, now=now,
                      due_on=due, score=round(score, 4), routed=True)  # fmt: skip
            routed_now += 1
    return routed_now


def route_verdict(conn: Connection, settings: Settings, actor: User, item_id: int,
                  now: datetime | None = None) -> Case | None:  # fmt: skip
    """An analyst judged the item criticism: route it, unless it already has its case."""
    if list_cases(conn, kind="criticism", item_ids=[item_id]):
        return None
    now = now or datetime.now(UTC)
    raw = conn.execute(select(items.c.matches).where(items.c.id == item_id)).scalar()
    office = load_offices(settings.offices_file or None).for_topics(_topics(raw))
    return open_case(conn, actor, item_id, "criticism", office=office.name, now=now,
                     due_on=due_date(settings, now))  # fmt: skip


def judge(conn: Connection, settings: Settings, actor: Any, item_id: int, verdict: str,
          reason: str = "") -> Any:  # fmt: skip
    """Record a verdict (monitor.review.verdicts) and route the story when it is criticism."""
    from ..review.verdicts import record_verdict

    done = record_verdict(conn, actor, item_id, verdict, reason)
    if done.status == "criticism":
        route_verdict(conn, settings, actor, item_id)
    return done


def _topics(raw_matches: str | None) -> Counter[str]:
    found: Counter[str] = Counter()
    for m in decode_matches(raw_matches):
        if m.kind == "sector" and m.topic:
            found[m.topic] += m.occurrences
    return found


def reassign(conn: Connection, actor: User, case_id: int, office: str, settings: Settings,
             due_on: date | None = None) -> Case:  # fmt: skip
    """Send the case to another office (one of the offices file), optionally with a new date."""
    require(actor, "lead", "send a case to another office")
    case = _criticism(conn, case_id)
    names = load_offices(settings.offices_file or None).names()
    if office not in names:
        raise InvalidInput(f"unknown office {office!r}; offices: {', '.join(names)}")
    return _update(conn, actor.name, case.id, "criticism_reassign", None, office=office,
                   due_on=due_on or case.due_on)  # fmt: skip


def record_outcome(
    conn: Connection, actor: User, case_id: int, status: str, *, answer: str = "",
    link: str = "", now: datetime | None = None,
) -> Case:  # fmt: skip
    """answered / fixed / not_ours, with the answer's text or link (at least one)."""
    require(actor, "judge", "record a criticism outcome")
    _criticism(conn, case_id)
    if status not in ("answered", "fixed", "not_ours"):
        raise InvalidInput("status must be answered, fixed or not_ours")
    answer, link = answer.strip(), link.strip()
    if not answer and not link:
        raise InvalidInput("record the answer: its text, its link, or both")
    if link and not link.startswith(("http://", "https://")):
        raise InvalidInput("the answer's link must start with http:// or https://")
    now = now or datetime.now(UTC)
    return _update(conn, actor.name, case_id, f"criticism_{status}", now, status=status,
                   answer=answer or None, answer_url=link or None, answered_at=now)  # fmt: skip


def _criticism(conn: Connection, case_id: int) -> Case:
    case = get_case(conn, case_id)
    if case.kind != "criticism":
        raise InvalidInput(f"case {case_id} is a {case.kind} case, not criticism")
    return case


@dataclass(frozen=True, slots=True)
class Entry:
    """One row of the criticism list."""

    case: Case
    title: str
    url: str
    overdue: bool


def criticism_list(conn: Connection, *, status: str | None = None, office: str | None = None,
                   today: date | None = None) -> list[Entry]:  # fmt: skip
    """Criticism cases, the open ones due first; ``overdue`` when received past its date."""
    today = today or local_date(datetime.now(UTC))
    query = (
        select(response_cases, items.c.title.label("item_title"), items.c.url.label("item_url"))
        .join(items, items.c.id == response_cases.c.item_id)
        .where(response_cases.c.kind == "criticism")
    )
    if status:
        query = query.where(response_cases.c.status == status)
    if office:
        query = query.where(response_cases.c.office == office)
    out = []
    for row in conn.execute(query).all():
        case = _case(row)
        late = case.status == "received" and case.due_on is not None and case.due_on < today
        out.append(Entry(case, row.item_title, row.item_url, late))
    far = date.max
    return sorted(out, key=lambda e: (e.case.status != "received", e.case.due_on or far, e.case.id))
