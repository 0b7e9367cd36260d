"""The sandbox control API: every endpoint, with good and bad input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from app.sandbox.directory import SandboxUser
from app.sandbox.state import Seed
from tests.sandbox.conftest import LiveSandbox


@pytest.fixture
def control(sandbox: LiveSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{sandbox.base_url}/_sandbox", timeout=10) as client:
        yield client


def _error(response: httpx.Response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    message: str = body["error"]["message"]
    assert message
    return message


def test_list_and_create_users(sandbox: LiveSandbox, control: httpx.Client) -> None:
    listed = control.get("/users").json()
    assert listed["count"] == 5
    assert [user["email"] for user in listed["users"]][:2] == ["alex.morgan@example.com", "priya.shah@example.com"]

    created = control.post(
        "/users",
        json={
            "email": " Casey.Nguyen@Example.com ",
            "name": "Casey Nguyen",
            "mail_provider": "google",
            "salesforce_user": False,
        },
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["email"] == "casey.nguyen@example.com"
    assert user["salesforce_profile"] == "Standard User"
    assert user["google_id"].isdigit()
    assert len(user["google_id"]) == 21
    assert sandbox.state.directory.get("casey.nguyen@example.com") is not None
    assert control.get("/users").json()["count"] == 6

    message = _error(
        control.post("/users", json={"email": "casey.nguyen@example.com", "name": "C", "mail_provider": "google"}),
        409,
        "user_exists",
    )
    assert "casey.nguyen@example.com" in message


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "not-an-address", "name": "X", "mail_provider": "google"}, "email"),
        ({"email": "x@example.com", "name": "X", "mail_provider": "yahoo"}, "mail_provider"),
        ({"email": "x@example.com", "mail_provider": "google"}, "name"),
        ({"email": "x@example.com", "name": "X", "mail_provider": "google", "admin": True}, "admin"),
        ({"email": "x@example.com", "name": "X", "mail_provider": "google", "salesforce_user": "maybe"}, "salesforce"),
    ],
)
def test_creating_a_user_with_bad_input_is_refused(control: httpx.Client, body: dict[str, Any], field: str) -> None:
    assert field in _error(control.post("/users", json=body), 422, "invalid_input")


def test_malformed_json_is_a_clear_422(control: httpx.Client) -> None:
    response = control.post("/users", content=b"{not json", headers={"Content-Type": "application/json"})
    assert "JSON" in _error(response, 422, "invalid_input")


def test_mint_tokens(sandbox: LiveSandbox, control: httpx.Client) -> None:
    salesforce = control.post("/token", json={"provider": "salesforce", "user": "alex.morgan@example.com"}).json()
    assert salesforce["token_type"] == "Bearer"
    assert salesforce["expires_in"] == 3600
    assert salesforce["instance_url"] == "https://sandbox.my.salesforce.com"
    grant = sandbox.state.tokens.resolve_access_token("salesforce", salesforce["access_token"])
    assert grant is not None
    assert grant.email == "alex.morgan@example.com"

    microsoft = control.post("/token", json={"provider": "microsoft", "user": "Alex.Morgan@example.com"}).json()
    assert "instance_url" not in microsoft
    assert sandbox.state.tokens.resolve_access_token("microsoft", microsoft["access_token"]) is not None
    google = control.post("/token", json={"provider": "google", "user": "priya.shah@example.com"}).json()
    assert sandbox.state.tokens.resolve_access_token("google", google["access_token"]) is not None


def test_mint_token_refusals(control: httpx.Client) -> None:
    unknown = control.post("/token", json={"provider": "google", "user": "nobody@example.com"})
    assert "nobody@example.com" in _error(unknown, 404, "unknown_user")
    not_salesforce = control.post("/token", json={"provider": "salesforce", "user": "jordan.lee@example.com"})
    assert "not a Salesforce user" in _error(not_salesforce, 422, "not_a_salesforce_user")
    wrong_mailbox = control.post("/token", json={"provider": "google", "user": "alex.morgan@example.com"})
    assert "microsoft mailbox" in _error(wrong_mailbox, 422, "wrong_mail_provider")
    bad_provider = control.post("/token", json={"provider": "yahoo", "user": "alex.morgan@example.com"})
    assert "provider" in _error(bad_provider, 422, "invalid_input")


def test_revoke_a_users_tokens(sandbox: LiveSandbox, control: httpx.Client) -> None:
    token = control.post("/token", json={"provider": "salesforce", "user": "sam.taylor@example.com"}).json()
    other = control.post("/token", json={"provider": "microsoft", "user": "sam.taylor@example.com"}).json()
    revoked = control.post("/tokens/revoke", json={"provider": "salesforce", "user": "sam.taylor@example.com"})
    assert revoked.json() == {"provider": "salesforce", "user": "sam.taylor@example.com", "revoked": 1}
    assert sandbox.state.tokens.resolve_access_token("salesforce", token["access_token"]) is None
    assert sandbox.state.tokens.resolve_access_token("microsoft", other["access_token"]) is not None
    _error(
        control.post("/tokens/revoke", json={"provider": "google", "user": "ghost@example.com"}), 404, "unknown_user"
    )


@pytest.mark.parametrize(("seed", "users"), [("empty", 0), ("demo", 5), (3, 5)])
def test_reset(sandbox: LiveSandbox, control: httpx.Client, seed: Seed, users: int) -> None:
    control.post("/users", json={"email": "temp@example.com", "name": "Temp", "mail_provider": "google"})
    control.post("/faults", json={"provider": "google", "status": 503})
    response = control.post("/reset", json={"seed": seed})
    assert response.status_code == 200, response.text
    assert response.json() == {"seed": seed, "users": users}
    assert len(sandbox.state.directory) == users
    assert control.get("/faults").json()["count"] == 0


def test_reset_defaults_to_demo_and_refuses_bad_seeds(control: httpx.Client) -> None:
    assert control.post("/reset").json() == {"seed": "demo", "users": 5}
    for bad in ("lots", 0, -2, 10**9, None):
        _error(control.post("/reset", json={"seed": bad}), 422, "invalid_input")


def test_clock_advance_expires_tokens_and_tells_backends(sandbox: LiveSandbox, control: httpx.Client) -> None:
    before = control.get("/clock").json()
    assert before["offset_seconds"] == 0
    token = control.post("/token", json={"provider": "google", "user": "priya.shah@example.com"}).json()

    class Backend:
        def __init__(self) -> None:
            self.advanced_to: list[datetime] = []

        def reset(self, seed: Seed, directory: object) -> None: ...

        def user_added(self, user: SandboxUser) -> None: ...

        def clock_advanced(self, now: datetime) -> None:
            self.advanced_to.append(now)

    backend = Backend()
    sandbox.state.backends["test-clock"] = backend
    try:
        advanced = control.post("/clock/advance", json={"seconds": 3601})
    finally:
        del sandbox.state.backends["test-clock"]
    assert advanced.status_code == 200
    assert advanced.json()["offset_seconds"] == pytest.approx(3601)
    assert datetime.fromisoformat(advanced.json()["now"]) - datetime.fromisoformat(before["now"]) >= timedelta(
        seconds=3601
    )
    assert len(backend.advanced_to) == 1
    assert sandbox.state.tokens.resolve_access_token("google", token["access_token"]) is None

    for bad in (0, -5, "soon"):
        _error(control.post("/clock/advance", json={"seconds": bad}), 422, "invalid_input")


def test_fault_rule_bad_input(control: httpx.Client) -> None:
    cases = [
        ({"provider": "google", "status": 200}, "invalid_input"),
        ({"provider": "google", "status": 429, "probability": 1.5}, "invalid_input"),
        ({"provider": "google", "status": 429, "times": 0}, "invalid_input"),
        ({"path": "/example.org/api/*", "status": 500}, "unknown_host"),
        ({"provider": "google", "path": "/graph.microsoft.com/v1.0/*", "status": 500}, "provider_mismatch"),
        ({"provider": "google"}, "no_effect"),
        ({"provider": "google", "status": 500, "method": "GET POST"}, "invalid_input"),
        ({"provider": "google", "status": 500, "path": "graph.microsoft.com"}, "invalid_input"),
    ]
    for body, code in cases:
        _error(control.post("/faults", json=body), 422, code)
    _error(control.delete("/faults/fault-nope"), 404, "unknown_fault")


def test_unknown_control_paths_methods_and_queries(control: httpx.Client) -> None:
    assert "/_sandbox/nothing" in _error(control.get("/nothing"), 404, "not_found")
    _error(control.put("/users"), 405, "method_not_allowed")
    assert "status" in _error(control.get("/calls", params={"status": "abc"}), 422, "invalid_input")
    _error(control.get("/calls", params={"provider": "yahoo"}), 422, "invalid_input")


def test_control_api_is_documented_in_openapi(sandbox: LiveSandbox) -> None:
    schema = httpx.get(f"{sandbox.base_url}/openapi.json").json()
    paths = schema["paths"]
    for path, methods in {
        "/_sandbox/users": {"get", "post"},
        "/_sandbox/token": {"post"},
        "/_sandbox/tokens/revoke": {"post"},
        "/_sandbox/faults": {"get", "post", "delete"},
        "/_sandbox/faults/{fault_id}": {"delete"},
        "/_sandbox/calls": {"get", "delete"},
        "/_sandbox/reset": {"post"},
        "/_sandbox/clock": {"get"},
        "/_sandbox/clock/advance": {"post"},
    }.items():
        assert methods <= set(paths[path]), path
    schemas = schema["components"]["schemas"]
    assert {"UserIn", "TokenOut", "FaultIn", "CallsOut", "ErrorDocument"} <= set(schemas)
    assert paths["/_sandbox/token"]["post"]["responses"]["404"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorDocument"
    }
