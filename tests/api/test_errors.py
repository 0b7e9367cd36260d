"""One error tree: JSON under /api, a readable page elsewhere, and never a stack trace or secret to a client."""

from __future__ import annotations

import logging

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.errors import Conflict, NotFound, RateLimited


@pytest.fixture
def failing_client(application: FastAPI) -> TestClient:
    """The app with a few routes that fail in each way."""

    @application.get("/api/explode")
    def api_explode() -> None:
        raise RuntimeError("database password is hunter2")

    @application.get("/explode")
    def page_explode() -> None:
        raise RuntimeError("database password is hunter2")

    @application.get("/api/things/{thing_id}")
    def get_thing(thing_id: int) -> dict[str, int]:
        if thing_id == 1:
            raise NotFound("No thing with id 1.")
        if thing_id == 2:
            raise Conflict()
        if thing_id == 3:
            raise RateLimited(retry_after=30)
        return {"id": thing_id}

    return TestClient(application)


def test_unexpected_error_under_api_is_generic_json(
    failing_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        response = failing_client.get("/api/explode", headers={"X-Request-ID": "trace-me-1"})
    assert response.status_code == 500
    error = response.json()["error"]
    assert error["code"] == "internal_error"
    assert error["request_id"] == "trace-me-1"
    assert response.headers["x-request-id"] == "trace-me-1"
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text
    assert any(getattr(record, "request_id", None) == "trace-me-1" for record in caplog.records)


def test_unexpected_error_on_a_page_is_a_readable_page(failing_client: TestClient) -> None:
    response = failing_client.get("/explode")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/html")
    assert "Something went wrong" in response.text
    assert "hunter2" not in response.text
    assert "Traceback" not in response.text


@pytest.mark.parametrize(
    ("thing_id", "status", "code"),
    [(1, 404, "not_found"), (2, 409, "conflict"), (3, 429, "rate_limited")],
)
def test_app_errors_keep_their_status_and_code(
    failing_client: TestClient, thing_id: int, status: int, code: str
) -> None:
    response = failing_client.get(f"/api/things/{thing_id}")
    assert response.status_code == status
    assert response.json()["error"]["code"] == code


def test_rate_limit_says_when_to_retry(failing_client: TestClient) -> None:
    assert failing_client.get("/api/things/3").headers["retry-after"] == "30"


def test_invalid_input_is_explained(failing_client: TestClient) -> None:
    response = failing_client.get("/api/things/not-a-number")
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert "thing_id" in error["message"]
    assert error["details"][0]["field"] == "thing_id"


def test_unknown_api_path_is_json_404(client: TestClient) -> None:
    response = client.get("/api/no/such/thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_unknown_page_is_an_html_404(client: TestClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text


def test_wrong_method_is_405(client: TestClient) -> None:
    response = client.post("/healthz")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_request_id_is_made_when_missing_or_malformed(client: TestClient) -> None:
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32
    replaced = client.get("/healthz", headers={"X-Request-ID": "bad id with spaces"}).headers["x-request-id"]
    assert replaced != "bad id with spaces"
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"


def test_home_page_renders(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "sandbox mode" in response.text
