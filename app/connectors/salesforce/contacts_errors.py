"""What Salesforce's failures mean to the sync engine: a record's SaveResult errors as a :class:`WriteFailure` (with
the records a duplicate rule matched), a vendor error as a failure kind, and a failed call as a :class:`StoreError`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from app.connectors.errors import LimitExceeded, NotFound, Throttled, VendorError, VendorUnavailable
from app.sync.stores import FailureKind, StoreError, WriteFailure

#: Error codes of a record that is not there (any more) when updated or deleted.
_GONE_CODES = frozenset({"ENTITY_IS_DELETED", "NOT_FOUND"})
_TRANSIENT_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE"})
LIMIT_CODE = "REQUEST_LIMIT_EXCEEDED"


def error_code(errors: Any) -> str:
    """The first error's code in a SaveResult's or an error body's list."""
    first = errors[0] if isinstance(errors, list) and errors and isinstance(errors[0], Mapping) else {}
    return str(first.get("statusCode") or first.get("errorCode") or "")


@dataclass(frozen=True)
class DuplicateFailure(WriteFailure):
    """A create a duplicate rule refused; ``matches`` are the ids of the existing records it matched."""

    matches: tuple[str, ...] = ()


def duplicate_matches(error: Mapping[str, Any]) -> list[str]:
    """The ids of the records a DUPLICATES_DETECTED error says the record duplicates."""
    result = error.get("duplicateResult")
    matches = result.get("matchResults") if isinstance(result, Mapping) else None
    ids: list[str] = []
    for match in matches if isinstance(matches, list) else []:
        for record in match.get("matchRecords") or [] if isinstance(match, Mapping) else []:
            found = record.get("record") if isinstance(record, Mapping) else None
            if isinstance(found, Mapping) and isinstance(found.get("Id"), str):
                ids.append(found["Id"])
    return ids


def write_failure(errors: Any) -> WriteFailure:
    """A failed record's result as the engine's failure kind, with Salesforce's own message."""
    items = [item for item in errors if isinstance(item, Mapping)] if isinstance(errors, list) else []
    first = items[0] if items else {}
    code = error_code(items)
    message = str(first.get("message") or "Salesforce refused the record")
    fields = [str(name) for name in first.get("fields") or ()]
    if code in _GONE_CODES or (code == "INVALID_CROSS_REFERENCE_KEY" and not fields):
        return WriteFailure(FailureKind.NOT_FOUND, f"{code}: {message}")
    if code == LIMIT_CODE:
        return WriteFailure(FailureKind.THROTTLED, f"{code}: {message}")
    if code in _TRANSIENT_CODES:
        return WriteFailure(FailureKind.TRANSIENT, f"{code}: {message}")
    if code == "DUPLICATES_DETECTED":
        matched = duplicate_matches(first)
        if matched:
            return DuplicateFailure(
                FailureKind.INVALID,
                f"DUPLICATES_DETECTED: a duplicate rule matched existing record {', '.join(matched)} ({message})",
                tuple(matched),
            )
    named = f" [{', '.join(fields)}]" if fields else ""
    return WriteFailure(FailureKind.INVALID, f"{code or 'ERROR'}{named}: {message}")


def failure_kind(error: VendorError) -> FailureKind:
    """The engine's failure kind for a call that failed as a whole."""
    if isinstance(error, Throttled | LimitExceeded):
        return FailureKind.THROTTLED
    if isinstance(error, VendorUnavailable):
        return FailureKind.TRANSIENT
    if isinstance(error, NotFound):
        return FailureKind.NOT_FOUND
    return FailureKind.INVALID


@contextmanager
def as_store_errors(action: str, *, label: str = "contacts") -> Iterator[None]:
    """Vendor errors inside as a :class:`StoreError` that says which ``action`` on which records (``label``)
    failed."""
    try:
        yield
    except VendorError as error:
        raise StoreError(f"Salesforce {label}: {action} failed: {error.message}") from error
