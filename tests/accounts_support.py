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
from tests.sandbox.oauth_browser import REDIRECT_URI, open_sign_in, parse_sign_in, pkce_pair, redirect_params, submit


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
    """An access token for crmbridge's own API, from the sandbox's Microsoft identity provider, as Office's single
    sign-on gets one for the task pane (scope ``api://{host}/{client id}/access_as_user``)."""
    verifier, challenge = pkce_pair()
    authorize = "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
    params = {
        "client_id": client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT_URI,
        "scope": f"openid profile email api://localhost/{client_id}/access_as_user",
        "state": "mint",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "login_hint": email,
    }
    page, form = open_sign_in(vendor, authorize, params)
    code = redirect_params(submit(vendor, page, form, account=email))["code"]
    answer = vendor.post(
        "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        data={
            "client_id": client_id,
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": verifier,
        },
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["access_token"]
    assert token.count(".") == 2, "expected a JWT access token"
    return token
