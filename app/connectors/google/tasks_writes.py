"""Writing tasks of the synced list: creates, updates and deletes, each in Tasks HTTP batches of 50.

The Tasks API documents no ``If-Match``; an update or delete is refused here (PRECONDITION) when the task as read
during this pass carries another etag than the engine's, and the engine's etag is otherwise the one read just
before the write.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.connectors.errors import NotFound
from app.connectors.google import tasks_mapping as mapping
from app.connectors.google.batching import chunks
from app.connectors.google.failures import failure_of
from app.connectors.google.tasks_client import TasksClient
from app.sync.stores import Create, Delete, FailureKind, Update, WriteFailure, WriteResult, Written

#: Called with every task a write returned, so the store remembers it for this pass.
Remember = Callable[[dict[str, Any]], None]


def _written(task: dict[str, Any], sent: Mapping[str, object], remember: Remember) -> Written:
    remember(task)
    return Written(str(task["id"]), str(task.get("etag") or ""), mapping.stored_if_different(task, sent))


def create_tasks(
    client: TasksClient, list_id: str, creates: Sequence[Create], *, remember: Remember
) -> list[WriteResult]:
    """Insert ``creates`` into the list, each with its marker; one result per create, in order."""
    results: list[WriteResult] = []
    for chunk in chunks(creates):
        answers = client.insert_tasks(list_id, [mapping.new_task(create.fields, create.marker) for create in chunk])
        for create, answer in zip(chunk, answers, strict=True):
            results.append(
                _written(answer, create.fields, remember) if isinstance(answer, dict) else failure_of(answer)
            )
    return results


def _stale(item_id: str, etag: str, current: Mapping[str, Any] | None) -> WriteFailure | None:
    if current is None or mapping.is_deleted(current):
        return WriteFailure(FailureKind.NOT_FOUND, f"{item_id} is not in the task list any more")
    if etag and str(current.get("etag") or "") != etag:
        return WriteFailure(FailureKind.PRECONDITION, f"{item_id} changed since it was read")
    return None


def update_tasks(
    client: TasksClient,
    list_id: str,
    updates: Sequence[Update],
    current: Mapping[str, dict[str, Any] | None],
    *,
    remember: Remember,
) -> list[WriteResult]:
    """Patch ``updates`` (``current``: each task as read this pass); one result per update, in order."""
    results: dict[int, WriteResult] = {}
    ready: list[tuple[int, Update]] = []
    for index, update in enumerate(updates):
        refused = _stale(update.id, update.etag, current.get(update.id))
        if refused is not None:
            results[index] = refused
        else:
            ready.append((index, update))
    for chunk in chunks(ready):
        patches = [
            (update.id, mapping.task_body(update.fields, mapping.marker(current[update.id] or {})))
            for _index, update in chunk
        ]
        for (index, update), answer in zip(chunk, client.patch_tasks(list_id, patches), strict=True):
            results[index] = (
                _written(answer, update.fields, remember) if isinstance(answer, dict) else failure_of(answer)
            )
    return [results[index] for index in range(len(updates))]


def delete_tasks(
    client: TasksClient,
    list_id: str,
    deletes: Sequence[Delete],
    current: Mapping[str, dict[str, Any] | None],
    *,
    forget: Callable[[str], None],
) -> list[WriteResult]:
    """Delete ``deletes`` (a task already gone counts as deleted); one result per delete, in order."""
    results: dict[int, WriteResult] = {}
    ready: list[tuple[int, Delete]] = []
    for index, delete in enumerate(deletes):
        refused = _stale(delete.id, delete.etag, current.get(delete.id))
        if refused is not None and refused.kind is FailureKind.NOT_FOUND:
            results[index] = Written(delete.id, "")
        elif refused is not None:
            results[index] = refused
        else:
            ready.append((index, delete))
    for chunk in chunks(ready):
        answers = client.delete_tasks(list_id, [delete.id for _index, delete in chunk])
        for (index, delete), answer in zip(chunk, answers, strict=True):
            if isinstance(answer, dict | NotFound):
                forget(delete.id)
                results[index] = Written(delete.id, "")
            else:
                results[index] = failure_of(answer)
    return [results[index] for index in range(len(deletes))]
