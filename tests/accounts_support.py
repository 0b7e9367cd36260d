"""Helpers for tests of accounts and connections: users, signed-in clients, and OAuth flows on the sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.api.web_auth import WebAuth
from app.db import unit_of_work
from app.models import MailProvider, Provider, Role, User, utcnow
from app.services import web_sessions
from tests.sandbox.oauth_browser import api_access_token, parse_sign_in, submit


def add_user(engine: Engine, email: str, *, mailbox: str = "microsoft", admin: bool = False) -> User:
    """A crmbridge user, committed."""
    with unit_of_work(engine) as db:
        user = User(
            email=email,
            name=email.split("@", maxsplit=1)[0].replace(".", " ").title(),
            mail_provider=MailProvider(mailbox),
            role=Role.ADMIN if admin else Role.REP,
        )
        db.add(user)
        db.flush()
        db.refresh(user)
        return user


@dataclass
class SignedIn:
    """A signed-in browser's credentials."""

    user: User
    cookie_name: str
    cookie_value: str
    csrf_token: str


def sign_in(application: FastAPI, user: User) -> SignedIn:
    """A session for ``user`` as the sign-in callback would start it."""
    auth: WebAuth = application.state.web_auth
    with unit_of_work(application.state.engine) as db:
        db_user = db.get(User, user.id)
        assert db_user is not None
        token = web_sessions.start_session(db, db_user, now=utcnow(), lifetime=auth.session_lifetime)
    return SignedIn(user, auth.session_cookie, auth.signed(token), auth.csrf_token(token))


def signed_in_client(application: FastAPI, user: User) -> tuple[TestClient, SignedIn]:
    """A TestClient carrying ``user``'s session cookie (not following redirects)."""
    session = sign_in(application, user)
    client = TestClient(application, follow_redirects=False)
    client.cookies.set(session.cookie_name, session.cookie_value)
    return client, session


def follow_vendor_sign_in(
    vendor: httpx.Client, authorize_url: str, *, account: str, decision: str = "allow"
) -> tuple[str, dict[str, str]]:
    """Act as the browser on the sandbox's sign-in page: choose ``account``, Allow (or Cancel). Returns the path
    and the query parameters the vendor sent the browser back with."""
    page = vendor.get(authorize_url)
    assert page.status_code == 200, page.text
    answer = submit(vendor, page, parse_sign_in(page.text), account=account, decision=decision)
    assert answer.status_code == 302, answer.text
    location = urlsplit(answer.headers["location"])
    return location.path, dict(parse_qsl(location.query))


def connection_row(engine: Engine, user_id: int, provider: Provider) -> dict[str, object] | None:
    """The raw database row of a connection (what a leaked database would show)."""
    with Session(engine) as db:
        row = (
            db.connection()
            .exec_driver_sql(
                "SELECT * FROM connections WHERE user_id = %s AND provider = %s"
                if engine.dialect.name == "postgresql"
                else "SELECT * FROM connections WHERE user_id = ? AND provider = ?",
                (user_id, provider.value),
            )
            .mappings()
            .one_or_none()
        )
        return dict(row) if row is not None else None


def mint_api_token(vendor: httpx.Client, client_id: str, email: str) -> str:
    """An access token for crmbridge's own API from the sandbox's Microsoft identity provider."""
    return api_access_token(vendor, client_id=client_id, email=email, api_host="localhost")
