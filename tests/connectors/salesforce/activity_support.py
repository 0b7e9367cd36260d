"""Test support for the Salesforce event and task stores: the stores as the lead wires them on the live sandbox, and
people's hands on the org's Events and Tasks (through the sandbox state: never through the store, never logged)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from app.connectors.event_fields import EventWindow
from app.connectors.salesforce.events_store import SalesforceEventStore
from app.connectors.salesforce.tasks_store import SalesforceTaskStore
from tests.connectors.salesforce.support import ALEX, NO_WAIT, OrgHands, SandboxCaller, user_id
from tests.sandbox.conftest import LiveSandbox

# The projections' names as Event and Task fields, written out here rather than taken from the code under test.
_EVENT_TEXT = {"subject": "Subject", "location": "Location", "notes": "Description"}
_TASK_TEXT = {"subject": "Subject", "notes": "Description", "due": "ActivityDate"}


def window_of(live: LiveSandbox) -> EventWindow:
    """The sync window the tests use: a week back, thirty days ahead of the sandbox clock."""
    return EventWindow.around(live.state.clock.now(), past_days=7, future_days=30)


def make_event_store(
    live: LiveSandbox,
    email: str = ALEX,
    *,
    window: EventWindow | None = None,
    include_private: bool = False,
    include_series: bool = False,
    relate_attendees: bool = True,
) -> SalesforceEventStore:
    """The event store for ``email`` on the sandbox clock."""
    return SalesforceEventStore(
        SandboxCaller(live, email),
        user_id=user_id(live, email),
        window=window or window_of(live),
        include_private=include_private,
        include_series=include_series,
        relate_attendees=relate_attendees,
        retry=NO_WAIT,
        clock=live.state.clock.now,
    )


def make_task_store(live: LiveSandbox, email: str = ALEX) -> SalesforceTaskStore:
    """The task store for ``email`` on the sandbox clock."""
    return SalesforceTaskStore(
        SandboxCaller(live, email), user_id=user_id(live, email), retry=NO_WAIT, clock=live.state.clock.now
    )


def event_at(start: datetime, *, hours: int = 1, n: int = 1, **extra: object) -> dict[str, object]:
    """A timed event in the projection, starting at ``start``."""
    fields: dict[str, object] = {
        "subject": f"Meeting {n}",
        "start": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": (start + timedelta(hours=hours)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "location": f"Room {n}",
        "notes": f"Agenda {n}",
    }
    fields.update(extra)
    return fields


def event_values(fields: Mapping[str, object]) -> dict[str, Any]:
    """Projection fields as Event field values (None clears)."""
    values: dict[str, Any] = {_EVENT_TEXT[name]: value for name, value in fields.items() if name in _EVENT_TEXT}
    if fields.get("all_day") == "true":
        first = date.fromisoformat(str(fields["start"]))
        after = date.fromisoformat(str(fields.get("end") or first + timedelta(days=1)))
        values.update(
            {"IsAllDayEvent": True, "ActivityDate": first.isoformat(), "DurationInMinutes": 1440 * (after - first).days}
        )
    elif "start" in fields:
        values.update({"IsAllDayEvent": False, "StartDateTime": fields["start"], "EndDateTime": fields["end"]})
    if "private" in fields:
        values["IsPrivate"] = fields["private"] == "true"
    return values


def task_values(fields: Mapping[str, object]) -> dict[str, Any]:
    """Projection fields as Task field values (None clears)."""
    values: dict[str, Any] = {_TASK_TEXT[name]: value for name, value in fields.items() if name in _TASK_TEXT}
    if "completed" in fields:
        values["Status"] = "Completed" if fields["completed"] == "true" else "Not Started"
    if "important" in fields:
        values["Priority"] = "High" if fields["important"] == "true" else "Normal"
    return values


class ActivityHands(OrgHands):
    """People's hands on the org's Events and Tasks."""

    def add_event(self, fields: Mapping[str, object], *, owner: str = ALEX, **values: Any) -> str:
        """``owner`` creates an event (``values``: further Event fields)."""
        return self.org.create("Event", {**event_values(fields), **values}, self.caller(owner))

    def edit_event(self, record_id: str, changes: Mapping[str, object], *, by: str = ALEX, **values: Any) -> None:
        """``by`` edits an event."""
        self.org.update("Event", record_id, {**event_values(changes), **values}, self.caller(by))

    def add_task(self, fields: Mapping[str, object], *, owner: str = ALEX, **values: Any) -> str:
        """``owner`` creates a task (``values``: further Task fields)."""
        return self.org.create("Task", {**task_values(fields), **values}, self.caller(owner))

    def edit_task(self, record_id: str, changes: Mapping[str, object], *, by: str = ALEX, **values: Any) -> None:
        """``by`` edits a task."""
        self.org.update("Task", record_id, {**task_values(changes), **values}, self.caller(by))

    def remove_record(self, sobject: str, record_id: str, *, by: str = ALEX) -> None:
        """``by`` deletes an event or a task (to the Recycle Bin)."""
        self.org.delete(sobject, record_id, self.caller(by))

    def share(self, sobject: str, model: str = "ReadWrite") -> None:
        """The admin sets the org-wide default sharing of ``sobject``."""
        self.org.settings.apply({"sharing": {sobject: model}})

    def relations(self, event_id: str) -> list[dict[str, Any]]:
        """The live EventRelations of an event."""
        return [
            dict(row)
            for row in self.org.rows("EventRelation")
            if row["EventId"] == event_id and not row.get("IsDeleted")
        ]
