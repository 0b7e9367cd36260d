"""The cursor of the Salesforce event and task stores: the contact store's watermark cursor
(:class:`app.connectors.salesforce.contacts_cursor.ContactCursor`: watermark, re-read rows, listing times and the
kind of listing they call for) with the object's describe beside it.

The contact cursor's scope holds what decides the listing's scope (the object, an event store's window and flags):
a cursor made for another scope is not ours, and the listing is a complete one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from app.connectors.salesforce.activities_describe import ActivityDescribe
from app.connectors.salesforce.contacts_cursor import METADATA_MAX_AGE, ContactCursor, ListingMode

__all__ = ["ActivityCursor", "ListingMode"]

_VERSION = 1


@dataclass
class ActivityCursor:
    """What an event or task store keeps between passes."""

    base: ContactCursor
    describe: ActivityDescribe | None = None

    @classmethod
    def fresh(cls, scope: str, user: str) -> ActivityCursor:
        """The state before any listing."""
        return cls(ContactCursor(scope, user, None))

    @classmethod
    def parse(cls, text: str | None, *, scope: str, user: str) -> ActivityCursor | None:
        """The cursor, when ``text`` is one of ours for the same scope and user; None otherwise."""
        try:
            data = json.loads(text) if text else None
        except ValueError:
            return None
        if not isinstance(data, Mapping) or data.get("v") != _VERSION or not isinstance(data.get("base"), Mapping):
            return None
        base = ContactCursor.parse(json.dumps(data["base"]), scope=scope, user=user, view=None)
        if base is None:
            return None
        return cls(base, ActivityDescribe.from_json(data.get("describe")))

    def to_text(self) -> str:
        """The cursor as the engine keeps it."""
        data = {
            "v": _VERSION,
            "base": json.loads(self.base.to_text()),
            "describe": self.describe.to_json() if self.describe else None,
        }
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    def describe_due(self, now: datetime) -> bool:
        """Whether the describe is to be read again (missing, or older than a day)."""
        read_at = self.base.metadata_at
        return self.describe is None or read_at is None or now - read_at >= METADATA_MAX_AGE

    def mode(self, now: datetime) -> ListingMode:
        """The listing this cursor calls for (see :meth:`ContactCursor.mode`)."""
        return self.base.mode(now, always_reconcile=False)

    def advanced(
        self, stamps: Mapping[str, str], now: datetime, *, complete: bool, describe: ActivityDescribe | None
    ) -> ActivityCursor:
        """The cursor after a listing started at ``now`` that read ``stamps`` (SystemModstamp by 15-character id);
        ``describe`` is the one the store holds now (read by this listing when it differs from the cursor's)."""
        refreshed = describe is not None and describe is not self.describe
        base = self.base.advanced(
            stamps, now, complete=complete, refreshed=refreshed, describe=None, view_filter=None, view_hash=None
        )
        return ActivityCursor(base, describe)
