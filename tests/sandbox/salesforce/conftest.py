"""Fixtures for the Salesforce emulator's fidelity tests: the live sandbox with a freshly seeded org per test.

Resetting only the org (not every vendor) keeps the Salesforce tests fast; the clock, faults and call log are
reset too, so each test starts from the same demo org at real time.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
from simple_salesforce import Salesforce

from app.connectors.vendor_http import rebasing_requests_session
from app.sandbox.salesforce.models import SalesforceOrg
from app.sandbox.state import SandboxState
from app.sandbox.users_seed import demo_users
from tests.sandbox.conftest import LiveSandbox

INSTANCE = "https://sandbox.my.salesforce.com"
VERSION = "59.0"
ALEX, PRIYA, SAM, ZOE, JORDAN = (
    "alex.morgan@example.com",
    "priya.shah@example.com",
    "sam.taylor@example.com",
    "zoe.lefevre@example.com",
    "jordan.lee@example.com",
)


class Rest:
    """Plain HTTP calls to the org's REST API as one user, for what simple-salesforce has no method for."""

    def __init__(self, base_url: str, token: str, version: str = VERSION) -> None:
        self.session = rebasing_requests_session(base_url)
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.version = version

    def url(self, path: str) -> str:
        """The vendor URL of ``/services/data/vXX.X/{path}``."""
        return f"{INSTANCE}/services/data/v{self.version}/{path.lstrip('/')}"

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.get(self.url(path), **kwargs)

    def post(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.session.post(self.url(path), json=json, **kwargs)

    def patch(self, path: str, json: Any = None, **kwargs: Any) -> requests.Response:
        return self.session.patch(self.url(path), json=json, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.session.delete(self.url(path), **kwargs)


@dataclass
class OrgSandbox:
    """The live sandbox seen from the Salesforce side."""

    live: LiveSandbox

    @property
    def state(self) -> SandboxState:
        return self.live.state

    @property
    def org(self) -> SalesforceOrg:
        return self.state.backend("salesforce", SalesforceOrg)

    def token(self, email: str = ALEX) -> str:
        return self.live.token("salesforce", email)

    def client(self, email: str = ALEX, version: str = VERSION) -> Salesforce:
        """simple-salesforce exactly as the connector builds it."""
        return Salesforce(
            instance_url=INSTANCE,
            session_id=self.token(email),
            session=self.live.requests_session(),
            version=version,
        )

    def rest(self, email: str = ALEX, version: str = VERSION) -> Rest:
        return Rest(self.live.base_url, self.token(email), version)

    def control(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A call to the org's control API under ``/_sandbox/salesforce``."""
        return requests.request(method, f"{self.live.base_url}/_sandbox/salesforce/{path.lstrip('/')}", **kwargs)

    def user_id(self, email: str) -> str:
        person = self.state.directory.get(email)
        assert person is not None and person.salesforce_id is not None
        return person.salesforce_id


@pytest.fixture
def sf_sandbox(live_sandbox: LiveSandbox) -> Iterator[OrgSandbox]:
    """The live sandbox with the demo users and a freshly seeded demo org."""
    state = live_sandbox.state
    demo = {user.email for user in demo_users()}
    if not demo.issubset({user.email for user in state.directory}) or "salesforce" not in state.backends:
        live_sandbox.reset("demo")
    else:
        state.clock.reset()
        state.faults.clear()
        state.calls.clear()
        state.backend("salesforce", SalesforceOrg).reset("demo", state.directory)
    yield OrgSandbox(live_sandbox)


@pytest.fixture
def sf(sf_sandbox: OrgSandbox) -> Salesforce:
    """simple-salesforce as Alex Morgan (a Standard User)."""
    return sf_sandbox.client(ALEX)


@pytest.fixture
def rest(sf_sandbox: OrgSandbox) -> Rest:
    """Plain REST calls as Alex Morgan."""
    return sf_sandbox.rest(ALEX)
