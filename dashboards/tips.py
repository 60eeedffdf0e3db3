"""Tips in the dashboard: the form (analyst, lead, admin), ``POST /api/tips`` (the session
with its CSRF token, or a partner's bearer token), a tip's image, and the admin's API tokens."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from monitor.evidence.capture import evidence_root
from monitor.review import NotFound
from monitor.store.tables import tips as tips_table
from monitor.tips import (
    TipError,
    create_token,
    image_file,
    list_tokens,
    revoke_token,
    submit_tip,
    token_user,
)
from monitor.vocabulary import PERMISSIONS, PLATFORMS, PermissionDenied, User

from .auth import same_token, submitted_token
from .web import READERS, engine_of, needs, render

router = APIRouter()
TIPSTERS = PERMISSIONS["tip"]
FIELDS = ("url", "text", "seen_on", "seen_at", "note")
JSON_OVERHEAD = 64 * 1024  # the JSON body beyond the text and the (base64) image


# -- the form ----------------------------------------------------------------------------------
@router.get("/tips", include_in_schema=False)
def tip_form(request: Request, session=needs(*TIPSTERS)) -> Response:
    """The form: a link or pasted text, where and when it was seen, an image, a note."""
    return render(request, "tip.html", platforms=PLATFORMS, form={}, error="")


@router.post("/tips", include_in_schema=False)
async def tip_post(
    request: Request,
    url: str = Form(""),
    text: str = Form(""),
    seen_on: str = Form(""),
    seen_at: str = Form(""),
    note: str = Form(""),
    image: UploadFile | None = File(None),
    session=needs(*TIPSTERS),
) -> Response:
    """Submit from the form; then the item's page (a duplicate: the stored item's page)."""
    form = {"url": url, "text": text, "seen_on": seen_on, "seen_at": seen_at, "note": note}
    settings = request.app.state.settings
    try:
        data = await _upload(image, settings.tip_max_image_bytes)
        result = await run_in_threadpool(
            _submit, request, session.user, form, data, "web"
        )  # fmt: skip
    except TipError as exc:
        return render(request, "tip.html", status_code=400, platforms=PLATFORMS, form=form,
                      error=exc.code)  # fmt: skip
    target = f"/items/{result.id}" + ("?tip=duplicate" if result.duplicate_of else "")
    return RedirectResponse(target, status_code=303)


async def _upload(image: UploadFile | None, limit: int) -> bytes | None:
    """The uploaded file's bytes (None when no file was chosen), read up to the limit."""
    if image is None or not image.filename:
        return None
    data = await image.read(limit + 1)
    if not data:
        return None
    if len(data) > limit:
        raise TipError("image_size", f"the image is larger than {limit} bytes")
    return data


def _submit(
    request: Request, user: User, form: dict[str, Any], image: bytes | None, via: str
) -> Any:
    return submit_tip(
        engine_of(request), request.app.state.settings, user,
        url=form.get("url") or None, text=form.get("text") or None,
        seen_on=form.get("seen_on") or None, seen_at=form.get("seen_at") or None,
        note=form.get("note") or "", image=image, via=via,
    )  # fmt: skip


# -- the API -----------------------------------------------------------------------------------
def _error(status: int, detail: str, code: str = "", **headers: str) -> JSONResponse:
    body = {"detail": detail, **({"code": code} if code else {})}
    return JSONResponse(body, status_code=status, headers=headers or None)


async def _api_user(request: Request) -> tuple[User | None, JSONResponse | None]:
    """The bearer token's user, or the session's (with its CSRF token), or the error."""
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, secret = header.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return None, _error(401, "use Authorization: Bearer <token>", "token",
                                **{"WWW-Authenticate": "Bearer"})  # fmt: skip
        user = await run_in_threadpool(token_user, engine_of(request), secret.strip())
        if user is None:
            return None, _error(401, "the token is unknown or revoked", "token",
                                **{"WWW-Authenticate": 'Bearer error="invalid_token"'})  # fmt: skip
        return user, None
    session = request.state.session
    if session is None:
        return None, _error(401, "login required (or send a bearer token)", "login",
                            **{"WWW-Authenticate": "Bearer"})  # fmt: skip
    if session.user.role not in TIPSTERS:
        return None, _error(403, "this role may not submit tips", "role")
    if not same_token(await submitted_token(request), session.csrf):
        return None, _error(403, "the CSRF token is missing or wrong (X-CSRF-Token)", "csrf")
    return session.user, None


async def _api_input(request: Request, settings: Any) -> tuple[dict[str, Any], bytes | None]:
    """The fields and the image from a JSON object or a multipart (or urlencoded) form."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    image_limit = settings.tip_max_image_bytes
    if kind == "application/json":
        limit = JSON_OVERHEAD + 4 * settings.tip_max_chars + (image_limit * 4) // 3 + 4
        body = await _read_capped(request, limit)
        try:
            data = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError):
            raise TipError("json", "the body is not valid JSON") from None
        if not isinstance(data, dict):
            raise TipError("json", "the body must be a JSON object")
        form = {k: data.get(k) for k in FIELDS}
        for key, value in form.items():
            if value is not None and not isinstance(value, str):
                raise TipError("json", f"{key} must be a string")
        image = None
        if data.get("image_base64"):
            if not isinstance(data["image_base64"], str):
                raise TipError("json", "image_base64 must be a string")
            try:
                image = base64.b64decode(data["image_base64"], validate=True)
            except (binascii.Error, ValueError):
                raise TipError("image_type", "image_base64 is not base64") from None
        return form, image
    if kind in ("multipart/form-data", "application/x-www-form-urlencoded"):
        async with request.form(max_files=1, max_fields=20) as raw:
            form = {k: raw.get(k) for k in FIELDS}
            for key, value in form.items():
                if value is not None and not isinstance(value, str):
                    raise TipError("json", f"{key} must be a text field")
            upload = raw.get("image")
            image = None
            if upload is not None and not isinstance(upload, str):
                image = await _upload(upload, image_limit)  # type: ignore[arg-type]
        return form, image
    raise TipError("json", "send application/json or multipart/form-data")


async def _read_capped(request: Request, limit: int) -> bytes:
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit:
        raise TipError("too_large", f"the request is larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise TipError("too_large", f"the request is larger than {limit} bytes")
    return bytes(body)


@router.post("/api/tips", tags=["tips"], status_code=201)
async def api_tip(request: Request) -> JSONResponse:
    """Submit a tip: JSON ``{"url"}`` or ``{"text", "seen_on", "seen_at"}`` with optional
    ``note`` and ``image_base64``, or the same fields as a multipart form (``image`` a file).
    Authenticated by ``Authorization: Bearer <token>`` (an admin's API token) or by the
    dashboard session with its CSRF token (``X-CSRF-Token``). 201 ``{"id": N}`` for a new
    item; 200 ``{"id": N, "duplicate_of": N}`` when it repeats a stored item; 400 names the
    problem (``detail``, ``code``); 401 without a valid token or session; 403 for a role that
    may not submit tips or a missing CSRF token."""
    user, refused = await _api_user(request)
    if refused is not None:
        return refused
    assert user is not None
    via = "api" if user.name.startswith("token:") else "web"
    try:
        form, image = await _api_input(request, request.app.state.settings)
        result = await run_in_threadpool(_submit, request, user, form, image, via)
    except TipError as exc:
        status = 413 if exc.code == "too_large" and "request" in str(exc) else 400
        return _error(status, str(exc), exc.code)
    except PermissionDenied as exc:
        return _error(403, str(exc), "role")
    body = {**result.as_dict(), "item": f"/items/{result.id}"}
    return JSONResponse(body, status_code=200 if result.duplicate_of else 201)


# -- the image -----------------------------------------------------------------------------------
@router.get("/items/{item_id}/tip-image", include_in_schema=False)
def tip_image(request: Request, item_id: int, session=needs(*READERS)) -> Response:
    """The tip's image, with the type read from its bytes when it was stored; never run."""
    with engine_of(request).connect() as conn:
        row = conn.execute(
            tips_table.select().where(tips_table.c.item_id == item_id)
        ).first()  # fmt: skip
    path = image_file(evidence_root(request.app.state.settings), row.image_path) if row and (
        row.image_path) else None  # fmt: skip
    if row is None or path is None:
        raise NotFound(f"no image for item {item_id}")
    return FileResponse(
        path, media_type=row.image_type,
        headers={"Cache-Control": "private, max-age=3600",
                 "Content-Disposition": f'inline; filename="tin-bao-{item_id}"'},
    )  # fmt: skip


# -- API tokens (admin) ------------------------------------------------------------------------
@router.get("/admin/tokens", include_in_schema=False)
def tokens_page(request: Request, session=needs(*PERMISSIONS["tokens"])) -> Response:
    """Every token (never the secret) and the form to create one."""
    return _tokens(request)


def _tokens(request: Request, created: str = "", name: str = "", error: str = "",
            status: int = 200) -> Response:  # fmt: skip
    with engine_of(request).connect() as conn:
        found = list_tokens(conn)
    return render(request, "tokens.html", status_code=status, tokens=found, created=created,
                  created_name=name, error=error)  # fmt: skip


@router.post("/admin/tokens", include_in_schema=False)
def tokens_create(
    request: Request, name: str = Form(""), session=needs(*PERMISSIONS["tokens"])
) -> Response:
    """Create a token; the page shows it this once (it is not in any address or log)."""
    try:
        secret = create_token(engine_of(request), name, session.user)
    except TipError as exc:
        return _tokens(request, error=exc.code, status=400)
    response = _tokens(request, created=secret, name=name.strip())
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post("/admin/tokens/{name}/revoke", include_in_schema=False)
def tokens_revoke(request: Request, name: str, session=needs(*PERMISSIONS["tokens"])) -> Response:
    """Revoke a token (audited)."""
    try:
        revoke_token(engine_of(request), name, session.user)
    except TipError as exc:
        return _tokens(request, error=exc.code, status=400)
    return RedirectResponse("/admin/tokens", status_code=303)
