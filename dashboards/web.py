"""What every page module shares: templates, translation, the session dependency, highlighting."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from monitor.records import Phrase
from monitor.text.normalize import fold_key
from monitor.timefmt import show
from monitor.vocabulary import PERMISSIONS

from .auth import UNSAFE, Forbidden, NotLoggedIn, Session, same_token, submitted_token
from .i18n import LANGUAGES, translate

HERE = Path(__file__).resolve().parent
# Autoescape on for every template: crawled titles and texts only ever appear escaped.
templates = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
)
templates.env.globals["show"] = show
templates.env.filters["pct"] = lambda v: f"{100 * float(v or 0):.0f}%"

# Role groups of the one permission table (monitor/vocabulary.py).
READERS = PERMISSIONS["read"]  # may read items and the queue
JUDGES = PERMISSIONS["judge"]
AUDITORS = PERMISSIONS["audit"]
EVERYONE = PERMISSIONS["any"]
LANDING = {"analyst": "/queue", "lead": "/queue", "writer": "/overview", "admin": "/admin/users"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def lang_of(request: Request) -> str:
    """The interface language: ?lang=, then the lang cookie, then Vietnamese."""
    chosen = request.query_params.get("lang") or request.cookies.get("lang") or "vi"
    return chosen if chosen in LANGUAGES else "vi"


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A template with the session, its CSRF token and the translation function."""
    lang = lang_of(request)
    session: Session | None = getattr(request.state, "session", None)
    csrf = session.csrf if session else getattr(request.state, "login_csrf", "")
    context.update(
        request=request,
        session=session,
        csrf_token=csrf,
        lang=lang,
        t=lambda key: translate(lang, key),
        path=request.url.path,
    )
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("lang", lang, samesite="lax", httponly=True, max_age=3600 * 24 * 365)
    return response


def download(body: bytes | str, media_type: str, filename: str) -> Response:
    """A file the browser saves (Content-Disposition: attachment) under ``filename``."""
    disposition = f'attachment; filename="{filename}"'
    return Response(body, media_type=media_type, headers={"Content-Disposition": disposition})


def needs(*roles: str) -> Any:
    """A dependency: a logged-in user with one of ``roles``, and a CSRF token on writes."""

    async def check(request: Request) -> Session:
        session: Session | None = request.state.session
        if session is None:
            raise NotLoggedIn()
        if roles and session.user.role not in roles:
            raise Forbidden("role")
        if request.method in UNSAFE and not same_token(
            await submitted_token(request), session.csrf
        ):
            raise Forbidden("csrf")
        return session

    return Depends(check)


def engine_of(request: Request) -> Any:
    return request.app.state.engine


def highlight(text: str, evidence: dict[str, tuple[Phrase, ...]]) -> list[tuple[str, str]]:
    """``text`` cut into (segment, label) pieces; label "" outside evidence phrases.

    Spans come from the stored offsets when they point at the phrase; phrases stored without
    offsets are found by an accent-insensitive search; the template escapes every segment.
    """
    spans: list[tuple[int, int, str]] = []
    folded = fold_key_same_length(text)
    for label, phrases in (evidence or {}).items():
        for ev in phrases:
            phrase, start, end = ev.phrase, ev.start, ev.end
            stored = _stored_span(text, start, end, phrase)
            if stored is not None:
                spans.append((stored[0], stored[1], label))
            if isinstance(start, int):
                continue  # offsets given (maybe in the title): do not guess elsewhere
            needle = fold_key(phrase)
            at = folded.find(needle) if needle and folded is not None else -1
            while at >= 0:
                spans.append((at, at + len(needle), label))
                at = folded.find(needle, at + len(needle)) if folded else -1
    return _cut(text, spans)


def _stored_span(text: str, start: Any, end: Any, phrase: str) -> tuple[int, int] | None:
    """The stored offsets when ``text[start:end]`` holds ``phrase`` (accents aside)."""
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
        return None
    return (start, end) if fold_key(text[start:end]) == fold_key(phrase) else None


def fold_key_same_length(text: str) -> str | None:
    """Accent-free lower case with one character per character of ``text`` (None if impossible)."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFD", ch.casefold().replace("đ", "d"))[:1] or ch
        out.append(base if len(base) == 1 else ch)
    folded = "".join(out)
    return folded if len(folded) == len(text) else None


def _cut(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, str]]:
    pieces: list[tuple[str, str]] = []
    pos = 0
    for start, end, label in sorted(spans):
        if start < pos:
            continue  # overlapping evidence: the first span wins
        if start > pos:
            pieces.append((text[pos:start], ""))
        pieces.append((text[start:end], label))
        pos = end
    if pos < len(text):
        pieces.append((text[pos:], ""))
    return pieces
