"""Google's error format, authentication and scopes, per-user rate limits and the Google control endpoints."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from googleapiclient.errors import HttpError

from app.sandbox.calls import CallFilter
from tests.sandbox.google.conftest import ZOE, Google


def _settings(google: Google, **changes: Any) -> tuple[int, dict[str, Any]]:
    response, content = google.raw(
        "PATCH", "_sandbox/google/settings", headers={"content-type": "application/json"}, body=json.dumps(changes)
    )
    return response.status, json.loads(content)


def test_missing_and_invalid_credentials_in_each_format(google: Google) -> None:
    response, content = google.raw("GET", "people.googleapis.com/v1/people/me?personFields=names", token="")
    body = json.loads(content)["error"]
    assert response.status == 401 and body["status"] == "UNAUTHENTICATED"
    assert body["message"].startswith("Request is missing required authentication credential")
    response, content = google.raw("GET", "www.googleapis.com/calendar/v3/users/me/calendarList", token="ya29.bogus")
    assert response.status == 401
    assert json.loads(content) == {
        "error": {
            "errors": [
                {
                    "domain": "global",
                    "reason": "authError",
                    "message": "Invalid Credentials",
                    "locationType": "header",
                    "location": "Authorization",
                }
            ],
            "code": 401,
            "message": "Invalid Credentials",
        }
    }
    google.advance(timedelta(hours=2))
    response, _ = google.raw(
        "GET", "tasks.googleapis.com/tasks/v1/users/@me/lists", token=google.sandbox.token("google", google.email)
    )
    assert response.status == 200
    stale_token = google.sandbox.state.tokens.issue_access_token("google", google.email, lifetime=timedelta(seconds=1))
    google.advance(timedelta(seconds=2))
    response, _ = google.raw("GET", "tasks.googleapis.com/tasks/v1/users/@me/lists", token=stale_token)
    assert response.status == 401


def test_a_token_without_the_api_scope_is_refused(google: Google) -> None:
    token = google.sandbox.state.tokens.issue_access_token(
        "google", google.email, scopes=("https://www.googleapis.com/auth/calendar.readonly",)
    )
    with pytest.raises(HttpError) as refused:
        google.service("people", token=token).people().get(resourceName="people/me", personFields="names").execute()
    error = json.loads(refused.value.content)["error"]
    assert refused.value.resp.status == 403 and error["status"] == "PERMISSION_DENIED"
    assert error["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    calendar = google.service("calendar", token=token).events()
    assert calendar.list(calendarId="primary").execute()["items"]
    with pytest.raises(HttpError) as read_only:
        calendar.insert(
            calendarId="primary", body={"start": {"date": "2030-01-01"}, "end": {"date": "2030-01-02"}}
        ).execute()
    assert read_only.value.resp.status == 403


def test_the_per_user_rate_limit_answers_429_then_403_and_recovers(google: Google) -> None:
    status, settings = _settings(google, requests_per_minute=3)
    assert status == 200 and settings["requests_per_minute"] == 3
    tasks = google.service("tasks").tasklists()
    for _ in range(3):
        tasks.list().execute()
    with pytest.raises(HttpError) as limited:
        tasks.list().execute()
    error = json.loads(limited.value.content)["error"]
    assert limited.value.resp.status == 429
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert error["errors"][0] == {
        "message": "Rate Limit Exceeded",
        "domain": "usageLimits",
        "reason": "rateLimitExceeded",
    }

    zoe = Google(google.sandbox, ZOE, google.sandbox.token("google", ZOE))
    assert zoe.service("tasks").tasklists().list().execute()["items"]
    zoe.close()
    assert google.service("calendar").calendarList().list().execute()["items"]

    _settings(google, over_limit_status=403, over_limit_reason="userRateLimitExceeded")
    with pytest.raises(HttpError) as forbidden:
        tasks.list().execute()
    calendar_style = json.loads(forbidden.value.content)["error"]
    assert forbidden.value.resp.status == 403
    assert calendar_style["errors"][0]["reason"] == "userRateLimitExceeded"

    google.advance(timedelta(seconds=61))
    assert google.service("tasks").tasklists().list().execute()["items"]
    status, _ = _settings(google, requests_per_minute=None)
    assert status == 200


def test_batch_calls_count_one_by_one_against_the_rate_and_in_the_call_log(google: Google) -> None:
    _settings(google, requests_per_minute=2)
    service = google.service("gmail")
    outcomes: dict[str, Any] = {}
    batch = google.batch("gmail", lambda rid, response, exc: outcomes.__setitem__(rid, exc.resp.status if exc else 200))
    before = google.sandbox.state.calls.last_id
    for _ in range(3):
        batch.add(service.users().getProfile(userId="me"))
    batch.execute()
    assert [outcomes[key] for key in ("1", "2", "3")] == [200, 200, 429]
    calls = google.sandbox.state.calls.calls(CallFilter(provider="google", after_id=before))
    assert [call.path for call in calls].count("/gmail.googleapis.com/gmail/v1/users/me/profile") == 3


def test_settings_are_validated(google: Google) -> None:
    status, body = _settings(google, over_limit_status=500)
    assert status == 422 and body["error"]["code"] == "invalid_input"
    status, _ = _settings(google, unknown_setting=1)
    assert status == 422
    response, content = google.raw("GET", "_sandbox/google/settings")
    assert response.status == 200 and json.loads(content)["people_sync_token_days"] == 7.0


def test_calendar_sync_tokens_can_be_invalidated_from_the_control_api(google: Google) -> None:
    events = google.service("calendar").events()
    token = events.list(calendarId="primary", maxResults=2500).execute()["nextSyncToken"]
    response, content = google.raw(
        "POST",
        "_sandbox/google/sync-tokens/invalidate",
        headers={"content-type": "application/json"},
        body=json.dumps({"email": google.email}),
    )
    assert response.status == 200 and json.loads(content) == {"invalidated": 1}
    with pytest.raises(HttpError) as gone:
        events.list(calendarId="primary", syncToken=token).execute()
    assert gone.value.resp.status == 410
    response, content = google.raw("GET", "_sandbox/google/accounts")
    summary = {item["email"]: item for item in json.loads(content)["accounts"]}
    assert summary[google.email]["messages"] >= 8 and summary[ZOE]["contacts"] > 0


def test_a_generated_seed_gives_n_records_per_google_user(google: Google) -> None:
    google.sandbox.reset(40)
    token = google.sandbox.token("google", google.email)
    people = google.service("people", token=token).people()
    listed = people.connections().list(resourceName="people/me", personFields="names", pageSize=1000).execute()
    assert listed["totalItems"] == 40
    events = google.service("calendar", token=token).events().list(calendarId="primary").execute()["items"]
    assert len(events) == 40
    tasks = google.service("tasks", token=token).tasks().list(tasklist="@default", maxResults=100).execute()["items"]
    assert len(tasks) == 40
