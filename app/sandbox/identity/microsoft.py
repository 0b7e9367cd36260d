"""The Microsoft identity platform (v2.0 endpoints) at ``login.microsoftonline.com/{tenant}``.

Authorization code flow with PKCE (S256 and plain), refresh tokens, sign-out, OpenID Connect discovery and keys,
per "Microsoft identity platform and OAuth 2.0 authorization code flow", "ID token claims reference" and "Access
token claims reference". Errors carry AADSTS codes, ``timestamp``, ``trace_id`` and ``correlation_id``.

Scopes decide the access token. Microsoft Graph scopes (``https://graph.microsoft.com/Contacts.ReadWrite`` or the
short ``Contacts.ReadWrite``) get an opaque token the Graph emulator accepts. A scope of another API
(``api://{client id}/access_as_user``) gets a v2.0 JWT signed with the sandbox key, whose ``aud`` is that API's
client id: what a Nested App Authentication client in Office presents to its own backend.

Microsoft has no revocation endpoint; revoke a user's tokens through ``POST /_sandbox/tokens/revoke``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

from app.sandbox.deps import sandbox_state
from app.sandbox.directory import SandboxUser
from app.sandbox.identity.codes import AuthorizationRequest, CodeProblem, ResponseMode
from app.sandbox.identity.common import (
    bearer_token,
    client_credentials,
    epoch,
    is_acceptable_redirect_uri,
    note_call_user,
    redeem_code,
    redirect_to_client,
    refresh_grant,
    request_params,
    scope_list,
    token_json,
)
from app.sandbox.identity.keys import SIGNING_ALGORITHM
from app.sandbox.identity.pages import signed_out_page
from app.sandbox.identity.signin import AuthorizeError, ProviderProfile, authorize, pkce_parameters
from app.sandbox.state import SandboxState
from app.sandbox.tokens import ACCESS_TOKEN_LIFETIME
from app.sandbox.vendor_errors import graph_error, microsoft_oauth_error

#: The sandbox's Entra ID tenant.
TENANT_ID = "5a9d6b1e-0c4f-4e8a-9b77-3c2d1e0f5a6b"
LOGIN = "https://login.microsoftonline.com"
GRAPH = "https://graph.microsoft.com"
#: Issuer of the tenant's v2.0 tokens.
ISSUER = f"{LOGIN}/{TENANT_ID}/v2.0"
OIDC_SCOPES = frozenset({"openid", "profile", "email", "offline_access"})
CODE_LIFETIME = timedelta(minutes=10)
ID_TOKEN_LIFETIME = timedelta(hours=1)
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_MULTI_TENANT = frozenset({"common", "organizations"})
_RESPONSE_MODES: dict[str, ResponseMode] = {"query": "query", "fragment": "fragment", "form_post": "form_post"}

login_router = APIRouter(include_in_schema=False)
graph_router = APIRouter(include_in_schema=False)


def _refuse(user: SandboxUser) -> str | None:
    if user.mail_provider != "microsoft":
        return f"{user.email} is not a Microsoft work account in the sandbox tenant."
    return None


PROFILE = ProviderProfile(
    provider="microsoft",
    vendor="Microsoft",
    code_lifetime=CODE_LIFETIME,
    refuse=_refuse,
    refusal_goes_to_client=False,
    denied_description="AADSTS65004: User declined to consent to access the app.",
    success_extras=lambda _request, _shown: {"session_state": str(uuid.uuid4())},
)


def _tenant_known(tenant: str) -> bool:
    return tenant in _MULTI_TENANT or tenant == TENANT_ID or ("." in tenant and not _GUID.fullmatch(tenant))


def _split_scope(scope: str) -> tuple[str | None, str]:
    """(resource, permission) of a scope; OpenID Connect scopes have no resource, bare names belong to Graph."""
    if scope in OIDC_SCOPES:
        return None, scope
    if "/" in scope:
        resource, _, permission = scope.rpartition("/")
        return resource.rstrip("/"), permission
    return GRAPH, scope


def _api_client_id(resource: str) -> str:
    """A v2.0 token's ``aud``: the API's client id (the GUID in its Application ID URI), else the URI itself."""
    last_segment = resource.rstrip("/").rsplit("/", 1)[-1]
    return last_segment if _GUID.fullmatch(last_segment) else resource


def _error(request: Request, error: str, aadsts: int, description: str) -> Response:
    state = sandbox_state(request)
    body = microsoft_oauth_error(
        error, aadsts, description, now=state.clock.now(), correlation_id=request.headers.get("client-request-id")
    )
    return token_json(body, 400)


def _parse(tenant: str) -> Callable[[Mapping[str, str]], AuthorizationRequest]:
    def parse(params: Mapping[str, str]) -> AuthorizationRequest:
        if not _tenant_known(tenant):
            raise AuthorizeError("invalid_request", f"AADSTS90002: Tenant '{tenant}' not found.", to_client=False)
        client_id = params.get("client_id")
        if not client_id:
            raise AuthorizeError(
                "invalid_request",
                "AADSTS900144: The request body must contain the following parameter: 'client_id'.",
                to_client=False,
            )
        redirect_uri = params.get("redirect_uri", "")
        if not is_acceptable_redirect_uri(redirect_uri):
            raise AuthorizeError(
                "invalid_request",
                f"AADSTS50011: The redirect URI '{redirect_uri}' specified in the request does not match the "
                f"redirect URIs configured for the application '{client_id}'.",
                to_client=False,
            )
        if params.get("response_type") != "code":
            raise AuthorizeError(
                "unsupported_response_type",
                "AADSTS70005: The provided value for the input parameter 'response_type' is not allowed for this "
                "request. Expected value: 'code'.",
                to_client=True,
            )
        scopes = scope_list(params.get("scope"))
        if not scopes:
            raise AuthorizeError(
                "invalid_request",
                "AADSTS900144: The request body must contain the following parameter: 'scope'.",
                to_client=True,
            )
        response_mode = _RESPONSE_MODES.get(params.get("response_mode", "query"))
        if response_mode is None:
            raise AuthorizeError(
                "invalid_request",
                f"AADSTS900144: The provided value '{params['response_mode']}' for 'response_mode' is not valid.",
                to_client=True,
            )
        challenge, method = pkce_parameters(params, methods=frozenset({"S256", "plain"}), default_method="plain")
        return AuthorizationRequest(
            provider="microsoft",
            client_id=client_id,
            redirect_uri=redirect_uri,
            scopes=scopes,
            state=params.get("state"),
            nonce=params.get("nonce"),
            code_challenge=challenge,
            code_challenge_method=method,
            login_hint=params.get("login_hint"),
            prompt=frozenset(params.get("prompt", "").split()),
            response_mode=response_mode,
            options=(("tenant", tenant),),
        )

    return parse


@login_router.api_route("/{tenant}/oauth2/v2.0/authorize", methods=["GET", "POST"])
async def authorize_endpoint(request: Request, tenant: str) -> Response:
    """The authorization endpoint and its sign-in page."""
    return await authorize(request, PROFILE, _parse(tenant))


_CODE_ERRORS: dict[CodeProblem, tuple[int, str]] = {
    CodeProblem.UNKNOWN: (9002313, "Invalid request. Request is malformed or invalid."),
    CodeProblem.REUSED: (
        54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing "
        "refresh token.",
    ),
    CodeProblem.CLIENT_MISMATCH: (70000, "Provided grant is invalid or malformed."),
    CodeProblem.EXPIRED: (70008, "The provided authorization code or refresh token has expired due to inactivity."),
    CodeProblem.REDIRECT_MISMATCH: (
        50011,
        "The redirect URI specified in the request does not match the redirect URI used to obtain the "
        "authorization code.",
    ),
    CodeProblem.VERIFIER_MISSING: (
        501481,
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    ),
    CodeProblem.VERIFIER_MISMATCH: (
        501481,
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    ),
}


@dataclass(frozen=True)
class _TokenRequest:
    """A token request's client and parameters."""

    request: Request
    params: Mapping[str, str]
    client_id: str
    client_secret: str | None

    def error(self, error: str, aadsts: int, description: str) -> Response:
        return _error(self.request, error, aadsts, description)


@login_router.post("/{tenant}/oauth2/v2.0/token")
async def token_endpoint(request: Request, tenant: str) -> Response:
    """Redeem an authorization code or a refresh token."""
    if not _tenant_known(tenant):
        return _error(request, "invalid_request", 90002, f"Tenant '{tenant}' not found.")
    params = await request_params(request)
    client_id, client_secret = client_credentials(request, params)
    grant_type = params.get("grant_type")
    if not client_id or not grant_type:
        missing = "grant_type" if client_id else "client_id"
        return _error(
            request, "invalid_request", 900144, f"The request body must contain the following parameter: '{missing}'."
        )
    if grant_type not in _GRANTS:
        return _error(
            request, "unsupported_grant_type", 70003, f"The app requested an unsupported grant type '{grant_type}'."
        )
    return _GRANTS[grant_type](_TokenRequest(request, params, client_id, client_secret))


def _code_grant(token_request: _TokenRequest) -> Response:
    state = sandbox_state(token_request.request)
    record = redeem_code(state, "microsoft", token_request.client_id, token_request.params)
    if isinstance(record, CodeProblem):
        return token_request.error("invalid_grant", *_CODE_ERRORS[record])
    issued = _issue(token_request, email=record.email, consented=record.request.scopes, nonce=record.request.nonce)
    if isinstance(issued, Response):
        return issued
    record.issued_tokens.extend(issued[name] for name in ("access_token", "refresh_token") if name in issued)
    return token_json(issued)


def _refresh_grant(token_request: _TokenRequest) -> Response:
    grant = refresh_grant(token_request.request, "microsoft", token_request.params)
    if grant is None:
        return token_request.error(
            "invalid_grant",
            50173,
            "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might "
            "have changed or reset their password.",
        )
    if grant.client_id != token_request.client_id:
        return token_request.error("invalid_grant", 70000, "Provided grant is invalid or malformed.")
    issued = _issue(token_request, email=grant.email, consented=grant.scopes)
    return issued if isinstance(issued, Response) else token_json(issued)


_GRANTS = {"authorization_code": _code_grant, "refresh_token": _refresh_grant}


class _ScopeError(Exception):
    def __init__(self, error: str, aadsts: int, description: str) -> None:
        super().__init__(description)
        self.error, self.aadsts, self.description = error, aadsts, description


def _resolve_scopes(consented: tuple[str, ...], requested: tuple[str, ...]) -> tuple[str, list[str]]:
    """The resource and permissions of an access token: the requested scopes (else the consented ones) of one
    resource, each of which must have been consented to (``.default`` stands for all consented ones)."""
    available: dict[str, dict[str, str]] = {}
    for scope in consented:
        scope_resource, permission = _split_scope(scope)
        if scope_resource is not None and permission != ".default":
            available.setdefault(scope_resource.lower(), {})[permission.lower()] = permission
    wanted = [(r, p) for r, p in map(_split_scope, requested or consented) if r is not None]
    if requested and len({r.lower() for r, _ in wanted}) > 1:
        raise _ScopeError(
            "invalid_scope",
            70011,
            "The provided value for the input parameter 'scope' is not valid. Scopes for more than one resource "
            "were requested.",
        )
    resource = wanted[0][0] if wanted else GRAPH
    granted = available.get(resource.lower(), {})
    permissions: list[str] = []
    for scope_resource, permission in wanted:
        if scope_resource.lower() != resource.lower():
            continue
        if permission == ".default":
            permissions.extend(list(granted.values()) or [".default"])
        elif permission.lower() in granted:
            permissions.append(granted[permission.lower()])
        else:
            raise _ScopeError(
                "invalid_grant",
                65001,
                "The user or administrator has not consented to use the application with ID '{client_id}'. "
                "Send an interactive authorization request for this user and resource.",
            )
    if not permissions:
        permissions = ["User.Read"]
    return resource, list(dict.fromkeys(permissions))


def _issue(
    token_request: _TokenRequest, *, email: str, consented: tuple[str, ...], nonce: str | None = None
) -> dict[str, Any] | Response:
    """The token response for one resource, chosen by the requested scopes (else the consented ones)."""
    state = sandbox_state(token_request.request)
    user = state.directory.get(email)
    if user is None or _refuse(user) is not None:
        return token_request.error("invalid_grant", 50034, "The user account does not exist in the sandbox tenant.")
    note_call_user(token_request.request, user.email)
    client_id = token_request.client_id
    try:
        resource, permissions = _resolve_scopes(consented, scope_list(token_request.params.get("scope")))
    except _ScopeError as error:
        return token_request.error(error.error, error.aadsts, error.description.format(client_id=client_id))
    if resource == GRAPH:
        access_token = state.tokens.issue_access_token(
            "microsoft", user.email, scopes=tuple(permissions), client_id=client_id
        )
    else:
        access_token = _api_access_token(state, user, resource, permissions, token_request)
    lifetime = int(ACCESS_TOKEN_LIFETIME.total_seconds()) - 1
    oidc = [scope for scope in consented if scope in OIDC_SCOPES and scope != "offline_access"]
    body: dict[str, Any] = {
        "token_type": "Bearer",
        "scope": " ".join([f"{resource}/{permission}" for permission in permissions] + oidc),
        "expires_in": lifetime,
        "ext_expires_in": lifetime,
        "access_token": access_token,
    }
    if "offline_access" in consented:
        body["refresh_token"] = state.tokens.issue_refresh_token(
            "microsoft", user.email, scopes=consented, client_id=client_id
        )
    if "openid" in consented:
        body["id_token"] = state.signing_keys.sign(_id_token_claims(state, user, client_id, consented, nonce))
    if token_request.params.get("client_info") == "1":
        info = json.dumps({"uid": user.microsoft_id, "utid": TENANT_ID}).encode()
        body["client_info"] = base64.urlsafe_b64encode(info).rstrip(b"=").decode("ascii")
    return body


def _pairwise_subject(user: SandboxUser, client_id: str) -> str:
    digest = hashlib.sha256(f"{user.microsoft_id}:{client_id}".encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")[:43]


def _id_token_claims(
    state: SandboxState, user: SandboxUser, client_id: str, scopes: tuple[str, ...], nonce: str | None
) -> dict[str, Any]:
    now = state.clock.now()
    claims: dict[str, Any] = {
        "aud": client_id,
        "iss": ISSUER,
        "iat": epoch(now),
        "nbf": epoch(now),
        "exp": epoch(now + ID_TOKEN_LIFETIME),
        "sub": _pairwise_subject(user, client_id),
        "tid": TENANT_ID,
        "uti": uuid.uuid4().hex[:22],
        "ver": "2.0",
    }
    if nonce:
        claims["nonce"] = nonce
    if "profile" in scopes:
        claims.update(name=user.name, oid=user.microsoft_id, preferred_username=user.email)
    if "email" in scopes:
        claims["email"] = user.email
    return claims


def _api_access_token(
    state: SandboxState, user: SandboxUser, resource: str, permissions: list[str], token_request: _TokenRequest
) -> str:
    """A v2.0 access token for another API (Nested App Authentication's token for the add-in's backend)."""
    now = state.clock.now()
    claims = {
        "aud": _api_client_id(resource),
        "iss": ISSUER,
        "iat": epoch(now),
        "nbf": epoch(now),
        "exp": epoch(now + ACCESS_TOKEN_LIFETIME),
        "azp": token_request.client_id,
        "azpacr": "1" if token_request.client_secret else "0",
        "name": user.name,
        "oid": user.microsoft_id,
        "preferred_username": user.email,
        "scp": " ".join(permissions),
        "sub": _pairwise_subject(user, _api_client_id(resource)),
        "tid": TENANT_ID,
        "uti": uuid.uuid4().hex[:22],
        "ver": "2.0",
    }
    return state.signing_keys.sign(claims)


@login_router.get("/{tenant}/oauth2/v2.0/logout")
async def logout_endpoint(request: Request, tenant: str) -> Response:
    """Sign out: back to ``post_logout_redirect_uri`` when given (with ``state``), else a signed-out page."""
    target = request.query_params.get("post_logout_redirect_uri")
    if target and is_acceptable_redirect_uri(target):
        return redirect_to_client(target, {"state": request.query_params.get("state")})
    return signed_out_page("Microsoft")


@login_router.get("/{tenant}/v2.0/.well-known/openid-configuration")
async def discovery_endpoint(request: Request, tenant: str) -> Response:
    """OpenID Connect discovery for a tenant (``common`` and ``organizations`` name a ``{tenantid}`` issuer)."""
    if not _tenant_known(tenant):
        return _error(request, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
    path_tenant = tenant if tenant in _MULTI_TENANT else TENANT_ID
    issuer_tenant = "{tenantid}" if tenant in _MULTI_TENANT else TENANT_ID
    base = f"{LOGIN}/{path_tenant}"
    return JSONResponse(
        {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": [SIGNING_ALGORITHM],
            "response_types_supported": ["code"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{LOGIN}/{issuer_tenant}/v2.0",
            "request_uri_parameter_supported": False,
            "userinfo_endpoint": f"{GRAPH}/oidc/userinfo",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "claims_supported": [
                "sub",
                "iss",
                "aud",
                "exp",
                "iat",
                "auth_time",
                "nonce",
                "preferred_username",
                "name",
                "tid",
                "ver",
                "email",
            ],
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
        }
    )


@login_router.get("/{tenant}/discovery/v2.0/keys")
async def keys_endpoint(request: Request, tenant: str) -> Response:
    """The public keys that verify ID tokens and API access tokens."""
    return JSONResponse(sandbox_state(request).signing_keys.jwks(issuer=ISSUER))


@graph_router.get("/oidc/userinfo")
async def userinfo_endpoint(request: Request) -> Response:
    """The OpenID Connect UserInfo endpoint that Microsoft serves from Graph."""
    state = sandbox_state(request)
    grant = state.tokens.resolve_access_token("microsoft", bearer_token(request, {}) or "")
    user = state.directory.get(grant.email) if grant is not None else None
    if grant is None or user is None:
        body = graph_error("InvalidAuthenticationToken", "Access token is empty or invalid.", now=state.clock.now())
        return JSONResponse(body, status_code=401)
    return JSONResponse(
        {
            "sub": _pairwise_subject(user, grant.client_id or ""),
            "name": user.name,
            "family_name": user.family_name,
            "given_name": user.given_name,
            "picture": f"{GRAPH}/v1.0/me/photo/$value",
            "email": user.email,
        }
    )
