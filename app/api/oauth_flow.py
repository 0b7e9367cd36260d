"""Starting an OAuth flow and picking it up again at the callback.

What the callback must check (``state``, the OpenID Connect ``nonce``, the PKCE verifier, who started it and
where to go next) travels in a short-lived cookie, encrypted and authenticated with a key derived from
``CRMBRIDGE_SECRET_KEY``. It is scoped to ``/oauth`` and SameSite=Lax, which browsers send on the vendor's
redirect back. One flow at a time per browser: starting another replaces it.

Every vendor sends the browser back to ``{CRMBRIDGE_PUBLIC_URL}/oauth/{salesforce|microsoft|google}/callback``;
that is the redirect URI to register with each vendor.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from typing import Literal

from cryptography.fernet import InvalidToken
from fastapi import Request
from fastapi.responses import RedirectResponse, Response

from app.api.web_auth import WebAuth, web_auth
from app.connectors.oauth_clients import CONNECT_SCOPES, SIGN_IN_SCOPES, OAuthFlowError, VendorOAuth
from app.models import Provider
from app.settings import Settings

FLOW_COOKIE = "crmbridge_oauth"
FLOW_COOKIE_PATH = "/oauth"
#: Long enough to read a consent screen; Salesforce's codes live 15 minutes.
FLOW_LIFETIME_SECONDS = 15 * 60
Purpose = Literal["signin", "connect"]


@dataclass(frozen=True)
class PendingFlow:
    """A flow between its start and its callback."""

    purpose: Purpose
    provider: Provider
    state: str
    code_verifier: str
    nonce: str | None
    next_path: str
    user_id: int | None


def vendor_oauth(request: Request) -> VendorOAuth:
    """The application's OAuth clients."""
    oauth: VendorOAuth = request.app.state.vendor_oauth
    return oauth


def redirect_uri(settings: Settings, provider: Provider) -> str:
    """Where ``provider`` sends the browser back (register this URI with the vendor)."""
    return f"{settings.public_url.rstrip('/')}{FLOW_COOKIE_PATH}/{provider.value}/callback"


def begin_flow(
    request: Request,
    *,
    purpose: Purpose,
    provider: Provider,
    next_path: str,
    user_id: int | None = None,
    login_hint: str | None = None,
) -> Response:
    """A redirect to the vendor's sign-in page, with the flow remembered in the browser."""
    settings: Settings = request.app.state.settings
    oauth = vendor_oauth(request)
    flow = PendingFlow(
        purpose=purpose,
        provider=provider,
        state=secrets.token_urlsafe(32),
        code_verifier=secrets.token_urlsafe(64),
        # Salesforce's web server flow here does not ask for an ID token, so it gets no nonce.
        nonce=None if provider is Provider.SALESFORCE else secrets.token_urlsafe(32),
        next_path=next_path,
        user_id=user_id,
    )
    scopes = SIGN_IN_SCOPES[provider] if purpose == "signin" else CONNECT_SCOPES[provider]
    url = oauth.authorization_url(
        provider,
        scopes=scopes,
        redirect_uri=redirect_uri(settings, provider),
        state=flow.state,
        code_verifier=flow.code_verifier,
        nonce=flow.nonce,
        login_hint=login_hint,
    )
    auth = web_auth(request)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        auth.fernet("oauth flow").encrypt(json.dumps(asdict(flow)).encode()).decode("ascii"),
        max_age=FLOW_LIFETIME_SECONDS,
        path=FLOW_COOKIE_PATH,
        secure=auth.secure,
        httponly=True,
        samesite="lax",
    )
    return response


def take_flow(request: Request, provider: Provider, state: str | None) -> PendingFlow:
    """The flow a callback answers; OAuthFlowError when there is none, it expired, or ``state`` differs."""
    raw = request.cookies.get(FLOW_COOKIE)
    expired = OAuthFlowError("This sign-in was not started here or took too long. Start again from crmbridge.")
    if not raw:
        raise expired
    auth: WebAuth = web_auth(request)
    try:
        data = json.loads(auth.fernet("oauth flow").decrypt(raw.encode("ascii"), ttl=FLOW_LIFETIME_SECONDS))
        flow = PendingFlow(**{**data, "provider": Provider(data["provider"])})
    except (InvalidToken, ValueError, TypeError, KeyError, UnicodeEncodeError):
        raise expired from None
    if flow.provider is not provider or not state or not secrets.compare_digest(flow.state, state):
        raise expired
    return flow


def forget_flow(response: Response, request: Request) -> None:
    """Remove the flow cookie (the flow is over)."""
    response.delete_cookie(
        FLOW_COOKIE, path=FLOW_COOKIE_PATH, secure=web_auth(request).secure, httponly=True, samesite="lax"
    )
