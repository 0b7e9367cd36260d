"""The Tasks API client: one user's task lists and tasks, through google-api-python-client.

Built on :class:`~app.connectors.google.client.GoogleApiClient` (credentials, rebased endpoints, retries, errors).
Pages go out one at a time; reads and writes by task id go out in HTTP batches of :data:`MAX_BATCH_CALLS` (each
inner call counts as one call against the quotas, and is answered on its own).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.connectors.access_token import AccessTokenSource
from app.connectors.google.client import BatchAnswer, GoogleApiClient
from app.connectors.retry import RetryPolicy

#: Where the Tasks API lives: the shipped tasks v1 discovery document's ``rootUrl``.
TASKS_ROOT = "https://tasks.googleapis.com/"
#: The Tasks API's HTTP batch endpoint.
TASKS_BATCH_URI = "https://tasks.googleapis.com/batch"
#: The user's default list ("My Tasks").
DEFAULT_LIST = "@default"
#: ``tasks.list``: "maxResults: Maximum number of tasks returned on one page … The default is 20 (max allowed: 100)".
MAX_TASKS_PAGE = 100
#: ``tasklists.list``: at most 1000 lists per page.
MAX_LISTS_PAGE = 1000
#: Calls per HTTP batch (the batch endpoint takes 1000; 50 keeps one failed batch cheap).
MAX_BATCH_CALLS = 50


class TasksClient(GoogleApiClient):
    """One user's Google Tasks (``tasklists`` and ``tasks``), as JSON dicts."""

    def __init__(
        self, token: AccessTokenSource, *, vendor_base_url: str | None, retry: RetryPolicy = RetryPolicy()
    ) -> None:
        super().__init__(
            token,
            api=("tasks", "v1"),
            root=TASKS_ROOT,
            batch_uri=TASKS_BATCH_URI,
            vendor_base_url=vendor_base_url,
            retry=retry,
        )

    # -- task lists --------------------------------------------------------------------------------------------

    def list_task_lists(self, *, page_token: str | None = None) -> dict[str, Any]:
        """One page (up to 1000) of ``tasklists.list``."""
        params: dict[str, Any] = {"maxResults": MAX_LISTS_PAGE}
        if page_token:
            params["pageToken"] = page_token
        return self._call(lambda: self._service.tasklists().list(**params))

    def get_task_list(self, tasklist: str) -> dict[str, Any]:
        """``tasklists.get`` (``@default`` names the default list)."""
        return self._call(lambda: self._service.tasklists().get(tasklist=tasklist))

    def create_task_list(self, title: str) -> dict[str, Any]:
        """``tasklists.insert``: a new list named ``title``."""
        return self._call(lambda: self._service.tasklists().insert(body={"title": title}), applied_unknown=True)

    # -- tasks -------------------------------------------------------------------------------------------------

    def list_tasks(self, tasklist: str, **params: Any) -> dict[str, Any]:
        """One page of ``tasks.list`` (``params`` as the API names them)."""
        return self._call(lambda: self._service.tasks().list(tasklist=tasklist, **params))

    def get_tasks(self, lookups: Sequence[tuple[str, str]]) -> list[BatchAnswer]:
        """``tasks.get`` for each (list id, task id), in one batch: the task (deleted ones included) or the error."""
        return self._batch([self._getter(*lookup) for lookup in lookups], repeatable=True)

    def insert_tasks(self, tasklist: str, bodies: Sequence[Mapping[str, Any]]) -> list[BatchAnswer]:
        """``tasks.insert`` for each body, in one batch (never repeated: the server picks the ids)."""
        return self._batch([self._inserter(tasklist, body) for body in bodies], repeatable=False)

    def patch_tasks(self, tasklist: str, patches: Sequence[tuple[str, Mapping[str, Any]]]) -> list[BatchAnswer]:
        """``tasks.patch`` for each (task id, body), in one batch."""
        return self._batch([self._patcher(tasklist, *patch) for patch in patches], repeatable=True)

    def delete_tasks(self, tasklist: str, task_ids: Sequence[str]) -> list[BatchAnswer]:
        """``tasks.delete`` for each task id, in one batch."""
        return self._batch([self._deleter(tasklist, task_id) for task_id in task_ids], repeatable=True)

    # -- request factories -------------------------------------------------------------------------------------

    def _getter(self, tasklist: str, task: str) -> Callable[[], Any]:
        return lambda: self._service.tasks().get(tasklist=tasklist, task=task)

    def _inserter(self, tasklist: str, body: Mapping[str, Any]) -> Callable[[], Any]:
        return lambda: self._service.tasks().insert(tasklist=tasklist, body=dict(body))

    def _patcher(self, tasklist: str, task: str, body: Mapping[str, Any]) -> Callable[[], Any]:
        return lambda: self._service.tasks().patch(tasklist=tasklist, task=task, body=dict(body))

    def _deleter(self, tasklist: str, task: str) -> Callable[[], Any]:
        return lambda: self._service.tasks().delete(tasklist=tasklist, task=task)
