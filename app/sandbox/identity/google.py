"""Google's OAuth 2.0 and OpenID Connect provider across its hosts.

``accounts.google.com`` (authorization, discovery), ``oauth2.googleapis.com`` (token, revocation),
``www.googleapis.com/oauth2/v3/certs`` (keys) and ``openidconnect.googleapis.com/v1/userinfo``, per "Using OAuth
2.0 for Web Server Applications" and "OpenID Connect". PKCE with S256 or plain. A refresh token comes only with
``access_type=offline``, and only when the user went through the consent screen: the first grant of these scopes
to the client, or any request with ``prompt=consent``. Revoking either token of a grant revokes both.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app.sandbox.deps import sandbox_state
from app.sandbox.directory import SandboxUser
from app.sandbox.identity.codes import AuthorizationRequest, CodeProblem
from app.sandbox.identity.common import (
    bearer_token,
    client_credentials,
    epoch,
    is_acceptable_redirect_uri,
    note_call_user,
    redeem_code,
    refresh_grant,
    request_params,
    scope_list,
    token_json,
)
from app.sandbox.identity.keys import SIGNING_ALGORITHM, token_hash
from app.sandbox.identity.signin import AuthorizeError, ProviderProfile, authorize, pkce_parameters
from app.sandbox.state import SandboxState
from app.sandbox.tokens import ACCESS_TOKEN_LIFETIME, Grant
from app.sandbox.vendor_errors import oauth_error

ISSUER = "https://accounts.google.com"
EMAIL_SCOPE = "https://www.googleapis.com/auth/userinfo.email"
PROFILE_SCOPE = "https://www.googleapis.com/auth/userinfo.profile"
#: Google answers with the full names of the short OpenID Connect scopes.
_SHORT_SCOPES = {"email": EMAIL_SCOPE, "profile": PROFILE_SCOPE}
CODE_LIFETIME = timedelta(minutes=10)
ID_TOKEN_LIFETIME = timedelta(hours=1)
_PROMPTS = frozenset({"none", "consent", "select_account"})
_CONSUMER_DOMAINS = frozenset({"gmail.com", "googlemail.com"})

accounts_router = APIRouter(include_in_schema=False)
oauth2_router = APIRouter(include_in_schema=False)
certs_router = APIRouter(include_in_schema=False)
userinfo_router = APIRouter(include_in_schema=False)


def _refuse(user: SandboxUser) -> str | None:
    if user.mail_provider != "google":
        return f"{user.email} is not a Google account in the sandbox."
    return None


def _success_extras(request: AuthorizationRequest, consent_shown: bool) -> dict[str, str | None]:
    return {"scope": " ".join(request.scopes), "authuser": "0", "prompt": "consent" if consent_shown else "none"}


PROFILE = ProviderProfile(
    provider="google",
    vendor="Google",
    code_lifetime=CODE_LIFETIME,
    refuse=_refuse,
    refusal_goes_to_client=False,
    denied_description="The user denied access.",
    success_extras=_success_extras,
)


def _valid_scope(scope: str) -> bool:
    return (
        scope == "openid" or scope.startswith("https://www.googleapis.com/auth/") or scope == "https://mail.google.com/"
    )


def _parse(params: Mapping[str, str]) -> AuthorizationRequest:
    for required in ("client_id", "redirect_uri", "response_type", "scope"):
        if not params.get(required):
            raise AuthorizeError("invalid_request", f"Missing required parameter: {required}", to_client=False)
    client_id, redirect_uri = params["client_id"], params["redirect_uri"]
    if not is_acceptable_redirect_uri(redirect_uri):
        raise AuthorizeError(
            "redirect_uri_mismatch",
            f"The redirect URI in the request, {redirect_uri}, does not match the ones authorized for the OAuth "
            "client.",
            to_client=False,
        )
    if params["response_type"] != "code":
        raise AuthorizeError(
            "unsupported_response_type", f"Invalid response_type: {params['response_type']}", to_client=False
        )
    scopes = tuple(dict.fromkeys(_SHORT_SCOPES.get(scope, scope) for scope in scope_list(params["scope"])))
    invalid = [scope for scope in scopes if not _valid_scope(scope)]
    if invalid:
        raise AuthorizeError(
            "invalid_scope", f"Some requested scopes were invalid. {{invalid={invalid}}}", to_client=False
        )
    access_type = params.get("access_type", "online")
    if access_type not in ("online", "offline"):
        raise AuthorizeError("invalid_request", f"Invalid access_type: {access_type}", to_client=False)
    prompt = frozenset(params.get("prompt", "").split())
    if not prompt <= _PROMPTS or ("none" in prompt and len(prompt) > 1):
        raise AuthorizeError("invalid_request", f"Invalid prompt: {params.get('prompt')}", to_client=False)
    challenge, method = pkce_parameters(params, methods=frozenset({"S256", "plain"}), default_method="plain")
    return AuthorizationRequest(
        provider="google",
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        state=params.get("state"),
        nonce=params.get("nonce"),
        code_challenge=challenge,
        code_challenge_method=method,
        login_hint=params.get("login_hint"),
        prompt=prompt,
        options=(
            ("access_type", access_type),
            ("include_granted_scopes", params.get("include_granted_scopes", "false")),
        ),
    )


@accounts_router.api_route("/o/oauth2/v2/auth", methods=["GET", "POST"])
async def authorize_endpoint(request: Request) -> Response:
    """The authorization endpoint and its sign-in and consent page."""
    return await authorize(request, PROFILE, _parse)


def _error(error: str, description: str, status_code: int = 400) -> Response:
    return token_json(oauth_error(error, description), status_code)


_CODE_ERRORS: dict[CodeProblem, tuple[str, str]] = {
    CodeProblem.UNKNOWN: ("invalid_grant", "Bad Request"),
    CodeProblem.REUSED: ("invalid_grant", "Bad Request"),
    CodeProblem.EXPIRED: ("invalid_grant", "Bad Request"),
    CodeProblem.CLIENT_MISMATCH: ("unauthorized_client", "Unauthorized"),
    CodeProblem.REDIRECT_MISMATCH: ("redirect_uri_mismatch", "Bad Request"),
    CodeProblem.VERIFIER_MISSING: ("invalid_grant", "Missing code verifier."),
    CodeProblem.VERIFIER_MISMATCH: ("invalid_grant", "Invalid code verifier."),
}


@oauth2_router.post("/token")
async def token_endpoint(request: Request) -> Response:
    """Exchange an authorization code or a refresh token for an access token."""
    params = await request_params(request)
    client_id, _secret = client_credentials(request, params)
    if not client_id:
        return _error("invalid_request", "Could not determine client ID from request.")
    grant_type = params.get("grant_type", "")
    if grant_type not in _GRANTS:
        return _error("unsupported_grant_type", f"Invalid grant_type: {grant_type}")
    return _GRANTS[grant_type](request, params, client_id)


def _code_grant(request: Request, params: Mapping[str, str], client_id: str) -> Response:
    state = sandbox_state(request)
    record = redeem_code(state, "google", client_id, params)
    if isinstance(record, CodeProblem):
        return _error(*_CODE_ERRORS[record])
    user = state.directory.get(record.email)
    if user is None or _refuse(user) is not None:
        return _error("invalid_grant", "Account has been deleted")
    note_call_user(request, user.email)
    scopes = record.request.scopes
    if record.request.option("include_granted_scopes") == "true":
        granted = state.authorizations.consented_scopes("google", user.email, client_id)
        scopes = tuple(dict.fromkeys([*scopes, *sorted(granted)]))
    body = _token_body(state, user, scopes, client_id, nonce=record.request.nonce)
    if record.request.option("access_type") == "offline" and record.consent_shown:
        body["refresh_token"] = state.tokens.issue_refresh_token(
            "google", user.email, scopes=scopes, client_id=client_id
        )
    record.issued_tokens.extend(body[name] for name in ("access_token", "refresh_token") if name in body)
    return token_json(body)


def _refresh_grant(request: Request, params: Mapping[str, str], client_id: str) -> Response:
    state = sandbox_state(request)
    grant = refresh_grant(request, "google", params)
    user = state.directory.get(grant.email) if grant is not None else None
    if grant is None or user is None:
        return _error("invalid_grant", "Token has been expired or revoked.")
    if grant.client_id != client_id:
        return _error("unauthorized_client", "Unauthorized")
    note_call_user(request, user.email)
    requested = tuple(_SHORT_SCOPES.get(scope, scope) for scope in scope_list(params.get("scope")))
    if not set(requested) <= set(grant.scopes):
        return _error("invalid_scope", "Some requested scopes were not granted.")
    return token_json(_token_body(state, user, requested or grant.scopes, client_id))


_GRANTS = {"authorization_code": _code_grant, "refresh_token": _refresh_grant}


def _token_body(
    state: SandboxState, user: SandboxUser, scopes: tuple[str, ...], client_id: str, *, nonce: str | None = None
) -> dict[str, Any]:
    access_token = state.tokens.issue_access_token("google", user.email, scopes=scopes, client_id=client_id)
    body: dict[str, Any] = {
        "access_token": access_token,
        "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()) - 1,
        "scope": " ".join(scopes),
        "token_type": "Bearer",
    }
    if "openid" in scopes:
        now = state.clock.now()
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "azp": client_id,
            "aud": client_id,
            "sub": user.google_id,
            "at_hash": token_hash(access_token),
            "iat": epoch(now),
            "exp": epoch(now + ID_TOKEN_LIFETIME),
        }
        claims.update(_user_claims(user, scopes))
        if nonce:
            claims["nonce"] = nonce
        body["id_token"] = state.signing_keys.sign(claims)
    return body


def _user_claims(user: SandboxUser, scopes: tuple[str, ...]) -> dict[str, Any]:
    """Claims about the user that the granted scopes allow (every one when ``scopes`` is empty)."""
    claims: dict[str, Any] = {}
    domain = user.email.rsplit("@", 1)[-1]
    if domain not in _CONSUMER_DOMAINS:
        claims["hd"] = domain
    if not scopes or EMAIL_SCOPE in scopes:
        claims.update(email=user.email, email_verified=True)
    if not scopes or PROFILE_SCOPE in scopes:
        claims.update(
            name=user.name,
            picture=f"https://lh3.googleusercontent.com/a/{user.google_id}=s96-c",
            given_name=user.given_name,
            family_name=user.family_name,
        )
    return claims


@oauth2_router.api_route("/revoke", methods=["GET", "POST"])
async def revoke_endpoint(request: Request) -> Response:
    """Revoke a token; the grant it belongs to (access and refresh tokens) goes with it."""
    state = sandbox_state(request)
    token = (await request_params(request)).get("token", "")
    grant: Grant | None = state.tokens.resolve_access_token("google", token) or state.tokens.resolve_refresh_token(
        "google", token
    )
    if grant is None:
        return _error("invalid_token", "Token expired or revoked")
    note_call_user(request, grant.email)
    state.tokens.revoke_grant("google", grant.email, grant.client_id)
    return JSONResponse({})


@userinfo_router.api_route("/v1/userinfo", methods=["GET", "POST"])
async def userinfo_endpoint(request: Request) -> Response:
    """The OpenID Connect UserInfo endpoint."""
    state = sandbox_state(request)
    grant = state.tokens.resolve_access_token("google", bearer_token(request, await request_params(request)) or "")
    user = state.directory.get(grant.email) if grant is not None else None
    if grant is None or user is None:
        return JSONResponse(
            oauth_error("invalid_request", "Invalid Credentials"),
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'},
        )
    return JSONResponse({"sub": user.google_id, **_user_claims(user, grant.scopes)})


@accounts_router.get("/.well-known/openid-configuration")
async def discovery_endpoint() -> Response:
    """OpenID Connect discovery, naming Google's own URLs."""
    return JSONResponse(
        {
            "issuer": ISSUER,
            "authorization_endpoint": "https://accounts.google.com/o/oauth2/v2/auth",
            "token_endpoint": "https://oauth2.googleapis.com/token",
            "userinfo_endpoint": "https://openidconnect.googleapis.com/v1/userinfo",
            "revocation_endpoint": "https://oauth2.googleapis.com/revoke",
            "jwks_uri": "https://www.googleapis.com/oauth2/v3/certs",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [SIGNING_ALGORITHM],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": [
                "aud",
                "email",
                "email_verified",
                "exp",
                "family_name",
                "given_name",
                "iat",
                "iss",
                "name",
                "picture",
                "sub",
            ],
            "code_challenge_methods_supported": ["plain", "S256"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
        }
    )


@certs_router.get("/oauth2/v3/certs")
async def certs_endpoint(request: Request) -> Response:
    """The public keys that verify Google ID tokens."""
    return JSONResponse(sandbox_state(request).signing_keys.jwks())
