"""Users administration (admin only): list, add, change role, deactivate, reset a password;
and every user's own password change."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from monitor.review import InvalidInput
from monitor.review.status import ROLES
from monitor.review.users import add_user, check_password, list_users, set_password, set_user

from .web import EVERYONE, engine_of, needs, render

router = APIRouter()


@router.get("/admin/users", include_in_schema=False)
def users_page(request: Request, session=needs("admin")) -> Response:
    """Every user and the form to add one."""
    with engine_of(request).connect() as conn:
        people = list_users(conn)
    return render(request, "users.html", people=people, roles=ROLES)


@router.post("/admin/users", include_in_schema=False)
def users_add(
    request: Request,
    name: str = Form(...),
    role: str = Form(...),
    password: str = Form(...),
    session=needs("admin"),
) -> Response:
    """Create a user (audited)."""
    with engine_of(request).begin() as conn:
        add_user(conn, name, role, password, actor=session.user.name)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}", include_in_schema=False)
def users_change(
    request: Request,
    name: str,
    role: str = Form(""),
    active: str = Form(""),
    session=needs("admin"),
) -> Response:
    """Change a user's role or deactivate/reactivate them (audited)."""
    with engine_of(request).begin() as conn:
        set_user(conn, name, session.user.name, role or None, None if not active else active == "1")
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{name}/password", include_in_schema=False)
def users_reset_password(
    request: Request, name: str, password: str = Form(...), session=needs("admin")
) -> Response:
    """An admin sets a new password; every session of that user ends (audited)."""
    with engine_of(request).begin() as conn:
        set_password(conn, name, password, actor=session.user.name)
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/account/password", include_in_schema=False)
def password_page(request: Request, session=needs(*EVERYONE)) -> Response:
    """The form to change one's own password."""
    return render(request, "password.html", done=request.query_params.get("done") == "1")


@router.post("/account/password", include_in_schema=False)
def password_change(
    request: Request,
    current: str = Form(...),
    new: str = Form(...),
    again: str = Form(...),
    session=needs(*EVERYONE),
) -> Response:
    """Change one's own password: the current one is checked; other sessions end."""
    if new != again:
        raise InvalidInput("the two new passwords differ")
    with engine_of(request).begin() as conn:
        if not check_password(conn, session.user.name, current):
            raise InvalidInput("the current password is wrong")
        set_password(conn, session.user.name, new, actor=session.user.name,
                     keep_session=session.token)  # fmt: skip
    return RedirectResponse("/account/password?done=1", status_code=303)
