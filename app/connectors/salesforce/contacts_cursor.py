"""The Salesforce contact store's cursor: what it keeps between passes (as JSON in the engine's cursor), which kind
of listing it calls for, and the cursor that follows a listing.

It holds the watermark (the latest SystemModstamp read, or the listing's start less the overlap when that is later,
so that a quiet scope does not re-read its last burst of changes forever), the rows re-read lately, when the store
last listed and last listed completely, and the Contact describe and list view SOQL with the time they were read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from app.connectors.salesforce.contacts_mapping import ContactDescribe, parse_stamp
from app.connectors.salesforce.contacts_soql import ListViewFilter

#: Rows re-read before the watermark on every incremental listing (records committed late carry earlier stamps).
OVERLAP = timedelta(minutes=5)
#: A cursor older than this lists everything again (the Recycle Bin keeps deleted rows for 15 days).
CURSOR_MAX_AGE = timedelta(days=14)
#: How often "all" and "mine" list complete memberships anyway (sharing changes move no SystemModstamp).
RECONCILE_EVERY = timedelta(days=1)
#: How long the cached describe and list view SOQL are trusted.
METADATA_MAX_AGE = timedelta(days=1)
#: Re-read rows remembered in the cursor at most, newest first (beyond it, a re-read row is reported again with
#: the etag the engine already has, which costs nothing but keeps the cursor small after a bulk load).
SEEN_LIMIT = 2000
_CURSOR_VERSION = 1


class ListingMode(StrEnum):
    """Which listing a pass makes (see :mod:`app.connectors.salesforce.contacts_store`)."""

    FULL = "full"
    RECONCILE = "reconcile"
    INCREMENTAL = "incremental"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.utcoffset() is not None else None


@dataclass
class ContactCursor:
    """What the store keeps between passes (as JSON in the engine's cursor)."""

    scope: str
    user: str
    view: str | None
    watermark: datetime | None = None
    seen: dict[str, str] = field(default_factory=dict)
    listed_at: datetime | None = None
    complete_at: datetime | None = None
    metadata_at: datetime | None = None
    describe: ContactDescribe | None = None
    view_filter: ListViewFilter | None = None
    view_hash: str | None = None

    def to_text(self) -> str:
        data = {
            "v": _CURSOR_VERSION,
            "scope": self.scope,
            "user": self.user,
            "view": self.view,
            "watermark": _iso(self.watermark),
            "seen": self.seen,
            "listed_at": _iso(self.listed_at),
            "complete_at": _iso(self.complete_at),
            "metadata_at": _iso(self.metadata_at),
            "describe": self.describe.to_json() if self.describe else None,
            "view_filter": [self.view_filter.scope, self.view_filter.where] if self.view_filter else None,
            "view_hash": self.view_hash,
        }
        return json.dumps(data, separators=(",", ":"), sort_keys=True)

    @classmethod
    def parse(cls, text: str | None, *, scope: str, user: str, view: str | None) -> ContactCursor | None:
        """The cursor, when ``text`` is one of ours for the same scope; None otherwise (list everything)."""
        try:
            data = json.loads(text) if text else None
            if not isinstance(data, dict) or data.get("v") != _CURSOR_VERSION:
                return None
            if (data.get("scope"), data.get("user"), data.get("view")) != (scope, user, view):
                return None
            view_filter = data.get("view_filter")
            seen = data.get("seen") or {}
            return cls(
                scope=scope,
                user=user,
                view=view,
                watermark=_moment(data.get("watermark")),
                seen={str(k): str(v) for k, v in seen.items()} if isinstance(seen, dict) else {},
                listed_at=_moment(data.get("listed_at")),
                complete_at=_moment(data.get("complete_at")),
                metadata_at=_moment(data.get("metadata_at")),
                describe=ContactDescribe.from_json(data.get("describe")),
                view_filter=ListViewFilter(view_filter[0], view_filter[1]) if isinstance(view_filter, list) else None,
                view_hash=data.get("view_hash"),
            )
        except (ValueError, TypeError, IndexError, AttributeError):
            return None

    def metadata_due(self, now: datetime) -> bool:
        """Whether the describe and list view SOQL are to be read again (missing, or older than a day)."""
        return self.metadata_at is None or now - self.metadata_at >= METADATA_MAX_AGE or self.describe is None

    def mode(self, now: datetime, *, always_reconcile: bool) -> ListingMode:
        """The listing this cursor calls for: complete the first time, reconcile when ``always_reconcile`` (a list
        view) or the cursor is old, incremental otherwise."""
        if self.watermark is None or self.listed_at is None or self.complete_at is None:
            return ListingMode.FULL
        if always_reconcile or now - self.listed_at >= CURSOR_MAX_AGE or now - self.complete_at >= RECONCILE_EVERY:
            return ListingMode.RECONCILE
        return ListingMode.INCREMENTAL

    def advanced(
        self,
        stamps: Mapping[str, str],
        now: datetime,
        *,
        complete: bool,
        refreshed: bool,
        describe: ContactDescribe | None,
        view_filter: ListViewFilter | None,
        view_hash: str | None,
    ) -> ContactCursor:
        """The cursor after a listing (started at ``now``) that read ``stamps`` (SystemModstamp by 15-character
        id), with the describe and list view SOQL the store holds now (``refreshed``: read by this listing)."""
        # The latest stamp read, or the listing's start less the overlap when that is later: the next listing then
        # re-reads the last few minutes, not everything since the last change (a clock ahead of Salesforce's by
        # less than twice the overlap loses nothing).
        candidates = [parse_stamp(stamp) for stamp in stamps.values()] + [now - OVERLAP]
        watermark = max([*candidates, *([self.watermark] if self.watermark else [])])
        floor = watermark - OVERLAP
        recent = [(key, stamp) for key, stamp in self.seen.items() if key not in stamps]
        recent += list(stamps.items())
        kept = [(parse_stamp(stamp), key, stamp) for key, stamp in recent]
        kept = sorted((item for item in kept if item[0] >= floor), reverse=True)[:SEEN_LIMIT]
        seen = {key: stamp for _when, key, stamp in kept}
        return ContactCursor(
            scope=self.scope,
            user=self.user,
            view=self.view,
            watermark=watermark,
            seen=seen,
            listed_at=now,
            complete_at=now if complete else self.complete_at,
            metadata_at=now if refreshed else self.metadata_at,
            describe=describe,
            view_filter=view_filter,
            view_hash=view_hash,
        )
