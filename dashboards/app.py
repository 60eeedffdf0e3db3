"""The dashboard application: ``create_app(settings)`` returns the FastAPI app."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from monitor.config import Settings
from monitor.review.sessions import open_session, revoke, session_user
from monitor.review.users import LoginFailed, LoginThrottled, authenticate
from monitor.store.db import open_store

from . import (
    activities,
    admin,
    api,
    audit,
    criticism,
    errors,
    health,
    item,
    overview,
    queue,
    reports,
    respond,
    sources,
    tips,
    watch,
)
from .auth import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    SESSION_MAX_AGE,
    NotLoggedIn,
    Signer,
    client_address,
    is_api,
    same_token,
    secret_key,
    submitted_token,
)
from .errors import error_response
from .i18n import translate
from .web import EVERYONE, HERE, LANDING, lang_of, needs, render

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def create_app(settings: Settings, engine: Any = None) -> FastAPI:
    """The dashboard over the store named by ``settings`` (or the given engine)."""
    app = FastAPI(
        title="Lạng Sơn media monitor — review API",
        docs_url=None,  # Swagger UI and ReDoc load from a CDN
        redoc_url=None,
        openapi_url=None,  # served below, to logged-in users only
    )
    app.state.engine = engine if engine is not None else open_store(settings.database_url)
    app.state.settings = settings
    app.state.signer = Signer(secret_key(settings.secret_key, key_file(settings)))
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _install(app)
    for module in (queue, item, audit, sources, overview, admin, respond, criticism, reports, api):
        app.include_router(module.router)
    app.include_router(tips.router)  # the tip form, POST /api/tips, the admin's API tokens
    app.include_router(watch.router)  # watch rules and alert deliveries
    app.include_router(activities.router)  # the activity register and the year's plan
    app.include_router(health.router)  # /healthz and /metrics: no login (monitoring)

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(session: Any = needs(*EVERYONE)) -> JSONResponse:
        """The API description, for any logged-in user (it maps every endpoint)."""
        return JSONResponse(app.openapi())

    return app


def _install(app: FastAPI) -> None:
    @app.middleware("http")
    async def session_and_headers(request: Request, call_next: Any) -> Response:
        request.state.session = _load_session(request)
        response: Response = await call_next(request)
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, _exc: NotLoggedIn) -> Response:
        if is_api(request):
            return JSONResponse({"detail": "login required"}, status_code=401)
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)

    errors.install(app)

    app.add_api_route("/", lambda: RedirectResponse("/queue", 303), include_in_schema=False)
    app.add_api_route("/login", login_form, methods=["GET"], include_in_schema=False)
    app.add_api_route("/login", login, methods=["POST"], include_in_schema=False)
    app.add_api_route("/logout", logout, methods=["POST"], include_in_schema=False)


def _load_session(request: Request) -> Any:
    signer: Signer = request.app.state.signer
    session = signer.read_session(request.cookies.get(SESSION_COOKIE))
    if session is None:
        return None
    # The session's row, the user's role and active flag are read from the store on every
    # request: a logout, a password change, a role change or a deactivation applies at once.
    with request.app.state.engine.connect() as conn:
        user = session_user(conn, session.token)
    if user is None or user.id != session.user.id:
        return None
    return type(session)(user, session.csrf, session.token)


def key_file(settings: Any) -> str:
    """Where a generated session key lives: the setting, else beside the SQLite database."""
    if settings.secret_key_file:
        return str(settings.secret_key_file)
    url = str(settings.database_url)
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return url.removeprefix("sqlite:///").split("?")[0] + ".secret-key"
    return "monitor-secret.key"


def secure_cookie(request: Request) -> bool:
    """MONITOR_COOKIE_SECURE: true, false, or auto (the request came over https)."""
    choice = request.app.state.settings.cookie_secure
    return choice == "true" or (choice == "auto" and request.url.scheme == "https")


def login_form(request: Request, next: str = "", error: str = "") -> Response:
    """The login form, with a CSRF token bound to a short-lived cookie."""
    token = secrets.token_urlsafe(24)
    request.state.login_csrf = token
    response = render(request, "login.html", next=_safe_next(next), error=error)
    response.set_cookie(
        LOGIN_COOKIE,
        request.app.state.signer.login_cookie(token),
        httponly=True,
        samesite="lax",
        max_age=3600,
        secure=secure_cookie(request),
    )
    return response


def _safe_next(target: str) -> str:
    return target if target.startswith("/") and not target.startswith("//") else ""


def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    csrf_token: str = Form(""),
    next: str = Form(""),
) -> Response:
    """Check the CSRF token and the password; on success set the session cookie."""
    expected = request.app.state.signer.read_login(request.cookies.get(LOGIN_COOKIE))
    if not same_token(csrf_token, expected):
        return error_response(request, 403, "csrf")
    client = client_address(request, request.app.state.settings.trusted_proxies)
    try:
        user = authenticate(request.app.state.engine, username.strip(), password, client)
    except LoginThrottled:
        return _retry(request, next, "login.throttled", 429)
    except LoginFailed:
        return _retry(request, next, "login.failed", 401)
    # Each role lands on its own page unless the login came from a page the user asked for.
    target = _safe_next(next) if next else LANDING.get(user.role, "/overview")
    response = RedirectResponse(target, status_code=303)
    with request.app.state.engine.begin() as conn:
        token = open_session(conn, user, timedelta(seconds=SESSION_MAX_AGE))
    response.set_cookie(
        SESSION_COOKIE,
        request.app.state.signer.session_cookie(user, token),
        httponly=True,
        samesite="lax",
        max_age=SESSION_MAX_AGE,
        secure=secure_cookie(request),
    )
    response.delete_cookie(LOGIN_COOKIE)
    return response


def _retry(request: Request, next: str, key: str, status: int) -> Response:
    response = login_form(request, next, translate(lang_of(request), key))
    response.status_code = status
    return response


async def logout(request: Request) -> Response:
    """End the session (CSRF-checked like every write)."""
    session = request.state.session
    if session is None or not same_token(await submitted_token(request), session.csrf):
        return error_response(request, 403, "csrf")
    with request.app.state.engine.begin() as conn:
        revoke(conn, session.token)  # the cookie alone no longer opens anything
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


def service_app(settings: Settings, engine: Any) -> FastAPI:
    """The dashboard as `monitor run` serves it: its /healthz expects the scheduler."""
    app = create_app(settings, engine=engine)
    app.state.expect_scheduler = True
    return app
