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
    #: A text field of the projection that a user can change and clear (``title`` for contacts).
    edit_field: str

    def sample(self, n: int, **extra: object) -> dict[str, object]:
        """The ``n``-th sample item in the store's projection, as it reads back (``extra`` replaces fields)."""
        ...

    def add(self, fields: Mapping[str, object]) -> str:
        """A user adds an item inside the synced scope; returns its id as the store reports it."""
        ...

    def add_outside(self, fields: Mapping[str, object]) -> str:
        """A user adds an item that exists but is outside the synced scope; returns its id."""
        ...

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        """A user changes fields of an item (projection names; None clears)."""
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


def contact_sample(n: int, **extra: object) -> dict[str, object]:
    """A contact in the shared projection."""
    fields: dict[str, object] = {
        "first_name": f"Ada{n}",
        "last_name": f"Contract{n}",
        "email": f"ada{n}@contract.example.com",
        "phones": (f"+1 555 01{n:02d}",),
        "title": "Engineer",
    }
    fields.update(extra)
    return fields


class ContactHarness:
    """What the contact stores' harnesses share: contact samples, edited through ``title``."""

    edit_field = "title"

    def sample(self, n: int, **extra: object) -> dict[str, object]:
        return contact_sample(n, **extra)
