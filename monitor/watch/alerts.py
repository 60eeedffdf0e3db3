"""Instant alerts: what matched since the last pass, grouped per recipient, sent and retried.

``match_new`` reads the items scored since its watermark (a (scored_at, id) pair in
app_settings) and records one event per (trigger, item, recipient), unique in the store, so an
item is never announced twice for one rule, even when it is scored again. Three triggers:

- a watch rule whose query and filters match (only items collected after the rule was made);
- a flagged item whose priority level is high (monitor.review.queue's points), to
  MONITOR_ALERT_NOTIFY;
- a story carried by MONITOR_ALERT_SPREAD_OUTLETS outlets within MONITOR_ALERT_SPREAD_HOURS
  (once per story), to MONITOR_ALERT_NOTIFY.

``deliver`` groups the events not yet handed on into one delivery per recipient (a burst is one
message), then sends the deliveries that are due: email through MONITOR_SMTP_*, or a JSON POST
to a webhook. A failure leaves the delivery pending with its error, retried after
MONITOR_ALERT_RETRY_SECONDS doubling each time up to an hour; after MONITOR_ALERT_MAX_ATTEMPTS
it is marked failed (visible on the dashboard and in /metrics, and can be sent again). During
MONITOR_ALERT_QUIET_HOURS nothing is sent; what matched waits and goes out when they end.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy import Connection, Engine, and_, delete, func, or_, select, update

from ..config import Settings, mask_url
from ..i18n import vi
from ..mailer import MailError, new_message, send_message
from ..review import audit
from ..review.queue import level_of, priority_points
from ..store.queries import insert_new
from ..store.review_index import get_setting, put_setting
from ..store.tables import alert_deliveries, alert_events, item_scores, items, sources
from ..store.terms import seen_at
from ..timefmt import LOCAL, show
from ..vocabulary import DELIVERY_STATES, TIP_SOURCE, User, require
from .query import Document
from .rules import (
    WatchRule,
    compile_rules,
    facts_of,
    item_rows,
    list_rules,
    parse_target,
    passes_filters,
    source_tags,
)

log = logging.getLogger(__name__)
WATERMARK = "watch.matched_through"
BATCH = 1000
MAX_BACKOFF = timedelta(hours=1)
STUCK = timedelta(minutes=10)  # a delivery "sending" this long was cut off: send again
PAYLOAD_VERSION = 1
_LOCK = threading.Lock()  # one pass at a time in a process (the service's jobs are threads)


@dataclass
class MatchSummary:
    items: int = 0
    events: int = 0
    by_trigger: dict[str, int] = field(default_factory=lambda: defaultdict(int))


@dataclass
class DeliverySummary:
    grouped: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    held: bool = False  # quiet hours
    busy: bool = False  # another pass was running


class DeliveryError(Exception):
    """A recipient could not be reached; the text says why (no secrets)."""


def global_targets(settings: Settings) -> tuple[str, ...]:
    """The recipients of high-priority and spreading-story alerts (MONITOR_ALERT_NOTIFY)."""
    return tuple(parse_target(t) for t in settings.alert_notify.split(",") if t.strip())


# -- matching ---------------------------------------------------------------------------------
def _mark(conn: Connection) -> tuple[datetime, int]:
    raw = get_setting(conn, WATERMARK)
    if not raw:
        return datetime(1970, 1, 1, tzinfo=UTC), 0
    moment, _, last_id = raw.partition("|")
    return datetime.fromisoformat(moment), int(last_id)


def match_new(engine: Engine, settings: Settings, now: datetime | None = None) -> MatchSummary:
    """Record an event for every rule, priority or spreading story the new scores call for."""
    now = now or datetime.now(UTC)
    summary = MatchSummary()
    targets = global_targets(settings)
    with engine.connect() as conn:
        index = compile_rules(list_rules(conn))
        tags = source_tags(conn)
    points = priority_points(now)
    while True:
        with engine.begin() as conn:
            moment, last_id = _mark(conn)
            after = or_(item_scores.c.scored_at > moment,
                        and_(item_scores.c.scored_at == moment, items.c.id > last_id))  # fmt: skip
            rows = conn.execute(
                item_rows().add_columns(points.label("points"))
                .where(item_scores.c.scored_at.is_not(None), after)
                .order_by(item_scores.c.scored_at, items.c.id).limit(BATCH)
            ).all()  # fmt: skip
            if not rows:
                return summary
            events: list[dict[str, Any]] = []
            clusters: set[int] = set()
            for row in rows:
                events += _rule_events(index.matching(Document.of_stored(row.title, row.text)), row,
                                       facts_of(row, tags), now)  # fmt: skip
                if targets and row.status == "flagged" and level_of(row.points) == "high":
                    name, reason = vi("alert.trigger.priority"), _priority_reason(row)
                    events += [_event("priority", "priority", name, row.id, t, reason, now)
                               for t in targets]  # fmt: skip
                if targets and row.relevant and row.cluster_id is not None:
                    clusters.add(int(row.cluster_id))
            if clusters:
                events += _spread_events(conn, settings, clusters, targets, now)
            summary.items += len(rows)
            summary.events += _insert_events(conn, events, summary)
            last = rows[-1]
            put_setting(conn, WATERMARK, f"{last.scored_at.isoformat()}|{last.id}")


def _event(trigger: str, key: str, name: str, item_id: int, target: str, reason: str,
           now: datetime) -> dict[str, Any]:  # fmt: skip
    return dict(trigger=trigger, rule_key=key, rule_name=name, item_id=item_id, target=target,
                reason=reason, matched_at=now)  # fmt: skip


def _rule_events(rules: Iterable[WatchRule], row: Any, facts: Any, now: datetime) -> list[Any]:
    found = []
    for rule in rules:
        if row.fetched_at < rule.created_at or not passes_filters(rule, facts):
            continue  # a rule announces what is collected after it was made
        reason = f"khớp quy tắc «{rule.name}»: {rule.query}"
        found += [_event("rule", f"rule:{rule.id}", rule.name, row.id, t, reason, now)
                  for t in rule.notify]  # fmt: skip
    return found


def _priority_reason(row: Any) -> str:
    label = vi(f"label.{row.label}") if row.label else ""
    score = f"{row.score or 0:.2f}".replace(".", ",")
    return f"ưu tiên cao: {label} {score}, {int(row.reach or 1)} nguồn".replace("  ", " ")


def _spread_events(
    conn: Connection, settings: Settings, clusters: set[int], targets: tuple[str, ...],
    now: datetime,
) -> list[dict[str, Any]]:  # fmt: skip
    """One event per story carried by enough outlets within the window."""
    since = now - timedelta(hours=settings.alert_spread_hours)
    rows = conn.execute(
        select(items.c.cluster_id, func.count(func.distinct(items.c.source_id)).label("outlets"))
        .where(items.c.cluster_id.in_(sorted(clusters)), seen_at() >= since,
               items.c.source_id != TIP_SOURCE)
        .group_by(items.c.cluster_id)
    ).all()  # fmt: skip
    found = []
    for row in rows:
        if row.outlets < settings.alert_spread_outlets:
            continue
        hours = f"{settings.alert_spread_hours:g}"
        reason = f"câu chuyện lan nhanh: {row.outlets} nguồn trong {hours} giờ"
        found += [_event("spread", "spread", vi("alert.trigger.spread"), int(row.cluster_id), t,
                         reason, now) for t in targets]  # fmt: skip
    return found


def _insert_events(conn: Connection, events: list[dict[str, Any]], summary: MatchSummary) -> int:
    added = 0
    for event in events:
        if insert_new(conn, alert_events, event):
            added += 1
            summary.by_trigger[event["trigger"]] += 1
    return added


# -- delivering -------------------------------------------------------------------------------
def in_quiet_hours(spec: str, now: datetime) -> bool:
    """True when local ``now`` is inside ``HH:MM-HH:MM`` (which may cross midnight)."""
    if not spec:
        return False
    start, end = (time.fromisoformat(part) for part in spec.split("-"))
    local = now.astimezone(LOCAL).time()
    if start <= end:
        return start <= local < end
    return local >= start or local < end


def backoff(settings: Settings, attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: the base, doubling, at most an hour."""
    wait = timedelta(seconds=settings.alert_retry_seconds * 2 ** max(attempts - 1, 0))
    return min(wait, MAX_BACKOFF)


Sender = Callable[[str, "Message", Settings], None]


def deliver(
    engine: Engine, settings: Settings, now: datetime | None = None, send: Sender | None = None
) -> DeliverySummary:
    """Group new events into deliveries and send the deliveries that are due."""
    now = now or datetime.now(UTC)
    summary = DeliverySummary()
    if not _LOCK.acquire(blocking=False):
        summary.busy = True
        return summary
    try:
        if in_quiet_hours(settings.alert_quiet_hours, now):
            summary.held = True
            return summary
        summary.grouped = _group(engine, now)
        for delivery_id in _due(engine, now):
            _send_one(engine, settings, delivery_id, now, send or send_to_target, summary)
        return summary
    finally:
        _LOCK.release()


def _group(engine: Engine, now: datetime) -> int:
    """One pending delivery per recipient for the events not handed on yet."""
    made = 0
    with engine.begin() as conn:
        waiting = conn.execute(
            select(alert_events.c.id, alert_events.c.target, alert_events.c.rule_name)
            .where(alert_events.c.delivery_id.is_(None)).order_by(alert_events.c.id)
        ).all()  # fmt: skip
        by_target: dict[str, list[Any]] = defaultdict(list)
        for row in waiting:
            by_target[row.target].append(row)
        for target, rows in by_target.items():
            names = list(dict.fromkeys(r.rule_name for r in rows))
            subject = _subject(len(rows), names)
            delivery_id = conn.execute(alert_deliveries.insert().values(
                target=target, state="pending", subject=subject, events=len(rows), attempts=0,
                next_attempt_at=now, created_at=now,
            )).inserted_primary_key[0]  # type: ignore[index]  # fmt: skip
            # Only events no other pass took meanwhile (two processes grouping at once).
            took = conn.execute(update(alert_events)
                                .where(alert_events.c.id.in_([r.id for r in rows]),
                                       alert_events.c.delivery_id.is_(None))
                                .values(delivery_id=delivery_id)).rowcount  # fmt: skip
            if not took:
                conn.execute(delete(alert_deliveries).where(alert_deliveries.c.id == delivery_id))
                continue
            if took != len(rows):
                conn.execute(update(alert_deliveries).where(alert_deliveries.c.id == delivery_id)
                             .values(events=took))  # fmt: skip
            made += 1
    return made


def _subject(count: int, names: list[str]) -> str:
    shown = ", ".join(f"«{n}»" for n in names[:3]) + (" …" if len(names) > 3 else "")
    return f"[Giám sát] {count} cảnh báo: {shown}"


def _due(engine: Engine, now: datetime) -> list[int]:
    d = alert_deliveries.c
    with engine.begin() as conn:
        # A delivery left "sending" by a process that died is tried again.
        conn.execute(update(alert_deliveries)
                     .where(d.state == "sending", d.next_attempt_at < now - STUCK)
                     .values(state="pending"))  # fmt: skip
        return list(conn.scalars(
            select(d.id).where(d.state == "pending", d.next_attempt_at <= now).order_by(d.id)
        ))  # fmt: skip


def _send_one(
    engine: Engine, settings: Settings, delivery_id: int, now: datetime, send: Sender,
    summary: DeliverySummary,
) -> None:  # fmt: skip
    d = alert_deliveries.c
    with engine.begin() as conn:
        claimed = conn.execute(update(alert_deliveries)
                               .where(d.id == delivery_id, d.state == "pending")
                               .values(state="sending", next_attempt_at=now)).rowcount  # fmt: skip
        if not claimed:
            return
        row = conn.execute(select(alert_deliveries).where(d.id == delivery_id)).one()
        message = compose(conn, settings, row)
    try:
        send(row.target, message, settings)
    except DeliveryError as exc:
        attempts = row.attempts + 1
        final = attempts >= settings.alert_max_attempts
        retry_at = None if final else now + backoff(settings, attempts)
        values: dict[str, Any] = dict(attempts=attempts, last_error=str(exc)[:2000],
                                      state="failed" if final else "pending",
                                      next_attempt_at=retry_at)  # fmt: skip
        if final:
            summary.failed += 1
        else:
            summary.retrying += 1
        log.warning("alert-not-sent delivery=%s target=%s attempt=%d final=%s error=%s",
                    delivery_id, shown_target(row.target), attempts, final, exc)  # fmt: skip
    else:
        values = dict(attempts=row.attempts + 1, state="sent", sent_at=datetime.now(UTC),
                      last_error=None, next_attempt_at=None)  # fmt: skip
        summary.sent += 1
        log.info("alert-sent delivery=%s target=%s events=%d", delivery_id,
                 shown_target(row.target), row.events)  # fmt: skip
    with engine.begin() as conn:
        conn.execute(update(alert_deliveries).where(d.id == delivery_id).values(**values))


def shown_target(target: str) -> str:
    """A recipient as logs and pages show it: a webhook's secrets masked."""
    kind, _, value = target.partition(":")
    return f"{kind}:{shown_url(value)}" if kind == "webhook" else target


_SECRETISH = re.compile(r"^(?=.*\d)[\w:-]{16,}$|:")


def shown_url(url: str) -> str:
    """A webhook address without its secrets: passwords and secret-named query values
    (mask_url), and path segments that look like tokens (a Telegram relay's /bot123:ABC.../,
    any long segment with digits)."""
    masked = mask_url(url)
    parts = urlsplit(masked)
    path = "/".join("***" if _SECRETISH.search(seg) else seg for seg in parts.path.split("/"))
    return urlunsplit(parts._replace(path=path))


def resend(engine: Engine, delivery_id: int, actor: User, now: datetime | None = None) -> bool:
    """Put a failed delivery back in line ("Gửi lại", `monitor watch retry`), audited; False
    when it is not a failed delivery."""
    require(actor, "webhook", "sending an alert again")
    d, when = alert_deliveries.c, now or datetime.now(UTC)
    again = (update(alert_deliveries).where(d.id == delivery_id, d.state == "failed")
             .values(state="pending", attempts=0, next_attempt_at=when))  # fmt: skip
    with engine.begin() as conn:
        if not conn.execute(again).rowcount:
            return False
        audit.record(conn, actor.name, "alert_resend", "alert_delivery", delivery_id,
                     {"state": "failed"}, {"state": "pending"}, when)  # fmt: skip
    return True


# -- the message --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Message:
    """What one delivery says: a subject, a plain text and the JSON payload of webhooks."""

    subject: str
    text: str
    payload: dict[str, Any]


def compose(conn: Connection, settings: Settings, delivery: Any) -> Message:
    e = alert_events.c
    rows = conn.execute(
        select(e.trigger, e.rule_name, e.reason, e.matched_at, items.c.id, items.c.title,
               items.c.url, items.c.source_id, items.c.channel, sources.c.name.label("source"),
               seen_at().label("seen_at"), item_scores.c.label, item_scores.c.scores)
        .select_from(alert_events.join(items, items.c.id == e.item_id)
                     .join(sources, sources.c.id == items.c.source_id)
                     .outerjoin(item_scores, item_scores.c.item_id == items.c.id))
        .where(e.delivery_id == delivery.id).order_by(e.id)
    ).all()  # fmt: skip
    base = settings.dashboard_url.rstrip("/")
    alerts, lines = [], [delivery.subject, ""]
    for n, r in enumerate(rows, start=1):
        scores = json.loads(r.scores) if r.scores else {}
        link = f"{base}/items/{r.id}" if base else None
        label = vi(f"label.{r.label}") if r.label else "chưa chấm điểm"
        score = f"{float(scores.get(r.label, 0)):.2f}".replace(".", ",") if r.label else ""
        lines += [f"{n}. {r.title}",
                  f"   {r.source} · {show(r.seen_at)} · {label} {score}".rstrip(),
                  f"   Vì sao: {r.reason}",
                  f"   Bài: {r.url}" if not r.url.startswith("tip:") else "   Bài: tin báo",
                  *([f"   Mở trong hệ thống: {link}"] if link else []), ""]  # fmt: skip
        alerts.append({
            "trigger": r.trigger, "rule": r.rule_name, "reason": r.reason,
            "matched_at": r.matched_at.isoformat(),
            "item": {"id": r.id, "title": r.title, "url": r.url, "source_id": r.source_id,
                     "source_name": r.source, "channel": r.channel,
                     "seen_at": r.seen_at.isoformat() if r.seen_at else None,
                     "label": r.label, "scores": scores, "dashboard_url": link},
        })  # fmt: skip
    lines.append("Thư này do hệ thống giám sát gửi tự động; không trả lời thư này.")
    payload = {"type": "monitor.alerts", "version": PAYLOAD_VERSION, "delivery_id": delivery.id,
               "subject": delivery.subject, "text": "\n".join(lines), "alerts": alerts}  # fmt: skip
    return Message(delivery.subject, "\n".join(lines), payload)


def send_to_target(target: str, message: Message, settings: Settings) -> None:
    """Send one message to ``email:ADDR`` or ``webhook:URL``; DeliveryError says why not."""
    kind, _, address = target.partition(":")
    if kind == "email":
        _send_email(address, message, settings)
    elif kind == "webhook":
        _post_webhook(address, message, settings)
    else:
        raise DeliveryError(f"unknown recipient kind {kind!r}")


def _send_email(address: str, message: Message, settings: Settings) -> None:
    if not settings.smtp_host or not settings.smtp_from:
        raise DeliveryError("set MONITOR_SMTP_HOST and MONITOR_SMTP_FROM to send email alerts")
    msg = new_message()
    msg["Subject"], msg["From"], msg["To"] = message.subject, settings.smtp_from, address
    msg["X-Monitor-Delivery"] = str(message.payload["delivery_id"])
    msg.set_content(message.text)
    try:
        send_message(msg, settings, timeout=20)
    except MailError as exc:
        raise DeliveryError(str(exc)) from None


def signature(secret: str, body: bytes) -> str:
    """The X-Monitor-Signature header: ``sha256=`` and the HMAC of the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post_webhook(url: str, message: Message, settings: Settings) -> None:
    body = json.dumps(message.payload, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8",
               "User-Agent": settings.user_agent,
               "X-Monitor-Delivery": str(message.payload["delivery_id"])}  # fmt: skip
    if settings.webhook_secret:
        headers["X-Monitor-Signature"] = signature(settings.webhook_secret, body)
    try:
        with httpx.Client(timeout=httpx.Timeout(15.0, connect=5.0), follow_redirects=False,
                          trust_env=False) as client:  # fmt: skip
            answer = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"{shown_url(url)}: {type(exc).__name__}: {exc}") from None
    if not 200 <= answer.status_code < 300:
        raise DeliveryError(f"{shown_url(url)} answered HTTP {answer.status_code}")


# -- what pages and /metrics show ----------------------------------------------------------------
def delivery_counts(conn: Connection, targets: Iterable[str] | None = None) -> dict[str, int]:
    """Deliveries by state, and the events waiting for a delivery (quiet hours, a pass due);
    only those to ``targets`` when given (a user's own recipients)."""
    d, e = alert_deliveries.c, alert_events.c
    counts = dict.fromkeys(DELIVERY_STATES, 0)
    by_state = select(d.state, func.count()).group_by(d.state)
    waiting = select(func.count()).select_from(alert_events).where(e.delivery_id.is_(None))
    if targets is not None:
        chosen = list(targets)
        by_state, waiting = (
            by_state.where(d.target.in_(chosen)),
            waiting.where(e.target.in_(chosen)),
        )
    for state, n in conn.execute(by_state):
        counts[state] = int(n)
    counts["waiting_events"] = int(conn.scalar(waiting) or 0)
    return counts


def recent_deliveries(conn: Connection, limit: int = 50, targets: Iterable[str] | None = None
                      ) -> list[dict[str, Any]]:  # fmt: skip
    """The newest deliveries (only to ``targets`` when given), failed ones first."""
    d = alert_deliveries.c
    query = select(alert_deliveries)
    if targets is not None:
        query = query.where(d.target.in_(list(targets)))
    query = query.order_by((d.state == "failed").desc(), d.id.desc()).limit(limit)
    return [dict(r._mapping, shown_target=shown_target(r.target)) for r in conn.execute(query)]
