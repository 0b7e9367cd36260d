"""What the item-store contract suite needs from each store: the store and a user's hands on the vendor side.

A harness starts with an empty scope (no item in scope). Its hands act as a user or an admin would, through
the vendor (or the sandbox's own state), never through the store under test.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from app.sync.stores import ItemStore


class StoreHarness(Protocol):
    """One store under contract test."""

    store: ItemStore
    #: True when a stale etag on update is refused with a PRECONDITION failure.
    supports_preconditions: bool

    def add(self, fields: Mapping[str, object]) -> str:
        """A user adds an item inside the synced scope; returns its id as the store reports it."""
        ...

    def add_outside(self, fields: Mapping[str, object]) -> str:
        """A user adds an item that exists but is outside the synced scope; returns its id."""
        ...

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        """A user changes fields of an item (contact projection names; None clears)."""
        ...

    def remove(self, item_id: str) -> None:
        """A user deletes an item."""
        ...

    def leave_scope(self, item_id: str) -> None:
        """The item stays but leaves scope (moved out of the folder or group, owner changed, ...)."""
        ...

    def expire_cursor(self) -> None:
        """Cursors handed out so far stop working (410, EXPIRED_SYNC_TOKEN, a watermark too old)."""
        ...

    def calls(self) -> int:
        """Vendor API calls made so far (HTTP requests as the vendor counts them)."""
        ...
