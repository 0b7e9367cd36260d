"""The use cases of the Connections page: what each connection's state is, recording a connected account,
disconnecting (revoking at the vendor), and checking that a connection still works.

Vendor access itself (decrypting, refreshing, marking for re-authorisation) is ``app.services.connections``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol, TypeVar

from sqlmodel import Session, col, select

from app.errors import Conflict, ConnectionUnavailable
from app.models import Connection, ConnectionStatus, MailProvider, Provider, User
from app.services.connections import (
    PROVIDER_LABELS,
    IssuedTokens,
    TokenRefresher,
    VendorAccess,
    call_as_user,
    disconnect,
    get_connection,
    save_connection,
)
from app.token_cipher import TokenCipher

T = TypeVar("T")
ConnectionState = Literal["connected", "needs_reauth", "not_connected"]


class TokenRevoker(Protocol):
    """Revokes a token at its vendor; False when the vendor cannot (Microsoft) or could not be reached."""

    def revoke(self, provider: Provider, token: str) -> bool:
        """Revoke ``token`` and the grant it belongs to."""


@dataclass(frozen=True)
class ConnectionView:
    """One row of the Connections page."""

    provider: Provider
    label: str
    purpose: str
    state: ConnectionState
    username: str | None = None
    detail: str | None = None
    connected_since: datetime | None = None


_PURPOSES: dict[Provider, str] = {
    Provider.SALESFORCE: "Look up senders, log emails, and sync contacts, events and tasks with your CRM.",
    Provider.MICROSOFT: "Your Outlook contacts, calendar, tasks and the emails you choose to log.",
    Provider.GOOGLE: "Your Google contacts, calendar, tasks and the Gmail messages you choose to log.",
}


def offered_providers(user: User) -> tuple[Provider, ...]:
    """What ``user`` can connect: Salesforce and their own mailbox."""
    mailbox = Provider.MICROSOFT if user.mail_provider is MailProvider.MICROSOFT else Provider.GOOGLE
    return (Provider.SALESFORCE, mailbox)


def connection_overview(db: Session, user: User) -> list[ConnectionView]:
    """The state of each connection ``user`` can have, in page order."""
    assert user.id is not None
    views = []
    for provider in offered_providers(user):
        connection = get_connection(db, user.id, provider)
        label = PROVIDER_LABELS[provider]
        if connection is None:
            views.append(ConnectionView(provider, label, _PURPOSES[provider], "not_connected"))
        elif connection.status is ConnectionStatus.NEEDS_REAUTH:
            views.append(
                ConnectionView(
                    provider,
                    label,
                    _PURPOSES[provider],
                    "needs_reauth",
                    username=connection.username,
                    detail=connection.status_detail,
                    connected_since=connection.created_at,
                )
            )
        else:
            views.append(
                ConnectionView(
                    provider,
                    label,
                    _PURPOSES[provider],
                    "connected",
                    username=connection.username,
                    connected_since=connection.created_at,
                )
            )
    return views


def connections_by_user(db: Session) -> dict[int, list[Connection]]:
    """Every connection, grouped by user id (for the admin's overview)."""
    grouped: dict[int, list[Connection]] = {}
    for connection in db.exec(select(Connection).order_by(col(Connection.provider))):
        grouped.setdefault(connection.user_id, []).append(connection)
    return grouped


def record_connection(
    db: Session,
    user: User,
    provider: Provider,
    *,
    account_id: str,
    username: str | None,
    tokens: IssuedTokens,
    scopes: str,
    cipher: TokenCipher,
) -> Connection:
    """Keep a freshly granted connection (replacing an earlier one, and clearing "needs re-authorisation").

    Conflict when another crmbridge user has this vendor account connected: one account serves one person, so
    that nothing (the add-in's sign-in, sync) could take one user for another.
    """
    assert user.id is not None
    taken = db.exec(
        select(Connection.id).where(
            col(Connection.provider) == provider,
            col(Connection.account_id) == account_id,
            col(Connection.user_id) != user.id,
        )
    ).first()
    if taken is not None:
        label = PROVIDER_LABELS[provider]
        raise Conflict(
            f"This {label} account ({username or account_id}) is already connected to another crmbridge user. "
            f"Connect your own {label} account, or ask your administrator."
        )
    return save_connection(
        db,
        user_id=user.id,
        provider=provider,
        account_id=account_id,
        tokens=tokens,
        cipher=cipher,
        username=username,
        scopes=scopes,
    )


def disconnect_account(
    db: Session, user_id: int, provider: Provider, *, cipher: TokenCipher, revoker: TokenRevoker
) -> bool | None:
    """Erase the user's connection to ``provider`` and revoke its grant at the vendor.

    Returns True when the vendor revoked it, False when it could not (Microsoft has no revocation endpoint:
    the user removes the app at https://myapps.microsoft.com), None when there was no connection.
    """
    connection = get_connection(db, user_id, provider)
    if connection is None:
        return None
    access_token = cipher.decrypt(connection.access_token_ciphertext) if connection.access_token_ciphertext else None
    refresh_token = disconnect(db, user_id, provider, cipher=cipher)
    token = refresh_token or access_token
    return revoker.revoke(provider, token) if token else False


def disconnect_all(db: Session, user_id: int, *, cipher: TokenCipher, revoker: TokenRevoker) -> int:
    """Disconnect every connection of a user (before removing them); returns how many grants were revoked."""
    revoked = 0
    for connection in list(db.exec(select(Connection).where(col(Connection.user_id) == user_id))):
        if disconnect_account(db, user_id, connection.provider, cipher=cipher, revoker=revoker):
            revoked += 1
    return revoked


def check_connection(
    db: Session,
    user_id: int,
    provider: Provider,
    probe: Callable[[VendorAccess], None],
    *,
    cipher: TokenCipher,
    refresher: TokenRefresher,
    now: datetime,
) -> bool:
    """Whether the connection works for a real call (``probe``). False when the grant was revoked: the connection
    is then "needs re-authorisation". ConnectionUnavailable when there is no connection."""
    try:
        call_as_user(db, user_id, provider, probe, cipher=cipher, refresher=refresher, now=now)
    except ConnectionUnavailable as exc:
        if not exc.needs_reauth:
            raise
        return False
    return True
