"""Pure functions between a Google Tasks ``Task`` (JSON) and the task projection of
:mod:`app.connectors.task_fields`.

- ``title`` ↔ subject (cut to Google's :data:`MAX_TITLE` characters when written); ``notes`` ↔ notes; ``due``
  (``YYYY-MM-DDT00:00:00.000Z``: Google keeps only the date) ↔ due; ``status`` completed ↔ ``completed: "true"``.
  Google Tasks has no priority: ``important`` is not held.
- Google Tasks has no hidden property, so crmbridge's marker is the last line of ``notes`` (as the Salesforce
  stores keep theirs as a Description line); the projection's notes never show it, and updates keep it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from app.connectors.task_fields import COMPLETED, DUE, IMPORTANT, NOTES, SUBJECT, TRUE
from app.sync.items import Fields, normalise_fields

#: Every marker the engine makes starts with this (see :func:`app.sync.plan.marker_for`).
MARKER_PREFIX = "crmbridge:"
#: Google's limit on a task title ("Title of the task. Maximum length allowed: 1024 characters").
MAX_TITLE = 1024


def split_notes(notes: str | None) -> tuple[str | None, str | None]:
    """A task's ``notes`` as (the user's notes, crmbridge's marker): the marker is a last line of its own."""
    if not notes:
        return None, None
    head, _, last = notes.rstrip().rpartition("\n")
    candidate = last.strip()
    if candidate.startswith(MARKER_PREFIX) and len(candidate.split()) == 1:
        return (head.rstrip() or None), candidate
    return notes, None


def join_notes(notes: object, marker: str | None) -> str | None:
    """The ``notes`` to write: the user's notes, then the marker on a last line of its own."""
    text = str(notes) if notes else ""
    if marker is None:
        return text or None
    return f"{text}\n\n{marker}" if text else marker


def marker(task: Mapping[str, Any]) -> str | None:
    """crmbridge's marker on the task, if crmbridge created it."""
    return split_notes(task.get("notes"))[1]


def is_deleted(task: Mapping[str, Any]) -> bool:
    """True for a deleted task."""
    return bool(task.get("deleted"))


def modified_at(task: Mapping[str, Any]) -> datetime | None:
    """The task's ``updated`` instant (UTC)."""
    text = task.get("updated")
    if not text:
        return None
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(UTC)


def task_fields(task: Mapping[str, Any]) -> Fields:
    """The task's projection fields."""
    due = task.get("due")
    return normalise_fields(
        {
            SUBJECT: task.get("title"),
            NOTES: split_notes(task.get("notes"))[0],
            DUE: str(due)[:10] if due else None,
            COMPLETED: TRUE if task.get("status") == "completed" else None,
        }
    )


def _due(fields: Fields) -> str | None:
    value = fields.get(DUE)
    # Sent as given: a date Google cannot read is its refusal of this one task, not a crash of the batch.
    return f"{value}T00:00:00.000Z" if value else None


def task_body(fields: Fields, marker_value: str | None) -> dict[str, Any]:
    """The ``tasks.insert`` / ``tasks.patch`` body setting every mapped field (null clears one left out)."""
    completed = fields.get(COMPLETED) == TRUE
    body: dict[str, Any] = {
        # Cut to Google's limit here (not left to Google), so the cut is the same whatever Google does with a longer
        # title; the write reports it in ``Written.stored`` (:func:`stored_if_different`).
        "title": str(fields.get(SUBJECT) or "")[:MAX_TITLE],
        "notes": join_notes(fields.get(NOTES), marker_value),
        "due": _due(fields),
        "status": "completed" if completed else "needsAction",
    }
    if not completed:
        body["completed"] = None
    return body


def new_task(fields: Fields, marker_value: str) -> dict[str, Any]:
    """The ``tasks.insert`` body (nulls left out)."""
    return {key: value for key, value in task_body(fields, marker_value).items() if value is not None}


def stored_if_different(task: Mapping[str, Any], sent: Mapping[str, object]) -> Fields | None:
    """What the task holds after a write when it differs from what was sent (``important`` is never held)."""
    held = task_fields(task)
    expected = normalise_fields({name: value for name, value in sent.items() if name != IMPORTANT})
    if held == expected and IMPORTANT not in normalise_fields(sent):
        return None
    return held
