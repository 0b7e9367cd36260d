"""Sandbox mode with the built-in sandbox: demo users start connected, and the connect flow works against the
mounted identity providers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import httpx
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.connectors.probes import probe
from app.main import create_app
from app.models import ConnectionStatus, Provider, Role
from app.services.account_connections import connections_by_user
from app.services.connections import vendor_access
from app.services.users import find_user, list_users
from app.settings import Settings
from tests.accounts_support import follow_vendor_sign_in, signed_in_client
from tests.live_server import loopback_socket, serve_in_thread


def test_demo_users_start_connected_and_the_mounted_sandbox_serves_every_flow(
    settings: Settings, engine: Engine
) -> None:
    sock = loopback_socket()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    application = create_app(settings.model_copy(update={"public_url": url, "sandbox_demo_users": True}), engine)
    with TestClient(application), serve_in_thread(application, sock):  # the first runs the start-up
        with Session(engine, expire_on_commit=False) as db:
            people = {user.email: user for user in list_users(db)}
            assert set(people) == {
                "alex.morgan@example.com",
                "priya.shah@example.com",
                "sam.taylor@example.com",
                "zoe.lefevre@example.com",
                "jordan.lee@example.com",
            }
            assert people["sam.taylor@example.com"].role is Role.ADMIN
            assert people["alex.morgan@example.com"].role is Role.REP
            connected = {
                people_id: sorted(c.provider.value for c in connections)
                for people_id, connections in connections_by_user(db).items()
            }
            assert connected[people["alex.morgan@example.com"].id or 0] == ["microsoft", "salesforce"]
            assert connected[people["priya.shah@example.com"].id or 0] == ["google", "salesforce"]
            assert connected[people["jordan.lee@example.com"].id or 0] == ["microsoft"]  # not a Salesforce user

            # The demo connections work, and refresh, through the sandbox mounted on this very server.
            cipher, refresher = application.state.token_cipher, application.state.token_refresher
            for email, provider in (
                ("alex.morgan@example.com", Provider.SALESFORCE),
                ("alex.morgan@example.com", Provider.MICROSOFT),
                ("priya.shah@example.com", Provider.GOOGLE),
            ):
                user_id = people[email].id or 0
                probe(
                    vendor_access(db, user_id, provider, cipher=cipher, refresher=refresher, now=datetime.now(UTC)),
                    url + "/sandbox",
                )
                later = datetime.now(UTC) + timedelta(hours=2)
                access = vendor_access(db, user_id, provider, cipher=cipher, refresher=refresher, now=later)
                probe(access, url + "/sandbox")
            db.commit()

        # A full connect flow against the mounted identity providers.
        priya = people["priya.shah@example.com"]
        client, session = signed_in_client(application, priya)
        start = client.post("/connections/google/connect", data={"csrf_token": session.csrf_token})
        authorize = start.headers["location"]
        assert authorize.startswith(url + "/sandbox/accounts.google.com/o/oauth2/v2/auth?")
        with httpx.Client(timeout=10) as browser:
            path, params = follow_vendor_sign_in(browser, authorize, account="priya.shah@example.com")
        assert path == "/oauth/google/callback"
        back = client.get(path, params=params)
        assert back.headers["location"] == "/connections?notice=connected&provider=google"

    # A restart connects the demo users again with the new sandbox's tokens; nobody is duplicated.
    again = create_app(settings.model_copy(update={"public_url": url, "sandbox_demo_users": True}), engine)
    with TestClient(again), Session(engine) as db:
        assert len(list_users(db)) == 5
        alex = find_user(db, "alex.morgan@example.com")
        assert alex is not None
        statuses = {c.provider: c.status for c in connections_by_user(db)[alex.id or 0]}
        assert statuses == {Provider.SALESFORCE: ConnectionStatus.ACTIVE, Provider.MICROSOFT: ConnectionStatus.ACTIVE}
    assert urlsplit(authorize).path.startswith("/sandbox/")
