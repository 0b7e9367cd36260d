"""Writing records as sObject Collections for the Salesforce stores (contacts, events, tasks): records (or ids, to
delete) in collections of 200, five per composite call, ``allOrNone`` false, with a result per record; and the
request-limit latch: once Salesforce says the org's API request limit is reached, the store sends no more writes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from app.connectors.errors import LimitExceeded, VendorError, VendorUnavailable
from app.connectors.retry import RetryPolicy
from app.connectors.salesforce.client import (
    MAX_COLLECTION_RECORDS,
    MAX_QUERY_SUBREQUESTS,
    Subrequest,
    SubResult,
    error_for,
)
from app.connectors.salesforce.contacts_calls import LostResponse, SalesforceCaller, send
from app.connectors.salesforce.contacts_errors import LIMIT_CODE, error_code, failure_kind, write_failure
from app.connectors.salesforce.mapping import is_salesforce_id
from app.sync.stores import Delete, FailureKind, StoreError, WriteFailure, WriteResult, Written

T = TypeVar("T")

#: Where sObject Collections are written.
_PATH = "composite/sobjects"


class CollectionWriter:
    """Sends collections with the rep's client, and holds the request-limit latch."""

    def __init__(self, caller: SalesforceCaller, retry: RetryPolicy, *, label: str = "contacts") -> None:
        self._caller = caller
        self._retry = retry
        self._label = label  # what the records are, in messages ("contacts", "events", ...)
        self._limit_reached = False

    def check_limit(self) -> None:
        """Raise StoreError once the org's API request limit was reached."""
        if self._limit_reached:
            raise StoreError(f"Salesforce {self._label}: the org's API request limit is reached; writing stops for now")

    def write(self, method: str, path: str, items: Sequence[Any]) -> list[dict[str, Any] | WriteFailure]:
        """Send records (or ids, to delete) as collections of 200, five per composite call; a result per item.

        A call that fails as a whole raises StoreError when it is the first one (nothing was written); later ones
        leave per-item failures. A create whose call may have been lost is UNKNOWN_OUTCOME (its marker tells)."""
        collections = list(chunks(list(items), MAX_COLLECTION_RECORDS))
        groups = list(chunks(collections, MAX_QUERY_SUBREQUESTS))
        results: list[dict[str, Any] | WriteFailure] = []
        for number, group in enumerate(groups):
            if self._limit_reached:
                results += [WriteFailure(FailureKind.THROTTLED, "not sent: the Salesforce API limit is reached")] * (
                    sum(len(chunk) for chunk in group)
                )
                continue
            subrequests = [
                _collection_subrequest(f"records{index}", method, path, chunk) for index, chunk in enumerate(group)
            ]
            try:
                answers = send(self._caller, self._retry, subrequests, lost_is_unknown=method == "POST")
            except (VendorError, LostResponse) as failure:
                error = failure.error if isinstance(failure, LostResponse) else failure
                if isinstance(error, LimitExceeded):
                    self._limit_reached = True
                if number == 0:
                    raise StoreError(f"Salesforce {self._label}: writing failed: {error.message}") from error
                kind = failure_kind(error)
                if isinstance(failure, LostResponse):
                    kind = FailureKind.UNKNOWN_OUTCOME
                results += [WriteFailure(kind, error.message)] * sum(len(chunk) for chunk in group)
                continue
            for index, chunk in enumerate(group):
                results += self._chunk_results(answers[f"records{index}"], len(chunk))
        return results

    def delete(self, deletes: Sequence[Delete], *, forget: Callable[[str], None]) -> list[WriteResult]:
        """Delete records by id, a result per delete: one already deleted is NOT_FOUND, and so is an id that is not a
        Salesforce id (not sent). ``forget`` is told of every id once the deletes are sent."""
        ids = [delete.id for delete in deletes if is_salesforce_id(delete.id)]
        answers = iter(self.write("DELETE", _PATH, ids))
        results: list[WriteResult] = []
        for delete in deletes:
            forget(delete.id)
            if not is_salesforce_id(delete.id):
                results.append(WriteFailure(FailureKind.NOT_FOUND, f"{delete.id!r} is not a Salesforce id"))
                continue
            answer = next(answers)
            results.append(answer if isinstance(answer, WriteFailure) else Written(delete.id, ""))
        return results

    def _chunk_results(self, answer: SubResult, size: int) -> list[dict[str, Any] | WriteFailure]:
        if answer.ok and isinstance(answer.body, list) and len(answer.body) == size:
            results: list[dict[str, Any] | WriteFailure] = []
            for item in answer.body:
                if isinstance(item, Mapping) and item.get("success"):
                    results.append(dict(item))
                    continue
                errors = item.get("errors") if isinstance(item, Mapping) else None
                if error_code(errors) == LIMIT_CODE:
                    self._limit_reached = True
                results.append(write_failure(errors))
            return results
        error = (
            error_for(answer.status, answer.body)
            if not answer.ok
            else VendorUnavailable(
                "salesforce", "Salesforce answered a collection with something else than a result per record"
            )
        )
        if isinstance(error, LimitExceeded):
            self._limit_reached = True
        return [WriteFailure(failure_kind(error), error.message)] * size


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """``items`` in consecutive slices of at most ``size``."""
    for index in range(0, len(items), size):
        yield list(items[index : index + size])


def _collection_subrequest(reference_id: str, method: str, path: str, chunk: Sequence[Any]) -> Subrequest:
    if method == "DELETE":
        return Subrequest(reference_id, "DELETE", f"{path}?ids={','.join(chunk)}&allOrNone=false")
    return Subrequest(reference_id, method, path, {"allOrNone": False, "records": list(chunk)})
