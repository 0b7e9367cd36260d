"""The dashboard's routes: the JSON API with a bearer token (the caller's own data; everyone's for admins only),
its OpenAPI description, and the pages behind sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.models import SyncRunStatus, User
from tests.accounts_support import add_user, signed_in_client
from tests.addin.conftest import ALEX, SAM, addin_app, addin_settings, api_token, bearer  # noqa: F401  (fixtures)
from tests.sandbox.conftest import LiveSandbox, live_sandbox, sandbox  # noqa: F401  (fixtures)
from tests.services.test_dashboard import add_conflict, add_run, counts, failure


@pytest.fixture
def people(engine: Engine) -> dict[str, User]:
    """Alex (a rep) with a pass and a conflict, and Sam (an admin) with a failed pass."""
    alex = add_user(engine, ALEX)
    sam = add_user(engine, SAM, admin=True)
    assert alex.id is not None and sam.id is not None
    now = datetime.now(UTC)
    add_run(
        engine,
        alex.id,
        now - timedelta(minutes=10),
        status=SyncRunStatus.PARTIAL,
        mailbox=counts(created=2),
        salesforce=counts(updated=1, errors=1),
        errors=[failure("salesforce", "invalid", "Last Name too long")],
        message="Salesforce rejected 1 contact: Last Name too long",
    )
    add_conflict(
        engine, alex.id, now - timedelta(minutes=10), "title", mailbox="CTO", salesforce="CFO", winner="mailbox"
    )
    add_run(engine, sam.id, now - timedelta(hours=1), status=SyncRunStatus.FAILED, message="Sam's pass failed")
    return {"alex": alex, "sam": sam}


@pytest.fixture
def client(addin_app: FastAPI) -> Iterator[TestClient]:  # noqa: F811
    """An HTTP client of the application on the live sandbox (whose Microsoft sign-in issues the API tokens)."""
    with TestClient(addin_app) as test_client:
        yield test_client


def get_json(client: TestClient, path: str, token: str) -> tuple[int, dict[str, Any]]:
    answer = client.get(path, headers=bearer(token))
    body: dict[str, Any] = answer.json()
    return answer.status_code, body


def test_the_callers_own_dashboard(client: TestClient, sandbox: LiveSandbox, people: dict[str, User]) -> None:  # noqa: F811
    status, body = get_json(client, "/api/dashboard", api_token(sandbox, ALEX))

    assert status == 200, body
    last = body["last_pass"]
    assert (last["status"], last["status_text"], last["changes"], last["errors"]) == (
        "partial",
        "Finished with errors",
        3,
        1,
    )
    assert last["mailbox"]["created"] == 2 and last["salesforce"]["errors"] == 1
    assert body["problems"] == ["Salesforce rejected 1 contact: Last Name too long"]
    assert body["next_pass"] == {"scheduled": False, "at": None, "how": body["next_pass"]["how"]}
    assert [c["field"] for c in body["conflicts"]] == ["title"]
    assert body["conflicts"][0]["kept"] == "mailbox"
    assert len(body["days"]) == 30 and body["days"][-1]["passes"] == 1
    assert "Sam's pass failed" not in str(body)

    _status, sams = get_json(client, "/api/dashboard", api_token(sandbox, SAM))
    assert sams["last_pass"]["message"] == "Sam's pass failed" and sams["conflicts"] == []


def test_without_a_token_the_api_refuses(client: TestClient, people: dict[str, User]) -> None:
    for path in ("/api/dashboard", "/api/admin/dashboard"):
        answer = client.get(path)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "not_authenticated"


def test_everyone_is_for_admins(client: TestClient, sandbox: LiveSandbox, people: dict[str, User]) -> None:  # noqa: F811
    status, refused = get_json(client, "/api/admin/dashboard", api_token(sandbox, ALEX))
    assert status == 403
    assert refused["error"]["code"] == "forbidden"
    assert "for crmbridge administrators" in refused["error"]["message"]

    status, body = get_json(client, "/api/admin/dashboard", api_token(sandbox, SAM))
    assert status == 200, body
    rows = {row["email"]: row for row in body["users"]}
    assert set(rows) == {ALEX, SAM}
    assert (rows[ALEX]["status_text"], rows[ALEX]["errors"]) == ("Finished with errors", 1)
    assert rows[SAM]["status_text"] == "Failed" and rows[SAM]["last_pass"]["message"] == "Sam's pass failed"
    assert body["days"][-1]["passes"] == 2 and body["days"][-1]["failed_passes"] == 1


def test_wrong_methods_get_a_clear_answer(client: TestClient, sandbox: LiveSandbox, people: dict[str, User]) -> None:  # noqa: F811
    answer = client.post("/api/dashboard", headers=bearer(api_token(sandbox, ALEX)), json={})
    assert answer.status_code == 405
    assert answer.json()["error"]["code"] == "method_not_allowed"


def test_the_api_is_described_in_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()

    for path, schema in (("/api/dashboard", "UserDashboard"), ("/api/admin/dashboard", "AdminDashboard")):
        operation = spec["paths"][path]["get"]
        assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(schema)
        assert operation["security"], f"{path} is not marked as needing a token"
    assert "403" in spec["paths"]["/api/admin/dashboard"]["get"]["responses"]
    assert "/dashboard" not in spec["paths"] and "/admin/dashboard" not in spec["paths"]
    described = spec["components"]["schemas"]["PassSummary"]["properties"]
    assert {"status_text", "changes", "errors", "message"} <= set(described)


def test_the_pages_need_a_signed_in_user_and_admins_for_everyone(
    addin_app: FastAPI,  # noqa: F811
    people: dict[str, User],
) -> None:
    with TestClient(addin_app, follow_redirects=False) as anonymous:
        for path in ("/dashboard", "/admin/dashboard"):
            answer = anonymous.get(path)
            assert answer.status_code == 303 and answer.headers["location"].startswith("/signin?next=")

    rep, _session = signed_in_client(addin_app, people["alex"])
    with rep:
        page = rep.get("/dashboard")
        assert page.status_code == 200
        assert page.headers["cache-control"] == "no-store"
        assert "Finished with errors" in page.text and "Last Name too long" in page.text
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="activity-chart"' in page.text
        assert "Sam&#39;s pass failed" not in page.text and "Sam's pass failed" not in page.text
        refused = rep.get("/admin/dashboard")
        assert refused.status_code == 403
        assert "for crmbridge administrators" in refused.text

    admin, _session = signed_in_client(addin_app, people["sam"])
    with admin:
        page = admin.get("/admin/dashboard")
        assert page.status_code == 200
        assert ALEX in page.text and "Sam&#39;s pass failed" in page.text
