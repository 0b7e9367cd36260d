"""The admin's Users page: everyone who may sign in, their connections, adding and removing people."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from app.api.deps import DbSession
from app.api.oauth_flow import vendor_oauth
from app.api.web_auth import AdminUser, CsrfChecked
from app.errors import Conflict, InvalidInput
from app.models import MailProvider
from app.services import account_connections, users, web_sessions
from app.services.connections import PROVIDER_LABELS

router = APIRouter(include_in_schema=False)

NOTICES = {"added": "The user was added; they can sign in now.", "removed": "The user was removed."}


def _templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, admin: AdminUser, db: DbSession, notice: str | None = None) -> Response:
    """Every user, with their role, mailbox and connection states."""
    return _templates(request).TemplateResponse(
        request,
        "admin_users.html",
        {
            "users": users.list_users(db),
            "connections": account_connections.connections_by_user(db),
            "labels": PROVIDER_LABELS,
            "notice": NOTICES.get(notice or ""),
            "me": admin,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.post("/admin/users")
def add_user(
    *,
    admin: AdminUser,
    _csrf: CsrfChecked,
    db: DbSession,
    email: Annotated[str, Form(max_length=320)],
    mailbox: Annotated[MailProvider, Form()],
    name: Annotated[str, Form(max_length=255)] = "",
    role: Annotated[str, Form()] = "rep",
) -> Response:
    """Add a person who may then sign in."""
    if role not in ("rep", "admin"):
        raise InvalidInput("The role must be rep or admin.")
    users.add_user(db, email, mail_provider=mailbox, name=name or None, admin=role == "admin")
    return RedirectResponse("/admin/users?notice=added", status_code=303)


@router.post("/admin/users/{user_id}/remove")
def remove_user(request: Request, user_id: int, admin: AdminUser, _csrf: CsrfChecked, db: DbSession) -> Response:
    """Remove a person: revoke their connections at the vendors, end their sessions, delete what crmbridge holds."""
    user = users.get_user(db, user_id)
    if user.id == admin.id:
        raise Conflict("You cannot remove yourself; ask another admin, or use `crmbridge users remove`.")
    users.ensure_removable(db, user)
    account_connections.disconnect_all(
        db, user_id, cipher=request.app.state.token_cipher, revoker=vendor_oauth(request)
    )
    web_sessions.end_all_sessions(db, user_id)
    users.remove_user(db, user)
    return RedirectResponse("/admin/users?notice=removed", status_code=303)
