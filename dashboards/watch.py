"""Watch rules and alert deliveries ("Theo dõi & cảnh báo"): every role keeps its own rules
(email recipients); leads and admins see and manage everyone's, add webhook recipients and
send a failed delivery again. The rules, their checks and the deliveries are monitor.watch's;
this module turns their English errors into the interface's language, keeping the form's
values and pointing at the character where a query goes wrong.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from monitor.review import NotFound
from monitor.vocabulary import DELIVERY_STATES, PERMISSIONS, PermissionDenied, User, allowed
from monitor.watch.alerts import delivery_counts, recent_deliveries, resend, shown_target
from monitor.watch.query import QueryError, parse
from monitor.watch.rules import (
    RuleError,
    WatchRule,
    add_rule,
    list_rules,
    may_manage,
    parse_target,
    remove_rule,
    review_labels,
    rule_by_id,
    set_active,
    source_tags,
    try_rule,
)

from .i18n import translate
from .web import EVERYONE, READERS, engine_of, lang_of, needs, render

router = APIRouter()
MANAGERS = PERMISSIONS["webhook"]  # everyone's rules, webhook recipients, sending again
TEST_DAYS = 30
TEST_LIMIT = 50
DELIVERIES_SHOWN = 50
STATES = DELIVERY_STATES
DONE = ("added", "paused", "resumed", "removed", "resent", "not_failed")
FIELDS = ("name", "query", "label", "source", "min_reach", "relevant_only", "notify")

# QueryError reasons (monitor/watch/query.py) -> catalogue keys; groups fill {0}.
@dataclass(frozen=True, slots=True)
class FormError:
    """What is wrong with the submitted rule, in the reader's language; for a query error,
    the query cut at the problem (before, the character, after) to show it marked."""

    field: str
    message: str
    marked: tuple[str, str, str] | None = None
    status: int = 400  # 403: the role may not do this (a webhook)


def sees_all(user: User) -> bool:
    """Leads and admins see and manage every rule and every delivery."""
    return allowed(user.role, "webhook")


# -- the page ----------------------------------------------------------------------------------
@router.get("/watch", include_in_schema=False)
def watch_page(request: Request, done: str = "", session=needs(*EVERYONE)) -> Response:
    """The rules (one's own, or everyone's for leads and admins), the form, the deliveries."""
    return _page(request, session.user, _blank(), None, done=done if done in DONE else "")


def _blank() -> dict[str, Any]:
    return {"name": "", "query": "", "label": "", "source": "", "min_reach": "0",
            "relevant_only": False, "notify": "email:"}  # fmt: skip


def _page(
    request: Request, user: User, form: dict[str, Any], error: FormError | None,
    status_code: int = 200, done: str = "",
) -> Response:  # fmt: skip
    everyone = sees_all(user)
    with engine_of(request).connect() as conn:
        rules = list_rules(conn, None if everyone else user.name)
        own = rules if not everyone else [r for r in rules if r.owner == user.name]
        targets = None if everyone else _targets(own)
        counts = delivery_counts(conn) if targets is None else _counts(conn, targets)
        deliveries = recent_deliveries(conn, DELIVERIES_SHOWN, targets=targets)
        choices = _source_choices(conn)
    return render(
        request, "watch.html", status_code=status_code, rules=rules, form=form, error=error,
        labels=review_labels(), sources=choices, everyone=everyone, managers=MANAGERS,
        counts=counts, states=STATES, deliveries=deliveries, done=done,
        shown=shown_target, manage={r.id: may_manage(user, r) for r in rules},
    )  # fmt: skip


def _targets(rules: Iterable[WatchRule]) -> list[str]:
    return sorted({target for rule in rules for target in rule.notify})


def _counts(conn: Connection, targets: list[str]) -> dict[str, int]:
    """delivery_counts restricted to ``targets`` (a user's own recipients)."""
    return delivery_counts(conn, targets)


def failed_deliveries(conn: Connection, user: User) -> int:
    """Failed deliveries the user is shown: all for leads and admins, else to their own
    rules' recipients (the overview's warning)."""
    if sees_all(user):
        return delivery_counts(conn)["failed"]
    return _counts(conn, _targets(list_rules(conn, user.name)))["failed"]


def _source_choices(conn: Connection) -> list[str]:
    """Source ids and their tags, for the form's suggestions."""
    tags = source_tags(conn)
    return sorted(set(tags) | {tag for found in tags.values() for tag in found})


# -- adding a rule -----------------------------------------------------------------------------
@router.post("/watch/rules", include_in_schema=False)
def watch_add(
    request: Request,
    name: str = Form(""),
    query: str = Form(""),
    label: str = Form(""),
    source: str = Form(""),
    min_reach: str = Form("0"),
    relevant_only: str = Form(""),
    notify: str = Form(""),
    session=needs(*EVERYONE),
) -> Response:
    """Save the rule; on a mistake the page again, the values kept, the error beside them."""
    form = {"name": name, "query": query, "label": label, "source": source.strip(),
            "min_reach": min_reach, "relevant_only": bool(relevant_only),
            "notify": notify}  # fmt: skip
    user, lang = session.user, lang_of(request)
    error, status = _add(request, user, form, lang)
    if error is not None:
        return _page(request, user, form, error, status)
    return RedirectResponse("/watch?done=added", status_code=303)


def _add(
    request: Request, user: User, form: dict[str, Any], lang: str
) -> tuple[FormError | None, int]:
    """Check what the form alone can tell (the query, the recipients, the numbers), then let
    add_rule check the rest against the store."""
    checked = _check(user, form, lang)
    if isinstance(checked, FormError):
        return checked, checked.status
    reach, targets = checked
    try:
        add_rule(engine_of(request), user, name=form["name"], query=form["query"],
                 notify=targets, label=form["label"] or None, source=form["source"] or None,
                 min_reach=reach, relevant_only=form["relevant_only"])  # fmt: skip
    except PermissionDenied:
        return FormError("notify", translate(lang, "watch.error.webhook_role"), status=403), 403
    except RuleError as exc:
        return _rule_error(lang, exc), 400
    return None, 200


def _check(user: User, form: dict[str, Any], lang: str) -> FormError | tuple[int, list[str]]:
    try:
        parse(form["query"])
    except QueryError as exc:
        return query_error(lang, form["query"], exc)
    try:
        reach = int(str(form["min_reach"]).strip() or "0")
    except ValueError:
        return FormError("min_reach", translate(lang, "watch.error.min_reach"))
    if reach < 0:
        return FormError("min_reach", translate(lang, "watch.error.min_reach"))
    lines = [line.strip() for line in str(form["notify"]).splitlines()]
    targets = []
    for line in lines:
        if not line or line.lower() in ("email:", "webhook:"):
            continue  # a blank line, or the hint left as it was
        try:
            targets.append(parse_target(line))
        except RuleError:
            return FormError("notify", translate(lang, "watch.error.target").format(line))
    if not targets:
        return FormError("notify", translate(lang, "watch.error.no_target"))
    if any(t.startswith("webhook:") for t in targets) and not sees_all(user):
        return FormError("notify", translate(lang, "watch.error.webhook_role"), status=403)
    return reach, targets


def query_error(lang: str, query: str, exc: QueryError) -> FormError:
    """The reason in the reader's language, the position counted from 1, the query marked."""
    reason = translate(lang, f"watch.query.{exc.code}").format(*exc.params)
    at = max(0, min(exc.position, len(query)))
    message = translate(lang, "watch.error.query").format(at + 1, reason)
    return FormError("query", message, (query[:at], query[at : at + 1], query[at + 1 :]))


def _rule_error(lang: str, exc: RuleError) -> FormError:
    return FormError(exc.field, translate(lang, f"watch.error.{exc.code}").format(*exc.params))


# -- one rule: pause, resume, delete, test -----------------------------------------------------
def _managed(conn: Connection, user: User, rule_id: int) -> WatchRule:
    """The rule with this id, when ``user`` may manage it (404 / 403 otherwise)."""
    rule = rule_by_id(conn, rule_id)
    if rule is None:
        raise NotFound(f"no watch rule {rule_id}")
    if not may_manage(user, rule):
        raise PermissionDenied(f"the rule {rule.name!r} belongs to {rule.owner}")
    return rule


@router.post("/watch/rules/{rule_id}/active", include_in_schema=False)
def watch_active(
    request: Request, rule_id: int, active: str = Form(...), session=needs(*EVERYONE)
) -> Response:
    """Pause (active=0) or resume (active=1) a rule."""
    engine = engine_of(request)
    with engine.connect() as conn:
        _managed(conn, session.user, rule_id)
    on = active == "1"
    try:
        set_active(engine, session.user, rule_id, on)
    except RuleError as exc:  # removed meanwhile
        raise NotFound(str(exc)) from None
    return RedirectResponse(f"/watch?done={'resumed' if on else 'paused'}", status_code=303)


@router.post("/watch/rules/{rule_id}/delete", include_in_schema=False)
def watch_delete(request: Request, rule_id: int, session=needs(*EVERYONE)) -> Response:
    """Delete a rule (the page asks first; its alerts stay recorded)."""
    engine = engine_of(request)
    with engine.connect() as conn:
        rule = _managed(conn, session.user, rule_id)
    try:
        remove_rule(engine, session.user, rule.name, rule.owner)
    except RuleError as exc:
        raise NotFound(str(exc)) from None
    return RedirectResponse("/watch?done=removed", status_code=303)


@router.get("/watch/rules/{rule_id}/test", include_in_schema=False)
def watch_test(request: Request, rule_id: int, session=needs(*EVERYONE)) -> Response:
    """Which stored items of the last 30 days the rule matches (filters included)."""
    engine = engine_of(request)
    with engine.connect() as conn:
        rule = _managed(conn, session.user, rule_id)
    result = try_rule(engine, rule.name, rule.owner, days=TEST_DAYS, limit=TEST_LIMIT)
    matches = [dict(m, seen=_moment(m.get("seen_at"))) for m in result.matches]
    return render(request, "watch_test.html", result=result, rule=rule, matches=matches,
                  links=session.user.role in READERS, shown=shown_target)  # fmt: skip


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# -- deliveries --------------------------------------------------------------------------------
@router.post("/watch/deliveries/{delivery_id}/resend", include_in_schema=False)
def delivery_resend(request: Request, delivery_id: int, session=needs(*MANAGERS)) -> Response:
    """Put a failed delivery back in line (leads and admins); audited."""
    engine = engine_of(request)
    if not resend(engine, delivery_id, session.user):
        return RedirectResponse("/watch?done=not_failed#deliveries", status_code=303)
    return RedirectResponse("/watch?done=resent#deliveries", status_code=303)
