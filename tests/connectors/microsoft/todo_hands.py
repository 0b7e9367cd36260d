"""An Outlook user's hands on the default To Do list of a sandbox mailbox, and a task store wired to the sandbox.

The hands act as the user would, through Graph with their own httpx client (see
:class:`~tests.connectors.microsoft.hands.OutlookUser`). The projection -> todoTask conversion here is written
independently of ``app.connectors.microsoft.tasks_mapping`` on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from app.connectors.microsoft.tasks_store import GraphTaskStore
from app.connectors.selection import SelectionMethod
from app.sandbox.microsoft import ids
from app.sandbox.microsoft.models import Folder
from tests.connectors.microsoft.hands import OutlookUser
from tests.sandbox.conftest import LiveSandbox


def chore(n: int, **extra: object) -> dict[str, object]:
    """A task in the projection (due in 2031, not completed, important every other one)."""
    fields: dict[str, object] = {
        "subject": f"Follow up with customer {n}",
        "notes": f"Call about renewal {n}",
        "due": f"2031-03-{n % 28 + 1:02d}",
    }
    if n % 2:
        fields["important"] = "true"
    fields.update(extra)
    return fields


def todo_task(fields: Mapping[str, object]) -> dict[str, Any]:
    """A todoTask body for projection fields (None clears)."""
    body: dict[str, Any] = {}
    for name, value in fields.items():
        if name == "subject":
            body["title"] = value or ""
        elif name == "notes":
            body["body"] = {"contentType": "text", "content": value or ""}
        elif name == "due":
            body["dueDateTime"] = {"dateTime": f"{value}T00:00:00", "timeZone": "UTC"} if value else None
        elif name == "completed":
            body["status"] = "completed" if value == "true" else "notStarted"
        elif name == "important":
            body["importance"] = "high" if value == "true" else "normal"
        else:
            raise KeyError(name)
    return body


class ToDoUser:
    """Alex Morgan's To Do lists on a fresh, empty sandbox, with the user's hands and task stores to test."""

    def __init__(self, sandbox: LiveSandbox) -> None:
        self.outlook = OutlookUser(sandbox, create_folder=False)
        self.sandbox = sandbox
        self.http: httpx.Client = self.outlook.http
        self.list_id = self._default_list()
        self._other: str | None = None

    def close(self) -> None:
        self.outlook.close()

    def store(self, selection: SelectionMethod = SelectionMethod.AUTOMATIC, **client: Any) -> GraphTaskStore:
        """A task store over a fresh Graph client of this user."""
        return GraphTaskStore(self.outlook.client(**client), selection=selection)

    def calls(self) -> int:
        """Graph calls so far (a ``$batch`` is one)."""
        return self.outlook.calls()

    def expire_delta_tokens(self, code: str = "syncStateNotFound") -> None:
        self.outlook.expire_delta_tokens(code)

    # -- the user's hands

    def tasks_url(self, list_id: str | None = None) -> str:
        return f"/me/todo/lists/{list_id or self.list_id}/tasks"

    def add(
        self,
        fields: Mapping[str, object],
        *,
        categories: list[str] | None = None,
        list_id: str | None = None,
        **extra: Any,
    ) -> str:
        """A task in the default list (or ``list_id``); its id."""
        body = todo_task(fields) | extra
        if categories:
            body["categories"] = categories
        response = self.http.post(self.tasks_url(list_id), json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def other_list(self) -> str:
        """The id of a list other than the default one ("Groceries", created the first time)."""
        if self._other is None:
            created = self.http.post("/me/todo/lists", json={"displayName": "Groceries"})
            assert created.status_code == 201, created.text
            self._other = str(created.json()["id"])
        return self._other

    def add_other_list(self, fields: Mapping[str, object]) -> str:
        """A task in another list than the default one; its id."""
        return self.add(fields, list_id=self.other_list())

    def move_to_other_list(self, item_id: str) -> None:
        """The task moves from the default list to another one, as the To Do app lets the user do (Graph has no API
        for it: done in the sandbox's state; the immutable id stays)."""
        mailbox = self.outlook.mailbox
        task, target = ids.parse_id(item_id), ids.parse_id(self.other_list())
        assert task is not None and target is not None
        mailbox.move_item(mailbox.items[task.key], mailbox.folders[target.key], self.sandbox.state.clock.now())

    def patch(self, item_id: str, body: Mapping[str, Any]) -> dict[str, Any]:
        response = self.http.patch(f"{self.tasks_url()}/{item_id}", json=dict(body))
        assert response.status_code == 200, response.text
        return dict(response.json())

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        self.patch(item_id, todo_task(changes))

    def categorise(self, item_id: str, categories: list[str]) -> None:
        self.patch(item_id, {"categories": categories})

    def get(self, item_id: str) -> dict[str, Any]:
        return self.get_in(self.list_id, item_id)

    def get_in(self, list_id: str, item_id: str) -> dict[str, Any]:
        response = self.http.get(f"{self.tasks_url(list_id)}/{item_id}", params={"$expand": "linkedResources"})
        assert response.status_code == 200, response.text
        return dict(response.json())

    def remove(self, item_id: str) -> None:
        response = self.http.delete(f"{self.tasks_url()}/{item_id}")
        assert response.status_code == 204, response.text

    def tasks(self) -> list[dict[str, Any]]:
        """Every task of the default list, with linked resources."""
        response = self.http.get(self.tasks_url(), params={"$top": "1000", "$expand": "linkedResources"})
        assert response.status_code == 200, response.text
        return list(response.json()["value"])

    def seed(self, count: int) -> None:
        """``count`` tasks (:func:`chore`) in the default list, put straight into the sandbox (no API call)."""
        mailbox = self.outlook.mailbox
        folder: Folder = mailbox.default_folder("todoList")
        now = self.sandbox.state.clock.now()
        for n in range(count):
            props = todo_task(chore(n))
            props["dueDateTime"] = {"dateTime": props["dueDateTime"]["dateTime"] + ".0000000", "timeZone": "UTC"}
            mailbox.add_item("task", folder, props, now)

    def _default_list(self) -> str:
        response = self.http.get("/me/todo/lists")
        assert response.status_code == 200, response.text
        return str(
            next(entry["id"] for entry in response.json()["value"] if entry["wellknownListName"] == "defaultList")
        )
