"""Fault injection in each vendor's error format, and the call log that counts vendor calls."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from app.sandbox.calls import CallFilter, CallLog
from tests.sandbox.conftest import LiveSandbox
from tests.sandbox.oauth_browser import vendor_client

GRAPH_CONTACTS = "https://graph.microsoft.com/v1.0/me/contacts"
SALESFORCE_QUERY = "https://sandbox.my.salesforce.com/services/data/v62.0/query"
CALENDAR_EVENTS = "https://www.googleapis.com/calendar/v3/calendars/primary/events"


@pytest.fixture
def control(sandbox: LiveSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{sandbox.base_url}/_sandbox", timeout=10) as client:
        yield client


@pytest.fixture
def vendor(sandbox: LiveSandbox) -> Iterator[httpx.Client]:
    with vendor_client(sandbox.base_url) as client:
        yield client


def _add_fault(control: httpx.Client, **rule: Any) -> dict[str, Any]:
    response = control.post("/faults", json=rule)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def test_graph_throttling_for_the_next_n_calls(control: httpx.Client, vendor: httpx.Client) -> None:
    rule = _add_fault(
        control,
        provider="microsoft",
        method="GET",
        path="/graph.microsoft.com/v1.0/me/contacts*",
        status=429,
        retry_after=7,
        times=2,
    )
    assert rule["remaining"] == 2

    first = vendor.get(GRAPH_CONTACTS, params={"$top": "10"}, headers={"client-request-id": "abc-123"})
    assert first.status_code == 429
    assert first.headers["retry-after"] == "7"
    error = first.json()["error"]
    assert error["code"] == "TooManyRequests"
    assert error["message"]
    assert set(error["innerError"]) == {"date", "request-id", "client-request-id"}
    assert error["innerError"]["client-request-id"] == "abc-123"
    assert error["innerError"]["request-id"] == first.headers["request-id"]
    datetime.fromisoformat(error["innerError"]["date"])

    assert vendor.get(GRAPH_CONTACTS).status_code == 429
    third = vendor.get(GRAPH_CONTACTS)
    assert third.status_code != 429  # the emulator (or its absence) answers again
    # Other paths and methods were never affected.
    assert vendor.post(GRAPH_CONTACTS, json={}).status_code != 429
    assert vendor.get("https://graph.microsoft.com/v1.0/me/events").status_code != 429

    listed = control.get("/faults").json()["faults"][0]
    assert (listed["matched"], listed["fired"], listed["remaining"]) == (3, 2, 0)
    calls = control.get("/calls", params={"path": "/graph.microsoft.com/v1.0/me/contacts", "method": "GET"}).json()
    assert [call["status"] for call in calls["calls"]] == [429, 429, third.status_code]
    assert [call["injected"] for call in calls["calls"]] == [True, True, False]
    assert calls["calls"][0]["fault_id"] == rule["id"]
    assert calls["calls"][0]["query"] == "%24top=10"


@pytest.mark.parametrize(
    ("status", "code", "message_part"),
    [(403, "REQUEST_LIMIT_EXCEEDED", "Limit exceeded"), (503, "SERVER_UNAVAILABLE", "unavailable")],
)
def test_salesforce_faults_use_salesforce_errors(
    control: httpx.Client, vendor: httpx.Client, status: int, code: str, message_part: str
) -> None:
    _add_fault(control, provider="salesforce", path="/sandbox.my.salesforce.com/services/data/*", status=status)
    response = vendor.get(SALESFORCE_QUERY, params={"q": "SELECT Id FROM Contact"})
    assert response.status_code == status
    body = response.json()
    assert isinstance(body, list)
    assert body[0]["errorCode"] == code
    assert message_part in body[0]["message"]


def test_google_rate_limit_format_and_overrides(control: httpx.Client, vendor: httpx.Client) -> None:
    _add_fault(control, provider="google", path="/www.googleapis.com/calendar/*", status=429, times=1)
    body = vendor.get(CALENDAR_EVENTS).json()
    assert body == {
        "error": {
            "code": 429,
            "message": "Rate Limit Exceeded",
            "errors": [{"message": "Rate Limit Exceeded", "domain": "usageLimits", "reason": "rateLimitExceeded"}],
            "status": "RESOURCE_EXHAUSTED",
        }
    }
    _add_fault(
        control,
        provider="google",
        path="/www.googleapis.com/calendar/*",
        status=403,
        code="userRateLimitExceeded",
        message="User Rate Limit Exceeded",
        times=1,
    )
    error = vendor.get(CALENDAR_EVENTS).json()["error"]
    assert (error["code"], error["status"], error["errors"][0]["reason"], error["message"]) == (
        403,
        "PERMISSION_DENIED",
        "userRateLimitExceeded",
        "User Rate Limit Exceeded",
    )
    _add_fault(control, provider="google", status=500, body={"verbatim": True}, headers={"X-Test": "1"}, times=1)
    custom = vendor.get(CALENDAR_EVENTS)
    assert (custom.status_code, custom.json(), custom.headers["x-test"]) == (500, {"verbatim": True}, "1")


def test_faults_at_sign_in_hosts_use_the_oauth_format(control: httpx.Client, vendor: httpx.Client) -> None:
    _add_fault(control, path="/login.microsoftonline.com/*/oauth2/v2.0/token", status=503, times=1)
    error = vendor.post("https://login.microsoftonline.com/common/oauth2/v2.0/token", data={}).json()
    assert error["error"] == "temporarily_unavailable"
    assert error["error_codes"] and error["trace_id"] and error["timestamp"]
    _add_fault(control, path="/oauth2.googleapis.com/token", status=500, times=1)
    assert vendor.post("https://oauth2.googleapis.com/token", data={}).json() == {
        "error": "server_error",
        "error_description": "An internal server error occurred.",
    }


def _injection_pattern(control: httpx.Client, vendor: httpx.Client, seed: int) -> list[bool]:
    control.delete("/faults")
    _add_fault(control, provider="microsoft", status=503, probability=0.5, seed=seed)
    return [vendor.get(GRAPH_CONTACTS).status_code == 503 for _ in range(40)]


def test_faults_with_a_probability_follow_their_seed(control: httpx.Client, vendor: httpx.Client) -> None:
    pattern = _injection_pattern(control, vendor, seed=7)
    assert 5 < sum(pattern) < 35
    assert _injection_pattern(control, vendor, seed=7) == pattern
    other = _injection_pattern(control, vendor, seed=8)
    assert other != pattern
    injected = control.get("/calls", params={"injected": "true"}).json()["count"]
    assert injected == 2 * sum(pattern) + sum(other)


def test_delays(control: httpx.Client, vendor: httpx.Client) -> None:
    _add_fault(control, provider="google", status=503, delay_seconds=0.3, times=1)
    started = time.monotonic()
    assert vendor.get(CALENDAR_EVENTS).status_code == 503
    assert time.monotonic() - started >= 0.3

    slow = _add_fault(control, provider="google", delay_seconds=0.2, times=1)  # no status: only slower
    started = time.monotonic()
    passed = vendor.get(CALENDAR_EVENTS)
    assert time.monotonic() - started >= 0.2
    assert passed.status_code != 503
    last = control.get("/calls").json()["calls"][-1]
    assert (last["injected"], last["fault_id"]) == (False, slow["id"])
    assert last["duration_ms"] >= 200


def test_clearing_and_removing_faults(control: httpx.Client, vendor: httpx.Client) -> None:
    first = _add_fault(control, provider="google", status=503)
    _add_fault(control, provider="microsoft", status=503)
    assert control.delete(f"/faults/{first['id']}").json() == {"removed": 1}
    assert vendor.get(CALENDAR_EVENTS).status_code != 503
    assert control.delete("/faults").json() == {"removed": 1}
    assert vendor.get(GRAPH_CONTACTS).status_code != 503


def test_call_log_attributes_filters_and_clears(
    sandbox: LiveSandbox, control: httpx.Client, vendor: httpx.Client
) -> None:
    alex = control.post("/token", json={"provider": "microsoft", "user": "alex.morgan@example.com"}).json()
    priya = control.post("/token", json={"provider": "google", "user": "priya.shah@example.com"}).json()
    started = datetime.now(UTC)
    vendor.get(GRAPH_CONTACTS, headers={"Authorization": f"Bearer {alex['access_token']}"})
    vendor.post(GRAPH_CONTACTS, json={}, headers={"Authorization": f"Bearer {alex['access_token']}"})
    vendor.get(
        "https://gmail.googleapis.com/gmail/v1/users/me/messages",
        params={"q": "from:someone", "access_token": "secret-value"},
        headers={"X-Goog-Gmail-Access-Token": priya["access_token"]},
    )
    vendor.get(CALENDAR_EVENTS)

    everything = control.get("/calls").json()
    assert everything["count"] == 4  # control API calls are not vendor calls
    assert everything["last_id"] == everything["calls"][-1]["id"]
    gmail = everything["calls"][2]
    assert gmail["user"] == "priya.shah@example.com"
    assert gmail["provider"] == "google"
    assert gmail["path"] == "/gmail.googleapis.com/gmail/v1/users/me/messages"
    assert "secret-value" not in gmail["query"]
    assert "access_token=REDACTED" in gmail["query"]

    def count(**filters: Any) -> int:
        result: int = control.get("/calls", params=filters).json()["count"]
        return result

    assert count(provider="microsoft") == 2
    assert count(user="Alex.Morgan@example.com") == 2
    assert count(user="alex.morgan@example.com", method="post") == 1
    assert count(path="/v1.0/me/") == 2
    assert count(path="/*.googleapis.com/*") == 2
    assert count(path="/graph.microsoft.com/*/contacts") == 2
    assert count(since=started.isoformat()) == 4
    assert count(since="2999-01-01T00:00:00") == 0
    assert count(after_id=everything["calls"][1]["id"]) == 2
    assert count(status=everything["calls"][0]["status"]) >= 1
    assert count(injected="true") == 0
    assert sandbox.state.calls.count(CallFilter(provider="google")) == 2

    assert control.delete("/calls").json() == {"removed": 4}
    assert control.get("/calls").json()["count"] == 0
    vendor.get(CALENDAR_EVENTS)
    assert control.get("/calls").json()["calls"][0]["id"] == everything["last_id"] + 1


def test_call_log_is_safe_across_threads() -> None:
    log = CallLog()

    def record(worker: int) -> None:
        for number in range(500):
            log.record(
                time=datetime.now(UTC),
                provider="google",
                user=f"user{worker}@example.com",
                method="GET",
                path=f"/www.googleapis.com/{number}",
                query="",
                status=200,
                duration_ms=0.1,
            )

    threads = [threading.Thread(target=record, args=(worker,)) for worker in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    calls = log.calls()
    assert len(calls) == 4000
    assert sorted(call.id for call in calls) == list(range(1, 4001))
    assert log.count(CallFilter(user="user3@example.com")) == 500
