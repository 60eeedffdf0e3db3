"""Respond pages: the fact base, rebuttal drafts (versioned) and response cases.

Thin handlers over monitor.respond; nothing here sends anything to an outlet.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Connection

from monitor import respond, review
from monitor.evidence import checks_of
from monitor.evidence.requests import request_states
from monitor.respond import cases, facts, rebuttal
from monitor.review.queue import item_detail
from monitor.timefmt import LOCAL, local_date

from .web import DOCX, EVERYONE, JUDGES, READERS, download, engine_of, needs, render

router = APIRouter()
MAX_UPLOAD = 1_000_000


@contextmanager
def _store(request: Request, write: bool = False) -> Iterator[Connection]:
    """A connection; respond errors become the review errors the app shows as 400/404."""
    engine = engine_of(request)
    try:
        with engine.begin() if write else engine.connect() as conn:
            yield conn
    except respond.NotFound as exc:
        raise review.NotFound(str(exc)) from None
    except respond.RespondError as exc:
        raise review.InvalidInput(str(exc)) from None


def _moment(text: str) -> datetime | None:
    """A datetime-local form value (Asia/Ho_Chi_Minh) as UTC; empty means now."""
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise review.InvalidInput(f"{text!r} is not a date and time") from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=LOCAL)).astimezone(UTC)


def _go(path: str) -> RedirectResponse:
    return RedirectResponse(path, status_code=303)


# -- fact base -------------------------------------------------------------------------------
@router.get("/facts", include_in_schema=False)
def facts_page(request: Request, edit: str = "", session=needs(*EVERYONE)) -> Response:
    """Every fact with its document; admins also get the edit and import forms."""
    with _store(request) as conn:
        found = facts.list_facts(conn)
    editing = next((f for f in found if f.id == edit), None)
    today = local_date(datetime.now(UTC))
    return render(request, "facts.html", facts=found, editing=editing, today=today)


@router.post("/facts", include_in_schema=False)
def facts_save(
    request: Request,
    id: str = Form(""),
    statement: str = Form(""),
    doc_number: str = Form(""),
    doc_date: str = Form(""),
    issuer: str = Form(""),
    valid_from: str = Form(""),
    valid_until: str = Form(""),
    link: str = Form(""),
    topics: str = Form(""),
    session=needs("admin"),
) -> Response:
    """Add a fact, or replace the one with the same id (audited); its active flag is kept."""
    data: dict[str, Any] = dict(
        id=id, statement=statement, doc_number=doc_number, doc_date=doc_date, issuer=issuer,
        valid_from=valid_from, valid_until=valid_until, link=link, topics=topics,
    )  # fmt: skip
    with _store(request, write=True) as conn:
        with suppress(respond.NotFound):  # a new fact starts active
            data["active"] = facts.get_fact(conn, id.strip()).active
        facts.save_fact(conn, session.user, facts.fact_from_dict(data, "form"))
    return _go("/facts")


@router.post("/facts/import", include_in_schema=False)
async def facts_import(
    request: Request, file: UploadFile = File(...), session=needs("admin")
) -> Response:
    """Add or update facts from an uploaded YAML file (audited); others are left alone."""
    raw = await file.read(MAX_UPLOAD + 1)
    if len(raw) > MAX_UPLOAD:
        raise review.InvalidInput("the YAML file is larger than 1 MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise review.InvalidInput("the YAML file is not UTF-8") from None
    with _store(request, write=True) as conn:
        parsed = facts.parse_yaml(text, file.filename or "YAML")
        facts.import_facts(conn, session.user, parsed)
    return _go("/facts")


@router.post("/facts/{fact_id}/active", include_in_schema=False)
def facts_active(
    request: Request, fact_id: str, active: str = Form(...), session=needs("admin")
) -> Response:
    """Withdraw a fact from drafting, or bring it back (audited)."""
    with _store(request, write=True) as conn:
        facts.set_active(conn, session.user, fact_id, active == "1")
    return _go("/facts")


# -- drafts ----------------------------------------------------------------------------------
@router.get("/items/{item_id}/draft", include_in_schema=False)
def draft_page(
    request: Request, item_id: int, version: int = 0, session=needs(*READERS)
) -> Response:
    """A draft version with its claims, the facts retrieved (scores) and the version history."""
    with engine_of(request).begin() as conn:
        item = item_detail(conn, item_id)
        history = rebuttal.versions(conn, item_id)
        known = {f.id: f for f in facts.list_facts(conn)}
        case_list = cases.list_cases(conn, item_ids=[item_id])
        try:
            rebuttal.check_eligible(conn, item_id)
            why_not = ""
        except respond.RespondError as exc:
            why_not = str(exc)
    shown = next((d for d in history if d.version == version), history[0] if history else None)
    if version and (shown is None or shown.version != version):
        raise review.NotFound(f"item {item_id} has no draft version {version}")
    return render(
        request, "draft.html", item=item, draft=shown, history=history, known=known,
        cases=case_list, why_not=why_not, unmatched=rebuttal.UNMATCHED,
        channels=cases.CHANNELS,
    )  # fmt: skip


@router.post("/items/{item_id}/draft", include_in_schema=False)
def draft_create(request: Request, item_id: int, session=needs(*JUDGES)) -> Response:
    """Compose a new version from the story and the current fact base."""
    with _store(request, write=True) as conn:
        rebuttal.create_draft(conn, item_id, session.user, request.app.state.settings)
    return _go(f"/items/{item_id}/draft")


@router.post("/items/{item_id}/draft/edit", include_in_schema=False)
def draft_edit(
    request: Request,
    item_id: int,
    body: str = Form(...),
    note: str = Form(""),
    session=needs(*JUDGES),
) -> Response:
    """Save the edited text as the next version (citations must name existing facts)."""
    with _store(request, write=True) as conn:
        rebuttal.edit_draft(conn, item_id, session.user, body, note)
    return _go(f"/items/{item_id}/draft")


@router.post("/items/{item_id}/draft/check", include_in_schema=False)
def draft_check(
    request: Request, item_id: int, version: int = Form(...), session=needs(*JUDGES)
) -> Response:
    """Record that the signed-in person compared every citation with its document."""
    with _store(request, write=True) as conn:
        rebuttal.check_draft(conn, item_id, version, session.user)
    return _go(f"/items/{item_id}/draft?version={version}")


@router.get("/items/{item_id}/draft.md", include_in_schema=False)
def draft_markdown(
    request: Request, item_id: int, version: int = 0, session=needs(*READERS)
) -> Response:
    """One version as Markdown."""
    with _store(request) as conn:
        draft = rebuttal.get_version(conn, item_id, version)
    name = f"du-thao-{item_id}-v{draft.version}.md"
    return download(draft.body, "text/markdown; charset=utf-8", name)


@router.get("/items/{item_id}/draft.docx", include_in_schema=False)
def draft_docx(
    request: Request, item_id: int, version: int = 0, session=needs(*READERS)
) -> Response:
    """One version as a Word document."""
    with _store(request) as conn:
        draft = rebuttal.get_version(conn, item_id, version)
    data = rebuttal.render_docx(draft, request.app.state.settings)
    name = f"du-thao-{item_id}-v{draft.version}.docx"
    return download(data, DOCX, name)


# -- response cases --------------------------------------------------------------------------
@router.get("/cases", include_in_schema=False)
def cases_page(
    request: Request, kind: str = "", status: str = "", item: int = 0, session=needs(*READERS)
) -> Response:
    """Rebuttal and criticism cases, newest first, optionally filtered."""
    with _store(request) as conn:
        found = cases.list_cases(conn, kind=kind or None, status=status or None,
                                 item_ids=[item] if item else None)  # fmt: skip
        titles = cases.item_titles(conn, sorted({c.item_id for c in found}))
        requests = {r.case_id: r for r in request_states(conn, datetime.now(UTC))}
    return render(request, "cases.html", cases=found, titles=titles, kind=kind, status=status,
                  kinds=cases.KINDS, statuses=cases.STATUSES, item=item, requests=requests,
                  channels=cases.CHANNELS)  # fmt: skip


@router.post("/items/{item_id}/cases", include_in_schema=False)
def case_open(
    request: Request,
    item_id: int,
    kind: str = Form(...),
    channel: str = Form(""),
    office: str = Form(""),
    session=needs(*JUDGES),
) -> Response:
    """Open a rebuttal case (signed-off story, a channel) or a criticism case (an office)."""
    with _store(request, write=True) as conn:
        drafts = rebuttal.versions(conn, item_id)
        draft_id = drafts[0].id if drafts else None
        case = cases.open_case(conn, session.user, item_id, kind, channel=channel or None,
                               office=office, draft_id=draft_id)  # fmt: skip
    return _go(f"/cases/{case.id}")


@router.get("/cases/{case_id}", include_in_schema=False)
def case_page(request: Request, case_id: int, session=needs(*READERS)) -> Response:
    """One case: where it stands and the forms recording each step."""
    with _store(request) as conn:
        case = cases.get_case(conn, case_id)
        title = cases.item_titles(conn, [case.item_id]).get(case.item_id, "")
        checks = checks_of(conn, case.item_id)
        state = next(iter(request_states(conn, datetime.now(UTC), case_id=case_id)), None)
        # Once approved, the version the approval pinned; before, the one to be approved.
        draft: rebuttal.Draft | None
        pinned = case.approved_by is not None and case.draft_id is not None
        if pinned and case.draft_id is not None:
            draft = rebuttal.get_draft(conn, case.draft_id)
        else:
            draft = next(iter(rebuttal.versions(conn, case.item_id)), None)
    return render(request, "case.html", case=case, title=title, draft=draft, pinned=pinned,
                  last_check=checks[-1] if checks else None, request_state=state)  # fmt: skip


@router.post("/cases/{case_id}/{step}", include_in_schema=False)
def case_step(
    request: Request,
    case_id: int,
    step: str,
    text: str = Form(""),
    at: str = Form(""),
    session=needs(*JUDGES),
) -> Response:
    """Record one step: approve (spokesperson), sent, answer, correction (link) or close."""
    actor, moment = session.user, _moment(at)
    with _store(request, write=True) as conn:
        if step == "approve":  # the spokesperson's approval: a lead records it
            cases.approve(conn, actor, case_id, text, moment)
        elif step == "sent":
            cases.mark_sent(conn, actor, case_id, moment, request.app.state.settings)
        elif step == "answer":
            cases.record_answer(conn, actor, case_id, text, moment)
        elif step == "correction":
            cases.record_correction(conn, actor, case_id, text.strip(), moment)
        elif step == "close":
            cases.close(conn, actor, case_id, text, moment)
        else:
            raise review.NotFound(f"no case step {step!r}")
    return _go(f"/cases/{case_id}")
