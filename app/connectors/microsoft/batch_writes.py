"""Write requests sent through Graph ``$batch``, 20 per batch, for every Outlook and To Do store.

Each request's answer stays in its slot: Graph's answer, or the item failure that a batch failing as a whole left
it with (a revoked grant fails the call instead). Also here: the ``If-Match`` header for a change key, the
extended properties a write answer lacks, and the results of writes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

from app.connectors.errors import AuthRevoked, VendorError
from app.connectors.microsoft import mapping
from app.connectors.microsoft.client import (
    MAX_BATCH_REQUESTS,
    BatchOutcomeUnknown,
    BatchRequest,
    BatchResponse,
    GraphClient,
)
from app.connectors.write_failures import failure_kind
from app.sync.stores import Delete, FailureKind, Lookup, StoreError, WriteFailure, WriteResult, Written


class ItemMemory(Protocol):
    """What a store's state remembers of its items: what this pass read, and the items as last read in full."""

    seen: dict[str, Lookup]
    docs: dict[str, dict[str, Any]]

    def remember(self, doc: dict[str, Any]) -> None:
        """Keep an item as read or written in full."""


def write(client: GraphClient, groups: Sequence[Sequence[BatchRequest]]) -> dict[str, BatchResponse | WriteFailure]:
    """Send write requests, 20 per batch (a group with ``dependsOn`` stays in one batch); a batch that fails as
    a whole fails each of its requests, except a revoked grant, which fails the call."""
    answers: dict[str, BatchResponse | WriteFailure] = {}
    batch: list[BatchRequest] = []
    for group in [*groups, []]:
        if batch and (not group or len(batch) + len(group) > MAX_BATCH_REQUESTS):
            answers.update(_write_batch(client, batch))
            batch = []
        batch.extend(group)
    return answers


def with_extended(doc: dict[str, Any], previous: Mapping[str, Any] | None, written: Any = None) -> dict[str, Any]:
    """A write response lacks the extended properties: keep those we wrote, else those we had read."""
    if "singleValueExtendedProperties" in doc:
        return doc
    merged = dict(doc)
    if written is not None:
        merged["singleValueExtendedProperties"] = written
    elif previous is not None and "singleValueExtendedProperties" in previous:
        merged["singleValueExtendedProperties"] = previous["singleValueExtendedProperties"]
    return merged


def precondition(etag: str) -> dict[str, str]:
    """The ``If-Match`` header for a change key (none without one)."""
    return {"If-Match": mapping.if_match(etag)} if etag else {}


def written_doc(
    state: ItemMemory,
    answer: BatchResponse | WriteFailure,
    method: str,
    failure: Callable[[BatchResponse, str], WriteFailure],
    *,
    previous: Mapping[str, Any] | None = None,
    written: Any = None,
) -> dict[str, Any] | WriteFailure:
    """A create's or update's answer: the item it holds (remembered by the state, with the extended properties
    kept, see :func:`with_extended`), or its failure (``failure`` words a refused request)."""
    if isinstance(answer, WriteFailure):
        return answer
    if not answer.ok:
        return failure(answer, method)
    doc = with_extended(answer.json, previous, written)
    state.remember(doc)
    return doc


def deletes_answered(
    state: ItemMemory,
    deletes: Sequence[Delete],
    answers: Mapping[str, BatchResponse | WriteFailure],
    failure: Callable[[BatchResponse, str], WriteFailure],
) -> list[WriteResult]:
    """Each delete's result from its answer (request ``d{i}`` for ``deletes[i]``), ``failure`` wording a refused
    one; the state forgets what it read of every item, and the documents of those deleted."""
    results: list[WriteResult] = []
    for i, delete in enumerate(deletes):
        answer = answers[f"d{i}"]
        state.seen.pop(delete.id, None)
        if isinstance(answer, WriteFailure):
            results.append(answer)
        elif not answer.ok:
            results.append(failure(answer, "DELETE"))
        else:
            state.docs.pop(delete.id, None)
            results.append(Written(delete.id, ""))
    return results


def _write_batch(client: GraphClient, requests: Sequence[BatchRequest]) -> dict[str, BatchResponse | WriteFailure]:
    try:
        result = client.batch(requests)
    except AuthRevoked as exc:
        raise StoreError(str(exc)) from exc
    except VendorError as exc:
        kind = failure_kind(exc, outcome_unknown=BatchOutcomeUnknown) or FailureKind.INVALID
        failure = WriteFailure(kind, str(exc))
    else:
        return dict(result.responses)
    return {request.id: failure for request in requests}
