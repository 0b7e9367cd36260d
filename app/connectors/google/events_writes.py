"""Writing events of the primary calendar: creates, updates and deletes, each in Calendar HTTP batches of 50.

- Creates carry the marker and the event id derived from it; a 409 duplicate means an earlier insert of the same
  create was applied: the event is read and answered as the create (restored first if the user deleted it). When
  that read fails, the create fails as the read did (throttled, transient…), not as refused data.
- Updates are ``events.patch`` with ``If-Match``; a 412 is a PRECONDITION failure, unless the event was deleted
  since (NOT_FOUND). Attendees are never written.
- Deletes send ``If-Match`` too; an event already deleted (410, or a 412 on a cancelled event) counts as deleted.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.connectors.errors import InvalidData, NotFound, VendorError
from app.connectors.google import events_mapping as mapping
from app.connectors.google.batching import chunks
from app.connectors.google.calendar_client import CalendarClient
from app.connectors.google.client import AlreadyExists, BatchAnswer, PreconditionFailed
from app.connectors.google.failures import failure_of
from app.sync.stores import Create, Delete, FailureKind, Update, WriteFailure, WriteResult, Written

#: Called with every event a write returned, so the store remembers it for this pass.
Remember = Callable[[dict[str, Any]], None]


def _written(event: dict[str, Any], sent: Mapping[str, object], remember: Remember) -> Written:
    remember(event)
    return Written(str(event["id"]), str(event.get("etag") or ""), mapping.stored_if_different(event, sent))


def create_events(
    client: CalendarClient, creates: Sequence[Create], *, mark_selected: bool, remember: Remember
) -> list[WriteResult]:
    """Insert ``creates`` (single events carrying their marker); one result per create, in order."""
    results: list[WriteResult] = []
    for chunk in chunks(creates):
        bodies = [mapping.new_event(create.fields, create.marker, mark_selected=mark_selected) for create in chunk]
        answers = client.insert_events(bodies)
        taken = [index for index, answer in enumerate(answers) if isinstance(answer, AlreadyExists)]
        if taken:
            _adopt(client, [chunk[i] for i in taken], [bodies[i] for i in taken], answers, taken)
        for create, answer in zip(chunk, answers, strict=True):
            if isinstance(answer, dict):
                results.append(_written(answer, create.fields, remember))
            else:
                results.append(failure_of(answer))
    return results


def _adopt(
    client: CalendarClient,
    creates: list[Create],
    bodies: list[dict[str, Any]],
    answers: list[BatchAnswer],
    slots: list[int],
) -> None:
    """Answer creates whose id was taken with the event holding it: ours (same marker) from an earlier attempt."""
    found = client.get_events([str(body["id"]) for body in bodies])
    restore: list[tuple[int, str, dict[str, Any]]] = []
    for slot, create, body, event in zip(slots, creates, bodies, found, strict=True):
        if isinstance(event, VendorError) and not isinstance(event, NotFound):
            answers[slot] = event  # the read failed (throttled, unavailable…): the create fails as that read did
        elif not isinstance(event, dict) or mapping.marker(event) != create.marker:
            answers[slot] = InvalidData("google", "An event with this id exists and crmbridge did not create it")
        elif mapping.is_cancelled(event):
            patch = {**mapping.event_patch(create.fields, held=event), "status": "confirmed"}
            patch["extendedProperties"] = body["extendedProperties"]
            restore.append((slot, str(event.get("etag") or ""), patch))
        else:
            answers[slot] = event
    if restore:
        patched = client.patch_events([(str(bodies[slots.index(s)]["id"]), etag, p) for s, etag, p in restore])
        for (slot, _etag, _patch), answer in zip(restore, patched, strict=True):
            answers[slot] = answer


def update_events(
    client: CalendarClient,
    updates: Sequence[Update],
    held: Mapping[str, Mapping[str, Any] | None],
    *,
    remember: Remember,
) -> list[WriteResult]:
    """Patch ``updates`` under their etags (``held``: the events as read, by id); one result per update, in order."""
    results: list[WriteResult] = []
    for chunk in chunks(updates):
        answers = client.patch_events(
            [(u.id, u.etag, mapping.event_patch(u.fields, held=held.get(u.id))) for u in chunk]
        )
        stale = [index for index, answer in enumerate(answers) if isinstance(answer, PreconditionFailed)]
        deleted = _cancelled_among(client, [chunk[i].id for i in stale])
        for index, (update, answer) in enumerate(zip(chunk, answers, strict=True)):
            if isinstance(answer, dict):
                results.append(_written(answer, update.fields, remember))
            elif index in stale and update.id in deleted:
                results.append(WriteFailure(FailureKind.NOT_FOUND, f"{update.id} was deleted"))
            else:
                results.append(failure_of(answer))
    return results


def delete_events(
    client: CalendarClient, deletes: Sequence[Delete], *, forget: Callable[[str], None]
) -> list[WriteResult]:
    """Delete ``deletes`` (an event already deleted counts as deleted); one result per delete, in order."""
    results: list[WriteResult] = []
    for chunk in chunks(deletes):
        answers = client.delete_events([(d.id, d.etag) for d in chunk])
        stale = [index for index, answer in enumerate(answers) if isinstance(answer, PreconditionFailed)]
        deleted = _cancelled_among(client, [chunk[i].id for i in stale])
        for delete, answer in zip(chunk, answers, strict=True):
            gone = isinstance(answer, NotFound) or (isinstance(answer, PreconditionFailed) and delete.id in deleted)
            if isinstance(answer, dict) or gone:
                forget(delete.id)
                results.append(Written(delete.id, ""))
            else:
                results.append(failure_of(answer))
    return results


def _cancelled_among(client: CalendarClient, event_ids: list[str]) -> set[str]:
    """Which of these events are deleted (cancelled or gone)."""
    if not event_ids:
        return set()
    found = client.get_events(event_ids)
    return {
        event_id
        for event_id, event in zip(event_ids, found, strict=True)
        if isinstance(event, NotFound) or (isinstance(event, dict) and mapping.is_cancelled(event))
    }
