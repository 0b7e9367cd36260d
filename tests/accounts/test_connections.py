"""Connecting Salesforce, Microsoft and Google on the sandbox; tokens at rest; revocation; disconnecting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.connectors.probes import probe
from app.models import ConnectionStatus, Provider
from app.services.connections import call_as_user, get_connection, vendor_access
from tests.accounts_support import SignedIn, add_user, connection_row, follow_vendor_sign_in, signed_in_client
from tests.sandbox.conftest import LiveSandbox

#: (provider, the user's mailbox, the sandbox account chosen on the vendor's sign-in page)
FLOWS = [
    ("salesforce", "microsoft", "alex.morgan@example.com"),
    ("microsoft", "microsoft", "alex.morgan@example.com"),
    ("google", "google", "priya.shah@example.com"),
]


def connect(client: TestClient, session: SignedIn, vendor: httpx.Client, provider: str, account: str) -> None:
    """Click Connect, choose the account at the vendor, Allow, and land back on Connections."""
    start = client.post(f"/connections/{provider}/connect", data={"csrf_token": session.csrf_token})
    assert start.status_code == 303, start.text
    path, params = follow_vendor_sign_in(vendor, start.headers["location"], account=account)
    back = client.get(path, params=params)
    assert back.status_code == 303, back.text
    assert back.headers["location"] == f"/connections?notice=connected&provider={provider}"


@pytest.mark.parametrize("flow", FLOWS, ids=[flow[0] for flow in FLOWS])
def test_connect_stores_ciphertext_and_the_connection_works(
    app_on_sandbox: FastAPI, engine: Engine, vendor: httpx.Client, flow: tuple[str, str, str]
) -> None:
    provider, mailbox, account = flow
    user = add_user(engine, account, mailbox=mailbox)
    assert user.id is not None
    client, session = signed_in_client(app_on_sandbox, user)
    connect(client, session, vendor, provider, account)

    page = client.get("/connections")
    assert "Connected as " + account in page.text

    chosen = Provider(provider)
    row = connection_row(engine, user.id, chosen)
    assert row is not None
    for column in ("access_token_ciphertext", "refresh_token_ciphertext"):
        stored = str(row[column])
        assert stored.startswith("gAAAAA"), f"{column} is not Fernet ciphertext"
        assert "ya29." not in stored and "EwB" not in stored and "!AQ" not in stored
    cipher = app_on_sandbox.state.token_cipher
    assert cipher.decrypt(str(row["access_token_ciphertext"])) not in str(row)

    with Session(engine) as db:
        access = vendor_access(
            db,
            user.id,
            chosen,
            cipher=cipher,
            refresher=app_on_sandbox.state.token_refresher,
            now=datetime.now(UTC),
        )
        probe(access, app_on_sandbox.state.vendor_base_url)  # a real vendor call through the rebasing transport
        if chosen is Provider.SALESFORCE:
            assert access.instance_url == "https://sandbox.my.salesforce.com"
            assert access.account_id.startswith("005")
        assert access.username == account


def test_form_posts_without_the_csrf_token_are_refused(app_on_sandbox: FastAPI, engine: Engine) -> None:
    user = add_user(engine, "alex.morgan@example.com")
    client, session = signed_in_client(app_on_sandbox, user)
    for path in ("/connections/salesforce/connect", "/connections/microsoft/disconnect", "/signout"):
        for data in ({}, {"csrf_token": "forged"}, {"csrf_token": session.csrf_token + "x"}):
            answer = client.post(path, data=data)
            assert answer.status_code == 403, path
            assert "did not come from a crmbridge page" in answer.text
    api_style = client.post("/connections/salesforce/connect", headers={"X-CSRF-Token": session.csrf_token})
    assert api_style.status_code == 303


def test_revoked_grant_turns_the_connection_to_needs_reauth_on_next_use(
    app_on_sandbox: FastAPI, engine: Engine, vendor: httpx.Client, sandbox: LiveSandbox
) -> None:
    user = add_user(engine, "alex.morgan@example.com")
    assert user.id is not None
    client, session = signed_in_client(app_on_sandbox, user)
    connect(client, session, vendor, "microsoft", "alex.morgan@example.com")
    connect(client, session, vendor, "salesforce", "alex.morgan@example.com")
    check = client.post("/connections/microsoft/check", data={"csrf_token": session.csrf_token})
    assert check.headers["location"] == "/connections?notice=works&provider=microsoft"

    revoked = httpx.post(
        f"{sandbox.base_url}/_sandbox/tokens/revoke", json={"provider": "microsoft", "user": "alex.morgan@example.com"}
    )
    assert revoked.status_code == 200 and revoked.json()["revoked"] >= 2

    # The next use: the access token is refused, the refresh with it too, and the connection says so.
    check = client.post("/connections/microsoft/check", data={"csrf_token": session.csrf_token})
    assert check.headers["location"] == "/connections?notice=needs_reauth&provider=microsoft"
    with Session(engine) as db:
        connection = get_connection(db, user.id, Provider.MICROSOFT)
        assert connection is not None and connection.status is ConnectionStatus.NEEDS_REAUTH
        assert connection.access_token_ciphertext is None
        assert get_connection(db, user.id, Provider.SALESFORCE).status is ConnectionStatus.ACTIVE  # type: ignore[union-attr]
    page = client.get("/connections").text
    assert "Needs re-authorisation" in page
    assert "Reconnect Microsoft 365" in page
    assert "nothing is deleted" in page

    # Reconnecting makes it active again.
    connect(client, session, vendor, "microsoft", "alex.morgan@example.com")
    with Session(engine) as db:
        assert get_connection(db, user.id, Provider.MICROSOFT).status is ConnectionStatus.ACTIVE  # type: ignore[union-attr]


def test_an_expired_access_token_is_refreshed_before_use_and_salesforce_after_a_401(
    app_on_sandbox: FastAPI, engine: Engine, vendor: httpx.Client, sandbox: LiveSandbox
) -> None:
    user = add_user(engine, "priya.shah@example.com", mailbox="google")
    assert user.id is not None
    client, session = signed_in_client(app_on_sandbox, user)
    connect(client, session, vendor, "google", "priya.shah@example.com")
    connect(client, session, vendor, "salesforce", "priya.shah@example.com")
    cipher, refresher = app_on_sandbox.state.token_cipher, app_on_sandbox.state.token_refresher
    base = app_on_sandbox.state.vendor_base_url
    with Session(engine) as db:
        before = get_connection(db, user.id, Provider.GOOGLE)
        assert before is not None and before.access_token_expires_at is not None
        first = cipher.decrypt(before.access_token_ciphertext or "")
        later = before.access_token_expires_at - timedelta(minutes=1)
        access = vendor_access(db, user.id, Provider.GOOGLE, cipher=cipher, refresher=refresher, now=later)
        assert access.access_token != first
        probe(access, base)

        # Salesforce states no lifetime: a token the org no longer accepts is renewed after the 401.
        salesforce = get_connection(db, user.id, Provider.SALESFORCE)
        assert salesforce is not None and salesforce.access_token_expires_at is None
        sandbox.state.tokens.revoke(cipher.decrypt(salesforce.access_token_ciphertext or ""))
        calls: list[str] = []

        def action(access_now: object) -> None:
            calls.append(access_now.access_token)  # type: ignore[attr-defined]
            probe(access_now, base)  # type: ignore[arg-type]

        call_as_user(
            db, user.id, Provider.SALESFORCE, action, cipher=cipher, refresher=refresher, now=datetime.now(UTC)
        )
        assert len(calls) == 2 and calls[0] != calls[1]
        db.commit()


def test_disconnect_revokes_at_the_vendor_and_erases_the_tokens(
    app_on_sandbox: FastAPI, engine: Engine, vendor: httpx.Client, sandbox: LiveSandbox
) -> None:
    user = add_user(engine, "priya.shah@example.com", mailbox="google")
    assert user.id is not None
    client, session = signed_in_client(app_on_sandbox, user)
    connect(client, session, vendor, "google", "priya.shah@example.com")
    connect(client, session, vendor, "salesforce", "priya.shah@example.com")
    cipher = app_on_sandbox.state.token_cipher
    tokens = {}
    for provider in (Provider.GOOGLE, Provider.SALESFORCE):
        row = connection_row(engine, user.id, provider)
        assert row is not None
        tokens[provider] = cipher.decrypt(str(row["refresh_token_ciphertext"]))

    for provider in ("google", "salesforce"):
        answer = client.post(f"/connections/{provider}/disconnect", data={"csrf_token": session.csrf_token})
        assert answer.headers["location"] == f"/connections?notice=disconnected&provider={provider}"
        assert connection_row(engine, user.id, Provider(provider)) is None
        assert sandbox.state.tokens.resolve_refresh_token(provider, tokens[Provider(provider)]) is None  # type: ignore[arg-type]
    page = client.get("/connections?notice=disconnected&provider=google").text
    assert "access was revoked at Google" in page
    assert page.count("Not connected") == 2


def test_microsoft_disconnect_erases_and_explains(
    app_on_sandbox: FastAPI, engine: Engine, vendor: httpx.Client
) -> None:
    user = add_user(engine, "sam.taylor@example.com")
    assert user.id is not None
    client, session = signed_in_client(app_on_sandbox, user)
    connect(client, session, vendor, "microsoft", "sam.taylor@example.com")
    answer = client.post("/connections/microsoft/disconnect", data={"csrf_token": session.csrf_token})
    assert answer.headers["location"] == "/connections?notice=disconnected_local&provider=microsoft"
    assert connection_row(engine, user.id, Provider.MICROSOFT) is None
    assert "myapps.microsoft.com" in client.get(answer.headers["location"]).text


def test_a_connection_the_user_does_not_have_is_not_offered(app_on_sandbox: FastAPI, engine: Engine) -> None:
    user = add_user(engine, "sam.taylor@example.com")
    client, session = signed_in_client(app_on_sandbox, user)
    assert client.post("/connections/google/connect", data={"csrf_token": session.csrf_token}).status_code == 404
    assert client.post("/connections/nothing/connect", data={"csrf_token": session.csrf_token}).status_code == 404
    not_connected = client.post("/connections/salesforce/check", data={"csrf_token": session.csrf_token})
    assert not_connected.status_code == 409 and "Connect your Salesforce account first" in not_connected.text


def test_salesforce_refuses_a_user_without_a_salesforce_account(
    app_on_sandbox: FastAPI, engine: Engine, vendor: httpx.Client
) -> None:
    user = add_user(engine, "jordan.lee@example.com")
    client, session = signed_in_client(app_on_sandbox, user)
    start = client.post("/connections/salesforce/connect", data={"csrf_token": session.csrf_token})
    path, params = follow_vendor_sign_in(vendor, start.headers["location"], account="jordan.lee@example.com")
    assert params["error"] == "access_denied"
    back = client.get(path, params=params)
    assert back.headers["location"] == "/connections?notice=cancelled&provider=salesforce"


def test_one_vendor_account_serves_one_user(app_on_sandbox: FastAPI, engine: Engine, vendor: httpx.Client) -> None:
    alex = add_user(engine, "alex.morgan@example.com")
    sam = add_user(engine, "sam.taylor@example.com")
    client, session = signed_in_client(app_on_sandbox, alex)
    connect(client, session, vendor, "microsoft", "alex.morgan@example.com")
    other, other_session = signed_in_client(app_on_sandbox, sam)
    start = other.post("/connections/microsoft/connect", data={"csrf_token": other_session.csrf_token})
    path, params = follow_vendor_sign_in(vendor, start.headers["location"], account="alex.morgan@example.com")
    refused = other.get(path, params=params)
    assert refused.status_code == 409
    assert "already connected to another crmbridge user" in refused.text
    assert sam.id is not None and connection_row(engine, sam.id, Provider.MICROSOFT) is None
