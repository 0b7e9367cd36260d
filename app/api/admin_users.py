"""The admin's Users page: everyone who may sign in, their connections and sync state, adding and removing people,
and resetting a person's sync."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from app.api.deps import DbSession
from app.api.oauth_flow import vendor_oauth
from app.api.web_auth import AdminUser, CsrfChecked
from app.errors import Conflict, CrmbridgeError, InvalidInput
from app.models import MailProvider, User
from app.services import account_connections, sync_overview, sync_reset, users, web_sessions
from app.services.connections import PROVIDER_LABELS

router = APIRouter(include_in_schema=False)

#: A user id in a path: a positive whole number the database can hold (anything else is refused with 422).
UserId = Annotated[int, Path(ge=1, le=2_147_483_647, description="The user's id.")]

NOTICES = {
    "added": "The user was added; they can sign in now.",
    "removed": "The user was removed.",
    "reset": "Sync was reset for {email}. Their next pass re-matches both sides; nothing is duplicated or deleted.",
}


def _templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def _notice(notice: str | None, user_id: int | None, people: list[User]) -> str | None:
    """The fixed text of a notice; the only thing filled in is the address of a user on the page."""
    text = NOTICES.get(notice or "")
    if text is None or "{email}" not in text:
        return text
    named = next((person for person in people if person.id == user_id), None)
    return text.format(email=named.email) if named is not None else None


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(
    request: Request, admin: AdminUser, db: DbSession, notice: str | None = None, user_id: int | None = None
) -> Response:
    """Every user, with their role, mailbox, connection states and sync state."""
    people = users.list_users(db)
    return _templates(request).TemplateResponse(
        request,
        "admin_users.html",
        {
            "users": people,
            "connections": account_connections.connections_by_user(db),
            "sync": sync_overview.sync_overview(db),
            "not_scheduled": sync_overview.NOT_SCHEDULED,
            "labels": PROVIDER_LABELS,
            "notice": _notice(notice, user_id, people),
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
def remove_user(request: Request, user_id: UserId, admin: AdminUser, _csrf: CsrfChecked, db: DbSession) -> Response:
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


#: How an admin confirms a reset on its page.
CONFIRM_ON_PAGE = "tick “The user has checked these points” and choose Reset sync again"


def _reset_page(request: Request, db: DbSession, user: User, *, problem: CrmbridgeError | None = None) -> Response:
    context: dict[str, Any] = {
        "user": user,
        "preview": sync_reset.reset_preview(db, user),
        "outlook": user.mail_provider is MailProvider.MICROSOFT,
        "problem": problem.message if problem else None,
    }
    return _templates(request).TemplateResponse(
        request,
        "admin_reset_sync.html",
        context,
        status_code=problem.status_code if problem else 200,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/admin/users/{user_id}/reset-sync", response_class=HTMLResponse)
def reset_sync_page(request: Request, user_id: UserId, admin: AdminUser, db: DbSession) -> Response:
    """What resetting a user's sync does, what the user should check first, and the confirmation."""
    return _reset_page(request, db, users.get_user(db, user_id))


@router.post("/admin/users/{user_id}/reset-sync")
def reset_sync(
    *,
    request: Request,
    user_id: UserId,
    admin: AdminUser,
    _csrf: CsrfChecked,
    db: DbSession,
    confirm: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Forget the user's sync links and cursors (after the admin confirmed), then back to Users with a notice."""
    user = users.get_user(db, user_id)
    try:
        sync_reset.require_confirmation(confirm == "yes", how=CONFIRM_ON_PAGE)
        sync_reset.reset_sync(db, user, actor=admin, now=datetime.now(UTC))
    except (InvalidInput, Conflict) as refusal:  # the page again, saying why; nothing of the attempt is kept
        db.rollback()
        return _reset_page(request, db, user, problem=refusal)
    db.commit()  # the request's boundary: committed before the browser is sent on to read the result
    return RedirectResponse(f"/admin/users?notice=reset&user_id={user_id}", status_code=303)
