"""The small, typed error tree every connector raises at its boundary (DESIGN principle 6).

Vendor libraries' own exceptions and HTTP statuses never travel further than the connector that met them.
"""

from __future__ import annotations


class VendorError(Exception):
    """A vendor call failed. ``vendor`` is ``salesforce``, ``microsoft`` or ``google``."""

    def __init__(self, vendor: str, message: str) -> None:
        super().__init__(f"{vendor}: {message}")
        self.vendor = vendor
        self.message = message


class Throttled(VendorError):
    """The vendor asked us to slow down; retry after ``retry_after`` seconds when it said so."""

    def __init__(self, vendor: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(vendor, message)
        self.retry_after = retry_after


class AuthRevoked(VendorError):
    """The user's grant is gone (revoked, expired refresh token, ``invalid_grant``): they must connect again."""


class NotFound(VendorError):
    """The record or item does not exist (or is not visible to this user)."""


class InvalidData(VendorError):
    """The vendor refused the data we sent; ``fields`` names the offending fields when known."""

    def __init__(self, vendor: str, message: str, fields: tuple[str, ...] = (), code: str | None = None) -> None:
        super().__init__(vendor, message)
        self.fields = fields
        self.code = code


class LimitExceeded(VendorError):
    """A quota that does not clear within seconds (for example Salesforce's daily API requests)."""


class CursorExpired(VendorError):
    """A change cursor (delta link, sync token, watermark) is no longer valid; a full listing is needed."""


class VendorUnavailable(VendorError):
    """The vendor could not be reached or answered with a server error; worth retrying later."""
