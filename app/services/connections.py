"""A user's connections to vendors: stored encrypted, refreshed before they expire, and marked for
re-authorisation (never silently dropped) when the vendor revokes the grant.

Every vendor call made on a user's behalf starts with :func:`vendor_access`, so sharing and permissions at the
vendor apply exactly as to that user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from sqlmodel import Session, select

from app.connectors.errors import AuthRevoked
from app.errors import ConnectionUnavailable
from app.models import Connection, ConnectionStatus, Provider
from app.token_cipher import TokenCipher

T = TypeVar("T")

#: An access token this close to its expiry is refreshed before use.
REFRESH_MARGIN = timedelta(minutes=5)

PROVIDER_LABELS: dict[Provider, str] = {
    Provider.SALESFORCE: "Salesforce",
    Provider.MICROSOFT: "Microsoft 365",
    Provider.GOOGLE: "Google",
}


@dataclass(frozen=True)
class IssuedTokens:
    """What a vendor's token endpoint returned. A missing refresh token means "keep the one you have"."""

    access_token: str = field(repr=False)
    refresh_token: str | None = field(default=None, repr=False)
    expires_at: datetime | None = None
    instance_url: str | None = None


class TokenRefresher(Protocol):
    """Exchanges a refresh token at the vendor; raises ``AuthRevoked`` when the grant is gone."""

    def refresh(self, provider: Provider, refresh_token: str) -> IssuedTokens:
        """New tokens for ``refresh_token`` at ``provider``."""


@dataclass(frozen=True)
class VendorAccess:
    """What a connector needs to call a vendor as this user. The token stays in memory only."""

    provider: Provider
    access_token: str = field(repr=False)
    instance_url: str | None
    account_id: str
    username: str | None


def get_connection(session: Session, user_id: int, provider: Provider) -> Connection | None:
    """The user's connection to ``provider``, if any."""
    return session.exec(
        select(Connection).where(Connection.user_id == user_id, Connection.provider == provider)
    ).one_or_none()


def save_connection(
    session: Session,
    *,
    user_id: int,
    provider: Provider,
    account_id: str,
    tokens: IssuedTokens,
    cipher: TokenCipher,
    username: str | None = None,
    scopes: str = "",
) -> Connection:
    """Create or replace the user's connection to ``provider`` with freshly issued tokens (active again)."""
    connection = get_connection(session, user_id, provider) or Connection(
        user_id=user_id, provider=provider, account_id=account_id
    )
    connection.account_id = account_id
    connection.username = username
    connection.instance_url = tokens.instance_url
    connection.scopes = scopes
    connection.status = ConnectionStatus.ACTIVE
    connection.status_detail = None
    _store_tokens(connection, tokens, cipher)
    session.add(connection)
    session.flush()
    return connection


def vendor_access(
    session: Session,
    user_id: int,
    provider: Provider,
    *,
    cipher: TokenCipher,
    refresher: TokenRefresher,
    now: datetime,
) -> VendorAccess:
    """A usable access token for the user at ``provider``, refreshed first when it is about to expire.

    Raises ``ConnectionUnavailable`` when the user has not connected ``provider`` or must connect it again.
    """
    connection = _usable_connection(session, user_id, provider)
    expires_at = connection.access_token_expires_at
    if connection.access_token_ciphertext and (expires_at is None or expires_at - now > REFRESH_MARGIN):
        return _access(connection, cipher.decrypt(connection.access_token_ciphertext))
    return _refresh(session, connection, cipher=cipher, refresher=refresher)


def vendor_access_after_unauthorized(
    session: Session,
    user_id: int,
    provider: Provider,
    *,
    cipher: TokenCipher,
    refresher: TokenRefresher,
) -> VendorAccess:
    """A new access token after the vendor answered 401 to the current one (call this once, then give up)."""
    return _refresh(session, _usable_connection(session, user_id, provider), cipher=cipher, refresher=refresher)


def call_as_user(
    session: Session,
    user_id: int,
    provider: Provider,
    action: Callable[[VendorAccess], T],
    *,
    cipher: TokenCipher,
    refresher: TokenRefresher,
    now: datetime,
    access: VendorAccess | None = None,
    on_refresh: Callable[[], None] | None = None,
) -> T:
    """Run ``action`` as the user at ``provider``; when the vendor refuses the token (``action`` raises
    AuthRevoked, e.g. on a 401), renew it once and run ``action`` again.

    ``access`` is the user's current access if the caller already has it; ``on_refresh`` runs after a renewal
    (the request boundary's chance to keep the new token whatever follows). A second refusal marks the connection
    "needs re-authorisation" and raises ConnectionUnavailable.
    """
    current = access or vendor_access(session, user_id, provider, cipher=cipher, refresher=refresher, now=now)
    try:
        return action(current)
    except AuthRevoked:
        current = vendor_access_after_unauthorized(session, user_id, provider, cipher=cipher, refresher=refresher)
        if on_refresh is not None:
            on_refresh()
    try:
        return action(current)
    except AuthRevoked as exc:
        connection = get_connection(session, user_id, provider)
        detail = f"{PROVIDER_LABELS[provider]} refused crmbridge's access even after renewing it."
        if connection is not None:
            mark_needs_reauth(session, connection, detail)
        raise _needs_reauth(provider, revoked=connection, detail=detail) from exc


def mark_needs_reauth(session: Session, connection: Connection, detail: str) -> None:
    """Stop using ``connection`` until the user connects again; ``detail`` tells them why."""
    connection.status = ConnectionStatus.NEEDS_REAUTH
    connection.status_detail = detail
    connection.access_token_ciphertext = None
    connection.access_token_expires_at = None
    session.add(connection)
    session.flush()


def disconnect(session: Session, user_id: int, provider: Provider, *, cipher: TokenCipher) -> str | None:
    """Erase the user's connection to ``provider``; returns its refresh token (plaintext) so the caller can
    revoke it at the vendor, or None when there was nothing to revoke."""
    connection = get_connection(session, user_id, provider)
    if connection is None:
        return None
    refresh_token = cipher.decrypt(connection.refresh_token_ciphertext) if connection.refresh_token_ciphertext else None
    session.delete(connection)
    session.flush()
    return refresh_token


def rotate_token_encryption(session: Session, cipher: TokenCipher) -> int:
    """Re-encrypt every stored token under the cipher's newest key; returns how many connections changed."""
    count = 0
    for connection in session.exec(select(Connection)):
        for column in ("access_token_ciphertext", "refresh_token_ciphertext"):
            value = getattr(connection, column)
            if value:
                setattr(connection, column, cipher.rotate(value))
        session.add(connection)
        count += 1
    session.flush()
    return count


def _usable_connection(session: Session, user_id: int, provider: Provider) -> Connection:
    connection = get_connection(session, user_id, provider)
    if connection is None:
        label = PROVIDER_LABELS[provider]
        raise ConnectionUnavailable(
            f"Connect your {label} account first: open Settings → Connections and choose Connect {label}.",
            provider=provider.value,
            needs_reauth=False,
        )
    if connection.status is ConnectionStatus.NEEDS_REAUTH:
        raise _needs_reauth(provider)
    return connection


def _needs_reauth(
    provider: Provider, *, revoked: Connection | None = None, detail: str | None = None
) -> ConnectionUnavailable:
    label = PROVIDER_LABELS[provider]
    return ConnectionUnavailable(
        f"Your {label} connection has to be renewed: open Settings → Connections and connect {label} again.",
        provider=provider.value,
        needs_reauth=True,
        revoked_connection_id=revoked.id if revoked is not None else None,
        detail=detail,
    )


def record_revocation(session: Session, error: ConnectionUnavailable) -> None:
    """Keep the "needs re-authorisation" mark of ``error`` after the work that met it was rolled back.

    Request and job boundaries call this in a fresh transaction, so the mark survives while nothing else of the
    failed work does.
    """
    if error.revoked_connection_id is None:
        return
    connection = session.get(Connection, error.revoked_connection_id)
    if connection is not None:
        mark_needs_reauth(session, connection, error.detail or "The vendor revoked crmbridge's access.")


def _refresh(
    session: Session, connection: Connection, *, cipher: TokenCipher, refresher: TokenRefresher
) -> VendorAccess:
    label = PROVIDER_LABELS[connection.provider]
    if not connection.refresh_token_ciphertext:
        detail = f"{label} gave no refresh token; connect again."
        mark_needs_reauth(session, connection, detail)
        raise _needs_reauth(connection.provider, revoked=connection, detail=detail)
    try:
        issued = refresher.refresh(connection.provider, cipher.decrypt(connection.refresh_token_ciphertext))
    except AuthRevoked as exc:
        detail = f"{label} no longer accepts crmbridge's access (it was revoked or has expired)."
        mark_needs_reauth(session, connection, detail)
        raise _needs_reauth(connection.provider, revoked=connection, detail=detail) from exc
    _store_tokens(connection, issued, cipher)
    if issued.instance_url:
        connection.instance_url = issued.instance_url
    session.add(connection)
    session.flush()
    return _access(connection, issued.access_token)


def _store_tokens(connection: Connection, tokens: IssuedTokens, cipher: TokenCipher) -> None:
    connection.access_token_ciphertext = cipher.encrypt(tokens.access_token)
    connection.access_token_expires_at = tokens.expires_at
    if tokens.refresh_token:
        connection.refresh_token_ciphertext = cipher.encrypt(tokens.refresh_token)


def _access(connection: Connection, access_token: str) -> VendorAccess:
    return VendorAccess(
        provider=connection.provider,
        access_token=access_token,
        instance_url=connection.instance_url,
        account_id=connection.account_id,
        username=connection.username,
    )
