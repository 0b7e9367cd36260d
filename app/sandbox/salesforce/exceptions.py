"""Salesforce's errors as the REST API words them: a JSON list of ``{"message", "errorCode", "fields"}``.

Record-level results (sObject Collections, composite) carry the same errors under ``statusCode`` instead of
``errorCode``; :meth:`ApiError.as_status_json` gives that form.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

INVALID_SESSION_ID = "INVALID_SESSION_ID"
REQUEST_LIMIT_EXCEEDED = "REQUEST_LIMIT_EXCEEDED"
NOT_FOUND = "NOT_FOUND"
MALFORMED_ID = "MALFORMED_ID"
INVALID_FIELD = "INVALID_FIELD"
INVALID_FIELD_FOR_INSERT_UPDATE = "INVALID_FIELD_FOR_INSERT_UPDATE"
REQUIRED_FIELD_MISSING = "REQUIRED_FIELD_MISSING"
STRING_TOO_LONG = "STRING_TOO_LONG"
ENTITY_IS_DELETED = "ENTITY_IS_DELETED"
INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST = "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
DUPLICATES_DETECTED = "DUPLICATES_DETECTED"
DUPLICATE_VALUE = "DUPLICATE_VALUE"
INVALID_EMAIL_ADDRESS = "INVALID_EMAIL_ADDRESS"
JSON_PARSER_ERROR = "JSON_PARSER_ERROR"
FIELD_INTEGRITY_EXCEPTION = "FIELD_INTEGRITY_EXCEPTION"
INVALID_CROSS_REFERENCE_KEY = "INVALID_CROSS_REFERENCE_KEY"
INSUFFICIENT_ACCESS_OR_READONLY = "INSUFFICIENT_ACCESS_OR_READONLY"
INVALID_TYPE = "INVALID_TYPE"
INVALID_TYPE_FOR_OPERATION = "INVALID_TYPE_FOR_OPERATION"
INVALID_QUERY_LOCATOR = "INVALID_QUERY_LOCATOR"
INVALID_REPLICATION_DATE = "INVALID_REPLICATION_DATE"
EXCEEDED_ID_LIMIT = "EXCEEDED_ID_LIMIT"
ALL_OR_NONE_OPERATION_ROLLED_BACK = "ALL_OR_NONE_OPERATION_ROLLED_BACK"
PROCESSING_HALTED = "PROCESSING_HALTED"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
MALFORMED_QUERY = "MALFORMED_QUERY"
INVALID_INPUT = "INVALID_INPUT"
LIMIT_EXCEEDED = "LIMIT_EXCEEDED"

ROLLED_BACK_MESSAGE = "Record rolled back because not all records were valid and the request was using AllOrNone header"
RESOURCE_MISSING_MESSAGE = "The requested resource does not exist"


@dataclass(frozen=True)
class ErrorItem:
    """One error: Salesforce's code, its message and the fields concerned."""

    error_code: str
    message: str
    #: The fields concerned; None for errors about the request rather than a record (Salesforce then sends no
    #: ``fields`` key at all).
    fields: tuple[str, ...] | None = None
    #: Extra top-level keys some errors carry (``duplicateResult`` for DUPLICATES_DETECTED).
    extra: tuple[tuple[str, Any], ...] = ()

    def as_json(self) -> dict[str, Any]:
        """The item in the REST error list."""
        body: dict[str, Any] = dict(self.extra)
        body.update({"message": self.message, "errorCode": self.error_code})
        if self.fields is not None:
            body["fields"] = list(self.fields)
        return body

    def as_status_json(self) -> dict[str, Any]:
        """The item in a record result's ``errors`` (SaveResult / DeleteResult form)."""
        body: dict[str, Any] = dict(self.extra)
        body.update({"statusCode": self.error_code, "message": self.message, "fields": list(self.fields or ())})
        return body


@dataclass
class ApiError(Exception):
    """An error answer: an HTTP status and Salesforce's error list."""

    status: int
    errors: Sequence[ErrorItem]
    headers: dict[str, str] = field(default_factory=dict)
    #: A body other than the error list (the 300 answer's list of record URLs).
    body: Any = None

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} " + "; ".join(f"{e.error_code}: {e.message}" for e in self.errors))

    def as_json(self) -> Any:
        """The response body."""
        if self.body is not None:
            return self.body
        return [error.as_json() for error in self.errors]

    @property
    def first(self) -> ErrorItem:
        """The first error (the one record results report)."""
        return self.errors[0]


def api_error(status: int, error_code: str, message: str, fields: Sequence[str] | None = None) -> ApiError:
    """A one-error ApiError."""
    return ApiError(status, [ErrorItem(error_code, message, None if fields is None else tuple(fields))])


def record_error(error_code: str, message: str, fields: Sequence[str] = ()) -> ApiError:
    """A 400 error about a record's data (the status a single-record write answers with); always has ``fields``."""
    return api_error(400, error_code, message, fields)


def not_found(message: str = RESOURCE_MISSING_MESSAGE) -> ApiError:
    """404 NOT_FOUND."""
    return ApiError(404, [ErrorItem(NOT_FOUND, message)])


def invalid_session() -> ApiError:
    """401 INVALID_SESSION_ID, for a missing, unknown, expired or revoked bearer token."""
    return ApiError(401, [ErrorItem(INVALID_SESSION_ID, "Session expired or invalid")])


def request_limit_exceeded() -> ApiError:
    """403 REQUEST_LIMIT_EXCEEDED, once the org's daily API request allocation is used up."""
    return ApiError(403, [ErrorItem(REQUEST_LIMIT_EXCEEDED, "TotalRequests Limit exceeded.")])


def method_not_allowed(method: str, allowed: Sequence[str]) -> ApiError:
    """405 for a method the resource does not support."""
    return ApiError(
        405,
        [ErrorItem(METHOD_NOT_ALLOWED, f"HTTP Method '{method}' not allowed. Allowed are {','.join(allowed)}")],
    )


def external_id_field_missing(name: str) -> ApiError:
    """404 for an unknown external id field (also what a malformed id in an sObject Rows URL gets)."""
    return not_found(f"Provided external ID field does not exist or is not accessible: {name}")


def no_such_column(field_name: str, sobject: str) -> str:
    """The INVALID_FIELD message for an unknown field in a read."""
    return (
        f"No such column '{field_name}' on entity '{sobject}'. If you are attempting to use a custom field, be sure "
        "to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the "
        "appropriate names."
    )
