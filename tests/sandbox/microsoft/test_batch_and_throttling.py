"""JSON batching (20 requests, dependsOn, 424) and Exchange-style throttling (429 + Retry-After), error formats."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx

from app.connectors.vendor_http import AsyncRebasingTransport
from tests.sandbox.microsoft.conftest import GRAPH, PRIYA, Graph, assert_graph_error, open_graph, run_async


def _create(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": str(n),
        "method": "POST",
        "url": "/me/contacts",
        "headers": {"Content-Type": "application/json"},
        "body": {"givenName": f"Batch{n}", "surname": "Person"},
        **extra,
    }


def test_a_batch_of_twenty_creates_returns_twenty_results(graph: Graph) -> None:
    before = len(graph.mailbox.items)
    response = graph.post("/$batch", {"requests": [_create(n) for n in range(1, 21)]})
    assert response.status_code == 200, response.text
    results = response.json()["responses"]
    assert len(results) == 20 and {r["id"] for r in results} == {str(n) for n in range(1, 21)}
    assert {r["status"] for r in results} == {201}
    assert all(
        r["body"]["givenName"].startswith("Batch") and r["headers"]["Content-Type"].startswith("application/json")
        for r in results
    )
    assert len(graph.mailbox.items) == before + 20
    calls = graph.sandbox.state.calls.calls()
    assert [c.path for c in calls[-1:]] == ["/graph.microsoft.com/v1.0/$batch"]


def test_batch_limits_and_malformed_batches_get_400(graph: Graph) -> None:
    assert_graph_error(graph.post("/$batch", {"requests": [_create(n) for n in range(21)]}), 400, "BadRequest")
    assert_graph_error(graph.post("/$batch", {"requests": [_create(1), _create(1)]}), 400, "BadRequest")
    assert_graph_error(graph.post("/$batch", {"requests": [_create(1, dependsOn=["9"])]}), 400, "BadRequest")
    assert_graph_error(graph.post("/$batch", {"nope": []}), 400, "BadRequest")
    no_type = {"id": "1", "method": "POST", "url": "/me/contacts", "body": {"givenName": "X"}}
    only = graph.post("/$batch", {"requests": [no_type]}).json()["responses"][0]
    assert only["status"] == 400


def test_depends_on_runs_in_order_and_a_failed_dependency_gets_424(graph: Graph) -> None:
    requests = [
        {"id": "1", "method": "GET", "url": "/me/contacts/doesnotexist"},
        {**_create(2), "dependsOn": ["1"]},
        {"id": "3", "method": "GET", "url": "/me?$select=displayName"},
        {**_create(4), "dependsOn": ["3"]},
        {"id": "5", "method": "GET", "url": "me/contactFolders", "dependsOn": ["4"]},
    ]
    results = {r["id"]: r for r in graph.post("/$batch", {"requests": requests}).json()["responses"]}
    assert results["1"]["status"] == 400 and results["1"]["body"]["error"]["code"] == "ErrorInvalidIdMalformed"
    assert results["2"]["status"] == 424 and "error" in results["2"]["body"]
    assert results["3"]["status"] == 200 and results["3"]["body"]["displayName"] == "Alex Morgan"
    assert results["4"]["status"] == 201 and results["5"]["status"] == 200
    assert [r["id"] for r in graph.post("/$batch", {"requests": requests}).json()["responses"]] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]


def test_the_request_budget_answers_429_with_retry_after(graph: Graph) -> None:
    graph.settings(throttle={"requests_per_window": 3, "window_seconds": 60})
    for _ in range(3):
        assert graph.get("/me/contacts?$top=1").status_code == 200
    throttled = graph.get("/me/contacts?$top=1")
    error = assert_graph_error(throttled, 429, "ApplicationThrottled")
    assert "limit" in error["message"]
    retry_after = int(throttled.headers["Retry-After"])
    assert 1 <= retry_after <= 60
    graph.advance(timedelta(seconds=retry_after))
    assert graph.get("/me/contacts?$top=1").status_code == 200


def test_requests_inside_a_batch_are_throttled_one_by_one(graph: Graph) -> None:
    graph.settings(throttle={"requests_per_window": 4, "window_seconds": 600})
    response = graph.post("/$batch", {"requests": [_create(n) for n in range(1, 7)]})
    assert response.status_code == 200
    results = response.json()["responses"]
    assert [r["status"] for r in results] == [201, 201, 201, 201, 429, 429]
    throttled = results[4]
    assert int(throttled["headers"]["Retry-After"]) >= 1
    assert throttled["body"]["error"]["code"] == "ApplicationThrottled"
    chained = graph.post("/$batch", {"requests": [{**_create(7)}, {**_create(8), "dependsOn": ["7"]}]}).json()
    assert [r["status"] for r in chained["responses"]] == [429, 424]


def test_a_fifth_concurrent_request_is_throttled(graph: Graph) -> None:
    graph.settings(throttle={"max_concurrent": 4, "request_delay_ms": 300})
    token = graph.client.headers["Authorization"]

    async def burst() -> list[int]:
        async with httpx.AsyncClient(
            transport=AsyncRebasingTransport(graph.sandbox.base_url), base_url=GRAPH, headers={"Authorization": token}
        ) as client:
            responses = await asyncio.gather(*(client.get("/me/contacts?$top=1") for _ in range(5)))
            return sorted(r.status_code for r in responses)

    assert run_async(burst) == [200, 200, 200, 200, 429]


def test_error_format_and_authentication(graph: Graph, sam: Graph) -> None:
    anonymous = httpx.get(f"{graph.sandbox.base_url}/graph.microsoft.com/v1.0/me/contacts")
    assert_graph_error(anonymous, 401, "InvalidAuthenticationToken")
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer ")
    bad_token = graph.get("/me", headers={"Authorization": "Bearer EwBnotatoken"})
    assert_graph_error(bad_token, 401, "InvalidAuthenticationToken")
    traced = graph.get("/me/contacts/AAMkAGI=", headers={"client-request-id": "my-trace-id"})
    error = assert_graph_error(traced, 400, "ErrorInvalidIdMalformed")
    assert error["innerError"]["client-request-id"] == "my-trace-id" == traced.headers["client-request-id"]
    other_mailbox = graph.get(f"/users/{sam.email}/contacts")
    assert_graph_error(other_mailbox, 403, "ErrorAccessDenied")
    profile = graph.get(f"/users/{sam.email}?$select=displayName,mail").json()
    assert profile == {
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#users/$entity",
        "displayName": "Sam Taylor",
        "mail": sam.email,
        "id": sam.mailbox.guid,
    }
    by_id = graph.get(f"/users/{graph.mailbox.guid}/contacts?$top=1")
    assert by_id.status_code == 200
    assert_graph_error(graph.get("/users/nobody@example.com"), 404, "Request_ResourceNotFound")
    with open_graph(graph.sandbox, PRIYA) as google_user:
        assert_graph_error(google_user.get("/me/contacts"), 404, "MailboxNotEnabledForRESTAPI")
        assert google_user.get("/me").status_code == 200
    empty = graph.client.post("/me/contacts", content=b"", headers={"Content-Type": "application/json"})
    assert_graph_error(empty, 400, "BadRequest")
    broken = graph.client.post("/me/contacts", content=b"{not json", headers={"Content-Type": "application/json"})
    assert_graph_error(broken, 400, "BadRequest")
    assert_graph_error(graph.client.get(f"{graph.sandbox.base_url}/graph.microsoft.com/beta/me"), 400, "BadRequest")


def test_settings_control_api_validates(graph: Graph) -> None:
    current = graph.control("GET", "/microsoft/settings").json()
    assert current["throttle"]["requests_per_window"] == 10_000 and current["throttle"]["max_concurrent"] == 4
    assert current["delta"]["token_lifetime_seconds"] == 7 * 24 * 3600
    assert graph.control("PATCH", "/microsoft/settings", {"throttle": {"bogus": 1}}).status_code == 422
    assert graph.control("PATCH", "/microsoft/settings", {"throttle": {"max_concurrent": "x"}}).status_code == 422
    summary = graph.control("GET", "/microsoft/mailboxes").json()["mailboxes"]
    assert {m["email"] for m in summary} == {
        "alex.morgan@example.com",
        "sam.taylor@example.com",
        "jordan.lee@example.com",
    }
