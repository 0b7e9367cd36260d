"""Tables: UTC-only datetimes, the constraint naming convention, and the constraints themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import Session, SQLModel, select

from app.models import Connection, MailProvider, Provider, Role, SyncLink, User
from app.models.base import NAMING_CONVENTION


def _user(email: str = "alex@example.com") -> User:
    return User(email=email, name="Alex", mail_provider=MailProvider.MICROSOFT)


def test_datetimes_come_back_timezone_aware_utc(engine: Engine) -> None:
    tokyo = timezone(timedelta(hours=9))
    created = datetime(2026, 3, 29, 10, 30, tzinfo=tokyo)
    with Session(engine) as session:
        user = _user()
        user.created_at = created
        session.add(user)
        session.commit()
    with Session(engine) as session:
        stored = session.exec(select(User)).one()
    assert stored.created_at.tzinfo is not None
    assert stored.created_at.utcoffset() == timedelta(0)
    assert stored.created_at == created


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    with Session(engine) as session:
        user = _user()
        user.created_at = datetime(2026, 1, 1)  # noqa: DTZ001  (the point of the test)
        session.add(user)
        with pytest.raises(StatementError, match="timezone-aware"):
            session.commit()


def test_defaults_are_set(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(_user())
        session.commit()
        user = session.exec(select(User)).one()
    assert user.role is Role.REP
    assert user.created_at <= datetime.now(UTC)


def test_emails_must_be_stored_lower_case(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(_user("Alex@Example.com"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_one_connection_per_user_and_provider(engine: Engine) -> None:
    with Session(engine) as session:
        user = _user()
        session.add(user)
        session.flush()
        assert user.id is not None
        session.add(Connection(user_id=user.id, provider=Provider.SALESFORCE, account_id="005A"))
        session.add(Connection(user_id=user.id, provider=Provider.SALESFORCE, account_id="005B"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_deleting_a_user_deletes_their_rows(engine: Engine) -> None:
    with Session(engine) as session:
        user = _user()
        session.add(user)
        session.flush()
        assert user.id is not None
        session.add(Connection(user_id=user.id, provider=Provider.GOOGLE, account_id="1"))
        session.add(SyncLink(user_id=user.id, item_type="contact", mailbox_id="m1", salesforce_id="003000000000001AAA"))
        session.commit()
        session.execute(sa.delete(User))
        session.commit()
        assert session.exec(select(Connection)).all() == []
        assert session.exec(select(SyncLink)).all() == []


def test_every_constraint_is_named_by_the_convention() -> None:
    assert SQLModel.metadata.naming_convention == NAMING_CONVENTION
    for table in SQLModel.metadata.sorted_tables:
        for constraint in table.constraints:
            name = str(constraint.name)
            assert name.startswith(("pk_", "fk_", "uq_", "ck_")), (table.name, name)
        for index in table.indexes:
            assert str(index.name).startswith("ix_"), (table.name, index.name)
