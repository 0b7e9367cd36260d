"""Pure functions for the Salesforce task store: Task rows and the task projection (:mod:`app.connectors.task_fields`),
the scope, and what a write sends.

Subject and Description (``notes``, without crmbridge's marker line) map one to one, ActivityDate is ``due``,
IsClosed is ``completed`` and Priority High is ``important``. Writing a completed task sets Status "Completed";
writing an open one leaves an open Status as it is and reopens a closed task with the org's default Status (the
describe's picklist default); an important task gets Priority High, another one the default Priority (Normal) when
it was High. Logged emails (TaskSubtype Email, ListEmail) are not tasks to sync.

Nothing here does I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from app.connectors import task_fields as tf
from app.connectors.salesforce.activities_describe import ActivityDescribe
from app.connectors.salesforce.activities_kind import PreparedRecord
from app.connectors.salesforce.activities_soql import owner_condition
from app.connectors.salesforce.activities_text import cut, description_for, marker_of, notes_of, text
from app.connectors.salesforce.contacts_mapping import row_key
from app.sync.items import Fields, normalise_fields
from app.sync.stores import FailureKind, WriteFailure

#: Task text fields whose lengths the describe gives.
TEXT_FIELDS: tuple[str, ...] = ("Subject", "Description")
SELECT = (
    "Id, IsDeleted, SystemModstamp, LastModifiedDate, OwnerId, Subject, Description, ActivityDate, Status, "
    "IsClosed, Priority, TaskSubtype"
)
#: Task subtypes that are logged emails, not tasks.
EMAIL_SUBTYPES = ("Email", "ListEmail")
#: The Status a completed task gets (the standard closed status).
COMPLETED_STATUS = "Completed"
HIGH_PRIORITY = "High"
#: Used when the describe is not at hand.
FALLBACK_OPEN_STATUS = "Not Started"
FALLBACK_PRIORITY = "Normal"


def feed_conditions(user_id: str) -> list[str]:
    """The rep's tasks that are not logged emails (also the scope: a subtype never changes)."""
    return [owner_condition(user_id), "TaskSubtype NOT IN ('Email', 'ListEmail')"]


def in_scope(row: Mapping[str, Any], user_id: str) -> bool:
    """Whether a live Task row is in scope."""
    owned = row_key(str(row.get("OwnerId") or "")) == row_key(user_id)
    return owned and row.get("TaskSubtype") not in EMAIL_SUBTYPES


def projection(row: Mapping[str, Any]) -> Fields:
    """A Task row as the task projection (normalised)."""
    return normalise_fields(
        {
            tf.SUBJECT: row.get("Subject"),
            tf.NOTES: notes_of(row),
            tf.DUE: row.get("ActivityDate"),
            tf.COMPLETED: tf.TRUE if row.get("IsClosed") else None,
            tf.IMPORTANT: tf.TRUE if row.get("Priority") == HIGH_PRIORITY else None,
        }
    )


def prepare(
    fields: Fields, describe: ActivityDescribe | None, *, current: Mapping[str, Any] | None, marker: str | None
) -> PreparedRecord | WriteFailure:
    """What to send for ``fields`` (a create carrying ``marker``, or an update of ``current``, whose marker stays)."""
    due = text(fields, tf.DUE)
    if due is not None:
        try:
            due = date.fromisoformat(due).isoformat()
        except ValueError:
            return WriteFailure(FailureKind.INVALID, f"The due date {due!r} is not a date (YYYY-MM-DD)")
    lengths = describe.lengths if describe is not None else {}
    defaults = describe.defaults if describe is not None else {}
    kept_marker = marker if current is None else marker_of(current)
    description, notes = description_for(text(fields, tf.NOTES), kept_marker, lengths.get("Description"))
    completed = text(fields, tf.COMPLETED) == tf.TRUE
    important = text(fields, tf.IMPORTANT) == tf.TRUE
    values: dict[str, Any] = {
        "Subject": cut(text(fields, tf.SUBJECT), lengths.get("Subject")),
        "Description": description,
        "ActivityDate": due,
    }
    if completed:
        values["Status"] = COMPLETED_STATUS
    elif current is not None and current.get("IsClosed"):
        values["Status"] = defaults.get("Status", FALLBACK_OPEN_STATUS)
    if important:
        values["Priority"] = HIGH_PRIORITY
    elif current is not None and current.get("Priority") == HIGH_PRIORITY:
        values["Priority"] = defaults.get("Priority", FALLBACK_PRIORITY)
    if current is None:
        values = {name: value for name, value in values.items() if value is not None}
    holds = normalise_fields(
        {
            tf.SUBJECT: values.get("Subject"),
            tf.NOTES: notes,
            tf.DUE: due,
            tf.COMPLETED: tf.TRUE if completed else None,
            tf.IMPORTANT: tf.TRUE if important else None,
        }
    )
    return PreparedRecord(values, holds)
