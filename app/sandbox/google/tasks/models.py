"""One account's Google Tasks: task lists and their tasks.

Facts relied on (Tasks API reference): ``due`` records only the date, "the time portion of the timestamp is
discarded"; ``status`` is needsAction or completed and ``completed`` is omitted until a task is completed; deleted
tasks are listed only with ``showDeleted``, hidden ones (completed tasks cleared by ``tasks.clear``) only with
``showHidden``, completed ones unless ``showCompleted`` is false; ``tasks.list`` pages hold 20 by default and 100
at most, ``tasklists.list`` 1000; ``@default`` names the user's default list; ``position`` orders siblings
lexicographically and is read-only (``move`` changes it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any

from app.sandbox.clock import SandboxClock
from app.sandbox.google.errors import bad_request, invalid_argument, not_found
from app.sandbox.google.ids import IdSource
from app.sandbox.google.wire import decode_token, digest_b64, encode_token, parse_rfc3339, rfc3339

DEFAULT_TASKS_PAGE = 20
MAX_TASKS_PAGE = 100
MAX_LISTS_PAGE = 1000
API_BASE = "https://www.googleapis.com/tasks/v1"
_STATUSES = frozenset({"needsAction", "completed"})


@dataclass
class TaskRecord:
    """One task."""

    id: str
    list_id: str
    title: str
    updated: datetime
    notes: str | None = None
    status: str = "needsAction"
    due: date | None = None
    completed: datetime | None = None
    parent: str | None = None
    deleted: bool = False
    hidden: bool = False
    version: int = 1

    @property
    def etag(self) -> str:
        """A quoted opaque string that changes with every write."""
        return f'"{digest_b64("task", self.id, self.version, length=16)}"'


@dataclass
class TaskListRecord:
    """One task list and its tasks, in sibling order."""

    id: str
    title: str
    updated: datetime
    tasks: dict[str, TaskRecord] = field(default_factory=dict)
    #: Task ids per parent id ("" for the top level), in position order.
    order: dict[str, list[str]] = field(default_factory=dict)
    version: int = 1

    @property
    def etag(self) -> str:
        """A quoted opaque string that changes with every write."""
        return f'"{digest_b64("list", self.id, self.version, length=16)}"'

    def position(self, task: TaskRecord) -> str:
        """The task's 20-digit position among its siblings."""
        siblings = self.order.get(task.parent or "", [])
        return str(siblings.index(task.id) if task.id in siblings else 0).zfill(20)

    def place(self, task: TaskRecord, previous: str | None, *, new: bool = False) -> None:
        """Put ``task`` after ``previous`` among its siblings (first when None); ``new`` skips unlinking it."""
        if not new:
            for siblings in self.order.values():
                if task.id in siblings:
                    siblings.remove(task.id)
        siblings = self.order.setdefault(task.parent or "", [])
        index = siblings.index(previous) + 1 if previous is not None and previous in siblings else 0
        siblings.insert(index, task.id)

    def ordered(self) -> list[TaskRecord]:
        """Every task, parents before their subtasks, siblings in position order."""
        result: list[TaskRecord] = []

        def walk(parent: str) -> None:
            for task_id in self.order.get(parent, []):
                if task_id in self.tasks:
                    result.append(self.tasks[task_id])
                    walk(task_id)

        walk("")
        return result


@dataclass(frozen=True)
class TasksQuery:
    """The parameters of ``tasks.list``."""

    max_results: int = DEFAULT_TASKS_PAGE
    page_token: str | None = None
    updated_min: datetime | None = None
    completed_min: datetime | None = None
    completed_max: datetime | None = None
    due_min: datetime | None = None
    due_max: datetime | None = None
    show_completed: bool = True
    show_deleted: bool = False
    show_hidden: bool = False


class TasksStore:
    """The task lists of one account (the first one is the default list)."""

    def __init__(self, clock: SandboxClock, ids: IdSource, *, default_title: str = "My Tasks") -> None:
        self.clock = clock
        self.ids = ids
        self.lists: dict[str, TaskListRecord] = {}
        self.create_list(default_title)

    # -- task lists --------------------------------------------------------------------------------------------

    def task_list(self, list_id: str) -> TaskListRecord:
        """A list by id, or the default list for ``@default``; 404 otherwise."""
        if list_id == "@default" and self.lists:
            return next(iter(self.lists.values()))
        found = self.lists.get(list_id)
        if found is None:
            raise not_found()
        return found

    def create_list(self, title: str) -> TaskListRecord:
        """A new task list."""
        if not title.strip():
            raise invalid_argument("Task list title must not be empty.")
        record = TaskListRecord(self.ids.urlsafe(22), title[:1024], self.clock.now())
        self.lists[record.id] = record
        return record

    def update_list(self, list_id: str, body: dict[str, Any], *, merge: bool) -> TaskListRecord:
        """Change a list's title."""
        record = self.task_list(list_id)
        if "title" in body or not merge:
            title = str(body.get("title") or "")
            if not title.strip():
                raise invalid_argument("Task list title must not be empty.")
            record.title = title[:1024]
        record.version += 1
        record.updated = self.clock.now()
        return record

    def delete_list(self, list_id: str) -> None:
        """Delete a list with its tasks."""
        record = self.task_list(list_id)
        if record is next(iter(self.lists.values())):
            raise bad_request("The default task list cannot be deleted.", reason="invalid")
        del self.lists[record.id]

    def list_json(self, record: TaskListRecord) -> dict[str, Any]:
        """The ``TaskList`` JSON."""
        return {
            "kind": "tasks#taskList",
            "id": record.id,
            "etag": record.etag,
            "title": record.title,
            "updated": rfc3339(record.updated),
            "selfLink": f"{API_BASE}/users/@me/lists/{record.id}",
        }

    def list_lists(self, max_results: int | None, page_token: str | None) -> dict[str, Any]:
        """One page of ``tasklists.list``."""
        size = min(max(max_results or MAX_LISTS_PAGE, 1), MAX_LISTS_PAGE)
        offset = _offset(page_token, "tasklists")
        records = list(self.lists.values())
        body: dict[str, Any] = {
            "kind": "tasks#taskLists",
            "etag": f'"{digest_b64("lists", [(r.id, r.version) for r in records], length=16)}"',
            "items": [self.list_json(record) for record in records[offset : offset + size]],
        }
        if offset + size < len(records):
            body["nextPageToken"] = encode_token({"kind": "tasklists", "offset": offset + size})
        return body

    # -- tasks -------------------------------------------------------------------------------------------------

    def task(self, list_id: str, task_id: str) -> TaskRecord:
        """A task of a list; 404 if there is none."""
        found = self.task_list(list_id).tasks.get(task_id)
        if found is None:
            raise not_found()
        return found

    def task_json(self, task: TaskRecord) -> dict[str, Any]:
        """The ``Task`` JSON."""
        record = self.lists[task.list_id]
        out: dict[str, Any] = {
            "kind": "tasks#task",
            "id": task.id,
            "etag": task.etag,
            "title": task.title,
            "updated": rfc3339(task.updated),
            "selfLink": f"{API_BASE}/lists/{task.list_id}/tasks/{task.id}",
            "position": record.position(task),
            "status": task.status,
            "webViewLink": f"https://tasks.google.com/task/{task.id}?sa=6",
        }
        if task.parent:
            out["parent"] = task.parent
        if task.notes:
            out["notes"] = task.notes
        if task.due is not None:
            out["due"] = rfc3339(datetime.combine(task.due, time(0), tzinfo=UTC))
        if task.completed is not None:
            out["completed"] = rfc3339(task.completed)
        if task.deleted:
            out["deleted"] = True
        if task.hidden:
            out["hidden"] = True
        return out

    def insert(self, list_id: str, body: dict[str, Any], *, parent: str | None, previous: str | None) -> TaskRecord:
        """A new task, first among its siblings unless ``previous`` is given."""
        record = self.task_list(list_id)
        if parent is not None and parent not in record.tasks:
            raise bad_request("Invalid parent task.", reason="invalid")
        task = TaskRecord(self.ids.urlsafe(22), record.id, "", self.clock.now(), parent=parent)
        self._apply(task, body, replace=True)
        record.tasks[task.id] = task
        record.place(task, previous, new=True)
        return task

    def update(self, list_id: str, task_id: str, body: dict[str, Any], *, merge: bool) -> TaskRecord:
        """``patch`` (merge) or ``update`` a task's title, notes, status, due, completed and deleted flag."""
        task = self.task(list_id, task_id)
        self._apply(task, body, replace=not merge)
        task.version += 1
        task.updated = self.clock.now()
        return task

    def _apply(self, task: TaskRecord, body: dict[str, Any], *, replace: bool) -> None:
        if replace or "title" in body:
            task.title = str(body.get("title") or "")[:1024]
        if replace or "notes" in body:
            task.notes = body.get("notes") or None
        if replace or "due" in body:
            task.due = _due(body.get("due"))
        if "deleted" in body and body["deleted"] is not None:
            task.deleted = bool(body["deleted"])
        status = body.get("status")
        if status is not None and status not in _STATUSES:
            raise bad_request("Invalid value for status.", reason="invalid")
        if replace or "status" in body or "completed" in body:
            task.status = status or ("completed" if body.get("completed") else "needsAction")
            if task.status == "completed":
                given = body.get("completed")
                parsed = parse_rfc3339(given) if isinstance(given, str) else None
                if given and parsed is None:
                    raise bad_request("Invalid value for completed.", reason="invalid")
                task.completed = parsed or task.completed or self.clock.now()
            else:
                task.completed = None
                task.hidden = False

    def delete(self, list_id: str, task_id: str) -> None:
        """Mark a task (and its subtasks) deleted."""
        record = self.task_list(list_id)
        task = self.task(list_id, task_id)
        for item in [task, *(t for t in record.tasks.values() if t.parent == task.id)]:
            item.deleted = True
            item.version += 1
            item.updated = self.clock.now()

    def clear(self, list_id: str) -> None:
        """Hide every completed task of a list."""
        for task in self.task_list(list_id).tasks.values():
            if task.status == "completed" and not task.hidden:
                task.hidden = True
                task.version += 1
                task.updated = self.clock.now()

    def move(
        self, list_id: str, task_id: str, *, parent: str | None, previous: str | None, destination: str | None
    ) -> TaskRecord:
        """Move a task under ``parent`` after ``previous``, possibly into another list."""
        source = self.task_list(list_id)
        task = self.task(list_id, task_id)
        target = self.task_list(destination) if destination else source
        for reference in (parent, previous):
            if reference is not None and reference not in target.tasks:
                raise bad_request("Invalid parent or previous task.", reason="invalid")
        if target is not source:
            del source.tasks[task.id]
            for siblings in source.order.values():
                if task.id in siblings:
                    siblings.remove(task.id)
            target.tasks[task.id] = task
            task.list_id = target.id
        task.parent = parent
        target.place(task, previous)
        task.version += 1
        task.updated = self.clock.now()
        return task

    def list_tasks(self, list_id: str, query: TasksQuery) -> dict[str, Any]:
        """One page of ``tasks.list``."""
        record = self.task_list(list_id)
        size = min(max(query.max_results, 1), MAX_TASKS_PAGE)
        offset = _offset(query.page_token, "tasks")
        tasks = [task for task in record.ordered() if _matches(task, query)]
        body: dict[str, Any] = {
            "kind": "tasks#tasks",
            "etag": f'"{digest_b64("tasks", [(t.id, t.version) for t in tasks], length=16)}"',
            "items": [self.task_json(task) for task in tasks[offset : offset + size]],
        }
        if offset + size < len(tasks):
            body["nextPageToken"] = encode_token({"kind": "tasks", "offset": offset + size})
        return body


def _due(value: Any) -> date | None:
    """The date of an RFC 3339 ``due`` (its time is discarded, as Google documents)."""
    if value in (None, ""):
        return None
    parsed = parse_rfc3339(str(value))
    if parsed is None:
        raise bad_request("Invalid value for due.", reason="invalid")
    return parsed.date()


def _offset(page_token: str | None, kind: str) -> int:
    if page_token is None:
        return 0
    payload = decode_token(page_token)
    if payload is None or payload.get("kind") != kind:
        raise bad_request("Invalid page token.", reason="invalid")
    return int(payload["offset"])


def _matches(task: TaskRecord, query: TasksQuery) -> bool:
    checks = (
        query.show_deleted or not task.deleted,
        query.show_hidden or not task.hidden,
        query.show_completed or task.status != "completed",
        query.updated_min is None or task.updated >= query.updated_min,
        query.completed_min is None or (task.completed is not None and task.completed >= query.completed_min),
        query.completed_max is None or (task.completed is not None and task.completed <= query.completed_max),
        query.due_min is None or (task.due is not None and _day_start(task.due) >= query.due_min),
        query.due_max is None or (task.due is not None and _day_start(task.due) <= query.due_max),
    )
    return all(checks)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)
