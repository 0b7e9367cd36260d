"""Signing in to the web pages with Microsoft or Google (OpenID Connect), the callbacks of every OAuth flow,
and signing out."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from app.api.deps import AppSettings, DbSession
from app.api.oauth_flow import PendingFlow, begin_flow, forget_flow, redirect_uri, take_flow, vendor_oauth
from app.api.web_auth import OptionalUser, require_csrf, safe_next, session_token, web_auth
from app.api.web_security import AuthRateLimit
from app.connectors.oauth_clients import OAuthFlowError
from app.errors import BadRequest, Forbidden, NotFound
from app.models import MailProvider, Provider, User, utcnow
from app.services import account_connections, users, web_sessions
from app.settings import Settings

router = APIRouter(include_in_schema=False)

SIGN_IN_PROVIDERS = (Provider.MICROSOFT, Provider.GOOGLE)
_NOTICES = {
    "signed_out": "You signed out.",
}


def _templates(request: Request) -> Jinja2Templates:
    templates: Jinja2Templates = request.app.state.templates
    return templates


@router.get("/signin", response_class=HTMLResponse)
def signin_page(request: Request, user: OptionalUser, next: str | None = None, notice: str | None = None) -> Response:
    """Choose how to sign in: Microsoft or Google, whichever holds your work mailbox."""
    target = safe_next(next)
    if user is not None:
        return RedirectResponse(target, status_code=303)
    oauth = vendor_oauth(request)
    providers = [provider for provider in SIGN_IN_PROVIDERS if oauth.configured(provider)]
    return _templates(request).TemplateResponse(
        request,
        "signin.html",
        {
            "providers": providers,
            "next": target,
            "notice": _NOTICES.get(notice or ""),
            "sandbox_mode": request.app.state.settings.sandbox_mode,
        },
        headers={"Cache-Control": "no-store"},
    )


def _sign_in_provider(value: str) -> Provider:
    try:
        provider = Provider(value)
    except ValueError:
        provider = Provider.SALESFORCE
    if provider not in SIGN_IN_PROVIDERS:
        raise NotFound("You can sign in with Microsoft or Google.")
    return provider


@router.get("/signin/{provider}")
def start_signin(request: Request, provider: str, _limit: AuthRateLimit, next: str | None = None) -> Response:
    """Send the browser to the identity provider's sign-in page."""
    chosen = _sign_in_provider(provider)
    try:
        return begin_flow(request, purpose="signin", provider=chosen, next_path=safe_next(next))
    except OAuthFlowError as exc:
        raise BadRequest(exc.message) from None


@router.post("/signout")
async def signout(request: Request, db: DbSession, user: OptionalUser) -> Response:
    """Sign out of this browser (a signed-out browser is simply sent to the sign-in page)."""
    token = session_token(request)
    if token and user is not None:
        await require_csrf(request, user)
        web_sessions.end_session(db, token)
    response = RedirectResponse("/signin?notice=signed_out", status_code=303)
    web_auth(request).clear_session_cookie(response)
    return response


@router.get("/oauth/{provider}/callback")
def oauth_callback(
    request: Request,
    provider: str,
    *,
    db: DbSession,
    settings: AppSettings,
    user: OptionalUser,
    _limit: AuthRateLimit,
    state: str | None = None,
    code: str | None = None,
    error: str | None = None,
) -> Response:
    """Where the vendors send the browser back, for sign-in and for connecting an account."""
    try:
        chosen = Provider(provider)
    except ValueError:
        raise NotFound() from None
    try:
        flow = take_flow(request, chosen, state)
        if flow.purpose == "connect":
            response = _finish_connect(request, db, settings, flow, user, code=code, error=error)
        else:
            response = _finish_signin(request, db, settings, flow, code=code, error=error)
    except OAuthFlowError as exc:
        raise BadRequest(exc.message) from None
    forget_flow(response, request)
    return response


def _finish_signin(
    request: Request, db: DbSession, settings: Settings, flow: PendingFlow, *, code: str | None, error: str | None
) -> Response:
    if error or not code:
        if error == "access_denied":
            raise OAuthFlowError("Sign-in was cancelled. Choose how to sign in again when you are ready.")
        raise OAuthFlowError(f"The sign-in did not complete ({error or 'no code'}). Start again.")
    oauth = vendor_oauth(request)
    exchange = oauth.exchange_code(
        flow.provider, code=code, redirect_uri=redirect_uri(settings, flow.provider), code_verifier=flow.code_verifier
    )
    if not exchange.id_token:
        raise OAuthFlowError("The identity provider did not say who signed in. Start again.")
    claims = oauth.verify_id_token(flow.provider, exchange.id_token, nonce=flow.nonce)
    identity = oauth.identity_from_id_token(flow.provider, claims)
    now = utcnow()
    signed_in = users.sign_in(
        db,
        email=identity.email,
        name=identity.name,
        mail_provider=MailProvider(flow.provider.value),
        policy=users.SignInPolicy.from_settings(settings),
        now=now,
    )
    previous = session_token(request)
    if previous:
        web_sessions.end_session(db, previous)  # a sign-in always starts a new session (no fixation)
    auth = web_auth(request)
    token = web_sessions.start_session(db, signed_in, now=now, lifetime=auth.session_lifetime)
    response = RedirectResponse(flow.next_path, status_code=303)
    auth.set_session_cookie(response, token)
    return response


def _finish_connect(
    request: Request,
    db: DbSession,
    settings: Settings,
    flow: PendingFlow,
    user: User | None,
    *,
    code: str | None,
    error: str | None,
) -> Response:
    if user is None or user.id != flow.user_id:
        raise Forbidden(
            "This connection was started by someone else, or you signed out meanwhile. Sign in and connect again."
        )
    if error or not code:
        notice = "cancelled" if error == "access_denied" else "failed"
        return RedirectResponse(f"/connections?notice={notice}&provider={flow.provider.value}", status_code=303)
    oauth = vendor_oauth(request)
    exchange = oauth.exchange_code(
        flow.provider, code=code, redirect_uri=redirect_uri(settings, flow.provider), code_verifier=flow.code_verifier
    )
    if flow.provider is Provider.SALESFORCE:
        identity = oauth.salesforce_identity(exchange.salesforce_id_url, exchange.tokens.access_token)
    else:
        if not exchange.id_token:
            raise OAuthFlowError("The vendor did not say which account was connected. Start again.")
        claims = oauth.verify_id_token(flow.provider, exchange.id_token, nonce=flow.nonce)
        identity = oauth.identity_from_id_token(flow.provider, claims)
    account_connections.record_connection(
        db,
        user,
        flow.provider,
        account_id=identity.account_id,
        username=identity.username or identity.email,
        tokens=exchange.tokens,
        scopes=exchange.scopes,
        cipher=request.app.state.token_cipher,
    )
    return RedirectResponse(f"/connections?notice=connected&provider={flow.provider.value}", status_code=303)
