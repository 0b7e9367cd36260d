"""Creating, updating and deleting Outlook events through ``$batch``, 20 requests per batch.

Each item's failure stays in its slot, as the engine's failure kind with a sentence a person can act on.

- Creates (``POST /me/events``) carry the marker (a string extended property), a ``transactionId`` derived from it
  (a create sent again answers with the first event) and, in manual selection, the category "Sync with Salesforce".
- Updates (``PATCH``) set every mapped property under ``If-Match``; deletes (``DELETE``) too; an event already gone
  counts as deleted.
- Attendees are never written (that would send invitations): when the event holds other fields than those sent
  (attendees, a create answered with an earlier event), ``Written.stored`` says what it holds.
- Updates and deletes first read the events this store has not read (20 per batch, as ``get_many``; the engine may
  write events it never asked for, when only Salesforce changed): the event as it is decides what the update says
  (the sensitivity only when privacy changes), and which series it belongs to.
- The occurrences and exceptions of one series share the master's change key, and each write to one of them changes
  it. So writes to several instances of a series go one per round trip, each under the change key the previous one
  left (when the caller's etag was the one that previous write started from); writes to other events all go in the
  first round trip.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.connectors.microsoft import events_mapping as em
from app.connectors.microsoft.batch_writes import precondition, write, written_doc
from app.connectors.microsoft.client import BatchRequest, BatchResponse
from app.connectors.microsoft.events_reads import read_events
from app.connectors.microsoft.events_state import CalendarState
from app.connectors.microsoft.request_failures import request_failure
from app.connectors.selection import SYNC_CATEGORY
from app.sync.items import Fields, normalise_fields
from app.sync.stores import Create, Delete, FailureKind, Update, WriteFailure, WriteResult, Written

_NO_START = "The event has no start time, so Outlook cannot hold it."


def create_many(state: CalendarState, creates: Sequence[Create]) -> Sequence[WriteResult]:
    """See :meth:`app.sync.stores.ItemStore.create_many`."""
    categories = [SYNC_CATEGORY] if state.manual else []
    results: dict[int, WriteResult] = {}
    bodies: dict[int, dict[str, Any]] = {}
    for i, create in enumerate(creates):
        try:
            bodies[i] = em.create_body(create.fields, marker=create.marker, with_categories=categories)
        except ValueError:
            results[i] = WriteFailure(FailureKind.INVALID, _NO_START)
    groups = [
        [BatchRequest(f"c{i}", "POST", "/me/events", body=body, prefer=em.READ_PREFERENCES)]
        for i, body in bodies.items()
    ]
    answers = write(state.client, groups) if groups else {}
    for i, create in enumerate(creates):
        if i not in results:
            written = bodies[i]["singleValueExtendedProperties"]
            results[i] = _outcome(state, answers[f"c{i}"], "POST", create.fields, written=written)
    return [results[i] for i in range(len(creates))]


def update_many(state: CalendarState, updates: Sequence[Update]) -> Sequence[WriteResult]:
    """See :meth:`app.sync.stores.ItemStore.update_many`."""
    _read_unknown(state, [u.id for u in updates])
    results: dict[int, WriteResult] = {}
    bodies: dict[int, dict[str, Any]] = {}
    for i, update in enumerate(updates):
        state.seen.pop(update.id, None)
        try:
            bodies[i] = em.update_body(update.fields, state.docs.get(update.id))
        except ValueError:
            results[i] = WriteFailure(FailureKind.INVALID, _NO_START)

    def request(i: int, etag: str) -> list[BatchRequest]:
        url = f"/me/events/{updates[i].id}"
        headers = precondition(etag)
        return [BatchRequest(f"u{i}", "PATCH", url, body=bodies[i], headers=headers, prefer=em.READ_PREFERENCES)]

    def outcome(i: int, answers: Mapping[str, BatchResponse | WriteFailure]) -> tuple[WriteResult, str | None]:
        update = updates[i]
        result = _outcome(state, answers[f"u{i}"], "PATCH", update.fields, previous=state.docs.get(update.id))
        return result, result.etag if isinstance(result, Written) else None

    jobs = [_Job(i, u.id, u.etag) for i, u in enumerate(updates) if i in bodies]
    results.update(_in_rounds(state, jobs, request, outcome))
    return [results[i] for i in range(len(updates))]


def delete_many(state: CalendarState, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
    """See :meth:`app.sync.stores.ItemStore.delete_many`."""
    _read_unknown(state, [d.id for d in deletes])
    for delete in deletes:
        state.seen.pop(delete.id, None)

    def request(i: int, etag: str) -> list[BatchRequest]:
        delete = deletes[i]
        group = [BatchRequest(f"d{i}", "DELETE", f"/me/events/{delete.id}", headers=precondition(etag))]
        series = em.series_of(state.docs.get(delete.id, {}))
        if series is not None:  # the series' change key after this delete, for the next instance's If-Match
            url = f"/me/events/{series}?$select=id,changeKey"
            group.append(BatchRequest(f"k{i}", "GET", url, depends_on=(f"d{i}",)))
        return group

    def outcome(i: int, answers: Mapping[str, BatchResponse | WriteFailure]) -> tuple[WriteResult, str | None]:
        delete = deletes[i]
        answer = answers[f"d{i}"]
        if isinstance(answer, WriteFailure):
            return answer, None
        if not answer.ok and answer.status != 404:
            return failure(answer, "DELETE"), None
        state.docs.pop(delete.id, None)
        key = answers.get(f"k{i}")
        after = em.change_key(key.json) if isinstance(key, BatchResponse) and key.ok else None
        return Written(delete.id, ""), after

    jobs = [_Job(i, d.id, d.etag) for i, d in enumerate(deletes)]
    results = _in_rounds(state, jobs, request, outcome)
    return [results[i] for i in range(len(deletes))]


def _read_unknown(state: CalendarState, ids: Sequence[str]) -> None:
    """Read the events this store has not read (20 per batch), so that each write knows its series and the event
    as it is; one that does not exist is written all the same (its write answers what became of it)."""
    read_events(state, [item_id for item_id in ids if item_id not in state.docs])


@dataclass(frozen=True)
class _Job:
    """One write: its slot in the call, the event and the caller's etag."""

    index: int
    id: str
    etag: str


def _in_rounds(
    state: CalendarState,
    jobs: Sequence[_Job],
    request: Callable[[int, str], list[BatchRequest]],
    outcome: Callable[[int, Mapping[str, BatchResponse | WriteFailure]], tuple[WriteResult, str | None]],
) -> dict[int, WriteResult]:
    """Send the writes, at most one per series per round trip (see the module docstring)."""
    queues: dict[str, list[_Job]] = {}
    for job in jobs:
        series = em.series_of(state.docs.get(job.id, {}))
        queues.setdefault(series or f"single:{job.index}", []).append(job)
    #: Per series: the change key our first write started from, and the one our last write left.
    keys: dict[str, tuple[str, str | None]] = {}
    results: dict[int, WriteResult] = {}
    round_number = 0
    while True:
        batch = [(series, queue[round_number]) for series, queue in queues.items() if round_number < len(queue)]
        if not batch:
            return results
        etags: dict[int, str] = {}
        for series, job in batch:
            started, left = keys.get(series, (job.etag, None))
            etags[job.index] = left if left is not None and job.etag == started else job.etag
            keys.setdefault(series, (job.etag, None))
        answers = write(state.client, [request(job.index, etags[job.index]) for _, job in batch])
        for series, job in batch:
            result, after = outcome(job.index, answers)
            results[job.index] = result
            started, _ = keys[series]
            keys[series] = (started, after)
        round_number += 1


def _outcome(
    state: CalendarState,
    answer: BatchResponse | WriteFailure,
    method: str,
    sent: Fields,
    *,
    previous: Mapping[str, Any] | None = None,
    written: Any = None,
) -> WriteResult:
    """A create's or update's result: the failure, or the event as the answer shows it (``stored`` when it differs
    from what was sent)."""
    doc = written_doc(state, answer, method, failure, previous=previous, written=written)
    if isinstance(doc, WriteFailure):
        return doc
    held = state.item_of(doc).fields
    return Written(em.event_id(doc), em.change_key(doc), None if held == normalise_fields(sent) else held)


def failure(answer: BatchResponse, method: str) -> WriteFailure:
    """One request's failure as the engine's failure kind, with a sentence a person can act on."""
    return request_failure(answer, method, _sentence, refused=_access_refused)


#: What a failed request of each kind means for the event, before Graph's own words.
_SENTENCES = {
    FailureKind.NOT_FOUND: "The event no longer exists in Outlook",
    FailureKind.PRECONDITION: "The event was changed in Outlook since it was read; it is read again",
    FailureKind.THROTTLED: "Outlook asked to slow down; the event is retried later",
    FailureKind.UNKNOWN_OUTCOME: "Outlook did not confirm whether the event was created",
    FailureKind.TRANSIENT: "Outlook could not write the event this time",
}


def _sentence(kind: FailureKind, answer: BatchResponse) -> str:
    refused = kind is FailureKind.INVALID
    opening = f"Outlook refused the event: {answer.error_message}" if refused else _SENTENCES[kind]
    return f"{opening} {_detail(answer)}."


def _access_refused(answer: BatchResponse) -> str:
    return f"microsoft: Outlook refused access to the calendar {_detail(answer)}"


def _detail(answer: BatchResponse) -> str:
    return f"({answer.status} {answer.error_code or 'error'}: {answer.error_message})"
