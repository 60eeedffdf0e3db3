"""The audit page: the append-only log, viewable and exportable (never editable)."""

from __future__ import annotations

import io

from fastapi import APIRouter, Request
from fastapi.responses import Response

from monitor.review import InvalidInput
from monitor.review import audit as audit_log
from monitor.timefmt import parse_range

from .web import AUDITORS, download, engine_of, needs, render

router = APIRouter()
PER_PAGE = 100


@router.get("/audit", include_in_schema=False)
def audit_page(request: Request, page: int = 1, session=needs(*AUDITORS)) -> Response:
    """The newest entries first."""
    page = max(page, 1)
    with engine_of(request).connect() as conn:
        rows = audit_log.entries(conn, limit=PER_PAGE + 1, offset=(page - 1) * PER_PAGE)
    return render(
        request, "audit.html", entries=rows[:PER_PAGE], page=page, has_next=len(rows) > PER_PAGE
    )


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
