"""OAuth 2.0 and OpenID Connect with Salesforce, Microsoft and Google, through Authlib.

One :class:`VendorOAuth` per application builds authorization URLs (PKCE S256, ``state``, ``nonce``), redeems
codes, refreshes and revokes tokens, verifies ID tokens, and reads Salesforce's identity URL. With a sandbox
base URL every vendor URL is rebased onto the sandbox (the browser's redirects too); without one, the real
vendors are called.

Authlib's requests-based ``OAuth2Session`` does the protocol; the requests session carries the rebasing adapter
(``app.connectors.vendor_http``). Authlib 1.9's httpx integration now wants the ``httpx2`` fork and warns on
plain httpx, which this project standardises on, so the requests integration is the well-kept path here.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from app.connectors.errors import AuthRevoked, VendorError, VendorUnavailable
from app.connectors.vendor_http import RebasingAdapter, rebase_url
from app.models import Provider
from app.services.connections import IssuedTokens
from app.settings import Settings

#: Client ids and secret used in sandbox mode when none are configured (the sandbox accepts any client).
SANDBOX_CLIENT_IDS: dict[Provider, str] = {
    Provider.SALESFORCE: "crmbridge-sandbox-salesforce",
    Provider.MICROSOFT: "00000000-0000-4000-8000-00000000c0de",
    Provider.GOOGLE: "crmbridge-sandbox.apps.googleusercontent.com",
}
SANDBOX_CLIENT_SECRET = "crmbridge-sandbox-client-secret"

MICROSOFT_LOGIN = "https://login.microsoftonline.com"
#: The tenant id of personal Microsoft accounts, refused when the tenant setting is ``organizations``.
MICROSOFT_CONSUMER_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad"
GOOGLE_AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
GOOGLE_REVOKE_URL = "https://oauth2.googleapis.com/revoke"
GOOGLE_KEYS_URL = "https://www.googleapis.com/oauth2/v3/certs"
GOOGLE_ISSUERS = frozenset({"https://accounts.google.com", "accounts.google.com"})

#: Scopes of signing in to crmbridge's pages: who the person is, nothing more.
SIGN_IN_SCOPES: dict[Provider, tuple[str, ...]] = {
    Provider.MICROSOFT: ("openid", "profile", "email"),
    Provider.GOOGLE: ("openid", "email", "profile"),
}
#: Scopes of connecting an account, per vendor (each documented in the README).
CONNECT_SCOPES: dict[Provider, tuple[str, ...]] = {
    # Salesforce: REST API, a refresh token, and the identity URL.
    Provider.SALESFORCE: ("api", "refresh_token", "id"),
    # Microsoft Graph delegated permissions, plus OpenID Connect to learn which account was connected.
    Provider.MICROSOFT: (
        "openid",
        "profile",
        "email",
        "offline_access",
        "User.Read",
        "Contacts.ReadWrite",
        "Calendars.ReadWrite",
        "Tasks.ReadWrite",
        "Mail.Read",
    ),
    # Google: People (contacts), Calendar events, Tasks, and the Gmail add-on's open message.
    Provider.GOOGLE: (
        "openid",
        "email",
        "profile",
        "https://www.googleapis.com/auth/contacts",
        "https://www.googleapis.com/auth/calendar.events",
        "https://www.googleapis.com/auth/tasks",
        "https://www.googleapis.com/auth/gmail.addons.current.message.readonly",
    ),
}
#: Host suffixes a Salesforce identity or instance URL may have (production, sandboxes, Government Cloud).
SALESFORCE_HOST_SUFFIXES = (".salesforce.com", ".force.com", ".salesforce.mil", ".cloudforce.com")
#: How long fetched signing keys are trusted before they are fetched again.
KEYS_LIFETIME_SECONDS = 3600.0
HTTP_TIMEOUT_SECONDS = 15.0


class OAuthFlowError(Exception):
    """A sign-in or connect flow cannot complete; ``message`` is written for the person in front of the page."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ProviderNotConfigured(OAuthFlowError):
    """No OAuth client is configured for this vendor."""


@dataclass(frozen=True)
class OAuthClient:
    """One vendor's OAuth client registration and endpoints (vendor URLs; rebased when sent)."""

    provider: Provider
    client_id: str
    client_secret: str = field(repr=False)
    authorize_url: str
    token_url: str
    revoke_url: str | None
    keys_url: str | None


@dataclass(frozen=True)
class Identity:
    """Who signed in or connected, as the vendor vouches for them."""

    provider: Provider
    account_id: str
    email: str | None
    name: str | None
    username: str | None


@dataclass(frozen=True)
class CodeExchange:
    """What a redeemed authorization code gave: tokens, the granted scopes and the vendor's raw answer."""

    tokens: IssuedTokens
    scopes: str
    id_token: str | None = field(default=None, repr=False)
    salesforce_id_url: str | None = None
    extras: Mapping[str, Any] = field(default_factory=dict, repr=False)


class VendorOAuth:
    """The application's OAuth clients for the three vendors; also the ``TokenRefresher`` of connections."""

    def __init__(self, settings: Settings, vendor_base_url: str | None) -> None:
        self._settings = settings
        self._base = vendor_base_url.rstrip("/") if vendor_base_url else None
        self._keys: dict[str, tuple[KeySet, float]] = {}
        self._keys_lock = threading.Lock()

    # -- configuration -------------------------------------------------------------------------------------

    def configured(self, provider: Provider) -> bool:
        """Whether crmbridge has an OAuth client for ``provider`` (always, in sandbox mode)."""
        return self._settings.sandbox_mode or bool(self._credentials(provider)[0])

    def client(self, provider: Provider) -> OAuthClient:
        """The registration and endpoints for ``provider``; ProviderNotConfigured when there is none."""
        client_id, client_secret = self._credentials(provider)
        if not client_id:
            if not self._settings.sandbox_mode:
                label = provider.value.capitalize()
                raise ProviderNotConfigured(f"{label} is not set up on this crmbridge server; ask your administrator.")
            client_id, client_secret = SANDBOX_CLIENT_IDS[provider], SANDBOX_CLIENT_SECRET
        secret = client_secret or (SANDBOX_CLIENT_SECRET if self._settings.sandbox_mode else "")
        if provider is Provider.SALESFORCE:
            login = self._settings.salesforce_login_url.rstrip("/")
            return OAuthClient(
                provider,
                client_id,
                secret,
                authorize_url=f"{login}/services/oauth2/authorize",
                token_url=f"{login}/services/oauth2/token",
                revoke_url=f"{login}/services/oauth2/revoke",
                keys_url=None,
            )
        if provider is Provider.MICROSOFT:
            tenant = self._settings.microsoft_tenant
            return OAuthClient(
                provider,
                client_id,
                secret,
                authorize_url=f"{MICROSOFT_LOGIN}/{tenant}/oauth2/v2.0/authorize",
                token_url=f"{MICROSOFT_LOGIN}/{tenant}/oauth2/v2.0/token",
                revoke_url=None,  # the Microsoft identity platform has no revocation endpoint
                keys_url=f"{MICROSOFT_LOGIN}/{tenant}/discovery/v2.0/keys",
            )
        return OAuthClient(
            provider,
            client_id,
            secret,
            authorize_url=GOOGLE_AUTHORIZE_URL,
            token_url=GOOGLE_TOKEN_URL,
            revoke_url=GOOGLE_REVOKE_URL,
            keys_url=GOOGLE_KEYS_URL,
        )

    def _credentials(self, provider: Provider) -> tuple[str | None, str | None]:
        client_id: str | None = getattr(self._settings, f"{provider.value}_client_id")
        secret = getattr(self._settings, f"{provider.value}_client_secret")
        return client_id, secret.get_secret_value() if secret is not None else None

    def browser_url(self, url: str) -> str:
        """A vendor URL as the user's browser must open it (on the sandbox when there is one)."""
        return rebase_url(url, self._base) if self._base else url

    def origins(self) -> list[str]:
        """Origins the browser is sent to in these flows (for the pages' ``form-action`` policy)."""
        if self._base:
            parts = urlsplit(self._base)
            return [f"{parts.scheme}://{parts.netloc}"]
        login = urlsplit(self._settings.salesforce_login_url)
        return [f"https://{login.netloc}", MICROSOFT_LOGIN, "https://accounts.google.com"]

    # -- the authorization code flow -----------------------------------------------------------------------

    def authorization_url(
        self,
        provider: Provider,
        *,
        scopes: tuple[str, ...],
        redirect_uri: str,
        state: str,
        code_verifier: str,
        nonce: str | None = None,
        login_hint: str | None = None,
    ) -> str:
        """Where to send the browser to sign in or grant access (already rebased for the sandbox)."""
        client = self.client(provider)
        extra: dict[str, str] = {}
        if nonce:
            extra["nonce"] = nonce
        if login_hint:
            extra["login_hint"] = login_hint
        if provider is Provider.GOOGLE and "https://www.googleapis.com/auth/contacts" in scopes:
            # A refresh token comes only with offline access, and only from a consent screen.
            extra.update(access_type="offline", prompt="consent", include_granted_scopes="true")
        if provider is Provider.MICROSOFT:
            extra["response_mode"] = "query"
        with self._session(client, redirect_uri=redirect_uri, scope=" ".join(scopes)) as session:
            url, _state = session.create_authorization_url(
                client.authorize_url, state=state, code_verifier=code_verifier, **extra
            )
        return self.browser_url(str(url))

    def exchange_code(self, provider: Provider, *, code: str, redirect_uri: str, code_verifier: str) -> CodeExchange:
        """Redeem an authorization code. OAuthFlowError when the vendor refuses it."""
        client = self.client(provider)
        label = _label(provider)
        with self._session(client, redirect_uri=redirect_uri) as session:
            try:
                token = session.fetch_token(
                    client.token_url, code=code, code_verifier=code_verifier, grant_type="authorization_code"
                )
            except OAuthError as exc:
                raise OAuthFlowError(
                    f"{label} did not accept the sign-in ({exc.error}). Start again from crmbridge."
                ) from None
            except (requests.RequestException, ValueError):
                raise OAuthFlowError(f"{label} could not be reached. Try again in a moment.") from None
        data = dict(token)
        if provider is Provider.SALESFORCE:
            self._check_salesforce_signature(client, data)
        return CodeExchange(
            tokens=_issued(provider, data),
            scopes=str(data.get("scope") or ""),
            id_token=data.get("id_token"),
            salesforce_id_url=data.get("id") if provider is Provider.SALESFORCE else None,
            extras={key: value for key, value in data.items() if key not in ("access_token", "refresh_token")},
        )

    def refresh(self, provider: Provider, refresh_token: str) -> IssuedTokens:
        """New tokens for ``refresh_token`` (the ``TokenRefresher`` protocol).

        Raises AuthRevoked when the vendor says the grant is gone (``invalid_grant``), VendorUnavailable when it
        cannot be reached, and VendorError for anything else (such as a wrong client secret).
        """
        client = self.client(provider)
        scope = " ".join(CONNECT_SCOPES[provider]) if provider is Provider.MICROSOFT else None
        with self._session(client) as session:
            try:
                extra = {"scope": scope} if scope else {}
                token = session.refresh_token(client.token_url, refresh_token=refresh_token, **extra)
            except OAuthError as exc:
                if exc.error == "invalid_grant":
                    raise AuthRevoked(provider.value, "the refresh token was refused (invalid_grant)") from None
                raise VendorError(provider.value, f"token refresh failed: {exc.error}") from None
            except (requests.RequestException, ValueError):
                raise VendorUnavailable(provider.value, "the token endpoint could not be reached") from None
        data = dict(token)
        if data.get("refresh_token") == refresh_token:
            data.pop("refresh_token")  # Authlib copies the old one in when none came back: nothing new to store
        return _issued(provider, data)

    def revoke(self, provider: Provider, token: str) -> bool:
        """Revoke ``token`` (and its grant) at the vendor. False when the vendor has no revocation endpoint or it
        could not be reached; the caller erases the token either way."""
        client = self.client(provider)
        if client.revoke_url is None:
            return False
        with self._session(client) as session:
            try:
                response = session.revoke_token(client.revoke_url, token=token, token_type_hint="refresh_token")
            except requests.RequestException:
                return False
        # An unknown or already revoked token is revoked as far as we are concerned.
        return bool(response.status_code < 500)

    # -- identities ----------------------------------------------------------------------------------------

    def verify_id_token(self, provider: Provider, id_token: str, *, nonce: str | None) -> dict[str, Any]:
        """The claims of an ID token after checking signature, issuer, audience, expiry and ``nonce``."""
        client = self.client(provider)
        label = _label(provider)
        if client.keys_url is None:
            raise OAuthFlowError(f"{label} sign-in is not supported.")
        try:
            try:
                decoded = jwt.decode(id_token, self._key_set(client.keys_url), algorithms=["RS256"])
            except (JoseError, ValueError):  # the vendor may have rotated its keys since they were fetched
                decoded = jwt.decode(id_token, self._key_set(client.keys_url, force=True), algorithms=["RS256"])
        except (JoseError, ValueError):
            raise OAuthFlowError(f"{label}'s answer could not be verified. Start again.") from None
        except requests.RequestException:
            raise OAuthFlowError(f"{label} could not be reached. Try again in a moment.") from None
        claims = dict(decoded.claims)
        registry = JWTClaimsRegistry(
            leeway=120,
            aud={"essential": True, "value": client.client_id},
            exp={"essential": True},
            sub={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError:
            raise OAuthFlowError(f"{label}'s answer was not meant for crmbridge or has expired. Start again.") from None
        if nonce is not None and not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
            raise OAuthFlowError(f"{label}'s answer does not belong to this sign-in. Start again.")
        if not self._issuer_ok(provider, claims):
            raise OAuthFlowError(f"{label} accounts of this organisation cannot sign in here.")
        return claims

    def _issuer_ok(self, provider: Provider, claims: Mapping[str, Any]) -> bool:
        issuer = str(claims.get("iss", ""))
        if provider is Provider.GOOGLE:
            return issuer in GOOGLE_ISSUERS
        tenant_id = str(claims.get("tid", ""))
        if not tenant_id or issuer != f"{MICROSOFT_LOGIN}/{tenant_id}/v2.0":
            return False
        configured = self._settings.microsoft_tenant.lower()
        if configured == "common":
            return True
        if configured == "organizations":
            return tenant_id != MICROSOFT_CONSUMER_TENANT
        if configured == "consumers":
            return tenant_id == MICROSOFT_CONSUMER_TENANT
        # A tenant id must match; a tenant given by domain name was already enforced by the login endpoint.
        return tenant_id.lower() == configured if "." not in configured else True

    def identity_from_id_token(self, provider: Provider, claims: Mapping[str, Any]) -> Identity:
        """The person an ID token names: a stable account id, their address (verified where the vendor says)."""
        if provider is Provider.GOOGLE:
            email = claims.get("email") if claims.get("email_verified") in (True, "true") else None
            return Identity(
                provider,
                account_id=str(claims["sub"]),
                email=_address(email),
                name=_text(claims.get("name")),
                username=_address(email),
            )
        email = _address(claims.get("email")) or _address(claims.get("preferred_username"))
        return Identity(
            provider,
            account_id=str(claims.get("oid") or claims["sub"]),
            email=email,
            name=_text(claims.get("name")),
            username=_text(claims.get("preferred_username")) or email,
        )

    def salesforce_identity(self, id_url: str | None, access_token: str) -> Identity:
        """The Salesforce user behind a token, read from the identity URL the token response named."""
        label = _label(Provider.SALESFORCE)
        parts = urlsplit(id_url or "")
        segments = parts.path.strip("/").split("/")
        if parts.scheme != "https" or not self._salesforce_host(parts.hostname) or len(segments) != 3:
            raise OAuthFlowError(f"{label} answered with an unexpected identity URL. Start again.")
        _id, org_id, user_id = segments
        session = requests.Session()
        if self._base:
            session.mount("https://", RebasingAdapter(self._base))
        with session:
            try:
                response = session.get(
                    str(id_url), headers={"Authorization": f"Bearer {access_token}"}, timeout=HTTP_TIMEOUT_SECONDS
                )
                response.raise_for_status()
                data = response.json()
            except (requests.RequestException, ValueError):
                raise OAuthFlowError(f"{label} could not tell which user signed in. Try again.") from None
        if str(data.get("user_id")) != user_id or str(data.get("organization_id")) != org_id:
            raise OAuthFlowError(f"{label} answered for another user. Start again.")
        return Identity(
            Provider.SALESFORCE,
            account_id=user_id,
            email=_address(data.get("email")),
            name=_text(data.get("display_name")),
            username=_text(data.get("username")),
        )

    def salesforce_instance_ok(self, instance_url: str | None) -> bool:
        """Whether an instance URL is an https Salesforce address (tokens are only ever sent there)."""
        parts = urlsplit(instance_url or "")
        return parts.scheme == "https" and self._salesforce_host(parts.hostname)

    def _salesforce_host(self, host: str | None) -> bool:
        if not host:
            return False
        login_host = urlsplit(self._settings.salesforce_login_url).hostname
        return host == login_host or host.endswith(SALESFORCE_HOST_SUFFIXES)

    def _check_salesforce_signature(self, client: OAuthClient, data: Mapping[str, Any]) -> None:
        # "signature" is the base64 HMAC-SHA256 of id + issued_at, keyed with the consumer secret.
        identity_url, issued_at, signature = data.get("id"), data.get("issued_at"), data.get("signature")
        if not (identity_url and issued_at and signature):
            return
        digest = hmac.new(client.client_secret.encode(), f"{identity_url}{issued_at}".encode(), hashlib.sha256).digest()
        if not hmac.compare_digest(base64.b64encode(digest).decode("ascii"), str(signature)):
            raise OAuthFlowError("Salesforce's answer could not be verified. Start again.")
        if not self.salesforce_instance_ok(data.get("instance_url")):
            raise OAuthFlowError("Salesforce answered with an unexpected instance address. Start again.")

    # -- plumbing ------------------------------------------------------------------------------------------

    def _session(self, client: OAuthClient, *, redirect_uri: str | None = None, scope: str | None = None) -> Any:
        session = OAuth2Session(
            client_id=client.client_id,
            client_secret=client.client_secret,
            token_endpoint_auth_method="client_secret_post",
            revocation_endpoint_auth_method="client_secret_post",
            redirect_uri=redirect_uri,
            scope=scope,
            code_challenge_method="S256",
            default_timeout=HTTP_TIMEOUT_SECONDS,
        )
        if self._base:
            session.mount("https://", RebasingAdapter(self._base))
        return session

    def _key_set(self, url: str, *, force: bool = False) -> KeySet:
        with self._keys_lock:
            cached = self._keys.get(url)
            if cached and not force and cached[1] > time.monotonic():
                return cached[0]
        session = requests.Session()
        if self._base:
            session.mount("https://", RebasingAdapter(self._base))
        with session:
            response = session.get(url, timeout=HTTP_TIMEOUT_SECONDS)
            response.raise_for_status()
            key_set = KeySet.import_key_set(response.json())
        with self._keys_lock:
            self._keys[url] = (key_set, time.monotonic() + KEYS_LIFETIME_SECONDS)
        return key_set


def _issued(provider: Provider, data: Mapping[str, Any]) -> IssuedTokens:
    access_token = data.get("access_token")
    if not isinstance(access_token, str) or not access_token:
        raise VendorError(provider.value, "the token endpoint answered without an access token")
    expires_at = data.get("expires_at")
    refresh_token = data.get("refresh_token")
    return IssuedTokens(
        access_token=access_token,
        refresh_token=refresh_token if isinstance(refresh_token, str) and refresh_token else None,
        # Salesforce sends no lifetime: its session timeout is the org's; a 401 then triggers the refresh.
        expires_at=datetime.fromtimestamp(int(expires_at), UTC) if expires_at else None,
        instance_url=str(data["instance_url"])
        if provider is Provider.SALESFORCE and data.get("instance_url")
        else None,
    )


def _label(provider: Provider) -> str:
    return {Provider.SALESFORCE: "Salesforce", Provider.MICROSOFT: "Microsoft", Provider.GOOGLE: "Google"}[provider]


def _address(value: object) -> str | None:
    if isinstance(value, str) and "@" in value and len(value) <= 320:
        return value.strip().lower()
    return None


def _text(value: object) -> str | None:
    return value.strip()[:255] or None if isinstance(value, str) else None
