"""Access and refresh tokens the emulated vendor APIs accept, bound to a sandbox user and a provider."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from app.sandbox.clock import SandboxClock

Provider = Literal["salesforce", "microsoft", "google"]
PROVIDERS: tuple[Provider, ...] = ("salesforce", "microsoft", "google")

# Shapes that resemble each vendor's tokens, so logs and scrubbers see realistic values.
_ACCESS_PREFIX: dict[Provider, str] = {
    "salesforce": "00DSB000000000001!AQ",
    "microsoft": "EwB",
    "google": "ya29.a0",
}
_REFRESH_PREFIX: dict[Provider, str] = {"salesforce": "5Aep861", "microsoft": "M.C5", "google": "1//0g"}
ACCESS_TOKEN_LIFETIME = timedelta(hours=1)


@dataclass(frozen=True)
class Grant:
    """What a token stands for."""

    provider: Provider
    email: str
    scopes: tuple[str, ...]
    client_id: str | None
    expires_at: datetime | None
    revoked: bool = False


class TokenRegistry:
    """Issues, resolves and revokes tokens. Expiry follows the sandbox clock."""

    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        self._access: dict[str, Grant] = {}
        self._refresh: dict[str, Grant] = {}

    def issue_access_token(
        self,
        provider: Provider,
        email: str,
        *,
        scopes: tuple[str, ...] = (),
        client_id: str | None = None,
        lifetime: timedelta = ACCESS_TOKEN_LIFETIME,
    ) -> str:
        """A new access token for ``email`` at ``provider``, valid for ``lifetime`` of sandbox time."""
        token = _ACCESS_PREFIX[provider] + secrets.token_urlsafe(32)
        self._access[token] = Grant(provider, email.lower(), scopes, client_id, self._clock.now() + lifetime)
        return token

    def issue_refresh_token(
        self, provider: Provider, email: str, *, scopes: tuple[str, ...] = (), client_id: str | None = None
    ) -> str:
        """A new refresh token (no expiry; revocable)."""
        token = _REFRESH_PREFIX[provider] + secrets.token_urlsafe(32)
        self._refresh[token] = Grant(provider, email.lower(), scopes, client_id, None)
        return token

    def resolve_access_token(self, provider: Provider, token: str) -> Grant | None:
        """The grant behind a live access token of ``provider``; None if unknown, expired or revoked."""
        grant = self._access.get(token)
        if grant is None or grant.provider != provider or grant.revoked:
            return None
        if grant.expires_at is not None and grant.expires_at <= self._clock.now():
            return None
        return grant

    def resolve_refresh_token(self, provider: Provider, token: str) -> Grant | None:
        """The grant behind a usable refresh token of ``provider``."""
        grant = self._refresh.get(token)
        if grant is None or grant.provider != provider or grant.revoked:
            return None
        return grant

    def any_grant(self, token: str) -> Grant | None:
        """The grant of any provider's access or refresh token, live or not (for the call log)."""
        return self._access.get(token) or self._refresh.get(token)

    def revoke(self, token: str) -> bool:
        """Revoke an access or refresh token. Revoking a refresh token also revokes the user's access tokens
        issued for the same provider and client, as the vendors do. Returns whether the token was known."""
        if token in self._access:
            self._access[token] = replace(self._access[token], revoked=True)
            return True
        grant = self._refresh.get(token)
        if grant is None:
            return False
        self._refresh[token] = replace(grant, revoked=True)
        for key, access in self._access.items():
            if (access.provider, access.email, access.client_id) == (grant.provider, grant.email, grant.client_id):
                self._access[key] = replace(access, revoked=True)
        return True

    def revoke_grant(self, provider: Provider, email: str, client_id: str | None) -> int:
        """Revoke every access and refresh token of ``email`` at ``provider`` issued to ``client_id`` (Google revokes
        the whole grant when either of its tokens is revoked). Returns how many tokens were revoked."""
        count = 0
        for store in (self._access, self._refresh):
            for key, grant in store.items():
                if (grant.provider, grant.email, grant.client_id) == (provider, email.lower(), client_id) and not (
                    grant.revoked
                ):
                    store[key] = replace(grant, revoked=True)
                    count += 1
        return count

    def revoke_user(self, provider: Provider, email: str) -> int:
        """Revoke every token of ``email`` at ``provider`` (a password reset, an admin's revocation)."""
        count = 0
        for store in (self._access, self._refresh):
            for key, grant in store.items():
                if grant.provider == provider and grant.email == email.lower() and not grant.revoked:
                    store[key] = replace(grant, revoked=True)
                    count += 1
        return count

    def clear(self) -> None:
        """Forget every token."""
        self._access.clear()
        self._refresh.clear()
