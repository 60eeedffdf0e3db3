"""Error pages: the user reads the interface's language only (Vietnamese first); the technical
detail goes to the log. Routes under /api/ keep their JSON errors.

The service layer's messages are English sentences for the CLI and the API; a page shows the
translation of the ones a user can cause (MESSAGES) and the status's plain sentence otherwise.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException

from monitor.review import InvalidInput, NotFound
from monitor.vocabulary import PermissionDenied

from .auth import Forbidden, is_api
from .i18n import translate
from .web import LANDING, lang_of, render

log = logging.getLogger(__name__)

TITLES = {400: "error.invalid", 403: "error.forbidden", 404: "error.not_found",
          405: "error.method", 422: "error.invalid", 500: "error.server"}  # fmt: skip
CODES = {"role": "error.role", "csrf": "error.csrf"}  # short codes raised by dashboards.auth
# English messages of the service layer and of the page modules -> their catalogue key; the
# groups fill {0}, {1}... (the template escapes them).
MESSAGES = [(re.compile(pattern), key) for pattern, key in (
    (r"^four eyes", "error.four_eyes"),
    (r"^the password must have at least (\d+) characters", "error.password_short"),
    (r"^the two new passwords differ", "error.passwords_differ"),
    (r"^the current password is wrong", "error.password_wrong"),
    (r"^a user named '(.+)' already exists", "error.user_exists"),
    (r"^a user name must have", "error.user_name"),
    (r"^a reason is required", "error.reason_required"),
    (r"^the reason is longer than (\d+)", "error.reason_long"),
    (r"^only confirmed items can be signed off", "error.not_confirmed"),
    (r"cannot review items$", "error.not_a_reviewer"),
    (r"^the draft cites '(.+)', which is not in the fact base", "error.unknown_fact"),
    (r"^a draft must have between 1 and (\d+) characters", "error.draft_length"),
    (r"a draft needs a distorted verdict", "error.draft_not_eligible"),
    (r"already has a \w+ case$", "error.case_exists"),
    (r"^case \d+ is closed$", "error.case_closed"),
    (r"a rebuttal needs a lead's sign-off$", "error.needs_signoff"),
    (r"^name the spokesperson", "error.spokesperson"),
    (r"^draft version (\d+) cites (\d+) fact\(s\) that nobody", "error.draft_unchecked"),
    (r"^draft version (\d+) was already checked by (.+)$", "error.draft_checked"),
    (r"^draft version (\d+) cites no fact", "error.draft_no_citation"),
    (r"^a rebuttal is sent only after", "error.send_after_approval"),
    (r"^the answer is empty|^record the answer", "error.answer_empty"),
    (r"link must start with http", "error.link"),
    (r"^say why the case is closed", "error.close_reason"),
    (r"is not a date and time$", "error.datetime"),
    (r"must be a date \(YYYY-MM-DD\)", "error.date"),
    (r"^the YAML file is larger than", "error.yaml_size"),
    (r"^the YAML file is not UTF-8", "error.yaml_utf8"),
    (r"^the year must be between (\d+) and (\d+)", "error.year"),
    (r"is not an ISO week such as", "error.week"),
    (r"^format must be", "error.format"),
    (r"^period: ", "error.period"),  # raised by dashboards.overview
)]  # fmt: skip


def install(app: FastAPI) -> None:
    """The handlers for the service's errors, HTTP errors, malformed input and crashes."""
    app.add_exception_handler(Forbidden, _status(403))
    app.add_exception_handler(PermissionDenied, _status(403))
    app.add_exception_handler(NotFound, _status(404))
    app.add_exception_handler(InvalidInput, _status(400))
    app.add_exception_handler(HTTPException, http_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, malformed)  # type: ignore[arg-type]
    app.add_exception_handler(Exception, crashed)


def _status(status: int) -> Any:
    async def handler(request: Request, exc: Exception) -> Response:
        return error_response(request, status, str(exc))

    return handler


async def http_error(request: Request, exc: HTTPException) -> Response:
    """404 for an unknown address, 405 for a wrong method: a page, or the API's JSON."""
    if is_api(request):
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))  # fmt: skip
    return error_response(request, exc.status_code, "")


async def malformed(request: Request, exc: RequestValidationError) -> Response:
    """/items/abc is a page that does not exist (404); a bad form or query value is a 422."""
    if is_api(request):
        return JSONResponse({"detail": jsonable_encoder(exc.errors())}, status_code=422)
    in_path = any(err.get("loc", ("",))[0] == "path" for err in exc.errors())
    log.info("page_input_invalid path=%s errors=%s", request.url.path, exc.errors())
    return error_response(request, 404 if in_path else 422, "")


async def crashed(request: Request, exc: Exception) -> Response:
    """A bug: the log has the traceback, the user a sentence in their language."""
    log.exception("page_crashed path=%s", request.url.path, exc_info=exc)
    if is_api(request):
        return JSONResponse({"detail": "internal error"}, status_code=500)
    try:
        return error_response(request, 500, "")
    except Exception:  # the page itself cannot be drawn (e.g. the store is gone)
        log.exception("error_page_failed path=%s", request.url.path)
        text = translate(lang_of(request), "error.server")
        return HTMLResponse(f"<!doctype html><meta charset=utf-8><p>{text}</p>", status_code=500)


def error_response(request: Request, status: int, detail: str) -> Response:
    """The error page (or the API's JSON) for ``status``; ``detail`` is shown only when it is
    a known message, translated; otherwise it is logged."""
    if is_api(request):
        return JSONResponse({"detail": detail or TITLES.get(status, "error")}, status_code=status)
    lang = lang_of(request)
    shown = explain(lang, detail)
    if detail and not shown:
        log.info("page_error status=%s path=%s detail=%s", status, request.url.path, detail)
    session = getattr(request.state, "session", None)
    home = LANDING.get(session.user.role, "/overview") if session else "/login"
    title = TITLES.get(status, "error.invalid" if status < 500 else "error.server")
    return render(request, "error.html", status_code=status, message=title, detail=shown,
                  home=home)  # fmt: skip


def explain(lang: str, detail: str) -> str:
    """The translated sentence for a known message; "" for anything else."""
    if detail in CODES:
        return translate(lang, CODES[detail])
    for pattern, key in MESSAGES:
        found = pattern.search(detail)
        if found:
            return translate(lang, key).format(*found.groups())
    return ""
