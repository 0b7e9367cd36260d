"""Salesforce's identity provider at ``login.salesforce.com`` (and ``test.salesforce.com``).

OAuth 2.0 web server flow with PKCE (S256), refresh tokens, revocation, UserInfo and the identity URL, OpenID
Connect discovery and keys, as Salesforce Help describes them ("OAuth 2.0 Web Server Flow for Web App Integration",
"Query for User Information", "Identity URLs", "Revoke OAuth Tokens"). Token responses carry ``instance_url``
``https://sandbox.my.salesforce.com``, the identity URL ``id``, ``issued_at`` and ``signature`` (base64 of the
HMAC-SHA256 of ``id`` + ``issued_at`` keyed with the client secret the caller sent).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from app.sandbox.deps import sandbox_state
from app.sandbox.directory import SandboxUser
from app.sandbox.hosts import SALESFORCE_INSTANCE_HOST
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
    vendor_host,
)
from app.sandbox.identity.keys import SIGNING_ALGORITHM, token_hash
from app.sandbox.identity.signin import AuthorizeError, ProviderProfile, authorize, pkce_parameters
from app.sandbox.state import SandboxState
from app.sandbox.vendor_errors import oauth_error

INSTANCE_URL = f"https://{SALESFORCE_INSTANCE_HOST}"
#: The org id when no Salesforce org backend is registered (an 18-character id with the ``00D`` prefix).
DEFAULT_ORG_ID = "00DSB00000000012AA"
#: Scopes a connected app can be given ("OAuth Tokens and Scopes").
SCOPES = frozenset(
    {
        "address",
        "api",
        "cdp_api",
        "chatter_api",
        "custom_permissions",
        "eclair_api",
        "email",
        "full",
        "id",
        "lightning",
        "offline_access",
        "openid",
        "pardot_api",
        "phone",
        "profile",
        "refresh_token",
        "visualforce",
        "wave_api",
        "web",
    }
)
#: What a request without ``scope`` gets: the scopes such an integration's connected app is given.
DEFAULT_SCOPES = ("api", "refresh_token", "openid")
CODE_LIFETIME = timedelta(minutes=15)
ID_TOKEN_LIFETIME = timedelta(minutes=5)

router = APIRouter(include_in_schema=False)


def org_id(state: SandboxState) -> str:
    """The sandbox org's id: the Salesforce backend's when one is registered."""
    backend_org_id = getattr(state.backends.get("salesforce"), "org_id", None)
    return backend_org_id if isinstance(backend_org_id, str) else DEFAULT_ORG_ID


def _refuse(user: SandboxUser) -> str | None:
    if not user.salesforce_user:
        return f"{user.email} is not a Salesforce user."
    if user.salesforce_id is None:
        return f"{user.email} has no active User record in the sandbox org."
    return None


PROFILE = ProviderProfile(
    provider="salesforce",
    vendor="Salesforce",
    code_lifetime=CODE_LIFETIME,
    refuse=_refuse,
    refusal_goes_to_client=True,
    denied_description="end-user denied authorization",
    supports_prompt_none=False,
)


def _parse(params: Mapping[str, str]) -> AuthorizationRequest:
    client_id = params.get("client_id")
    if not client_id:
        raise AuthorizeError("invalid_client_id", "client identifier invalid", to_client=False)
    redirect_uri = params.get("redirect_uri", "")
    if not is_acceptable_redirect_uri(redirect_uri):
        raise AuthorizeError("redirect_uri_mismatch", "redirect_uri must match configuration", to_client=False)
    if params.get("response_type") != "code":
        raise AuthorizeError("unsupported_response_type", "response type not supported", to_client=True)
    scopes = scope_list(params.get("scope")) or DEFAULT_SCOPES
    if not set(scopes) <= SCOPES:
        raise AuthorizeError("invalid_scope", "the requested scope is not allowed", to_client=True)
    challenge, method = pkce_parameters(params, methods=frozenset({"S256"}), default_method="S256")
    return AuthorizationRequest(
        provider="salesforce",
        client_id=client_id,
        redirect_uri=redirect_uri,
        scopes=scopes,
        state=params.get("state"),
        nonce=params.get("nonce"),
        code_challenge=challenge,
        code_challenge_method=method,
        login_hint=params.get("login_hint"),
        prompt=frozenset(params.get("prompt", "").split()),
    )


@router.api_route("/services/oauth2/authorize", methods=["GET", "POST"])
async def authorize_endpoint(request: Request) -> Response:
    """The authorization endpoint and its sign-in page."""
    return await authorize(request, PROFILE, _parse)


def _error(error: str, description: str, status_code: int = 400) -> Response:
    return token_json(oauth_error(error, description), status_code)


_CODE_ERRORS: dict[CodeProblem, tuple[str, str]] = {
    CodeProblem.UNKNOWN: ("invalid_grant", "invalid authorization code"),
    CodeProblem.REUSED: ("invalid_grant", "invalid authorization code"),
    CodeProblem.CLIENT_MISMATCH: ("invalid_grant", "invalid authorization code"),
    CodeProblem.EXPIRED: ("invalid_grant", "expired authorization code"),
    CodeProblem.REDIRECT_MISMATCH: ("redirect_uri_mismatch", "redirect_uri must match configuration"),
    # Per the web server flow documentation: a missing verifier is invalid_grant, a wrong one invalid_request.
    CodeProblem.VERIFIER_MISSING: ("invalid_grant", "invalid code verifier"),
    CodeProblem.VERIFIER_MISMATCH: ("invalid_request", "invalid code verifier"),
}


@router.post("/services/oauth2/token")
async def token_endpoint(request: Request) -> Response:
    """Exchange an authorization code or a refresh token for an access token."""
    params = await request_params(request)
    client_id, client_secret = client_credentials(request, params)
    if not client_id:
        return _error("invalid_client_id", "client identifier invalid")
    grant_type = params.get("grant_type", "")
    if grant_type not in _GRANTS:
        return _error("unsupported_grant_type", "grant type not supported")
    return _GRANTS[grant_type](request, params, client_id, client_secret)


def _code_grant(request: Request, params: Mapping[str, str], client_id: str, client_secret: str | None) -> Response:
    state = sandbox_state(request)
    record = redeem_code(state, "salesforce", client_id, params)
    if isinstance(record, CodeProblem):
        return _error(*_CODE_ERRORS[record])
    user = state.directory.get(record.email)
    if user is None or _refuse(user) is not None:
        return _error("invalid_grant", "inactive user")
    scopes = record.request.scopes
    body = _token_body(
        request, user, scopes, client_id=client_id, client_secret=client_secret, nonce=record.request.nonce
    )
    if {"refresh_token", "offline_access"} & set(scopes):
        body["refresh_token"] = state.tokens.issue_refresh_token(
            "salesforce", user.email, scopes=scopes, client_id=client_id
        )
    record.issued_tokens.extend(body[name] for name in ("access_token", "refresh_token") if name in body)
    return token_json(body)


def _refresh_grant(request: Request, params: Mapping[str, str], client_id: str, client_secret: str | None) -> Response:
    state = sandbox_state(request)
    grant = refresh_grant(request, "salesforce", params)
    if grant is None:
        return _error("invalid_grant", "expired access/refresh token")
    user = state.directory.get(grant.email)
    if grant.client_id != client_id or user is None or _refuse(user) is not None:
        return _error("invalid_grant", "authentication failure")
    return token_json(_token_body(request, user, grant.scopes, client_id=client_id, client_secret=client_secret))


_GRANTS = {"authorization_code": _code_grant, "refresh_token": _refresh_grant}


def _identity_url(request: Request, state: SandboxState, user: SandboxUser) -> str:
    return f"https://{vendor_host(request)}/id/{org_id(state)}/{user.salesforce_id}"


def _token_body(
    request: Request,
    user: SandboxUser,
    scopes: tuple[str, ...],
    *,
    client_id: str,
    client_secret: str | None,
    nonce: str | None = None,
) -> dict[str, Any]:
    """A token response with a new access token; ``signature`` is keyed with the secret the client sent."""
    state = sandbox_state(request)
    note_call_user(request, user.email)
    access_token = state.tokens.issue_access_token("salesforce", user.email, scopes=scopes, client_id=client_id)
    now = state.clock.now()
    identity_url = _identity_url(request, state, user)
    issued_at = str(int(now.timestamp() * 1000))
    digest = hmac.new((client_secret or "").encode(), (identity_url + issued_at).encode(), hashlib.sha256).digest()
    body: dict[str, Any] = {
        "access_token": access_token,
        "signature": base64.b64encode(digest).decode("ascii"),
        "scope": " ".join(scopes),
        "instance_url": INSTANCE_URL,
        "id": identity_url,
        "token_type": "Bearer",
        "issued_at": issued_at,
    }
    if "openid" in scopes:
        claims: dict[str, Any] = {
            "at_hash": token_hash(access_token),
            "sub": identity_url,
            "aud": client_id,
            "iss": f"https://{vendor_host(request)}",
            "exp": epoch(now + ID_TOKEN_LIFETIME),
            "iat": epoch(now),
        }
        if nonce:
            claims["nonce"] = nonce
        if "profile" in scopes:
            claims.update(
                name=user.name,
                preferred_username=user.email,
                given_name=user.given_name,
                family_name=user.family_name,
                nickname=user.email.split("@", 1)[0],
            )
        if "email" in scopes:
            claims.update(email=user.email, email_verified=True)
        body["id_token"] = state.signing_keys.sign(claims)
    return body


def _session_user(request: Request, params: Mapping[str, str]) -> SandboxUser | None:
    state = sandbox_state(request)
    grant = state.tokens.resolve_access_token("salesforce", bearer_token(request, params) or "")
    user = state.directory.get(grant.email) if grant is not None else None
    return user if user is not None and _refuse(user) is None else None


def _urls(user: SandboxUser, org: str) -> dict[str, str]:
    data = f"{INSTANCE_URL}/services/data/v{{version}}"
    return {
        "enterprise": f"{INSTANCE_URL}/services/Soap/c/{{version}}/{org}",
        "metadata": f"{INSTANCE_URL}/services/Soap/m/{{version}}/{org}",
        "partner": f"{INSTANCE_URL}/services/Soap/u/{{version}}/{org}",
        "rest": f"{data}/",
        "sobjects": f"{data}/sobjects/",
        "search": f"{data}/search/",
        "query": f"{data}/query/",
        "recent": f"{data}/recent/",
        "tooling_soap": f"{INSTANCE_URL}/services/Soap/T/{{version}}/{org}",
        "tooling_rest": f"{data}/tooling/",
        "profile": f"{INSTANCE_URL}/{user.salesforce_id}",
        "feeds": f"{data}/chatter/feeds",
        "groups": f"{data}/chatter/groups",
        "users": f"{data}/chatter/users",
        "feed_items": f"{data}/chatter/feed-items",
        "feed_elements": f"{data}/chatter/feed-elements",
        "custom_domain": INSTANCE_URL,
    }


_PHOTOS = {"picture": f"{INSTANCE_URL}/profilephoto/005/F", "thumbnail": f"{INSTANCE_URL}/profilephoto/005/T"}


_BAD_TOKEN = PlainTextResponse("Bad_OAuth_Token", status_code=403)


@router.api_route("/services/oauth2/userinfo", methods=["GET", "POST"])
async def userinfo_endpoint(request: Request) -> Response:
    """The OpenID Connect UserInfo endpoint, in Salesforce's shape."""
    user = _session_user(request, await request_params(request))
    if user is None:
        return _BAD_TOKEN
    state = sandbox_state(request)
    org = org_id(state)
    return JSONResponse(
        {
            "sub": _identity_url(request, state, user),
            "user_id": user.salesforce_id,
            "organization_id": org,
            "preferred_username": user.email,
            "nickname": user.email.split("@", 1)[0],
            "name": user.name,
            "email": user.email,
            "email_verified": True,
            "given_name": user.given_name,
            "family_name": user.family_name,
            "zoneinfo": "America/Los_Angeles",
            "photos": dict(_PHOTOS),
            "profile": f"{INSTANCE_URL}/{user.salesforce_id}",
            "picture": _PHOTOS["picture"],
            "address": {},
            "is_salesforce_integration_user": False,
            "urls": _urls(user, org),
            "active": True,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": -28800000,
            "updated_at": state.clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "is_app_installed": True,
        }
    )


@router.api_route("/id/{org}/{user_id}", methods=["GET", "POST"])
async def identity_url_endpoint(request: Request, org: str, user_id: str) -> Response:
    """The identity URL returned as ``id`` by the token endpoint."""
    user = _session_user(request, await request_params(request))
    if user is None:
        return _BAD_TOKEN
    state = sandbox_state(request)
    if org != org_id(state) or user_id != user.salesforce_id:
        return PlainTextResponse("Bad_Id", status_code=403)
    return JSONResponse(
        {
            "id": _identity_url(request, state, user),
            "asserted_user": True,
            "user_id": user.salesforce_id,
            "organization_id": org,
            "username": user.email,
            "nick_name": user.email.split("@", 1)[0],
            "display_name": user.name,
            "email": user.email,
            "email_verified": True,
            "first_name": user.given_name,
            "last_name": user.family_name,
            "timezone": "America/Los_Angeles",
            "photos": dict(_PHOTOS),
            "addr_street": None,
            "addr_city": None,
            "addr_state": None,
            "addr_country": None,
            "addr_zip": None,
            "mobile_phone": None,
            "mobile_phone_verified": False,
            "is_lightning_login_user": False,
            "status": {"created_date": None, "body": None},
            "urls": _urls(user, org),
            "active": True,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": -28800000,
            "last_modified_date": state.clock.now().strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "is_app_installed": True,
        }
    )


@router.api_route("/services/oauth2/revoke", methods=["GET", "POST"])
async def revoke_endpoint(request: Request) -> Response:
    """Revoke an access token, or a refresh token and the access tokens issued with it."""
    state = sandbox_state(request)
    token = (await request_params(request)).get("token", "")
    grant = state.tokens.any_grant(token) or state.tokens.resolve_refresh_token("salesforce", token)
    if not token or not state.tokens.revoke(token):
        return _error("unsupported_token_type", "this token type is not supported")
    if grant is not None:
        note_call_user(request, grant.email)
    return Response(status_code=200)


@router.get("/.well-known/openid-configuration")
async def discovery_endpoint(request: Request) -> Response:
    """OpenID Connect discovery, naming the vendor's own URLs."""
    issuer = f"https://{vendor_host(request)}"
    return JSONResponse(
        {
            "issuer": issuer,
            "authorization_endpoint": f"{issuer}/services/oauth2/authorize",
            "token_endpoint": f"{issuer}/services/oauth2/token",
            "revocation_endpoint": f"{issuer}/services/oauth2/revoke",
            "userinfo_endpoint": f"{issuer}/services/oauth2/userinfo",
            "jwks_uri": f"{issuer}/id/keys",
            "scopes_supported": sorted(SCOPES),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [SIGNING_ALGORITHM],
            "display_values_supported": ["page", "popup", "touch"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": [
                "active",
                "address",
                "email",
                "email_verified",
                "family_name",
                "given_name",
                "is_app_installed",
                "language",
                "locale",
                "name",
                "nickname",
                "organization_id",
                "phone_number",
                "phone_number_verified",
                "photos",
                "picture",
                "preferred_username",
                "profile",
                "sub",
                "updated_at",
                "urls",
                "user_id",
                "user_type",
                "zoneinfo",
            ],
        }
    )


@router.get("/id/keys")
async def keys_endpoint(request: Request) -> Response:
    """The public keys that verify Salesforce ID tokens."""
    return JSONResponse(sandbox_state(request).signing_keys.jwks())
