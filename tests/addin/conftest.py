"""Fixtures for the Outlook add-in: the app on a live sandbox, reps connected to the sandbox org, API tokens from
the sandbox's Microsoft identity provider, and a Salesforce administrator's view of the org for assertions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from simple_salesforce.api import Salesforce
from sqlalchemy.engine import Engine

from app.api.bearer_auth import SANDBOX_CLIENT_ID
from app.connectors.oauth_clients import SANDBOX_CLIENT_IDS
from app.db import unit_of_work
from app.main import create_app
from app.models import MailProvider, Provider, User, utcnow
from app.services.connections import IssuedTokens, save_connection
from app.settings import Settings
from tests.sandbox.conftest import LiveSandbox, live_sandbox, sandbox  # noqa: F401  (fixtures)
from tests.sandbox.oauth_browser import api_access_token, vendor_client

INSTANCE_URL = "https://sandbox.my.salesforce.com"
PUBLIC_HOST = "127.0.0.1:8000"
ALEX = "alex.morgan@example.com"
SAM = "sam.taylor@example.com"
PRIYA = "priya.shah@example.com"
JORDAN = "jordan.lee@example.com"


@pytest.fixture
def addin_settings(settings: Settings, sandbox: LiveSandbox) -> Settings:  # noqa: F811
    """Sandbox-mode settings pointing at the live sandbox."""
    return settings.model_copy(update={"sandbox_url": sandbox.base_url})


@pytest.fixture
def addin_app(addin_settings: Settings, engine: Engine) -> FastAPI:
    """The application on the test database and the live sandbox."""
    return create_app(addin_settings, engine)


@pytest.fixture
def api(addin_app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client for the application."""
    with TestClient(addin_app) as client:
        yield client


@lru_cache(maxsize=64)
def _api_token(base_url: str, email: str, audience: str, tenant: str) -> str:
    with vendor_client(base_url) as http:
        return api_access_token(
            http, client_id=SANDBOX_CLIENT_ID, email=email, api_app_id=audience, api_host=PUBLIC_HOST, tenant=tenant
        )


def api_token(live: LiveSandbox, email: str, *, audience: str = SANDBOX_CLIENT_ID, tenant: str = "common") -> str:
    """An access token for crmbridge's API, from the sandbox's Microsoft sign-in (as Office SSO would get it)."""
    return _api_token(live.base_url, email, audience, tenant)


def bearer(token: str) -> dict[str, str]:
    """The Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Rep:
    """A crmbridge user connected to the sandbox org, with an API token."""

    user: User
    email: str
    salesforce_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        """Authorization for crmbridge's API."""
        return bearer(self.token)


def connect_rep(
    app: FastAPI, live: LiveSandbox, email: str, *, access_token: str | None = None, refresh_token: str | None = None
) -> Rep:
    """Make ``email`` a crmbridge user whose Salesforce connection holds a sandbox token (expiring far away)."""
    person = live.state.directory.get(email)
    assert person is not None and person.salesforce_id is not None
    with unit_of_work(app.state.engine) as db:
        user = User(email=email, name=person.name, mail_provider=MailProvider.MICROSOFT)
        db.add(user)
        db.flush()
        assert user.id is not None
        save_connection(
            db,
            user_id=user.id,
            provider=Provider.SALESFORCE,
            account_id=person.salesforce_id,
            tokens=IssuedTokens(
                access_token=access_token or live.token("salesforce", email),
                refresh_token=refresh_token,
                expires_at=utcnow() + timedelta(days=1),
                instance_url=INSTANCE_URL,
            ),
            cipher=app.state.token_cipher,
            username=email,
        )
        db.refresh(user)
    return Rep(user, email, person.salesforce_id, api_token(live, email))


def salesforce_refresh_token(live: LiveSandbox, email: str) -> str:
    """A refresh token of the sandbox's Salesforce for crmbridge's sandbox client (what a connect flow stores)."""
    return live.state.tokens.issue_refresh_token(
        "salesforce", email, scopes=("api", "refresh_token"), client_id=SANDBOX_CLIENT_IDS[Provider.SALESFORCE]
    )


@pytest.fixture
def admin_sf(sandbox: LiveSandbox) -> Salesforce:  # noqa: F811
    """The sandbox org as its System Administrator sees it (everything), through simple-salesforce."""
    return Salesforce(
        instance_url=INSTANCE_URL,
        session_id=sandbox.token("salesforce", SAM),
        session=sandbox.requests_session(),
        version="62.0",
    )


def records(sf: Salesforce, soql: str) -> list[dict[str, Any]]:
    """The records of a query."""
    return [dict(row) for row in sf.query_all(soql)["records"]]


@pytest.fixture
def control(sandbox: LiveSandbox) -> Iterator[httpx.Client]:  # noqa: F811
    """The sandbox control API."""
    with httpx.Client(base_url=f"{sandbox.base_url}/_sandbox", timeout=10) as client:
        yield client


def salesforce_calls(live: LiveSandbox, after_id: int) -> list[Any]:
    """The Salesforce API calls (the org's REST API, not sign-in) made since ``after_id``."""
    return [
        call
        for call in live.state.calls.calls()
        if call.id > after_id and call.provider == "salesforce" and "/services/data/" in call.path
    ]


def email_people(sf: Salesforce, count: int) -> list[dict[str, Any]]:
    """``count`` Contacts with an email address and an Account (the oldest first)."""
    return records(
        sf,
        "SELECT Id, Name, Email, AccountId FROM Contact WHERE Email != null AND AccountId != null "
        f"ORDER BY CreatedDate, Id LIMIT {count}",
    )
