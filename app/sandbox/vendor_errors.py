"""Error bodies in each vendor's own JSON format, for injected faults and for the sandbox's fallback errors.

API hosts answer in the vendor's API format:

- Salesforce REST: a list ``[{"message", "errorCode"}]`` (REST API Developer Guide, "Status Codes and Error
  Responses"), e.g. 403 REQUEST_LIMIT_EXCEEDED, 503 SERVER_UNAVAILABLE.
- Microsoft Graph: ``{"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}``
  ("Microsoft Graph error responses and resource types"), e.g. 429 TooManyRequests.
- Google APIs: ``{"error": {"code", "message", "errors": [{"message", "domain", "reason"}], "status"}}`` with the
  canonical status for the HTTP code ("Standard Error Responses"), e.g. 429 RESOURCE_EXHAUSTED/rateLimitExceeded.

Sign-in hosts answer in the vendor's OAuth 2.0 format: ``{"error", "error_description"}``, which Microsoft extends
with ``error_codes``, ``timestamp``, ``trace_id`` and ``correlation_id``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from app.sandbox.tokens import Provider

#: Hosts of the vendors' sign-in services, which report errors the OAuth way.
IDENTITY_HOSTS = frozenset(
    {
        "login.salesforce.com",
        "test.salesforce.com",
        "login.microsoftonline.com",
        "accounts.google.com",
        "oauth2.googleapis.com",
    }
)

_SALESFORCE: dict[int, tuple[str, str]] = {
    400: ("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record or 1 records"),
    401: ("INVALID_SESSION_ID", "Session expired or invalid"),
    403: ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    404: ("NOT_FOUND", "The requested resource does not exist"),
    405: ("METHOD_NOT_ALLOWED", "HTTP Method is not allowed for this resource"),
    409: ("CONFLICT", "The request could not be completed due to a conflict with the current state of the resource."),
    412: ("PRECONDITION_FAILED", "The request precondition failed."),
    429: ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    500: ("UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if you contact support."),
    503: ("SERVER_UNAVAILABLE", "Server is temporarily unavailable. Please try again later."),
}

_GRAPH: dict[int, tuple[str, str]] = {
    400: ("invalidRequest", "Invalid request."),
    401: ("InvalidAuthenticationToken", "Access token has expired or is not yet valid."),
    403: ("ErrorAccessDenied", "Access is denied. Check credentials and try again."),
    404: ("ErrorItemNotFound", "The specified object was not found in the store."),
    409: (
        "ErrorIrresolvableConflict",
        "The send or update operation could not be performed because the change key "
        "passed in the request does not match the current change key for the item.",
    ),
    410: ("SyncStateNotFound", "The sync state generation is not found. Restart the sync without a sync state."),
    412: ("ErrorIrresolvableConflict", "The change key passed in the request does not match the current change key."),
    429: ("TooManyRequests", "Too many requests."),
    500: ("generalException", "An unspecified error has occurred."),
    502: ("BadGateway", "Bad gateway."),
    503: ("ServiceUnavailable", "The service is temporarily unavailable. Try again later."),
    504: ("GatewayTimeout", "The request timed out."),
}

# HTTP status -> (canonical status, domain, reason, message)
_GOOGLE: dict[int, tuple[str, str, str, str]] = {
    400: ("INVALID_ARGUMENT", "global", "badRequest", "Bad Request"),
    401: (
        "UNAUTHENTICATED",
        "global",
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
        "valid authentication credential.",
    ),
    403: ("PERMISSION_DENIED", "global", "forbidden", "The caller does not have permission"),
    404: ("NOT_FOUND", "global", "notFound", "Requested entity was not found."),
    409: ("ABORTED", "global", "conflict", "The operation was aborted."),
    410: (
        "FAILED_PRECONDITION",
        "global",
        "fullSyncRequired",
        "Sync token is no longer valid, a full sync is required.",
    ),
    412: ("FAILED_PRECONDITION", "global", "conditionNotMet", "Precondition Failed"),
    429: ("RESOURCE_EXHAUSTED", "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"),
    500: ("INTERNAL", "global", "backendError", "Internal error encountered."),
    501: ("UNIMPLEMENTED", "global", "notImplemented", "Operation is not implemented, or supported, or enabled."),
    503: ("UNAVAILABLE", "global", "backendError", "The service is currently unavailable."),
    504: ("DEADLINE_EXCEEDED", "global", "backendError", "The request timed out."),
}

# HTTP status -> (OAuth error, Microsoft AADSTS number, description)
_OAUTH: dict[int, tuple[str, int, str]] = {
    400: ("invalid_request", 900144, "The request is malformed or invalid."),
    401: ("invalid_client", 7000215, "Invalid client secret provided."),
    403: ("access_denied", 50105, "The signed in user is not allowed to sign in to this application."),
    429: ("temporarily_unavailable", 90033, "A transient error has occurred. Please try again."),
    500: ("server_error", 90100, "An internal server error occurred."),
    503: ("temporarily_unavailable", 90033, "A transient error has occurred. Please try again."),
}


def salesforce_api_error(error_code: str, message: str, fields: list[str] | None = None) -> list[dict[str, Any]]:
    """Salesforce REST's error list with one entry."""
    entry: dict[str, Any] = {"message": message, "errorCode": error_code}
    if fields is not None:
        entry["fields"] = fields
    return [entry]


def graph_error(
    code: str,
    message: str,
    *,
    now: datetime,
    request_id: str | None = None,
    client_request_id: str | None = None,
) -> dict[str, Any]:
    """Microsoft Graph's error object, with the request ids and date of its ``innerError``."""
    request_id = request_id or str(uuid.uuid4())
    return {
        "error": {
            "code": code,
            "message": message,
            "innerError": {
                "date": now.strftime("%Y-%m-%dT%H:%M:%S"),
                "request-id": request_id,
                "client-request-id": client_request_id or request_id,
            },
        }
    }


def google_api_error(status: int, canonical: str, domain: str, reason: str, message: str) -> dict[str, Any]:
    """Google's JSON error object with one ``errors`` entry."""
    return {
        "error": {
            "code": status,
            "message": message,
            "errors": [{"message": message, "domain": domain, "reason": reason}],
            "status": canonical,
        }
    }


def oauth_error(error: str, description: str) -> dict[str, str]:
    """The plain OAuth 2.0 error body that Salesforce and Google use."""
    return {"error": error, "error_description": description}


def microsoft_oauth_error(
    error: str, aadsts: int, description: str, *, now: datetime, correlation_id: str | None = None
) -> dict[str, Any]:
    """The Microsoft identity platform's error body: AADSTS code, trace and correlation ids, timestamp."""
    trace_id = str(uuid.uuid4())
    correlation_id = correlation_id or str(uuid.uuid4())
    timestamp = now.strftime("%Y-%m-%d %H:%M:%SZ")
    return {
        "error": error,
        "error_description": f"AADSTS{aadsts}: {description}\r\nTrace ID: {trace_id}\r\n"
        f"Correlation ID: {correlation_id}\r\nTimestamp: {timestamp}",
        "error_codes": [aadsts],
        "timestamp": timestamp,
        "trace_id": trace_id,
        "correlation_id": correlation_id,
        "error_uri": f"https://login.microsoftonline.com/error?code={aadsts}",
    }


def default_error_body(
    provider: Provider,
    host: str,
    status: int,
    *,
    now: datetime,
    code: str | None = None,
    message: str | None = None,
    request_headers: Mapping[str, str] | None = None,
    request_id: str | None = None,
) -> Any:
    """The body ``host`` of ``provider`` sends with ``status``; ``code`` and ``message`` override the defaults.

    ``code`` is the vendor's own error code: the Salesforce ``errorCode``, the Graph ``code``, the Google
    ``reason``, or the OAuth ``error``. ``request_id`` is the id Graph also sends as the ``request-id`` header.
    """
    client_request_id = (request_headers or {}).get("client-request-id")
    if host in IDENTITY_HOSTS:
        error, aadsts, description = _OAUTH.get(status, _OAUTH[500] if status >= 500 else _OAUTH[400])
        if provider == "microsoft":
            return microsoft_oauth_error(
                code or error, aadsts, message or description, now=now, correlation_id=client_request_id
            )
        return oauth_error(code or error, message or description)
    if provider == "salesforce":
        sf_code, sf_message = _SALESFORCE.get(status, _SALESFORCE[500] if status >= 500 else _SALESFORCE[400])
        return salesforce_api_error(code or sf_code, message or sf_message)
    if provider == "microsoft":
        graph_code, graph_message = _GRAPH.get(status, ("UnknownError", "An error occurred."))
        return graph_error(
            code or graph_code,
            message or graph_message,
            now=now,
            request_id=request_id,
            client_request_id=client_request_id,
        )
    canonical, domain, reason, google_message = _GOOGLE.get(status, _GOOGLE[500] if status >= 500 else _GOOGLE[400])
    return google_api_error(status, canonical, domain, code or reason, message or google_message)


def vendor_response_headers(
    provider: Provider, request_id: str, request_headers: Mapping[str, str] | None = None
) -> dict[str, str]:
    """Headers every response of ``provider`` carries (Graph's ``request-id`` and ``client-request-id``)."""
    if provider != "microsoft":
        return {}
    return {
        "request-id": request_id,
        "client-request-id": (request_headers or {}).get("client-request-id", request_id),
    }
