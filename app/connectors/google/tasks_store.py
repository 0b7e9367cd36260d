"""A Gmail user's Google Tasks as one side of the sync: one task list (see :mod:`.tasks_listing` for which).

Every task of the list is in scope, completed and hidden ones included; a task moved to another list leaves the
scope (it is found there by ``get_many``, which answers OutOfScope).

API calls per operation:

- ``list_changes``: ``tasks.list`` pages of 100 (one call for a list of up to 100 tasks, quiet or not); with no
  usable cursor, or when the cursor's list is gone (a complete listing of the list found or made again), also
  ``tasklists.get`` (automatic) or ``tasklists.list`` (+ ``tasklists.insert``, manual).
- ``get_many``: nothing for tasks this pass already read; ``tasks.get`` for the others, 50 per HTTP batch; for
  tasks not in the list, one ``tasklists.list`` and ``tasks.get`` per other list and task.
- ``find_by_markers``: one read of the list (markers are in the notes, which cannot be searched).
- ``create_many`` / ``update_many`` / ``delete_many``: one inner call per task, 50 per HTTP batch (updates and
  deletes first read, in batches, the tasks this pass has not read).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from app.connectors.errors import NotFound, VendorError
from app.connectors.google import tasks_mapping as mapping
from app.connectors.google.batching import chunks
from app.connectors.google.failures import store_error
from app.connectors.google.tasks_client import TasksClient
from app.connectors.google.tasks_listing import (
    FULL_LISTING_AFTER,
    TasksCursor,
    find_list,
    list_tasks,
    other_lists,
)
from app.connectors.google.tasks_writes import create_tasks, delete_tasks, update_tasks
from app.connectors.selection import SelectionMethod
from app.sync.items import Item
from app.sync.stores import (
    Create,
    Delete,
    Gone,
    Listing,
    Lookup,
    Marked,
    OutOfScope,
    Removal,
    Update,
    WriteResult,
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class GoogleTaskStore:
    """The tasks of one Gmail user's synced task list (implements :class:`app.sync.stores.ItemStore`).

    ``clock`` tells the age of a cursor (tests move it).
    """

    def __init__(
        self, tasks: TasksClient, *, selection: SelectionMethod, clock: Callable[[], datetime] = _utc_now
    ) -> None:
        self._client = tasks
        self._selection = selection
        self._clock = clock
        self._list_id: str | None = None
        #: Tasks of the list read during this pass, by id; None for one that is not in the list (deleted, moved).
        self._read: dict[str, dict[str, Any] | None] = {}
        #: Tasks found in another list this pass.
        self._elsewhere: set[str] = set()

    # -- reading -----------------------------------------------------------------------------------------------

    def list_changes(self, cursor: str | None) -> Listing:
        """See :meth:`app.sync.stores.ItemStore.list_changes`."""
        self._read.clear()
        self._elsewhere.clear()
        self._list_id = None  # the cursor's list, else found again (never one an earlier pass found)
        previous = TasksCursor.decode(cursor)
        if previous is not None and previous.selection is not self._selection:
            previous = None
        try:
            if previous is not None:
                self._list_id = previous.list_id
                try:
                    tasks = list_tasks(self._client, previous.list_id)
                except NotFound:
                    # The list was deleted (or, automatic, the default list's id changed): find (or make) it
                    # again, and list it completely.
                    self._list_id = None
                    previous = None
                else:
                    if self._clock() - previous.listed_at < FULL_LISTING_AFTER:
                        return self._difference(tasks, previous)
                    return self._complete(tasks, previous.list_id)
            list_id = self._own_list(create=True)
            return self._complete(list_tasks(self._client, list_id), list_id)
        except VendorError as error:
            raise store_error(error) from error

    def _own_list(self, *, create: bool) -> str:
        if self._list_id is None:
            found = find_list(self._client, self._selection, create=create)
            if found is None:
                raise NotFound("google", "the synced task list does not exist")
            self._list_id = found
        return self._list_id

    def _complete(self, tasks: list[dict[str, Any]], list_id: str) -> Listing:
        etags = self._remember_all(tasks)
        cursor = TasksCursor(self._selection, list_id, self._clock(), etags)
        return Listing(MappingProxyType(dict(etags)), complete=True, cursor=cursor.encode())

    def _difference(self, tasks: list[dict[str, Any]], previous: TasksCursor) -> Listing:
        etags = self._remember_all(tasks)
        entries = {task_id: etag for task_id, etag in etags.items() if previous.etags.get(task_id) != etag}
        removed = dict.fromkeys(sorted(set(previous.etags) - set(etags)), Removal.UNKNOWN)
        cursor = TasksCursor(self._selection, previous.list_id, previous.listed_at, etags)
        return Listing(
            MappingProxyType(entries), complete=False, cursor=cursor.encode(), removed=MappingProxyType(removed)
        )

    def _remember_all(self, tasks: list[dict[str, Any]]) -> dict[str, str]:
        for task in tasks:
            self._read[str(task["id"])] = task
        return {str(task["id"]): str(task.get("etag") or "") for task in tasks}

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """See :meth:`app.sync.stores.ItemStore.get_many`."""
        try:
            self._fetch([item_id for item_id in dict.fromkeys(ids) if item_id not in self._read])
            missing = [item_id for item_id in dict.fromkeys(ids) if self._read.get(item_id) is None]
            self._look_elsewhere([item_id for item_id in missing if item_id not in self._elsewhere])
        except VendorError as error:
            raise store_error(error) from error
        return MappingProxyType({item_id: self._lookup(item_id) for item_id in ids})

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers` (one read of the list)."""
        wanted = set(markers)
        try:
            tasks = list_tasks(self._client, self._own_list(create=True))
        except VendorError as error:
            raise store_error(error) from error
        self._remember_all(tasks)
        return MappingProxyType(
            {
                found: Marked(self._item(task), in_scope=True)
                for task in tasks
                if (found := mapping.marker(task)) is not None and found in wanted
            }
        )

    def _fetch(self, ids: list[str]) -> None:
        if not ids:
            return
        list_id = self._own_list(create=True)
        for chunk in chunks(ids):
            for task_id, answer in zip(chunk, self._client.get_tasks([(list_id, i) for i in chunk]), strict=True):
                if isinstance(answer, dict):
                    self._read[task_id] = None if mapping.is_deleted(answer) else answer
                elif isinstance(answer, NotFound):
                    self._read[task_id] = None
                else:
                    raise answer

    def _look_elsewhere(self, ids: list[str]) -> None:
        """Which of these tasks (not in the synced list) live in another of the user's lists."""
        if not ids:
            return
        lookups = [
            (other, task_id) for other in other_lists(self._client, self._own_list(create=True)) for task_id in ids
        ]
        for chunk in chunks(lookups):
            for (_other, task_id), answer in zip(chunk, self._client.get_tasks(chunk), strict=True):
                if isinstance(answer, dict) and not mapping.is_deleted(answer):
                    self._elsewhere.add(task_id)
                elif not isinstance(answer, dict | NotFound):
                    raise answer

    def _lookup(self, item_id: str) -> Lookup:
        task = self._read.get(item_id)
        if task is not None:
            return self._item(task)
        return OutOfScope(item_id) if item_id in self._elsewhere else Gone(item_id)

    @staticmethod
    def _item(task: Mapping[str, Any]) -> Item:
        return Item(
            str(task["id"]),
            str(task.get("etag") or ""),
            mapping.task_fields(task),
            mapping.marker(task),
            mapping.modified_at(task),
        )

    # -- writing -----------------------------------------------------------------------------------------------

    def _remember(self, task: dict[str, Any]) -> None:
        self._read[str(task["id"])] = task

    def _forget(self, task_id: str) -> None:
        self._read[task_id] = None

    def create_many(self, creates: Sequence[Create]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.create_many`."""
        if not creates:
            return []
        try:
            return create_tasks(self._client, self._own_list(create=True), creates, remember=self._remember)
        except VendorError as error:
            raise store_error(error) from error

    def update_many(self, updates: Sequence[Update]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.update_many` (etags checked against the tasks as read)."""
        if not updates:
            return []
        try:
            self._fetch([u.id for u in updates if u.id not in self._read])
            return update_tasks(self._client, self._own_list(create=True), updates, self._read, remember=self._remember)
        except VendorError as error:
            raise store_error(error) from error

    def delete_many(self, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.delete_many` (a task already gone counts as deleted)."""
        if not deletes:
            return []
        try:
            self._fetch([d.id for d in deletes if d.id not in self._read])
            return delete_tasks(self._client, self._own_list(create=True), deletes, self._read, forget=self._forget)
        except VendorError as error:
            raise store_error(error) from error
