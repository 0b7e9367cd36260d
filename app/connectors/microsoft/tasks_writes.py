"""Creating, updating and deleting To Do tasks through ``$batch``, 20 requests per batch.

Each item's failure stays in its slot, as the engine's failure kind. Creates carry the marker as a linked resource
and, in manual selection, the category "Sync with Salesforce", in the create body. An update is written from the task
as read at the etag it names (its status and importance decide what the PATCH says, see
:func:`~app.connectors.microsoft.tasks_mapping.update_body`): a task this store has not read at that etag is read
first (20 per batch), and one that changed since is refused as a precondition failure without writing; the PATCH
also carries ``If-Match``, which Graph answers with 412 when the task changed in between.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.connectors.microsoft import tasks_mapping
from app.connectors.microsoft.batch_writes import deletes_answered, write, written_doc
from app.connectors.microsoft.client import BatchRequest, BatchResponse
from app.connectors.microsoft.request_failures import request_failure
from app.connectors.microsoft.tasks_reads import fetch_tasks, find_default_list
from app.connectors.microsoft.tasks_state import TaskListState
from app.connectors.selection import SYNC_CATEGORY
from app.sync.items import Fields, normalise_fields
from app.sync.stores import Create, Delete, FailureKind, Update, WriteFailure, WriteResult, Written


def create_many(state: TaskListState, creates: Sequence[Create]) -> Sequence[WriteResult]:
    """See :meth:`app.sync.stores.ItemStore.create_many`."""
    if not creates:
        return []
    find_default_list(state)
    categories = [SYNC_CATEGORY] if state.manual else []
    bodies = [tasks_mapping.create_body(c.fields, marker=c.marker, with_categories=categories) for c in creates]
    groups = [[BatchRequest(f"c{i}", "POST", state.tasks_path(), body=body)] for i, body in enumerate(bodies)]
    answers = write(state.client, groups)
    results: list[WriteResult] = []
    for i, create in enumerate(creates):
        answer = answers[f"c{i}"]
        if isinstance(answer, BatchResponse) and answer.ok and not tasks_mapping.has_linked_resources(answer.json):
            # The create's answer lacks the linked resources: the task holds the one we sent.
            answer = BatchResponse(
                answer.id,
                answer.status,
                answer.headers,
                {**answer.json, tasks_mapping.EXPAND_LINKED: bodies[i][tasks_mapping.EXPAND_LINKED]},
            )
        results.append(_outcome(state, answer, "POST", create.fields))
    return results


def update_many(state: TaskListState, updates: Sequence[Update]) -> Sequence[WriteResult]:
    """See :meth:`app.sync.stores.ItemStore.update_many`."""
    if not updates:
        return []
    stale = [u.id for u in updates if tasks_mapping.etag(state.docs.get(u.id, {})) != u.etag]
    for item_id, doc in fetch_tasks(state, stale).items():
        if doc is None:
            state.docs.pop(item_id, None)
        else:
            state.remember(doc)
    results: dict[int, WriteResult] = {}
    groups: list[list[BatchRequest]] = []
    for i, update in enumerate(updates):
        current = state.docs.get(update.id)
        state.seen.pop(update.id, None)
        if current is None:
            results[i] = WriteFailure(FailureKind.NOT_FOUND, "the task no longer exists")
        elif tasks_mapping.etag(current) != update.etag:
            results[i] = WriteFailure(FailureKind.PRECONDITION, "the task changed since it was read")
        else:
            body = tasks_mapping.update_body(update.fields, current)
            url = f"{state.tasks_path()}/{update.id}"
            groups.append([BatchRequest(f"u{i}", "PATCH", url, body=body, headers=_if_match(update.etag))])
    answers = write(state.client, groups)
    for i, update in enumerate(updates):
        if i not in results:
            results[i] = _outcome(state, answers[f"u{i}"], "PATCH", update.fields)
    return [results[i] for i in range(len(updates))]


def delete_many(state: TaskListState, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
    """See :meth:`app.sync.stores.ItemStore.delete_many` (an already deleted task answers NOT_FOUND)."""
    if not deletes:
        return []
    find_default_list(state)
    groups = [
        [BatchRequest(f"d{i}", "DELETE", f"{state.tasks_path()}/{d.id}", headers=_if_match(d.etag))]
        for i, d in enumerate(deletes)
    ]
    return deletes_answered(state, deletes, write(state.client, groups), failure_of)


def failure_of(answer: BatchResponse, method: str) -> WriteFailure:
    """One request's failure as the engine's failure kind (a refused grant fails the whole call)."""
    return request_failure(answer, method, _describe)


def _describe(kind: FailureKind, answer: BatchResponse) -> str:
    if kind is FailureKind.NOT_FOUND:
        return "the task no longer exists"
    if kind is FailureKind.PRECONDITION:
        return "the task changed since it was read"
    if kind is FailureKind.THROTTLED:
        return f"Graph throttled the request: {answer.error_message}"
    if answer.status >= 500:
        return f"Graph failed ({answer.status}): {answer.error_message}"
    if kind is FailureKind.TRANSIENT:
        return "a request it depended on failed"
    return f"To Do refused the task: {answer.error_message}"


def _if_match(etag: str) -> dict[str, str]:
    return {"If-Match": etag} if etag else {}


def _outcome(state: TaskListState, answer: BatchResponse | WriteFailure, method: str, sent: Fields) -> WriteResult:
    """A create's or update's result: the failure, or the task as the answer shows it (``stored`` when it differs
    from what was sent)."""
    doc = written_doc(state, answer, method, failure_of)
    if isinstance(doc, WriteFailure):
        return doc
    stored = tasks_mapping.to_fields(doc)
    item_id = tasks_mapping.task_id(doc)
    state.seen.pop(item_id, None)
    return Written(item_id, tasks_mapping.etag(doc), None if stored == normalise_fields(sent) else stored)
