"""The Connections page: each account's state, and connecting, checking and disconnecting it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from app.api.deps import DbSession
from app.api.oauth_flow import begin_flow, vendor_oauth
from app.api.web_auth import CsrfChecked, CurrentUser
from app.api.web_security import AuthRateLimit
from app.connectors.errors import VendorError
from app.connectors.oauth_clients import OAuthFlowError
from app.connectors.probes import probe
from app.errors import BadRequest, NotFound
from app.models import Provider, User, utcnow
from app.services import account_connections
from app.services.connections import PROVIDER_LABELS, VendorAccess

router = APIRouter(include_in_schema=False)

#: What the page says after an action (fixed texts: nothing from the address is echoed into the page).
NOTICES = {
    "connected": "{label} is connected.",
    "disconnected": "{label} is disconnected, and crmbridge's access was revoked at {label}.",
    "disconnected_local": "{label} is disconnected and crmbridge erased its tokens. {label} has no way for apps to "
    "revoke access: to remove crmbridge there too, open https://myapps.microsoft.com and choose Revoke.",
    "cancelled": "Connecting {label} was cancelled; nothing changed.",
    "failed": "{label} did not complete the connection. Try again.",
    "works": "{label} answered: the connection works.",
    "needs_reauth": "{label} no longer accepts crmbridge's access. Connect {label} again.",
    "unavailable": "{label} could not be reached just now; the connection was not changed. Try again later.",
}


def _templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


def _offered(user: User, provider: str) -> Provider:
    try:
        chosen = Provider(provider)
    except ValueError:
        raise NotFound("There is no such connection.") from None
    if chosen not in account_connections.offered_providers(user):
        raise NotFound(f"{PROVIDER_LABELS[chosen]} is not a connection of your account.")
    return chosen


@router.get("/connections", response_class=HTMLResponse)
def connections_page(
    request: Request, user: CurrentUser, db: DbSession, notice: str | None = None, provider: str | None = None
) -> Response:
    """Each connection's state, and what to do about it."""
    message = None
    if notice in NOTICES and provider in {p.value for p in Provider}:
        message = NOTICES[notice].format(label=PROVIDER_LABELS[Provider(str(provider))])
    return _templates(request).TemplateResponse(
        request,
        "connections.html",
        {
            "views": account_connections.connection_overview(db, user),
            "notice": message,
            "notice_is_problem": notice in ("needs_reauth", "unavailable", "failed"),
            "sandbox_mode": request.app.state.settings.sandbox_mode,
        },
        headers={"Cache-Control": "no-store"},
    )


@router.post("/connections/{provider}/connect")
def connect(request: Request, provider: str, user: CurrentUser, _csrf: CsrfChecked, _limit: AuthRateLimit) -> Response:
    """Send the browser to the vendor to grant crmbridge access."""
    chosen = _offered(user, provider)
    try:
        return begin_flow(
            request,
            purpose="connect",
            provider=chosen,
            next_path="/connections",
            user_id=user.id,
            # A Salesforce username is often not the mail address, so only mailboxes get the hint.
            login_hint=None if chosen is Provider.SALESFORCE else user.email,
        )
    except OAuthFlowError as exc:
        raise BadRequest(exc.message) from None


@router.post("/connections/{provider}/disconnect")
def disconnect(request: Request, provider: str, user: CurrentUser, _csrf: CsrfChecked, db: DbSession) -> Response:
    """Erase the connection's tokens and revoke them at the vendor."""
    chosen = _offered(user, provider)
    assert user.id is not None
    revoked = account_connections.disconnect_account(
        db, user.id, chosen, cipher=request.app.state.token_cipher, revoker=vendor_oauth(request)
    )
    notice = "disconnected" if revoked or revoked is None else "disconnected_local"
    return RedirectResponse(f"/connections?notice={notice}&provider={chosen.value}", status_code=303)


@router.post("/connections/{provider}/check")
def check(request: Request, provider: str, user: CurrentUser, _csrf: CsrfChecked, db: DbSession) -> Response:
    """Make one real call with the connection; a revoked grant shows as "needs re-authorisation"."""
    chosen = _offered(user, provider)
    assert user.id is not None
    base = request.app.state.vendor_base_url

    def call(access: VendorAccess) -> None:
        probe(access, base)

    try:
        works = account_connections.check_connection(
            db,
            user.id,
            chosen,
            call,
            cipher=request.app.state.token_cipher,
            refresher=request.app.state.token_refresher,
            now=utcnow(),
        )
    except VendorError:
        notice = "unavailable"
    else:
        notice = "works" if works else "needs_reauth"
    return RedirectResponse(f"/connections?notice={notice}&provider={chosen.value}", status_code=303)
