"""A failed request of a Graph ``$batch`` write, as the sync engine's failure kind, in the words of its store.

Graph answers each request of a batch with its own status; every store classifies them the same way
(:func:`failure_kind`) and words them its own way (a :data:`Describe` function per store).
"""

from __future__ import annotations

from collections.abc import Callable

from app.connectors.microsoft.client import BatchResponse
from app.sync.stores import FailureKind, StoreError, WriteFailure

#: A store's words for a failed request of a kind: the message the engine reports for the item.
Describe = Callable[[FailureKind, BatchResponse], str]

#: Graph's error code for a write that conflicts with a concurrent change (a precondition failure, like 412).
IRRESOLVABLE_CONFLICT = "ErrorIrresolvableConflict"


#: The failure kind of the statuses below 500 that do not mean Graph refused the data.
_KIND_OF_STATUS = {
    404: FailureKind.NOT_FOUND,
    412: FailureKind.PRECONDITION,
    424: FailureKind.TRANSIENT,  # a request it depended on failed
    429: FailureKind.THROTTLED,
}


def failure_kind(answer: BatchResponse, method: str) -> FailureKind | None:
    """How the engine classifies a failed request sent with ``method``; None when Graph refused the grant (401,
    403), which fails the whole call. A server error on a ``POST`` leaves unknown whether the item was created."""
    status = answer.status
    if status in (401, 403):
        return None
    if status >= 500:
        return FailureKind.UNKNOWN_OUTCOME if method == "POST" else FailureKind.TRANSIENT
    if status == 409 and answer.error_code == IRRESOLVABLE_CONFLICT:
        return FailureKind.PRECONDITION
    return _KIND_OF_STATUS.get(status, FailureKind.INVALID)


def status_line(answer: BatchResponse) -> str:
    """The answer's status, Graph's error code and message on one line (``404 ErrorItemNotFound: ...``)."""
    return f"{answer.status} {answer.error_code}: {answer.error_message}".replace("  ", " ")


def grant_refused(answer: BatchResponse) -> str:
    """The whole call's failure message when Graph refused the grant, unless a store words it otherwise."""
    return f"microsoft: {status_line(answer)}"


def request_failure(
    answer: BatchResponse,
    method: str,
    describe: Describe,
    *,
    refused: Callable[[BatchResponse], str] = grant_refused,
) -> WriteFailure:
    """One failed request's item failure, worded by ``describe``; raises :class:`StoreError` (worded by
    ``refused``) when Graph refused the grant."""
    kind = failure_kind(answer, method)
    if kind is None:
        raise StoreError(refused(answer))
    return WriteFailure(kind, describe(kind, answer))
