"""The Salesforce side of event sync: :class:`SalesforceEventStore` is an :class:`app.sync.stores.ItemStore` over
the rep's own Events in the sync window (see :class:`app.connectors.salesforce.events_mapping.EventScope`).

Reading, the cursor and writing are shared with the task store (``activities_*``); what is Event's own is the
scope and the mapping (:mod:`app.connectors.salesforce.events_mapping`) and relating events to the contacts and
leads invited (:mod:`app.connectors.salesforce.events_relations`). Each occurrence of a series is an Event row of
its own, so with ``include_series`` it is an item like any other; the store never creates a series.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from app.connectors.event_fields import EventWindow
from app.connectors.retry import RetryPolicy
from app.connectors.salesforce import events_mapping
from app.connectors.salesforce.activities_describe import ActivityDescribe
from app.connectors.salesforce.activities_kind import PreparedRecord
from app.connectors.salesforce.activities_store import ActivityStore, utc_now
from app.connectors.salesforce.contacts_calls import SalesforceCaller
from app.connectors.salesforce.events_mapping import EventScope
from app.connectors.salesforce.events_relations import EventRelater
from app.connectors.salesforce.mapping import require_id
from app.sync.items import Fields
from app.sync.stores import WriteFailure

__all__ = ["EventKind", "SalesforceCaller", "SalesforceEventStore"]


class EventKind:
    """Event as the shared activity code syncs it, in ``scope``."""

    sobject = "Event"
    label = "events"
    text_fields = events_mapping.TEXT_FIELDS

    def __init__(self, scope: EventScope) -> None:
        self._scope = scope

    def cursor_scope(self) -> str:
        """See :meth:`ActivityKind.cursor_scope`: the window and the flags."""
        return self._scope.key

    def select(self) -> str:
        """See :meth:`ActivityKind.select`."""
        return events_mapping.SELECT

    def feed_conditions(self) -> list[str]:
        """See :meth:`ActivityKind.feed_conditions`."""
        return self._scope.feed_conditions()

    def scope_conditions(self) -> list[str]:
        """See :meth:`ActivityKind.scope_conditions`."""
        return self._scope.conditions()

    def in_scope(self, row: Mapping[str, Any]) -> bool:
        """See :meth:`ActivityKind.in_scope`."""
        return self._scope.holds(row)

    def projection(self, row: Mapping[str, Any]) -> Fields:
        """See :meth:`ActivityKind.projection`."""
        return events_mapping.projection(row, include_private=self._scope.include_private)

    def prepare(
        self,
        fields: Fields,
        describe: ActivityDescribe | None,
        *,
        current: Mapping[str, Any] | None,
        marker: str | None,
    ) -> PreparedRecord | WriteFailure:
        """See :meth:`ActivityKind.prepare`."""
        return events_mapping.prepare(
            fields, describe, current=current, marker=marker, include_private=self._scope.include_private
        )


class SalesforceEventStore(ActivityStore):
    """The rep's Salesforce Events in ``window`` as one side of event sync (see the module docstring).

    ``user_id`` is the rep's Salesforce User Id (the events synced are those they own, and they own the events the
    store creates). Private events are out of scope unless ``include_private``; events of a series unless
    ``include_series``. With ``relate_attendees``, written events are related to the contacts (else the lead)
    whose Email is among the attendees. ``clock`` is the current time (timezone-aware UTC).
    """

    def __init__(
        self,
        caller: SalesforceCaller,
        *,
        user_id: str,
        window: EventWindow,
        include_private: bool,
        include_series: bool,
        relate_attendees: bool,
        retry: RetryPolicy = RetryPolicy(),
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        user_id = require_id(user_id)
        super().__init__(
            caller,
            EventKind(EventScope(user_id, window, include_private, include_series)),
            user_id=user_id,
            retry=retry,
            clock=clock,
            relater=EventRelater if relate_attendees else None,
        )
