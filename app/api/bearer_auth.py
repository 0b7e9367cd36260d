"""Bearer-token authentication of the sidebar API (``/api``): a Microsoft identity platform access token for
crmbridge's own API, validated as a JWT.

The Outlook task pane gets the token from Office (``Office.auth.getAccessToken``, Office's single sign-on, part of
Office.js), for the scope ``api://{host}/{client id}/access_as_user`` of crmbridge's Entra ID app. In sandbox mode
the sandbox's Microsoft identity provider issues the same kind of token, and it goes through this same code.

What is checked, per "Microsoft identity platform access tokens":

- the signature, with a key of the tenant's JWKS (from the OpenID Connect discovery document; kept for a day and
  fetched again when a token names a key id the set does not have, at most once a minute);
- ``alg`` RS256; ``iss`` is the discovery document's issuer with the token's ``tid`` in it (a fixed tenant
  accepts only its own tokens; ``organizations`` refuses personal accounts);
- ``aud`` is crmbridge's client id (a v2.0 token: the app registration sets ``accessTokenAcceptedVersion`` 2);
- ``exp`` and ``nbf`` (one minute of clock skew), and ``scp`` includes ``access_as_user`` (a user's token, not
  an app's).

The user is who the token names: the crmbridge user whose Microsoft connection has the token's ``oid``, else the
one with the token's address; never an address the client sends. A new address is admitted as a sign-in would be.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlmodel import col, select
from starlette.exceptions import HTTPException

from app.api.deps import DbSession
from app.connectors.oauth_clients import SANDBOX_CLIENT_IDS
from app.connectors.vendor_http import RebasingTransport
from app.errors import ServiceUnavailable
from app.models import Connection, MailProvider, Provider, User
from app.services.users import SignInPolicy, find_user, sign_in
from app.settings import Settings

MICROSOFT_LOGIN = "https://login.microsoftonline.com"
#: The delegated permission crmbridge's API exposes to the add-in.
API_SCOPE = "access_as_user"
#: The client id of crmbridge's Entra ID app in sandbox mode when none is configured (the sandbox accepts any).
SANDBOX_CLIENT_ID = SANDBOX_CLIENT_IDS[Provider.MICROSOFT]
#: Tenant id of personal Microsoft accounts (refused when the tenant setting is ``organizations``).
CONSUMER_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
ALGORITHMS = ("RS256",)
CLOCK_SKEW_SECONDS = 60
KEYS_LIFETIME_SECONDS = 24 * 3600.0
#: A token naming an unknown key makes the keys be fetched again, but not more often than this.
KEYS_REFETCH_INTERVAL_SECONDS = 60.0
HTTP_TIMEOUT_SECONDS = 10.0
_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class InvalidToken(Exception):
    """The bearer token is not one crmbridge accepts; the message says why (for the client, no secrets)."""


@dataclass(frozen=True)
class TokenIdentity:
    """Who a validated token names."""

    object_id: str
    tenant_id: str
    address: str | None
    name: str | None


def addin_client_id(settings: Settings) -> str | None:
    """The client id of crmbridge's Entra ID app: the configured one, or in sandbox mode the sandbox's."""
    if settings.microsoft_client_id:
        return settings.microsoft_client_id
    return SANDBOX_CLIENT_ID if settings.sandbox_mode else None


class EntraTokenValidator:
    """Validates access tokens for crmbridge's API issued by the Microsoft identity platform (or the sandbox's)."""

    def __init__(
        self,
        *,
        client_id: str | None,
        tenant: str,
        vendor_base_url: str | None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.client_id = client_id
        self.tenant = tenant
        self.clock = clock
        self._vendor_base_url = vendor_base_url
        self._lock = threading.Lock()
        self._discovery: tuple[str, str, float] | None = None  # issuer template, jwks_uri, expiry
        self._keys: tuple[KeySet, float, float] | None = None  # keys, expiry, fetched at

    def validate(self, token: str) -> TokenIdentity:
        """The identity of a valid token; InvalidToken otherwise."""
        if not self.client_id:
            raise InvalidToken("The Outlook add-in is not set up on this server (no Microsoft client id).")
        header = _header(token)
        if header.get("alg") not in ALGORITHMS:
            raise InvalidToken("The access token is not signed the way Microsoft signs them.")
        issuer_template, jwks_uri = self._discovery_document()
        keys = self._key_set(jwks_uri, str(header.get("kid") or ""))
        try:
            decoded = jwt.decode(token, keys, algorithms=list(ALGORITHMS))
        except (JoseError, ValueError):
            raise InvalidToken("The access token's signature is not valid.") from None
        claims = dict(decoded.claims)
        self._check_claims(claims, issuer_template)
        address = claims.get("email") or claims.get("preferred_username")
        return TokenIdentity(
            object_id=str(claims["oid"]),
            tenant_id=str(claims["tid"]),
            address=str(address).strip().lower() if address and "@" in str(address) else None,
            name=str(claims["name"]) if claims.get("name") else None,
        )

    def _check_claims(self, claims: Mapping[str, Any], issuer_template: str) -> None:
        now = self.clock()
        tenant_id = str(claims.get("tid") or "")
        if not _GUID.match(tenant_id) or claims.get("iss") != issuer_template.replace("{tenantid}", tenant_id):
            raise InvalidToken("The access token was not issued by the expected Microsoft tenant.")
        if self.tenant.lower() == "organizations" and tenant_id == CONSUMER_TENANT:
            raise InvalidToken("Personal Microsoft accounts cannot use crmbridge; sign in with your work account.")
        if claims.get("aud") != self.client_id:
            raise InvalidToken("The access token is not meant for crmbridge.")
        expires = claims.get("exp")
        if not isinstance(expires, int | float) or expires + CLOCK_SKEW_SECONDS <= now:
            raise InvalidToken("The access token has expired.")
        not_before = claims.get("nbf")
        if isinstance(not_before, int | float) and not_before - CLOCK_SKEW_SECONDS > now:
            raise InvalidToken("The access token is not valid yet.")
        if API_SCOPE not in str(claims.get("scp") or "").split():
            raise InvalidToken(f"The access token does not carry the {API_SCOPE} permission.")
        if not claims.get("oid"):
            raise InvalidToken("The access token does not name a user.")

    # -- keys ----------------------------------------------------------------------------------------------

    def _http(self) -> httpx.Client:
        transport = RebasingTransport(self._vendor_base_url) if self._vendor_base_url else None
        return httpx.Client(transport=transport, timeout=HTTP_TIMEOUT_SECONDS)

    def _get_json(self, url: str) -> Any:
        try:
            with self._http() as client:
                response = client.get(url)
                response.raise_for_status()
                return response.json()
        except (httpx.HTTPError, json.JSONDecodeError):
            raise ServiceUnavailable(
                "Microsoft's sign-in service could not be reached to check your sign-in; try again shortly."
            ) from None

    def _discovery_document(self) -> tuple[str, str]:
        with self._lock:
            cached = self._discovery
        if cached and cached[2] > time.monotonic():
            return cached[0], cached[1]
        document = self._get_json(f"{MICROSOFT_LOGIN}/{self.tenant}/v2.0/.well-known/openid-configuration")
        issuer, jwks_uri = str(document.get("issuer") or ""), str(document.get("jwks_uri") or "")
        if not issuer or not jwks_uri.startswith("https://"):
            raise ServiceUnavailable("Microsoft's sign-in service answered unexpectedly; try again shortly.")
        with self._lock:
            self._discovery = (issuer, jwks_uri, time.monotonic() + KEYS_LIFETIME_SECONDS)
        return issuer, jwks_uri

    def _key_set(self, jwks_uri: str, kid: str) -> KeySet:
        now = time.monotonic()
        with self._lock:
            cached = self._keys
        if cached is not None and cached[1] > now:
            if _has_kid(cached[0], kid):
                return cached[0]
            if now - cached[2] < KEYS_REFETCH_INTERVAL_SECONDS:
                raise InvalidToken("The access token was signed with a key Microsoft does not publish.")
        try:
            keys = KeySet.import_key_set(self._get_json(jwks_uri))
        except (JoseError, ValueError, TypeError):
            raise ServiceUnavailable("Microsoft's signing keys could not be read; try again shortly.") from None
        with self._lock:
            self._keys = (keys, now + KEYS_LIFETIME_SECONDS, now)
        if not _has_kid(keys, kid):
            raise InvalidToken("The access token was signed with a key Microsoft does not publish.")
        return keys


def _has_kid(keys: KeySet, kid: str) -> bool:
    return bool(kid) and any(key.kid == kid for key in keys.keys)


def _header(token: str) -> dict[str, Any]:
    try:
        return dict(jws.extract_compact(token.encode("ascii")).protected)
    except (JoseError, ValueError, UnicodeError):
        raise InvalidToken("The access token is not a JSON Web Token.") from None


# --- FastAPI dependencies ---------------------------------------------------------------------------------------

bearer_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="Microsoft access token",
    description="An access token for crmbridge's API (scope `api://{host}/{client id}/access_as_user`), "
    "as Office single sign-on issues it to the Outlook add-in.",
)


def _unauthorized(message: str) -> HTTPException:
    return HTTPException(401, detail=message, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


def api_identity(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)]
) -> TokenIdentity:
    """The identity of the request's bearer token; 401 in the house format when there is none or it is invalid."""
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise _unauthorized("Sign in to use the crmbridge sidebar: this request carries no access token.")
    validator: EntraTokenValidator = request.app.state.api_token_validator
    try:
        return validator.validate(credentials.credentials.strip())
    except InvalidToken as exc:
        raise _unauthorized(f"{exc} Sign in again.") from None


def api_user(request: Request, db: DbSession, identity: Annotated[TokenIdentity, Depends(api_identity)]) -> User:
    """The crmbridge user the token names (admitted as a sign-in would be when new).

    The transaction ends here (committing a user just admitted): FastAPI runs each dependency in its own turn of
    the thread pool, and a request must not keep a pooled connection while it waits for its next turn."""
    user = _user_for(request, db, identity)
    db.commit()
    return user


def _user_for(request: Request, db: DbSession, identity: TokenIdentity) -> User:
    connection = db.exec(
        select(Connection).where(
            col(Connection.provider) == Provider.MICROSOFT, col(Connection.account_id) == identity.object_id
        )
    ).first()
    if connection is not None:
        user = db.get(User, connection.user_id)
        if user is not None:
            return user
    if identity.address:
        user = find_user(db, identity.address)
        if user is not None:
            return user
    settings: Settings = request.app.state.settings
    return sign_in(
        db,
        email=identity.address,
        name=identity.name,
        mail_provider=MailProvider.MICROSOFT,
        policy=SignInPolicy.from_settings(settings),
        now=datetime.now(UTC),
    )


ApiUser = Annotated[User, Depends(api_user)]
