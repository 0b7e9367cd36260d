"""A Gmail user's hands on the sandbox's Tasks API: what a user does in Google Tasks, never through the store.

Tasks are written with google-api-python-client directly (not with the connector's mapping).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build

from app.connectors.access_token import StaticAccessToken
from app.connectors.google.tasks_client import TasksClient
from app.connectors.google.tasks_store import GoogleTaskStore
from app.connectors.retry import RetryPolicy
from app.connectors.selection import SelectionMethod
from tests.connectors.google.hands import NO_SLEEP, PRIYA, PeopleHands
from tests.sandbox.conftest import LiveSandbox


def task_body(fields: Mapping[str, object]) -> dict[str, Any]:
    """A ``Task`` as a user would type it in Google Tasks, from task-projection fields."""
    body: dict[str, Any] = {"title": fields.get("subject") or ""}
    if fields.get("notes"):
        body["notes"] = fields["notes"]
    if fields.get("due"):
        body["due"] = f"{fields['due']}T00:00:00.000Z"
    body["status"] = "completed" if fields.get("completed") == "true" else "needsAction"
    return body


class TasksHands(PeopleHands):
    """One sandbox user's Google Tasks (and the call log of their Google calls)."""

    def __init__(self, sandbox: LiveSandbox, email: str = PRIYA) -> None:
        super().__init__(sandbox, email)
        self.tasks: Any = build(
            "tasks",
            "v1",
            credentials=Credentials(self.token),  # type: ignore[no-untyped-call]
            static_discovery=True,
            cache_discovery=False,
            client_options={"api_endpoint": f"{sandbox.base_url}/tasks.googleapis.com/"},
        )
        self._tasks_clients: list[TasksClient] = []
        #: Added to the store's clock (``expire``).
        self.clock_offset = timedelta()

    def close(self) -> None:
        """Close the HTTP connections."""
        self.tasks.close()
        for client in self._tasks_clients:
            client.close()
        super().close()

    def now(self) -> datetime:
        """The store's clock: the sandbox's, moved by :attr:`clock_offset`."""
        return self.sandbox.state.clock.now() + self.clock_offset

    def tasks_client(self, retry: RetryPolicy = NO_SLEEP) -> TasksClient:
        """A connector client for this user on the sandbox; closed with the hands."""
        token = StaticAccessToken(self.sandbox.token("google", self.email), vendor="google")
        client = TasksClient(token, vendor_base_url=self.sandbox.base_url, retry=retry)
        self._tasks_clients.append(client)
        return client

    def task_store(
        self, selection: SelectionMethod = SelectionMethod.AUTOMATIC, *, retry: RetryPolicy = NO_SLEEP
    ) -> GoogleTaskStore:
        """The store under test for this user."""
        return GoogleTaskStore(self.tasks_client(retry), selection=selection, clock=self.now)

    # -- lists and tasks -----------------------------------------------------------------------------------------

    def lists(self) -> dict[str, str]:
        """Task list ids by title."""
        answer = self.tasks.tasklists().list(maxResults=1000).execute()
        return {entry["title"]: entry["id"] for entry in answer.get("items", [])}

    def task_list(self, title: str) -> str:
        """The list titled ``title``, created if there is none."""
        found = self.lists().get(title)
        if found is not None:
            return found
        return str(self.tasks.tasklists().insert(body={"title": title}).execute()["id"])

    def delete_list(self, tasklist: str) -> None:
        """Delete a task list (and its tasks)."""
        self.tasks.tasklists().delete(tasklist=tasklist).execute()

    def add_task(self, fields: Mapping[str, object], tasklist: str = "@default") -> str:
        """Create a task."""
        return str(self.tasks.tasks().insert(tasklist=tasklist, body=task_body(fields)).execute()["id"])

    def get_task(self, task: str, tasklist: str = "@default") -> dict[str, Any]:
        """The task as the API returns it."""
        found: dict[str, Any] = self.tasks.tasks().get(tasklist=tasklist, task=task).execute()
        return found

    def edit_task(self, task: str, changes: Mapping[str, object], tasklist: str = "@default") -> None:
        """Change title or notes (None clears)."""
        keys = {"subject": "title", "notes": "notes"}
        body = {keys[name]: value for name, value in changes.items()}
        self.tasks.tasks().patch(tasklist=tasklist, task=task, body=body).execute()

    def remove_task(self, task: str, tasklist: str = "@default") -> None:
        """Delete a task."""
        self.tasks.tasks().delete(tasklist=tasklist, task=task).execute()

    def move_task(self, task: str, source: str, destination: str) -> None:
        """Move a task to another list."""
        self.tasks.tasks().move(tasklist=source, task=task, destinationTasklist=destination).execute()
