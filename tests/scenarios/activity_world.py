"""A user's event and task sync on the sandbox, and the hands that change their calendar, tasks and Salesforce.

Built on :class:`ContactWorld`: passes run as ``crmbridge sync --items events|tasks`` runs them
(:func:`app.jobs.user_sync.sync_user`), with the real client libraries over HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from app.connectors.salesforce.client import Subrequest
from app.connectors.vendor_http import RebasingTransport
from app.jobs.sync_pass import PassReport
from app.jobs.user_sync import sync_user
from app.models import ItemType, SyncLink, SyncTrigger
from tests.scenarios.contact_world import GRAPH, ContactWorld

CALENDAR = "https://www.googleapis.com/calendar/v3/calendars/primary"
TASKS = "https://tasks.googleapis.com/tasks/v1"


def utc(moment: datetime) -> str:
    """An instant as Graph and Google take it in a body."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def today_at(hour: int, *, days: int = 0) -> datetime:
    """Today (UTC) at ``hour``, ``days`` later."""
    now = datetime.now(UTC)
    return datetime(now.year, now.month, now.day, hour, tzinfo=UTC) + timedelta(days=days)


@dataclass
class ActivityWorld(ContactWorld):
    """crmbridge on a test database, every sandbox demo user connected, with calendar and task hands."""

    # -- crmbridge -----------------------------------------------------------------------------------

    def sync_events(self, email: str, **options: Any) -> PassReport:
        """One event pass, as ``crmbridge sync --user EMAIL --items events`` runs it."""
        (report,) = sync_user(self.env, self.user(email), [ItemType.EVENT], trigger=SyncTrigger.CLI, **options)
        return report

    def sync_tasks(self, email: str, **options: Any) -> PassReport:
        """One task pass, as ``crmbridge sync --user EMAIL --items tasks`` runs it."""
        (report,) = sync_user(self.env, self.user(email), [ItemType.TASK], trigger=SyncTrigger.CLI, **options)
        return report

    def item_links(self, email: str, item_type: ItemType) -> list[SyncLink]:
        return [link for link in self.links(email) if link.item_type is item_type]

    # -- Outlook -------------------------------------------------------------------------------------

    def outlook_event(self, email: str, subject: str, start: datetime, minutes: int = 60, **extra: Any) -> str:
        """The user adds an event to their Outlook calendar; its id."""
        body = {
            "subject": subject,
            "start": {"dateTime": utc(start), "timeZone": "UTC"},
            "end": {"dateTime": utc(start + timedelta(minutes=minutes)), "timeZone": "UTC"},
            **extra,
        }
        with self.graph(email) as graph:
            response = graph.post(f"{GRAPH}/me/events", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def outlook_events(self, email: str, *, days: int = 120) -> list[dict[str, Any]]:
        """Every event instance of the user's calendar from 30 days back to ``days`` ahead."""
        start, end = today_at(0, days=-30), today_at(0, days=days)
        with self.graph(email) as graph:
            url = f"{GRAPH}/me/calendarView?startDateTime={utc(start)}Z&endDateTime={utc(end)}Z&$top=500"
            return list(_graph_pages(graph, url))

    def outlook_change(self, email: str, path: str, changes: dict[str, Any] | None = None) -> None:
        """The user edits (PATCH) or, with no changes, deletes an Outlook item at ``path`` (under /me)."""
        with self.graph(email) as graph:
            if changes is None:
                response = graph.delete(f"{GRAPH}/me/{path}")
            else:
                response = graph.patch(f"{GRAPH}/me/{path}", json=changes)
        assert response.status_code in (200, 204), response.text

    def todo_list_id(self, email: str) -> str:
        with self.graph(email) as graph:
            lists = graph.get(f"{GRAPH}/me/todo/lists").json()["value"]
        return str(next(item["id"] for item in lists if item.get("wellknownListName") == "defaultList"))

    def outlook_task(self, email: str, title: str, **extra: Any) -> str:
        """The user adds a task to their default To Do list; its id."""
        with self.graph(email) as graph:
            response = graph.post(
                f"{GRAPH}/me/todo/lists/{self.todo_list_id(email)}/tasks", json={"title": title, **extra}
            )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def outlook_tasks(self, email: str) -> list[dict[str, Any]]:
        with self.graph(email) as graph:
            return list(_graph_pages(graph, f"{GRAPH}/me/todo/lists/{self.todo_list_id(email)}/tasks?$top=500"))

    # -- Google --------------------------------------------------------------------------------------

    def google_api(self, email: str) -> httpx.Client:
        """Google Calendar and Tasks as the user's apps call them."""
        return httpx.Client(
            transport=RebasingTransport(self.base_url),
            headers={"Authorization": f"Bearer {self.token('google', email)}"},
            timeout=30,
        )

    def google_event(self, email: str, subject: str, start: datetime, minutes: int = 60, **extra: Any) -> str:
        body = {
            "summary": subject,
            "start": {"dateTime": utc(start) + "Z"},
            "end": {"dateTime": utc(start + timedelta(minutes=minutes)) + "Z"},
            **extra,
        }
        with self.google_api(email) as google:
            response = google.post(f"{CALENDAR}/events", json=body)
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    def google_events(self, email: str, *, days: int = 120) -> list[dict[str, Any]]:
        params = {
            "singleEvents": "true",
            "timeMin": utc(today_at(0, days=-30)) + "Z",
            "timeMax": utc(today_at(0, days=days)) + "Z",
            "maxResults": "2500",
        }
        with self.google_api(email) as google:
            return list(google.get(f"{CALENDAR}/events", params=params).json().get("items", []))

    def google_task(self, email: str, title: str, **extra: Any) -> str:
        with self.google_api(email) as google:
            response = google.post(f"{TASKS}/lists/@default/tasks", json={"title": title, **extra})
        assert response.status_code == 200, response.text
        return str(response.json()["id"])

    def google_tasks(self, email: str) -> list[dict[str, Any]]:
        params = {"showCompleted": "true", "showHidden": "true", "maxResults": "100"}
        with self.google_api(email) as google:
            return list(google.get(f"{TASKS}/lists/@default/tasks", params=params).json().get("items", []))

    # -- Salesforce ----------------------------------------------------------------------------------

    def owned_events(self, email: str) -> list[dict[str, Any]]:
        """The Salesforce events the user owns (not invitees' copies)."""
        with self.salesforce(email) as client:
            return client.query(
                "SELECT Id, Subject, StartDateTime, EndDateTime, IsAllDayEvent, ActivityDate, DurationInMinutes, "
                "Location, IsPrivate, IsRecurrence2, WhoId, Description FROM Event "
                f"WHERE OwnerId = '{self.salesforce_user_id(email)}' AND IsChild = false"
            )

    def owned_tasks(self, email: str) -> list[dict[str, Any]]:
        with self.salesforce(email) as client:
            return client.query(
                "SELECT Id, Subject, Status, IsClosed, Priority, ActivityDate, Description, TaskSubtype FROM Task "
                f"WHERE OwnerId = '{self.salesforce_user_id(email)}'"
            )

    def salesforce_update(self, email: str, sobject: str, record_id: str, fields: dict[str, Any] | None) -> None:
        """The user edits a record in Salesforce, or deletes it when ``fields`` is None."""
        method, body = ("DELETE", None) if fields is None else ("PATCH", fields)
        with self.salesforce(email) as client:
            result = client.composite(
                [Subrequest("r", method, f"sobjects/{sobject}/{record_id}", body)], all_or_none=True
            )
        assert result["r"].ok, result["r"].body

    def salesforce_record(self, email: str, sobject: str, fields: dict[str, Any]) -> str:
        """The user creates a record in Salesforce; its id."""
        with self.salesforce(email) as client:
            return client.create(sobject, {"OwnerId": self.salesforce_user_id(email), **fields})


def _graph_pages(http: httpx.Client, url: str) -> Iterator[dict[str, Any]]:
    next_url: str | None = url
    while next_url:
        response = http.get(next_url, headers={"Prefer": 'IdType="ImmutableId", outlook.timezone="UTC"'})
        assert response.status_code == 200, response.text
        body = response.json()
        yield from body["value"]
        next_url = body.get("@odata.nextLink")


def subjects(records: list[dict[str, Any]], key: str = "subject") -> set[str]:
    """The subjects (or another key's values) of vendor records."""
    return {str(record.get(key)) for record in records if record.get(key)}
