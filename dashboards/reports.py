"""Reports page: the weekly digest (HTML, DOCX, PDF) and the yearly report (DOCX, CSV zip).

Every role may download; the figures come from monitor.reports.stats. A writer or a lead
enters the yearly report's assessment and directions here before exporting (audited).
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from datetime import date, timedelta
from pathlib import Path

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from monitor.reports import digest, stats, yearly
from monitor.review import InvalidInput
from monitor.vocabulary import PERMISSIONS

from .web import DOCX, EVERYONE, download, engine_of, needs, render

WRITERS = PERMISSIONS["write"]  # may write the yearly report's own sections

router = APIRouter()
KINDS = {
    "html": "text/html; charset=utf-8",
    "docx": DOCX,
    "pdf": "application/pdf",
}


def _iso(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _download(data: bytes, kind: str, name: str) -> Response:
    return download(data, KINDS.get(kind, "application/zip"), name)


@router.get("/reports", include_in_schema=False)
def reports_page(
    request: Request, year: int = 0, saved: int = 0, session=needs(*EVERYONE)
) -> Response:
    """The forms choosing a week for the digest and a year for the report, and the year's
    assessment and directions (editable by a writer or a lead)."""
    today = stats.local_today()
    chosen = _year(year) if year else today.year
    with engine_of(request).connect() as conn:
        texts = yearly.assessment(conn, chosen)
    return render(
        request, "reports.html", last_week=_iso(today - timedelta(days=7)),
        this_week=_iso(today), year=chosen, formats=tuple(KINDS), texts=texts,
        sections=tuple(yearly.SECTIONS), can_write=session.user.role in WRITERS,
        saved=bool(saved), limit=yearly.MAX_TEXT,
    )  # fmt: skip


@router.post("/reports/yearly/texts", include_in_schema=False)
def yearly_texts(
    request: Request,
    year: int = Form(...),
    results: str = Form(""),
    limits: str = Form(""),
    causes: str = Form(""),
    directions: str = Form(""),
    session=needs(*WRITERS),
) -> Response:
    """Save the year's assessment (results, limits, causes) and directions; audited."""
    texts = {"results": results, "limits": limits, "causes": causes, "directions": directions}
    with engine_of(request).begin() as conn:
        yearly.save_assessment(conn, session.user.name, _year(year), texts)
    return RedirectResponse(f"/reports?year={year}&saved=1#assessment", status_code=303)


def _week(text: str) -> str:
    try:
        stats.iso_week(text)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    return text.strip().upper()


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise InvalidInput("the year must be between 2000 and 2100")
    return year


@router.get("/reports/digest", include_in_schema=False)
def digest_download(
    request: Request, week: str = "", format: str = "pdf", session=needs(*EVERYONE)
) -> Response:
    """The digest of an ISO week (YYYY-Www) as HTML, DOCX or PDF."""
    if format not in KINDS:
        raise InvalidInput("format must be html, docx or pdf")
    chosen = _week(week)
    settings = request.app.state.settings
    with engine_of(request).connect() as conn:
        found = digest.compute(conn, chosen, settings.silent_after_intervals)
    return _download(digest.render(found, f".{format}"), format, f"ban-tin-{chosen}.{format}")


@router.get("/reports/yearly.docx", include_in_schema=False)
def yearly_docx(request: Request, year: int = 0, session=needs(*EVERYONE)) -> Response:
    """The yearly report (Decree 30/2020/NĐ-CP layout) as DOCX."""
    with engine_of(request).connect() as conn:
        report = yearly.compute(conn, _year(year))
    data = yearly.render_docx(report, request.app.state.settings)
    return _download(data, "docx", f"bao-cao-{year}.docx")


@router.get("/reports/yearly-csv.zip", include_in_schema=False)
def yearly_csv(request: Request, year: int = 0, session=needs(*EVERYONE)) -> Response:
    """One CSV per table of the yearly report, zipped, to re-check every figure."""
    with engine_of(request).connect() as conn:
        report = yearly.compute(conn, _year(year))
    out = io.BytesIO()
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(out, "w") as archive:
        for path in yearly.write_csvs(report, tmp):
            archive.write(path, f"bao-cao-{year}/{Path(path).name}")
    return _download(out.getvalue(), "zip", f"bao-cao-{year}-csv.zip")
