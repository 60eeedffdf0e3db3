"""Users administration (admin only): list, add, change role, deactivate."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from monitor.review.status import ROLES
from monitor.review.users import add_user, list_users, set_user

from .web import engine_of, needs, render

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
