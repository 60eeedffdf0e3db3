"""The criticism list ("Góp ý, phản ánh"): routed criticism, its office, due date and outcome."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from monitor.respond import cases, criticism

from .respond import _go, _store
from .web import JUDGES, READERS, needs, render

router = APIRouter()


@router.get("/criticism", include_in_schema=False)
def criticism_page(
    request: Request, status: str = "", office: str = "", session=needs(*READERS)
) -> Response:
    """Open criticism first, the earliest due first; overdue rows marked."""
    settings = request.app.state.settings
    with _store(request) as conn:
        entries = criticism.criticism_list(conn, status=status or None, office=office or None)
    offices = criticism.load_offices(settings.offices_file or None).names()
    return render(request, "criticism.html", entries=entries, offices=offices, status=status,
                  office=office, statuses=cases.CRITICISM_STATUSES)  # fmt: skip


@router.post("/criticism/{case_id}/outcome", include_in_schema=False)
def criticism_outcome(
    request: Request,
    case_id: int,
    status: str = Form(...),
    answer: str = Form(""),
    link: str = Form(""),
    session=needs(*JUDGES),
) -> Response:
    """Record the office's answer: answered, fixed, or not the Department's matter."""
    with _store(request, write=True) as conn:
        criticism.record_outcome(conn, session.user, case_id, status, answer=answer,
                                 link=link)  # fmt: skip
    return _go("/criticism")


@router.post("/criticism/{case_id}/office", include_in_schema=False)
def criticism_office(
    request: Request, case_id: int, office: str = Form(...), session=needs("lead")
) -> Response:
    """A lead sends the case to another office."""
    with _store(request, write=True) as conn:
        criticism.reassign(conn, session.user, case_id, office, request.app.state.settings)
    return _go("/criticism")
