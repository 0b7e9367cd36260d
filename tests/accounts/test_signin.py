"""Signing in with Microsoft or Google through the sandbox identity providers (OpenID Connect, PKCE, nonce)."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.main import create_app
from app.models import MailProvider, Role
from app.services.users import find_user
from app.settings import Settings
from tests.accounts_support import add_user, follow_vendor_sign_in, signed_in_client
from tests.sandbox.conftest import LiveSandbox


def _sign_in(client: TestClient, vendor: httpx.Client, provider: str, account: str, next_path: str = "/connections"):
    start = client.get(f"/signin/{provider}", params={"next": next_path})
    assert start.status_code == 303, start.text
    authorize = start.headers["location"]
    query = dict(parse_qsl(urlsplit(authorize).query))
    assert query["code_challenge_method"] == "S256" and query["code_challenge"]
    assert query["state"] and query["nonce"]
    path, params = follow_vendor_sign_in(vendor, authorize, account=account)
    assert path == f"/oauth/{provider}/callback"
    return client.get(path, params=params)


def test_microsoft_sign_in_of_an_added_user(app_on_sandbox: FastAPI, engine: Engine, vendor: httpx.Client) -> None:
    add_user(engine, "alex.morgan@example.com", admin=True)
    with TestClient(app_on_sandbox, follow_redirects=False) as client:
        answer = _sign_in(client, vendor, "microsoft", "alex.morgan@example.com", next_path="/admin/users")
        assert answer.status_code == 303, answer.text
        assert answer.headers["location"] == "/admin/users"
        cookie = answer.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=lax" in cookie
        page = client.get("/admin/users")
        assert page.status_code == 200
        assert "alex.morgan@example.com" in page.text
    with Session(engine) as db:
        user = find_user(db, "alex.morgan@example.com")
        assert user is not None and user.last_signed_in_at is not None


def test_google_sign_in_creates_a_rep_in_sandbox_mode(
    app_on_sandbox: FastAPI, engine: Engine, vendor: httpx.Client
) -> None:
    with TestClient(app_on_sandbox, follow_redirects=False) as client:
        answer = _sign_in(client, vendor, "google", "priya.shah@example.com")
        assert answer.status_code == 303 and answer.headers["location"] == "/connections"
        assert "Priya Shah" in client.get("/connections").text or "priya" in client.get("/connections").text
    with Session(engine) as db:
        user = find_user(db, "priya.shah@example.com")
        assert user is not None and user.role is Role.REP and user.mail_provider is MailProvider.GOOGLE


def test_only_added_users_and_allowed_domains_may_sign_in(
    sandbox_settings: Settings, engine: Engine, vendor: httpx.Client
) -> None:
    application = create_app(sandbox_settings.model_copy(update={"signin_domains": "corp.example"}), engine)
    with TestClient(application, follow_redirects=False) as client:
        refused = _sign_in(client, vendor, "microsoft", "jordan.lee@example.com")
        assert refused.status_code == 403
        assert "Ask your crmbridge administrator to add you" in refused.text
        assert "set-cookie" not in {key.lower() for key in refused.headers if key.lower() == "set-cookie"} or (
            "crmbridge_session" not in refused.headers.get("set-cookie", "")
        )


def test_a_callback_without_its_flow_or_with_another_state_is_refused(
    app_on_sandbox: FastAPI, vendor: httpx.Client
) -> None:
    with TestClient(app_on_sandbox, follow_redirects=False) as client:
        assert client.get("/oauth/microsoft/callback", params={"code": "x", "state": "y"}).status_code == 400
        start = client.get("/signin/microsoft")
        path, params = follow_vendor_sign_in(vendor, start.headers["location"], account="alex.morgan@example.com")
        forged = client.get(path, params={**params, "state": "someone-elses-state"})
        assert forged.status_code == 400
        assert "Start again" in forged.text


def test_cancelled_sign_in_says_so(app_on_sandbox: FastAPI, vendor: httpx.Client) -> None:
    with TestClient(app_on_sandbox, follow_redirects=False) as client:
        start = client.get("/signin/google")
        page = vendor.get(start.headers["location"])
        from tests.sandbox.oauth_browser import parse_sign_in, submit

        answer = submit(vendor, page, parse_sign_in(page.text), account="priya.shah@example.com", decision="deny")
        location = urlsplit(answer.headers["location"])
        result = client.get(location.path, params=dict(parse_qsl(location.query)))
        assert result.status_code == 400
        assert "cancelled" in result.text


def test_pages_send_signed_out_browsers_to_sign_in(client: TestClient) -> None:
    answer = client.get("/connections", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/signin?next=%2Fconnections"
    page = client.get("/signin")
    assert "Sign in with Microsoft" in page.text and "Sign in with Google" in page.text


def test_sign_in_never_redirects_off_site(app_on_sandbox: FastAPI, engine: Engine) -> None:
    user = add_user(engine, "sam.taylor@example.com")
    client, _session = signed_in_client(app_on_sandbox, user)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        answer = client.get("/signin", params={"next": target})
        assert answer.headers["location"] == "/connections"


def test_sign_out_ends_the_session(app_on_sandbox: FastAPI, engine: Engine) -> None:
    user = add_user(engine, "sam.taylor@example.com")
    client, session = signed_in_client(app_on_sandbox, user)
    assert client.get("/connections").status_code == 200
    refused = client.post("/signout", data={})
    assert refused.status_code == 403 and "did not come from a crmbridge page" in refused.text
    out = client.post("/signout", data={"csrf_token": session.csrf_token})
    assert out.status_code == 303 and out.headers["location"] == "/signin?notice=signed_out"
    # The old cookie is dead even if a copy of it is replayed.
    replay = TestClient(app_on_sandbox, follow_redirects=False)
    replay.cookies.set(session.cookie_name, session.cookie_value)
    assert replay.get("/connections").status_code == 303


def test_unknown_sign_in_provider(client: TestClient, sandbox: LiveSandbox) -> None:
    assert client.get("/signin/salesforce", follow_redirects=False).status_code == 404
