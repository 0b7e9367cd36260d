"""Vendor access: decrypt, refresh before expiry, re-authorisation when the grant is revoked, rotation."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.connectors.errors import AuthRevoked
from app.errors import ConnectionUnavailable
from app.models import Connection, ConnectionStatus, MailProvider, Provider, User
from app.services.connections import (
    IssuedTokens,
    disconnect,
    get_connection,
    record_revocation,
    rotate_token_encryption,
    save_connection,
    vendor_access,
    vendor_access_after_unauthorized,
)
from app.token_cipher import TokenCipher

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@dataclass
class FakeRefresher:
    """A vendor token endpoint: hands out numbered access tokens, or refuses once the grant is revoked."""

    revoked: bool = False
    calls: list[str] = field(default_factory=list)

    def refresh(self, provider: Provider, refresh_token: str) -> IssuedTokens:
        self.calls.append(refresh_token)
        if self.revoked:
            raise AuthRevoked(provider.value, "invalid_grant: expired access/refresh token")
        return IssuedTokens(access_token=f"access-{len(self.calls)}", expires_at=NOW + timedelta(hours=1))


@pytest.fixture
def key() -> str:
    return Fernet.generate_key().decode()


@pytest.fixture
def cipher(key: str) -> TokenCipher:
    return TokenCipher([key])


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine) as db:
        yield db


@pytest.fixture
def user(session: Session) -> User:
    rep = User(email="alex.morgan@example.com", name="Alex Morgan", mail_provider=MailProvider.MICROSOFT)
    session.add(rep)
    session.flush()
    return rep


def _connect(session: Session, user: User, cipher: TokenCipher, expires_in: timedelta) -> Connection:
    assert user.id is not None
    tokens = IssuedTokens(
        access_token="access-0",
        refresh_token="refresh-0",
        expires_at=NOW + expires_in,
        instance_url="https://sandbox.my.salesforce.com",
    )
    return save_connection(
        session, user_id=user.id, provider=Provider.SALESFORCE, account_id="005A", tokens=tokens, cipher=cipher
    )


def test_a_fresh_token_is_used_as_is(session: Session, user: User, cipher: TokenCipher) -> None:
    _connect(session, user, cipher, timedelta(hours=1))
    refresher = FakeRefresher()
    assert user.id is not None
    access = vendor_access(session, user.id, Provider.SALESFORCE, cipher=cipher, refresher=refresher, now=NOW)
    assert access.access_token == "access-0"
    assert access.instance_url == "https://sandbox.my.salesforce.com"
    assert refresher.calls == []
    assert "access-0" not in repr(access)


def test_a_token_about_to_expire_is_refreshed_first(session: Session, user: User, cipher: TokenCipher) -> None:
    _connect(session, user, cipher, timedelta(minutes=2))
    refresher = FakeRefresher()
    assert user.id is not None
    access = vendor_access(session, user.id, Provider.SALESFORCE, cipher=cipher, refresher=refresher, now=NOW)
    assert access.access_token == "access-1"
    assert refresher.calls == ["refresh-0"]
    stored = get_connection(session, user.id, Provider.SALESFORCE)
    assert stored is not None and stored.access_token_ciphertext is not None
    assert cipher.decrypt(stored.access_token_ciphertext) == "access-1"
    assert stored.instance_url == "https://sandbox.my.salesforce.com"  # kept when the refresh does not repeat it


def test_a_401_forces_one_refresh(session: Session, user: User, cipher: TokenCipher) -> None:
    _connect(session, user, cipher, timedelta(hours=1))
    refresher = FakeRefresher()
    assert user.id is not None
    access = vendor_access_after_unauthorized(session, user.id, Provider.SALESFORCE, cipher=cipher, refresher=refresher)
    assert access.access_token == "access-1"


def test_a_revoked_grant_needs_reauthorisation_and_says_what_to_do(
    session: Session, user: User, cipher: TokenCipher
) -> None:
    _connect(session, user, cipher, timedelta(seconds=0))
    refresher = FakeRefresher(revoked=True)
    assert user.id is not None
    with pytest.raises(ConnectionUnavailable, match="connect Salesforce again") as raised:
        vendor_access(session, user.id, Provider.SALESFORCE, cipher=cipher, refresher=refresher, now=NOW)
    assert raised.value.needs_reauth is True
    stored = get_connection(session, user.id, Provider.SALESFORCE)
    assert stored is not None
    assert stored.status is ConnectionStatus.NEEDS_REAUTH
    assert stored.access_token_ciphertext is None
    # From now on the vendor is not even asked.
    with pytest.raises(ConnectionUnavailable):
        vendor_access(session, user.id, Provider.SALESFORCE, cipher=cipher, refresher=refresher, now=NOW)
    assert len(refresher.calls) == 1


def test_no_connection_says_how_to_connect(session: Session, user: User, cipher: TokenCipher) -> None:
    assert user.id is not None
    with pytest.raises(ConnectionUnavailable, match="Connect Salesforce") as raised:
        vendor_access(session, user.id, Provider.SALESFORCE, cipher=cipher, refresher=FakeRefresher(), now=NOW)
    assert raised.value.needs_reauth is False
    assert raised.value.status_code == 409


def test_connecting_again_restores_an_active_connection(session: Session, user: User, cipher: TokenCipher) -> None:
    connection = _connect(session, user, cipher, timedelta(seconds=0))
    connection.status = ConnectionStatus.NEEDS_REAUTH
    again = _connect(session, user, cipher, timedelta(hours=1))
    assert again.id == connection.id
    assert again.status is ConnectionStatus.ACTIVE
    assert again.status_detail is None


def test_tokens_are_ciphertext_in_the_database(session: Session, user: User, cipher: TokenCipher) -> None:
    _connect(session, user, cipher, timedelta(hours=1))
    session.commit()
    row = session.execute(sa.text("SELECT access_token_ciphertext, refresh_token_ciphertext FROM connections")).one()
    assert "access-0" not in row[0] and "refresh-0" not in row[1]


def test_rotation_keeps_every_connection_usable(session: Session, user: User, cipher: TokenCipher, key: str) -> None:
    _connect(session, user, cipher, timedelta(hours=1))
    new_key = Fernet.generate_key().decode()
    assert rotate_token_encryption(session, TokenCipher([new_key, key])) == 1
    assert user.id is not None
    only_new = TokenCipher([new_key])
    access = vendor_access(session, user.id, Provider.SALESFORCE, cipher=only_new, refresher=FakeRefresher(), now=NOW)
    assert access.access_token == "access-0"


def test_disconnect_erases_and_returns_the_refresh_token(session: Session, user: User, cipher: TokenCipher) -> None:
    _connect(session, user, cipher, timedelta(hours=1))
    assert user.id is not None
    assert disconnect(session, user.id, Provider.SALESFORCE, cipher=cipher) == "refresh-0"
    assert get_connection(session, user.id, Provider.SALESFORCE) is None
    assert disconnect(session, user.id, Provider.SALESFORCE, cipher=cipher) is None


def test_the_revocation_mark_survives_a_rollback_of_the_work(engine: Engine, cipher: TokenCipher) -> None:
    with Session(engine) as setup:
        rep = User(email="priya.shah@example.com", name="Priya Shah", mail_provider=MailProvider.GOOGLE)
        setup.add(rep)
        setup.flush()
        assert rep.id is not None
        user_id = rep.id
        _connect(setup, rep, cipher, timedelta(seconds=0))
        setup.commit()
    with Session(engine) as work:
        work.add(User(email="half.done@example.com", name="Half Done", mail_provider=MailProvider.GOOGLE))
        with pytest.raises(ConnectionUnavailable) as raised:
            vendor_access(
                work, user_id, Provider.SALESFORCE, cipher=cipher, refresher=FakeRefresher(revoked=True), now=NOW
            )
        work.rollback()
    with Session(engine) as fresh:
        record_revocation(fresh, raised.value)
        fresh.commit()
    with Session(engine) as check:
        stored = get_connection(check, user_id, Provider.SALESFORCE)
        assert stored is not None and stored.status is ConnectionStatus.NEEDS_REAUTH
        assert stored.status_detail is not None and "revoked" in stored.status_detail
        assert check.exec(select(User).where(User.email == "half.done@example.com")).first() is None
