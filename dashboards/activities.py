"""The activity register and the year's plan ("Hoạt động đối ngoại", /activities): writers and
leads add, change and delete activities, attach files (hashed, written once) and import a CSV
or YAML file or the year's plan; admins read. Everything is monitor.voice's; this module turns
its problems into the interface's language, line by line, and keeps the form's values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from monitor.review import InvalidInput
from monitor.timefmt import local_date
from monitor.vocabulary import ACTIVITY_KINDS, PERMISSIONS, User, allowed
from monitor.voice import activities as register
from monitor.voice.activities import ActivityError, Problem
from monitor.voice.plan import import_plan_data, progress

from .i18n import translate
from .web import engine_of, lang_of, needs, render

router = APIRouter()
WRITERS = PERMISSIONS["activities"]  # add, change, delete, attach, import
READERS = tuple(dict.fromkeys(PERMISSIONS["activities"] + PERMISSIONS["audit"]))
DONE = ("added", "updated", "deleted", "attached", "imported", "plan")
FORM_FIELDS = ("day", "kind", "title", "place", "participants", "partner", "note", "items",
               "cases")  # fmt: skip
MAX_IMPORT = register.MAX_FILE


def problem_text(lang: str, problem: Problem) -> str:
    """One problem in the reader's language: "Dòng 4: ..." for a line of a file."""
    name = translate(lang, f"activity.field.{problem.field}") if problem.field else ""
    if problem.field in ("own_post", *ACTIVITY_KINDS):
        name = plan_name(lang, problem.field)
    text = translate(lang, f"activity.error.{problem.code}").format(
        value=problem.value, field=name, limit=problem.limit
    )
    return translate(lang, "activities.line").format(problem.line) + text if problem.line else text


def plan_name(lang: str, key: str) -> str:
    """The name of a plan key (own posts, or a kind of activity)."""
    return translate(lang, "plan.key.own_post" if key == "own_post" else f"activity.kind.{key}")


def _year(text: str) -> int:
    today = local_date(datetime.now(UTC))
    try:
        year = int(text) if text.strip() else today.year
    except ValueError:
        raise InvalidInput("the year must be between 2000 and 2100") from None
    if not 2000 <= year <= 2100:
        raise InvalidInput("the year must be between 2000 and 2100")
    return year


def _blank(year: int) -> dict[str, str]:
    form = dict.fromkeys(FORM_FIELDS, "")
    today = local_date(datetime.now(UTC))
    form["day"] = (today if today.year == year else datetime(year, 1, 1)).strftime("%Y-%m-%d")
    return form


def _form_of(activity: register.Activity) -> dict[str, str]:
    return {"day": activity.day.isoformat(), "kind": activity.kind, "title": activity.title,
            "place": activity.place, "participants": activity.participants,
            "partner": activity.partner, "note": activity.note,
            "items": ", ".join(map(str, activity.item_ids)),
            "cases": ", ".join(map(str, activity.case_ids))}  # fmt: skip


def _page(
    request: Request,
    user: User,
    year: int,
    kind: str = "",
    *,
    form: dict[str, str] | None = None,
    editing: int | None = None,
    problems: list[str] | None = None,
    problem_place: str = "",
    done: str = "",
    status_code: int = 200,
) -> Response:
    settings = request.app.state.settings
    today = local_date(datetime.now(UTC))
    with engine_of(request).connect() as conn:
        found = register.list_activities(conn, year, kind or None, newest_first=True)
        counts = register.activity_counts(conn, year)
        plan = progress(conn, year, today)
    if editing is not None and form is None:
        current = next((a for a in found if a.id == editing), None)
        if current is None:
            with engine_of(request).connect() as conn:
                current = register.get_activity(conn, editing)
        form = _form_of(current)
    return render(
        request, "activities.html", status_code=status_code, activities=found, year=year,
        kind=kind, kinds=ACTIVITY_KINDS, counts=counts, plan=plan, form=form or _blank(year),
        editing=editing, problems=problems or [], problem_place=problem_place,
        done=done if done in DONE else "", may_write=allowed(user.role, "activities"),
        may_read=allowed(user.role, "read"),
        plan_name=lambda key: plan_name(lang_of(request), key), today=today,
        max_mb=max(1, settings.activity_max_attachment_bytes // (1024 * 1024)),
        imported=request.query_params.get("n", ""),
    )  # fmt: skip


@router.get("/activities", include_in_schema=False)
def activities_page(
    request: Request,
    year: str = "",
    kind: str = "",
    edit: int = 0,
    done: str = "",
    session=needs(*READERS),
) -> Response:
    """The activities of a year (of one kind when chosen), the plan's progress, and for
    writers and leads the forms to add, change, attach and import."""
    kind = kind if kind in ACTIVITY_KINDS else ""
    editing = edit if edit and allowed(session.user.role, "activities") else None
    return _page(request, session.user, _year(year), kind, editing=editing, done=done)


def _draft(
    request: Request, user: User, form: dict[str, str], year: int, editing: int | None
) -> register.ActivityDraft | Response:
    draft, found = register.read_draft(form)
    if draft is None:
        return _refused(request, user, form, year, editing, found)
    return draft


def _refused(
    request: Request,
    user: User,
    form: dict[str, str],
    year: int,
    editing: int | None,
    problems: list[Problem],
) -> Response:
    lang = lang_of(request)
    return _page(request, user, year, form=form, editing=editing, status_code=400,
                 problems=[problem_text(lang, p) for p in problems],
                 problem_place="form")  # fmt: skip


@dataclass
class ActivityForm:
    """The fields of the add and change forms, as typed."""

    day: str = Form("")
    kind: str = Form("")
    title: str = Form("")
    place: str = Form("")
    participants: str = Form("")
    partner: str = Form("")
    note: str = Form("")
    items: str = Form("")
    cases: str = Form("")


def _go(year: int, done: str, extra: str = "") -> RedirectResponse:
    return RedirectResponse(f"/activities?year={year}&done={done}{extra}", status_code=303)


@router.post("/activities", include_in_schema=False)
def activity_add(
    request: Request,
    fields: ActivityForm = Depends(),
    session=needs(*WRITERS),
) -> Response:
    """Record an activity (audited); on a mistake the page again with the values kept."""
    form = asdict(fields)
    year = _form_year(fields.day)
    draft = _draft(request, session.user, form, year, None)
    if isinstance(draft, Response):
        return draft
    try:
        with engine_of(request).begin() as conn:
            register.add_activity(conn, session.user, draft)
    except ActivityError as exc:
        return _refused(request, session.user, form, year, None, exc.problems)
    return _go(draft.day.year, "added")


def _form_year(day: str) -> int:
    try:
        return register.parse_day(day).year
    except ValueError:
        return local_date(datetime.now(UTC)).year


@router.post("/activities/{activity_id:int}", include_in_schema=False)
def activity_update(
    request: Request,
    activity_id: int,
    fields: ActivityForm = Depends(),
    session=needs(*WRITERS),
) -> Response:
    """Change an activity (audited with the values before and after)."""
    form = asdict(fields)
    with engine_of(request).connect() as conn:
        register.get_activity(conn, activity_id)  # 404 before anything else
    year = _form_year(fields.day)
    draft = _draft(request, session.user, form, year, activity_id)
    if isinstance(draft, Response):
        return draft
    try:
        with engine_of(request).begin() as conn:
            register.update_activity(conn, session.user, activity_id, draft)
    except ActivityError as exc:
        return _refused(request, session.user, form, year, activity_id, exc.problems)
    return _go(draft.day.year, "updated")


@router.post("/activities/{activity_id:int}/delete", include_in_schema=False)
def activity_delete(request: Request, activity_id: int, session=needs(*WRITERS)) -> Response:
    """Delete an activity (the page asks first; audited; attachment files are kept)."""
    with engine_of(request).begin() as conn:
        gone = register.delete_activity(conn, session.user, activity_id)
    return _go(gone.day.year, "deleted")


@router.post("/activities/{activity_id:int}/attachments", include_in_schema=False)
async def activity_attach(
    request: Request,
    activity_id: int,
    file: UploadFile = File(...),
    session=needs(*WRITERS),
) -> Response:
    """Attach a file: hashed (SHA-256), written once under the evidence directory."""
    settings = request.app.state.settings
    limit = settings.activity_max_attachment_bytes
    data = await file.read(limit + 1)
    name = file.filename or ""

    def attach() -> register.Attachment:
        with engine_of(request).begin() as conn:
            return register.add_attachment(conn, session.user, activity_id, name, data,
                                           root=settings.evidence_dir, limit=limit)  # fmt: skip

    try:
        await run_in_threadpool(attach)
    except ActivityError as exc:
        with engine_of(request).connect() as conn:
            year = register.get_activity(conn, activity_id).day.year
        lang = lang_of(request)
        return _page(request, session.user, year, status_code=400,
                     problems=[problem_text(lang, p) for p in exc.problems],
                     problem_place=f"attach-{activity_id}")  # fmt: skip
    with engine_of(request).connect() as conn:
        year = register.get_activity(conn, activity_id).day.year
    return _go(year, "attached", f"#activity-{activity_id}")


@router.get(
    "/activities/{activity_id:int}/attachments/{attachment_id:int}", include_in_schema=False
)
def activity_attachment(
    request: Request, activity_id: int, attachment_id: int, session=needs(*READERS)
) -> Response:
    """The attached file as stored, after checking its SHA-256."""
    with engine_of(request).connect() as conn:
        found = register.attachment_of(conn, activity_id, attachment_id)
    data = register.read_attachment(request.app.state.settings.evidence_dir, found)
    ascii_name = "".join(c if c.isascii() and c.isalnum() or c in "-_." else "_"
                         for c in found.name) or "tep"  # fmt: skip
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(found.name)}"
    return Response(data, media_type="application/octet-stream",
                    headers={"Content-Disposition": disposition,
                             "X-Content-SHA256": found.sha256})  # fmt: skip


@router.post("/activities/import", include_in_schema=False)
async def activities_import(
    request: Request, file: UploadFile = File(...), session=needs(*WRITERS)
) -> Response:
    """Import a CSV or YAML file: all of it, or nothing with every line's problem shown."""
    summary = await _uploaded(request, session.user, file, "tep", "import",
                              register.import_activities_data)  # fmt: skip
    if isinstance(summary, Response):
        return summary
    return _go(_year(""), "imported", f"&n={summary.added}")


@router.post("/activities/plan", include_in_schema=False)
async def plan_import(
    request: Request, file: UploadFile = File(...), session=needs(*WRITERS)
) -> Response:
    """Replace a year's plan with an uploaded YAML file (audited)."""
    targets = await _uploaded(request, session.user, file, "ke-hoach.yaml", "plan",
                              import_plan_data)  # fmt: skip
    if isinstance(targets, Response):
        return targets
    year = targets[0].year if targets else _year("")
    return _go(year, "plan", "#plan")


async def _uploaded(
    request: Request, user: User, file: UploadFile, default_name: str, place: str,
    importer: Callable[[Any, User, str, bytes], Any],
) -> Any:
    """Run ``importer`` on the uploaded file off the event loop: its result, or the page
    again with every problem when the file is refused."""
    data = await file.read(MAX_IMPORT + 1)
    name = file.filename or default_name
    try:
        return await run_in_threadpool(importer, engine_of(request), user, name, data)
    except ActivityError as exc:
        lang = lang_of(request)
        return _page(request, user, _year(""), status_code=400, problem_place=place,
                     problems=[problem_text(lang, p) for p in exc.problems])  # fmt: skip
