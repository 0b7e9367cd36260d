"""The Salesforce side of task sync: :class:`SalesforceTaskStore` is an :class:`app.sync.stores.ItemStore` over the
rep's own Tasks, leaving out logged emails (TaskSubtype Email or ListEmail). Completed tasks are in scope.

Reading, the cursor and writing are shared with the event store (``activities_*``); the mapping is
:mod:`app.connectors.salesforce.tasks_mapping`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from app.connectors.retry import RetryPolicy
from app.connectors.salesforce import tasks_mapping
from app.connectors.salesforce.activities_describe import ActivityDescribe
from app.connectors.salesforce.activities_kind import PreparedRecord
from app.connectors.salesforce.activities_store import ActivityStore, utc_now
from app.connectors.salesforce.contacts_calls import SalesforceCaller
from app.connectors.salesforce.mapping import require_id
from app.sync.items import Fields
from app.sync.stores import WriteFailure

__all__ = ["SalesforceCaller", "SalesforceTaskStore", "TaskKind"]


class TaskKind:
    """Task as the shared activity code syncs it, for the rep ``user_id``."""

    sobject = "Task"
    label = "tasks"
    text_fields = tasks_mapping.TEXT_FIELDS

    def __init__(self, user_id: str) -> None:
        self._user_id = user_id

    def cursor_scope(self) -> str:
        """See :meth:`ActivityKind.cursor_scope`."""
        return "Task"

    def select(self) -> str:
        """See :meth:`ActivityKind.select`."""
        return tasks_mapping.SELECT

    def feed_conditions(self) -> list[str]:
        """See :meth:`ActivityKind.feed_conditions`."""
        return tasks_mapping.feed_conditions(self._user_id)

    def scope_conditions(self) -> list[str]:
        """See :meth:`ActivityKind.scope_conditions`."""
        return tasks_mapping.feed_conditions(self._user_id)

    def in_scope(self, row: Mapping[str, Any]) -> bool:
        """See :meth:`ActivityKind.in_scope`."""
        return tasks_mapping.in_scope(row, self._user_id)

    def projection(self, row: Mapping[str, Any]) -> Fields:
        """See :meth:`ActivityKind.projection`."""
        return tasks_mapping.projection(row)

    def prepare(
        self,
        fields: Fields,
        describe: ActivityDescribe | None,
        *,
        current: Mapping[str, Any] | None,
        marker: str | None,
    ) -> PreparedRecord | WriteFailure:
        """See :meth:`ActivityKind.prepare`."""
        return tasks_mapping.prepare(fields, describe, current=current, marker=marker)


class SalesforceTaskStore(ActivityStore):
    """The rep's Salesforce Tasks as one side of task sync (see the module docstring).

    ``user_id`` is the rep's Salesforce User Id (the tasks synced are those they own, and they own the tasks the
    store creates). ``clock`` is the current time (timezone-aware UTC).
    """

    def __init__(
        self,
        caller: SalesforceCaller,
        *,
        user_id: str,
        retry: RetryPolicy = RetryPolicy(),
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        user_id = require_id(user_id)
        super().__init__(caller, TaskKind(user_id), user_id=user_id, retry=retry, clock=clock)
