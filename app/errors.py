"""The application's error tree. Each error carries the HTTP status it renders as and a stable code.

Messages are written for people: they say what went wrong and, where possible, what to do. They never
contain secrets, tokens or stack traces.
"""

from __future__ import annotations


class CrmbridgeError(Exception):
    """Base of every error crmbridge raises on purpose."""

    status_code: int = 500
    code: str = "internal_error"
    default_message: str = "Something went wrong on our side. The error has been logged."

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ConfigurationError(CrmbridgeError):
    """The service is configured in a way it cannot run with."""

    code = "configuration_error"


class InvalidInput(CrmbridgeError):
    """The request is understood but its content is not acceptable."""

    status_code = 422
    code = "invalid_input"
    default_message = "The request contains values that are not acceptable."


class BadRequest(CrmbridgeError):
    """The request cannot be understood."""

    status_code = 400
    code = "bad_request"
    default_message = "The request could not be understood."


class NotAuthenticated(CrmbridgeError):
    """No valid credentials came with the request."""

    status_code = 401
    code = "not_authenticated"
    default_message = "Sign in to continue."


class Forbidden(CrmbridgeError):
    """The caller is known but may not do this."""

    status_code = 403
    code = "forbidden"
    default_message = "You are not allowed to do this."


class CsrfFailed(Forbidden):
    """A state-changing form arrived without the token of the page it came from."""

    code = "csrf_failed"
    default_message = (
        "This form did not come from a crmbridge page you opened, or it has expired. "
        "Go back, reload the page and try again."
    )


class NotFound(CrmbridgeError):
    """The thing asked for does not exist (or the caller may not know it does)."""

    status_code = 404
    code = "not_found"
    default_message = "Not found."


class Conflict(CrmbridgeError):
    """The request conflicts with the current state."""

    status_code = 409
    code = "conflict"
    default_message = "This conflicts with the current state; reload and try again."


class ConnectionUnavailable(CrmbridgeError):
    """The user's account at a vendor is not connected, or must be connected again before it can be used."""

    status_code = 409
    code = "connection_unavailable"
    default_message = "Connect your account in Settings → Connections, then try again."

    def __init__(
        self,
        message: str | None = None,
        *,
        provider: str,
        needs_reauth: bool,
        revoked_connection_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        super().__init__(message)
        self.provider = provider
        self.needs_reauth = needs_reauth
        #: Set when the vendor has just revoked the grant: the boundary records that after rolling back.
        self.revoked_connection_id = revoked_connection_id
        self.detail = detail


class PayloadTooLarge(CrmbridgeError):
    """The request body is bigger than allowed."""

    status_code = 413
    code = "payload_too_large"
    default_message = "The request is too large."


class RateLimited(CrmbridgeError):
    """Too many requests; retry after ``retry_after`` seconds."""

    status_code = 429
    code = "rate_limited"
    default_message = "Too many requests; wait a moment and try again."

    def __init__(self, message: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ServiceUnavailable(CrmbridgeError):
    """A dependency (the database, a vendor) cannot be reached right now."""

    status_code = 503
    code = "service_unavailable"
    default_message = "The service is temporarily unavailable; try again shortly."
