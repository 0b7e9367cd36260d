"""Google's JSON error format, as each emulated API words it.

Every API answers ``{"error": {"code", "message", "errors": [{"message", "domain", "reason", ...}]}}``. The
People, Tasks and Gmail APIs (served by Google's API front end) add the canonical ``status`` and, where Google
documents one, ``details`` (``google.rpc.ErrorInfo``). The Calendar API's error guide shows its bodies without
``status``, so Calendar errors leave it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi.responses import JSONResponse

Api = Literal["people", "calendar", "tasks", "gmail"]

#: HTTP status -> canonical ``google.rpc.Code`` name (google/rpc/code.proto, "HTTP Mapping").
CANONICAL: dict[int, str] = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    410: "FAILED_PRECONDITION",
    412: "FAILED_PRECONDITION",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
}

ERROR_INFO_TYPE = "type.googleapis.com/google.rpc.ErrorInfo"


@dataclass
class GoogleApiError(Exception):
    """An error answer of a Google API; raise it from a handler and the route renders it."""

    status: int
    message: str
    reason: str
    domain: str = "global"
    canonical: str | None = None
    location: str | None = None
    location_type: str | None = None
    details: list[dict[str, Any]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} {self.reason}: {self.message}")

    def body(self, api: Api) -> dict[str, Any]:
        """The JSON body ``api`` sends with this error."""
        item: dict[str, Any] = {"message": self.message, "domain": self.domain, "reason": self.reason}
        if self.location_type is not None:
            item["locationType"] = self.location_type
        if self.location is not None:
            item["location"] = self.location
        error: dict[str, Any] = {"code": self.status, "message": self.message, "errors": [item]}
        if api != "calendar":
            error["status"] = self.canonical or CANONICAL.get(self.status, "UNKNOWN")
            if self.details:
                error["details"] = self.details
        return {"error": error}

    def response(self, api: Api) -> JSONResponse:
        """The HTTP response for this error."""
        return JSONResponse(self.body(api), status_code=self.status, headers=self.headers)


def error_info(reason: str, domain: str, metadata: dict[str, str] | None = None) -> dict[str, Any]:
    """A ``google.rpc.ErrorInfo`` entry for ``details``."""
    info: dict[str, Any] = {"@type": ERROR_INFO_TYPE, "reason": reason, "domain": domain}
    if metadata:
        info["metadata"] = metadata
    return info


def bad_request(message: str, *, reason: str = "badRequest", location: str | None = None) -> GoogleApiError:
    """400: a malformed or contradictory request."""
    return GoogleApiError(400, message, reason, location=location, location_type="parameter" if location else None)


def invalid_argument(message: str) -> GoogleApiError:
    """400 INVALID_ARGUMENT as the API front end words it (reason ``invalid``)."""
    return GoogleApiError(400, message, "invalid")


def required(message: str, location: str | None = None) -> GoogleApiError:
    """400 for a missing required parameter or field."""
    return GoogleApiError(400, message, "required", location=location, location_type="parameter" if location else None)


def not_found(message: str = "Requested entity was not found.") -> GoogleApiError:
    """404 NOT_FOUND."""
    return GoogleApiError(404, message, "notFound")


def calendar_not_found() -> GoogleApiError:
    """404 as the Calendar error guide shows it."""
    return GoogleApiError(404, "Not Found", "notFound")


def unauthenticated(api: Api, *, missing: bool) -> GoogleApiError:
    """401 for a missing, unknown, expired or revoked access token."""
    if api == "calendar":
        if missing:
            return GoogleApiError(401, "Login Required", "required", location="Authorization", location_type="header")
        return GoogleApiError(401, "Invalid Credentials", "authError", location="Authorization", location_type="header")
    suffix = (
        "Expected OAuth 2 access token, login cookie or other valid authentication credential. "
        "See https://developers.google.com/identity/sign-in/web/devconsole-project."
    )
    if missing:
        message = "Request is missing required authentication credential. " + suffix
        return GoogleApiError(401, message, "required", location="Authorization", location_type="header")
    message = "Request had invalid authentication credentials. " + suffix
    return GoogleApiError(401, message, "authError", location="Authorization", location_type="header")


def insufficient_scopes() -> GoogleApiError:
    """403 for a token whose scopes do not cover the call."""
    return GoogleApiError(
        403,
        "Request had insufficient authentication scopes.",
        "insufficientPermissions",
        details=[error_info("ACCESS_TOKEN_SCOPE_INSUFFICIENT", "googleapis.com")],
    )


def failed_precondition(message: str, *, reason: str = "failedPrecondition") -> GoogleApiError:
    """400 FAILED_PRECONDITION (People's stale etag, expired sync token)."""
    return GoogleApiError(400, message, reason, canonical="FAILED_PRECONDITION")


def concurrent_mutation() -> GoogleApiError:
    """409 ABORTED for a mutation that overlaps another mutation of the same user.

    Google asks that "mutate requests for the same user should be sent sequentially to avoid increased latency and
    failures" without naming the failure; ABORTED is the canonical code for "a concurrency issue such as a sequencer
    check failure or transaction abort" (google.rpc.Code, HTTP 409).
    """
    return GoogleApiError(
        409, "The operation was aborted because of a concurrent mutation for the same user.", "aborted"
    )


def rate_limited(status: int, reason: str) -> GoogleApiError:
    """403 or 429 with ``usageLimits`` / ``rateLimitExceeded`` or ``userRateLimitExceeded``."""
    message = "User Rate Limit Exceeded" if reason == "userRateLimitExceeded" else "Rate Limit Exceeded"
    canonical = "RESOURCE_EXHAUSTED" if status == 429 else "PERMISSION_DENIED"
    return GoogleApiError(
        status,
        message,
        reason,
        domain="usageLimits",
        canonical=canonical,
        details=[error_info("RATE_LIMIT_EXCEEDED", "googleapis.com")],
    )


def invalid_json(detail: str) -> GoogleApiError:
    """400 for a body that is not the JSON the method takes."""
    return GoogleApiError(400, f"Invalid JSON payload received. {detail}", "invalid")
