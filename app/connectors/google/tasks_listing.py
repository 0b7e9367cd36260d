"""Finding the synced task list and listing it for the tasks store.

The list: automatic selection syncs the default list (``@default``, "My Tasks"); manual selection syncs the list
named :data:`~app.connectors.task_fields.TASK_LIST_NAME`, created when missing (a user selects a task by moving it
into that list). Its id is kept in the cursor.

Google Tasks has no change feed. ``tasks.list(updatedMin=…)`` shows changed and deleted tasks, but a task moved to
another list leaves no trace in the list it left, so it would never be reported as gone. Every listing therefore
reads the list (completed and hidden tasks included, no deleted ones: pages of 100), and an incremental listing is
the difference from the id → etag table the cursor carries: changed and new tasks, and tasks no longer listed
(deleted, or moved out: reported UNKNOWN for the engine to probe). A cursor older than
:data:`FULL_LISTING_AFTER` gives a complete listing, so that scope is fully reconciled now and then.
"""

from __future__ import annotations

import base64
import binascii
import json
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from app.connectors.google.tasks_client import DEFAULT_LIST, MAX_TASKS_PAGE, TasksClient
from app.connectors.selection import SelectionMethod
from app.connectors.task_fields import TASK_LIST_NAME

_CURSOR_VERSION = 1
#: A cursor older than this gives a complete listing (as Google's other sync tokens expire after 7 days).
FULL_LISTING_AFTER = timedelta(days=7)


@dataclass(frozen=True)
class TasksCursor:
    """What a listing hands to the next one: the list, when the last complete listing was, and the etags seen."""

    selection: SelectionMethod
    list_id: str
    listed_at: datetime
    etags: Mapping[str, str] = field(default_factory=dict)

    def encode(self) -> str:
        """The cursor string (the etag table compressed)."""
        table = json.dumps(dict(sorted(self.etags.items())), separators=(",", ":")).encode()
        return json.dumps(
            {
                "v": _CURSOR_VERSION,
                "selection": self.selection.value,
                "list": self.list_id,
                "at": self.listed_at.isoformat(),
                "etags": base64.urlsafe_b64encode(zlib.compress(table, 9)).decode("ascii"),
            },
            separators=(",", ":"),
        )

    @classmethod
    def decode(cls, text: str | None) -> TasksCursor | None:
        """The cursor in ``text``; None for no cursor or one this store cannot read."""
        if not text:
            return None
        try:
            data = json.loads(text)
            if data.get("v") != _CURSOR_VERSION or not data.get("list"):
                return None
            table = json.loads(zlib.decompress(base64.urlsafe_b64decode(str(data["etags"]).encode("ascii"))))
            return cls(
                SelectionMethod(data["selection"]),
                str(data["list"]),
                datetime.fromisoformat(str(data["at"])).astimezone(UTC),
                {str(key): str(value) for key, value in table.items()},
            )
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error, zlib.error):
            return None


def find_list(client: TasksClient, selection: SelectionMethod, *, create: bool) -> str | None:
    """The id of the synced list: the default one, or the one named "Salesforce Tasks" (made when ``create``)."""
    if selection is SelectionMethod.AUTOMATIC:
        return str(client.get_task_list(DEFAULT_LIST)["id"])
    named = _lists_by_title(client).get(TASK_LIST_NAME.casefold())
    if named is None and create:
        named = str(client.create_task_list(TASK_LIST_NAME)["id"])
    return named


def other_lists(client: TasksClient, list_id: str) -> list[str]:
    """The ids of the user's task lists other than ``list_id``."""
    return [other for other in _lists_by_title(client, every=True).values() if other != list_id]


def _lists_by_title(client: TasksClient, *, every: bool = False) -> dict[str, str]:
    found: dict[str, str] = {}
    page_token: str | None = None
    while True:
        page = client.list_task_lists(page_token=page_token)
        for entry in page.get("items") or []:
            if isinstance(entry, dict) and entry.get("id"):
                key = str(entry["id"]) if every else str(entry.get("title") or "").casefold()
                found.setdefault(key, str(entry["id"]))
        page_token = page.get("nextPageToken")
        if not page_token:
            return found


def list_tasks(client: TasksClient, list_id: str) -> list[dict[str, Any]]:
    """Every live task of the list, completed and hidden ones included."""
    tasks: dict[str, dict[str, Any]] = {}
    page_token: str | None = None
    while True:
        params: dict[str, Any] = {"showCompleted": True, "showHidden": True, "maxResults": MAX_TASKS_PAGE}
        if page_token:
            params["pageToken"] = page_token
        page = client.list_tasks(list_id, **params)
        for task in page.get("items") or []:
            if isinstance(task, dict) and task.get("id") and not task.get("deleted"):
                tasks[str(task["id"])] = task
        page_token = page.get("nextPageToken")
        if not page_token:
            return list(tasks.values())
