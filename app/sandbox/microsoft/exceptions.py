"""Microsoft Graph's errors as the service words them.

Every error answer is ``{"error": {"code", "message", "innerError": {"date", "request-id", "client-request-id"}}}``
("Microsoft Graph error responses and resource types"). The codes below are the ones Outlook's endpoints send;
COVERAGE.md says which ones were seen only in public issue threads rather than in the documentation.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class GraphError(Exception):
    """An error answer: HTTP status, Graph's error code and message, and extra response headers."""

    status: int
    code: str
    message: str
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__(f"{self.status} {self.code}: {self.message}")


def item_not_found() -> GraphError:
    """404 for an id that names nothing in this mailbox (or an old id of an item that moved)."""
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def id_malformed() -> GraphError:
    """400 for an id that is not an Outlook id at all."""
    return GraphError(400, "ErrorInvalidIdMalformed", "Id is malformed.")


def change_key_mismatch() -> GraphError:
    """412 for an ``If-Match`` etag that is not the item's current one."""
    return GraphError(
        412,
        "ErrorIrresolvableConflict",
        "The send or update operation could not be performed because the change key passed in the request does not "
        "match the current change key for the item.",
    )


def bad_request(message: str, code: str = "BadRequest") -> GraphError:
    """400 with Graph's generic request code (or a more specific one)."""
    return GraphError(400, code, message)


def invalid_property(message: str) -> GraphError:
    """400 for a property value Outlook refuses."""
    return GraphError(400, "ErrorInvalidProperty", message)


def unknown_body_property(name: str, type_name: str) -> GraphError:
    """400 for a request body property the resource type does not have."""
    return GraphError(
        400,
        "RequestBodyRead",
        f"The property '{name}' does not exist on type '{type_name}'. Make sure to only use property names that are "
        "defined by the type or mark the type as open type.",
    )


def unknown_select_property(name: str, type_name: str) -> GraphError:
    """400 for a ``$select``/``$orderby`` property the resource type does not have."""
    return GraphError(400, "RequestBroker-ParseUri", f"Could not find a property named '{name}' on type '{type_name}'.")


def invalid_filter(detail: str) -> GraphError:
    """400 for a ``$filter`` Outlook cannot evaluate."""
    return GraphError(
        400, "ErrorInvalidUrlQueryFilter", f"The query filter contains one or more invalid nodes. {detail}"
    )


def resource_not_found(segment: str) -> GraphError:
    """400 for a path segment Graph does not know (Graph answers unknown segments with 400, not 404)."""
    return GraphError(400, "BadRequest", f"Resource not found for the segment '{segment}'.")


def method_not_allowed(method: str) -> GraphError:
    """405 for a method the resource does not support."""
    return GraphError(
        405, "Request_BadRequest", f"Specified HTTP method '{method}' is not allowed for the request target."
    )


def access_denied() -> GraphError:
    """403 for another user's mailbox (the sandbox grants delegated access to one's own mailbox only)."""
    return GraphError(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")


def unauthenticated(message: str = "Access token is empty.") -> GraphError:
    """401 for a missing, unknown, expired or revoked bearer token (with Graph's ``WWW-Authenticate`` challenge)."""
    challenge = (
        'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", '
        'client_id="00000003-0000-0000-c000-000000000000"'
    )
    return GraphError(401, "InvalidAuthenticationToken", message, {"WWW-Authenticate": challenge})


def mailbox_not_enabled() -> GraphError:
    """404 for a user whose mail is not hosted at Microsoft (a Google-mailbox sandbox user)."""
    return GraphError(
        404, "MailboxNotEnabledForRESTAPI", "The mailbox is either inactive, soft-deleted, or is hosted on-premise."
    )


def user_not_found(ref: str) -> GraphError:
    """404 in the directory's own words for ``/users/{unknown}``."""
    return GraphError(
        404,
        "Request_ResourceNotFound",
        f"Resource '{ref}' does not exist or one of its queried reference-property objects are not present.",
    )


def sync_state_not_found(location: str, generation: int) -> GraphError:
    """410 for a delta or skip token whose sync state aged out of the cache; restart without a token."""
    return GraphError(
        410,
        "SyncStateNotFound",
        f"The sync state generation is not found; generation={generation};[highest={generation + 1}].",
        {"Location": location},
    )


def resync_required(location: str) -> GraphError:
    """410 for a delta token the service invalidated; ``Location`` is the round's first request, token-less."""
    return GraphError(
        410,
        "resyncRequired",
        "The delta token is no longer valid, and the app must reset the sync state.",
        {"Location": location},
    )


def throttled(message: str, retry_after: int | None) -> GraphError:
    """429 from Exchange's per-mailbox budgets; ``Retry-After`` in seconds when the service sends one."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return GraphError(429, "ApplicationThrottled", message, headers)


def time_zone_not_supported(name: str) -> GraphError:
    """400 for a ``timeZone`` Outlook does not know."""
    return GraphError(
        400,
        "TimeZoneNotSupportedException",
        f"A valid TimeZone value must be specified. The following TimeZone value is not supported: '{name}'.",
    )


def invalid_parameter(message: str) -> GraphError:
    """400 for a missing or invalid query parameter of an Outlook function (calendarView's window)."""
    return GraphError(400, "ErrorInvalidParameter", message)
