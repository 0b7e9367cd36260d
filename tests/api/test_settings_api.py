"""The settings JSON API: both ways in (bearer token, session cookie with CSRF), admin-only routes, clear refusals,
and its place in the OpenAPI document."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.connectors.oauth_clients import SANDBOX_CLIENT_IDS
from app.main import create_app
from app.models import ChangeSource, Provider, SettingChange, SyncPolicy, User, UserSetting
from app.settings import Settings
from tests.accounts_support import add_user, mint_api_token, signed_in_client
from tests.sandbox.conftest import LiveSandbox, live_sandbox, sandbox  # noqa: F401  (fixtures)
from tests.sandbox.oauth_browser import vendor_client

ADMIN = "sam.taylor@example.com"
REP = "alex.morgan@example.com"
CONFIGURATIONS = "/api/admin/sync-configurations"


@pytest.fixture
def api_app(settings: Settings, engine: Engine, sandbox: LiveSandbox) -> FastAPI:  # noqa: F811
    """The application, its API sign-in going to the live sandbox."""
    return create_app(settings.model_copy(update={"sandbox_url": sandbox.base_url}), engine)


@pytest.fixture
def people(engine: Engine) -> dict[str, User]:
    return {ADMIN: add_user(engine, ADMIN, admin=True), REP: add_user(engine, REP)}


@pytest.fixture
def client(api_app: FastAPI) -> Iterator[TestClient]:
    with TestClient(api_app) as test_client:
        yield test_client


def token_for(sandbox: LiveSandbox, email: str) -> dict[str, str]:  # noqa: F811
    with vendor_client(sandbox.base_url) as vendor:
        return {"Authorization": f"Bearer {mint_api_token(vendor, SANDBOX_CLIENT_IDS[Provider.MICROSOFT], email)}"}


@pytest.fixture
def browser(api_app: FastAPI, people: dict[str, User]) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The rep's signed-in browser, and the header with its session's CSRF token."""
    client, session = signed_in_client(api_app, people[REP])
    with client:
        yield client, {"X-CSRF-Token": session.csrf_token}


@pytest.fixture
def admin_browser(api_app: FastAPI, people: dict[str, User]) -> Iterator[tuple[TestClient, dict[str, str]]]:
    client, session = signed_in_client(api_app, people[ADMIN])
    with client:
        yield client, {"X-CSRF-Token": session.csrf_token}


def by_key(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["key"]: item for item in body["settings"]}


def stored(engine: Engine, user: User) -> dict[str, object]:
    with Session(engine) as db:
        return {row.key: row.value for row in db.exec(select(UserSetting).where(UserSetting.user_id == user.id))}


def test_a_rep_reads_and_changes_their_settings_with_a_bearer_token(
    client: TestClient,
    sandbox: LiveSandbox,  # noqa: F811
    people: dict[str, User],
    engine: Engine,
) -> None:
    headers = token_for(sandbox, REP)

    before = client.get("/api/settings", headers=headers)
    assert before.status_code == 200, before.text
    direction = by_key(before.json())["contacts.direction"]
    assert direction["value"] == "both" and direction["source"] == "default" and not direction["locked"]
    assert direction["allowed"] == ["both", "sf_to_mailbox", "mailbox_to_sf"]
    assert {"value": "sf_to_mailbox", "label": "Salesforce to the mailbox only"} in direction["choices"]
    assert (
        by_key(before.json())["events.window_past_days"] | {"minimum": 0, "maximum": 365}
        == by_key(before.json())["events.window_past_days"]
    )

    changed = client.patch("/api/settings", headers=headers, json={"contacts.direction": "sf_to_mailbox"})
    assert changed.status_code == 200, changed.text
    assert (
        by_key(changed.json())["contacts.direction"] | {"value": "sf_to_mailbox", "source": "user"}
        == by_key(changed.json())["contacts.direction"]
    )
    assert stored(engine, people[REP]) == {"contacts.direction": "sf_to_mailbox"}

    history = client.get("/api/settings/history", headers=headers).json()["changes"]
    assert [(c["key"], c["old_value"], c["new_value"], c["source"], c["actor_email"]) for c in history] == [
        ("contacts.direction", None, "sf_to_mailbox", "api", REP)
    ]


def test_a_signed_in_page_needs_the_csrf_header_to_change_anything(
    browser: tuple[TestClient, dict[str, str]], people: dict[str, User], engine: Engine
) -> None:
    client, csrf = browser
    assert client.get("/api/settings").status_code == 200  # reading needs no token

    refused = client.patch("/api/settings", json={"events.enabled": True})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    assert "X-CSRF-Token" in refused.json()["error"]["message"]
    wrong = client.patch("/api/settings", json={"events.enabled": True}, headers={"X-CSRF-Token": "not-it"})
    assert wrong.status_code == 403
    assert stored(engine, people[REP]) == {}

    accepted = client.patch("/api/settings", json={"events.enabled": True}, headers=csrf)
    assert accepted.status_code == 200, accepted.text
    assert stored(engine, people[REP]) == {"events.enabled": True}
    with Session(engine) as db:
        assert [row.source for row in db.exec(select(SettingChange))] == [ChangeSource.PAGE]


def test_without_credentials_the_api_answers_401(client: TestClient, people: dict[str, User]) -> None:
    answer = client.get("/api/settings")
    assert answer.status_code == 401
    assert "Sign in" in answer.json()["error"]["message"]
    assert answer.json()["error"]["code"] == "not_authenticated"
    assert answer.headers["www-authenticate"] == "Bearer"
    assert client.patch("/api/settings", json={}).status_code == 401
    bad_token = client.get("/api/settings", headers={"Authorization": "Bearer not-a-token"})
    assert bad_token.status_code == 401


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"contacts.direction": "sideways"}, "contacts.direction must be one of both, sf_to_mailbox, mailbox_to_sf"),
        ({"contacts.enabled": "yes"}, "contacts.enabled must be true or false"),
        ({"events.window_future_days": 1000}, "events.window_future_days must be between 1 and 730"),
        ({"contacts.colour": "red"}, "'contacts.colour' is not a setting"),
        ({"contacts.scope": "list_view"}, "contacts.scope list_view needs a list view"),
        ({"contacts.list_view_id": "00Bnope"}, "15 or 18 letters and digits"),
    ],
)
def test_unacceptable_changes_are_refused_with_a_message_and_change_nothing(
    browser: tuple[TestClient, dict[str, str]],
    people: dict[str, User],
    engine: Engine,
    changes: dict[str, object],
    message: str,
) -> None:
    client, csrf = browser
    answer = client.patch("/api/settings", json={"events.enabled": True, **changes}, headers=csrf)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid_input"
    assert message in answer.json()["error"]["message"]
    assert stored(engine, people[REP]) == {}


def test_a_body_that_is_not_a_mapping_is_refused(browser: tuple[TestClient, dict[str, str]]) -> None:
    client, csrf = browser
    listed = client.patch("/api/settings", json=["contacts.enabled", False], headers=csrf)
    assert listed.status_code == 422 and "valid dictionary" in listed.json()["error"]["message"]
    broken = client.patch("/api/settings", content=b"{not json", headers={**csrf, "Content-Type": "application/json"})
    assert broken.status_code == 422 and broken.json()["error"]["code"] == "invalid_input"


def test_admin_routes_refuse_a_rep_either_way(
    client: TestClient,
    browser: tuple[TestClient, dict[str, str]],
    sandbox: LiveSandbox,  # noqa: F811
    people: dict[str, User],
) -> None:
    rep_browser, csrf = browser
    admin_id = people[ADMIN].id
    for answer in (
        client.get(CONFIGURATIONS, headers=token_for(sandbox, REP)),
        rep_browser.get(CONFIGURATIONS),
        rep_browser.post(CONFIGURATIONS, json={"name": "Mine", "roles": ["rep"]}, headers=csrf),
        rep_browser.get(f"/api/admin/users/{admin_id}/settings"),
        rep_browser.patch(f"/api/admin/users/{admin_id}/settings", json={"contacts.enabled": False}, headers=csrf),
    ):
        assert answer.status_code == 403, answer.text
        assert answer.json()["error"]["message"] == "Only crmbridge administrators may do this."


def test_an_admin_manages_configurations_and_a_users_settings(
    client: TestClient,
    sandbox: LiveSandbox,  # noqa: F811
    admin_browser: tuple[TestClient, dict[str, str]],
    people: dict[str, User],
    engine: Engine,
) -> None:
    browser, csrf = admin_browser
    spec = {
        "name": "Field reps",
        "roles": ["rep"],
        "mode": "enforced",
        "directions": {"contact": ["sf_to_mailbox"]},
        "defaults": {"contacts.direction": "sf_to_mailbox"},
        "max_delete_share": 0.1,
    }
    created = browser.post(CONFIGURATIONS, json=spec, headers=csrf)
    assert created.status_code == 201, created.text
    configuration = created.json()
    assert configuration["name"] == "Field reps" and configuration["item_types"] == ["contact", "event", "task"]

    duplicate = browser.post(CONFIGURATIONS, json=spec, headers=csrf)
    assert duplicate.status_code == 409 and "already a sync configuration" in duplicate.json()["error"]["message"]

    rep_view = client.get("/api/settings", headers=token_for(sandbox, REP)).json()
    assert rep_view["configuration"] == {
        "id": configuration["id"],
        "name": "Field reps",
        "mode": "enforced",
        "matched_by": "role",
    }
    assert by_key(rep_view)["contacts.direction"]["source"] == "enforced"
    assert rep_view["max_delete_share"] == 0.1
    locked = client.patch("/api/settings", json={"contacts.direction": "both"}, headers=token_for(sandbox, REP)).json()
    assert "set to sf_to_mailbox by your administrator's sync configuration 'Field reps'" in locked["error"]["message"]

    rep_id = people[REP].id
    changed = browser.patch(f"/api/admin/users/{rep_id}/settings", json={"events.enabled": True}, headers=csrf)
    assert changed.status_code == 200, changed.text
    assert changed.json()["email"] == REP and by_key(changed.json())["events.enabled"]["value"] is True
    assert browser.get(f"/api/admin/users/{rep_id}/settings").json()["user_id"] == rep_id
    assert browser.get("/api/admin/users/999999/settings").status_code == 404

    replaced = browser.put(
        f"{CONFIGURATIONS}/{configuration['id']}", json={**spec, "mode": "defaults", "priority": 3}, headers=csrf
    )
    assert replaced.status_code == 200 and replaced.json()["priority"] == 3
    listed = browser.get(CONFIGURATIONS).json()["configurations"]
    assert [item["name"] for item in listed] == ["Field reps"]
    assert browser.get(f"{CONFIGURATIONS}/{configuration['id']}").json()["mode"] == "defaults"

    assert browser.delete(f"{CONFIGURATIONS}/{configuration['id']}", headers=csrf).status_code == 204
    assert browser.get(f"{CONFIGURATIONS}/{configuration['id']}").status_code == 404
    assert browser.delete(f"{CONFIGURATIONS}/{configuration['id']}", headers=csrf).status_code == 404
    with Session(engine) as db:
        actions = [(row.action, row.actor_user_id, row.source) for row in db.exec(select(SettingChange))]
    admin_id = people[ADMIN].id
    assert ("user_setting", admin_id, ChangeSource.PAGE) in actions
    assert ("configuration_deleted", admin_id, ChangeSource.PAGE) in actions


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "X", "roles": ["boss"]}, "roles.0: Input should be 'rep' or 'admin'"),
        ({"name": "X", "roles": ["rep"], "colour": "red"}, "colour: Extra inputs are not permitted"),
        ({"name": "X", "roles": ["rep"], "max_delete_share": 2}, "max_delete_share: Input should be less than"),
        ({"name": "X", "roles": ["rep"], "defaults": {"events.series": "yes"}}, "events.series must be true or false"),
        (
            {"name": "X", "roles": ["rep"], "allow_private": False, "defaults": {"sync.include_private": True}},
            "cannot default to true",
        ),
        ({"roles": ["rep"]}, "name: Field required"),
    ],
)
def test_configurations_are_validated(
    admin_browser: tuple[TestClient, dict[str, str]], engine: Engine, body: dict[str, Any], message: str
) -> None:
    browser, csrf = admin_browser
    answer = browser.post(CONFIGURATIONS, json=body, headers=csrf)
    assert answer.status_code == 422, answer.text
    assert message in answer.json()["error"]["message"]
    with Session(engine) as db:
        assert db.exec(select(SyncPolicy)).all() == []


def test_ids_out_of_range_are_refused_before_the_database(admin_browser: tuple[TestClient, dict[str, str]]) -> None:
    browser, _csrf = admin_browser
    assert browser.get(f"{CONFIGURATIONS}/99999999999").status_code == 422
    assert browser.get("/api/admin/users/0/settings").status_code == 422


def test_the_openapi_document_lists_the_routes_with_descriptions(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    assert set(paths["/api/settings"]) == {"get", "patch"}
    assert set(paths["/api/settings/history"]) == {"get"}
    assert set(paths["/api/admin/users/{user_id}/settings"]) == {"get", "patch"}
    assert set(paths[CONFIGURATIONS]) == {"get", "post"}
    assert set(paths[CONFIGURATIONS + "/{configuration_id}"]) == {"get", "put", "delete"}
    schemas = document["components"]["schemas"]
    assert schemas["SettingOut"]["properties"]["source"]["description"].startswith("Where the value comes from")
    assert "enforced" in schemas["ConfigurationSpec"]["properties"]["mode"]["description"]
    patch_body = paths["/api/settings"]["patch"]["requestBody"]["content"]["application/json"]
    assert "null takes your own value away" in patch_body["schema"]["description"]
