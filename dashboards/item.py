"""The item page and its forms: verdict, sign-off, assignment."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from monitor.evidence import EvidenceError, captures_of, checks_of, export_packet
from monitor.flag.reasons import READABLE_STYLE
from monitor.records import Signal
from monitor.respond.criticism import judge
from monitor.review import NotFound, verdicts
from monitor.review.queue import audit_for_item, item_detail
from monitor.review.status import VERDICTS
from monitor.review.users import list_users

from .web import JUDGES, READERS, download, engine_of, highlight, lang_of, needs, render

router = APIRouter()


@router.get("/items/{item_id}", include_in_schema=False)
def item_page(request: Request, item_id: int, session=needs(*READERS)) -> Response:
    """Text with evidence highlighted, the story's outlets, similar cases, history."""
    with engine_of(request).begin() as conn:
        detail = item_detail(conn, item_id)
        audit = audit_for_item(conn, item_id)
        people = [u for u in list_users(conn) if u.role in JUDGES and u.active]
        captures = captures_of(conn, item_id)
        checks = checks_of(conn, item_id)
    return render(
        request,
        "item.html",
        item=detail,
        audit=audit,
        people=people,
        segments=highlight(detail.text, detail.evidence),
        signals=signal_lines(detail.flags, detail.signals, lang_of(request)),
        verdicts=VERDICTS,
        captures=captures,
        checks=checks,
        judges=JUDGES,
    )


@router.get("/items/{item_id}/evidence.zip", include_in_schema=False)
def evidence_packet(request: Request, item_id: int, session=needs(*JUDGES)) -> Response:
    """The item's evidence packet (manifest, WARC captures, text, summary); audited."""
    try:
        data = export_packet(engine_of(request), request.app.state.settings, item_id, session.user)
    except EvidenceError as exc:
        raise NotFound(str(exc)) from None
    return download(data, "application/zip", f"bang-chung-{item_id}.zip")


@dataclass(frozen=True, slots=True)
class SignalLine:
    """One stored signal, ready for the item page (the template translates and escapes)."""

    kind: str  # "nearest", "nearest5", "style", or "other" (shown by its raw name)
    name: str
    label: str  # nearest*: the label of the similar examples
    measure: str  # style: the measure and its direction, e.g. "capitals.high"
    value: str  # nearest*: the similarity, formatted for the language
    weight: str
    detail: str  # nearest*: the start of the nearest example's text (crawled, untrusted)


def _number(value: float, lang: str) -> str:
    text = f"{value:.2f}"
    return text.replace(".", ",") if lang == "vi" else text  # Vietnamese: decimal comma


def _line(signal: Signal, lang: str) -> SignalLine:
    name = signal.name
    kind, _, rest = name.partition(":")
    value = signal.value
    label = measure = ""
    if kind in ("nearest", "nearest5") and rest:
        label = rest
    elif kind == "style" and rest:
        measure = f"{rest}.{'low' if value < 0 else 'high'}"
    else:
        kind = "other"
    weight = _number(signal.weight, lang)
    detail = signal.detail
    return SignalLine(kind, name, label, measure, _number(value, lang), weight, detail)


def signal_lines(
    flags: list[str], signals: dict[str, tuple[Signal, ...]], lang: str
) -> list[tuple[str, list[SignalLine]]]:
    """Per flagged label (flag order first), the signals that read as reasons (the nearest
    labelled examples; writing style only where it is high and means something to a person:
    monitor.flag.reasons.READABLE_STYLE); labels without any are left out."""
    order = [f for f in flags if f in signals] + [k for k in signals if k not in flags]
    out = []
    for label in order:
        lines = [_line(s, lang) for s in signals[label] if _readable(s)]
        if lines:
            out.append((label, lines))
    return out


def _readable(signal: Signal) -> bool:
    kind, _, rest = signal.name.partition(":")
    if kind != "style":
        return True
    return rest in READABLE_STYLE and signal.value > 0


def _back(target: str, item_id: int) -> str:
    return target if target.startswith("/") and not target.startswith("//") else f"/items/{item_id}"


@router.post("/items/{item_id}/verdict", include_in_schema=False)
def verdict_form(
    request: Request,
    item_id: int,
    verdict: str = Form(...),
    reason: str = Form(""),
    back: str = Form(""),
    session=needs(*JUDGES),
) -> Response:
    """Record a verdict from the page's dialog, then go back where the user was."""
    with engine_of(request).begin() as conn:
        judge(conn, request.app.state.settings, session.user, item_id, verdict, reason)
    return RedirectResponse(_back(back, item_id), status_code=303)


@router.post("/items/{item_id}/signoff", include_in_schema=False)
def signoff_form(
    request: Request, item_id: int, note: str = Form(""), session=needs("lead")
) -> Response:
    """A lead signs off a confirmed story."""
    with engine_of(request).begin() as conn:
        four_eyes = request.app.state.settings.four_eyes
        verdicts.sign_off(conn, session.user, item_id, note, four_eyes=four_eyes)
    return RedirectResponse(f"/items/{item_id}", status_code=303)


@router.post("/items/{item_id}/assign", include_in_schema=False)
def assign_form(
    request: Request, item_id: int, assignee: str = Form(""), session=needs("lead")
) -> Response:
    """A lead assigns the story to someone (empty: nobody)."""
    with engine_of(request).begin() as conn:
        verdicts.assign(conn, session.user, item_id, assignee or None)
    return RedirectResponse(f"/items/{item_id}", status_code=303)
