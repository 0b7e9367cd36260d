"""Delta rounds: what changed in a collection since a state token, served page by page.

Tokens are opaque ids of server-side state ("Use delta query to track changes in Microsoft Graph data"): a
``$deltatoken`` names a position in the mailbox's change log (plus, for a calendar view, the instances it had);
a ``$skiptoken`` names one page of a round in progress. A token expires after ``token_lifetime_seconds`` of sandbox
time, or when the control API expires it; either way the client gets 410 with a ``Location`` header holding the
round's first request, token-less. Removed items come as ``{"id", "@removed": {"reason"}}``.

Two documented imperfections can be switched on: replays ("the same change appears in subsequent responses") and
duplicates ("a single entity will be contained multiple times in the response"). Both are off by default.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import quote

from app.sandbox.clock import SandboxClock
from app.sandbox.microsoft.calendar import Instance
from app.sandbox.microsoft.exceptions import resync_required, sync_state_not_found
from app.sandbox.microsoft.models import Change, Mailbox, RemovedReason

DeltaKind = Literal["contacts", "contactFolders", "tasks", "todoLists", "calendarView"]
ExpiryCode = Literal["resyncRequired", "syncStateNotFound"]

ROOT = "https://graph.microsoft.com/v1.0"


@dataclass
class DeltaSettings:
    """How delta rounds behave, adjustable through ``PATCH /_sandbox/microsoft/settings``."""

    #: Sandbox seconds a token lives [sandbox choice: Outlook's limit "is not fixed"; 7 days like directory tokens].
    token_lifetime_seconds: int = 7 * 24 * 3600
    #: Items per page without ``Prefer: odata.maxpagesize`` [unofficial: Microsoft Q&A says 200 for contacts].
    default_page_size: int = 200
    #: Start every follow-up round by repeating what the previous round delivered.
    replays: bool = False
    #: Report every change of an item, not just its latest state (an item can appear several times in a round).
    duplicates: bool = False


@dataclass(frozen=True)
class Scope:
    """What a round tracks, and how to write its links."""

    mailbox: str
    kind: DeltaKind
    #: The change-log scope: a container key, or a folder-kind scope for container deltas.
    change_scope: bytes
    #: The request path after ``/v1.0`` (``/me/contactFolders/{id}/contacts/delta``).
    path: str
    #: The initial request's parameters, which the tokens stand for.
    initial_query: tuple[tuple[str, str], ...] = ()
    select: tuple[str, ...] | None = None
    window: tuple[datetime, datetime] | None = None

    def location(self) -> str:
        """The round's first request with an empty ``$deltatoken`` (the ``Location`` of a 410)."""
        query = [*self.initial_query, ("$deltatoken", "")]
        return f"{ROOT}{self.path}?" + "&".join(f"{quote(k, safe='$')}={quote(v, safe=':')}" for k, v in query)


@dataclass(frozen=True)
class Entry:
    """One element of a round: an item (``i:<key>``), occurrence (``o:<key>:<start>``) or folder (``f:<key>``)."""

    ref: str
    removed: RemovedReason | None = None


@dataclass
class Cursor:
    """The state behind a ``$deltatoken``."""

    scope: Scope
    position: int
    issued: datetime
    generation: int
    #: A calendar view's instances at the time (token -> version).
    snapshot: dict[str, int] | None = None
    #: What the round that produced this cursor delivered (for replays).
    delivered: tuple[Entry, ...] = ()
    expired: ExpiryCode | None = None


@dataclass
class Round:
    """A round in progress: its entries, and the cursor its last page hands out."""

    scope: Scope
    entries: list[Entry]
    next_cursor: Cursor
    issued: datetime
    expired: ExpiryCode | None = None


@dataclass(frozen=True)
class Page:
    """One page of a round: its entries and the link that follows it."""

    entries: list[Entry]
    next_link: str | None
    delta_link: str | None


class DeltaStore:
    """Every live token of the sandbox."""

    def __init__(self, clock: SandboxClock, settings: DeltaSettings) -> None:
        self._clock = clock
        self.settings = settings
        self._cursors: dict[str, Cursor] = {}
        self._rounds: dict[str, tuple[Round, int]] = {}
        self._generation = 0

    def clear(self) -> None:
        """Forget every token."""
        self._cursors.clear()
        self._rounds.clear()

    def _check(self, scope: Scope, issued: datetime, expired: ExpiryCode | None, mailbox: str) -> None:
        if scope.mailbox != mailbox:
            raise sync_state_not_found(scope.location(), self._generation)
        if expired == "resyncRequired":
            raise resync_required(scope.location())
        lifetime = timedelta(seconds=self.settings.token_lifetime_seconds)
        if expired == "syncStateNotFound" or issued + lifetime <= self._clock.now():
            raise sync_state_not_found(scope.location(), self._generation)

    def cursor(self, token: str, mailbox: str, fallback: Scope) -> Cursor:
        """The state behind a ``$deltatoken``; 410 if unknown, expired or invalidated."""
        found = self._cursors.get(token)
        if found is None:
            raise sync_state_not_found(fallback.location(), self._generation)
        self._check(found.scope, found.issued, found.expired, mailbox)
        return found

    def page(self, token: str, mailbox: str, fallback: Scope, size: int) -> tuple[Scope, Page]:
        """The round and page behind a ``$skiptoken``; 410 if unknown, expired or invalidated."""
        found = self._rounds.get(token)
        if found is None:
            raise sync_state_not_found(fallback.location(), self._generation)
        round_, offset = found
        self._check(round_.scope, round_.issued, round_.expired, mailbox)
        return round_.scope, self._serve(round_, offset, size)

    def start(
        self, scope: Scope, entries: list[Entry], position: int, snapshot: dict[str, int] | None, size: int
    ) -> Page:
        """Begin a round over ``entries``; its last page hands out a cursor at ``position``."""
        self._generation += 1
        now = self._clock.now()
        cursor = Cursor(scope, position, now, self._generation, snapshot, tuple(entries))
        return self._serve(Round(scope, entries, cursor, now), 0, size)

    def _serve(self, round_: Round, offset: int, size: int) -> Page:
        size = max(1, size)
        chunk = round_.entries[offset : offset + size]
        if offset + size < len(round_.entries):
            token = secrets.token_urlsafe(32)
            self._rounds[token] = (round_, offset + size)
            return Page(chunk, f"{ROOT}{round_.scope.path}?$skiptoken={token}", None)
        token = secrets.token_urlsafe(32)
        self._cursors[token] = replace(round_.next_cursor, issued=self._clock.now())
        return Page(chunk, None, f"{ROOT}{round_.scope.path}?$deltatoken={token}")

    def expire(self, mailbox: str | None, code: ExpiryCode) -> int:
        """Invalidate every token (of one mailbox); returns how many."""
        count = 0
        for cursor in self._cursors.values():
            if mailbox is None or cursor.scope.mailbox == mailbox:
                cursor.expired = code
                count += 1
        for round_, _ in self._rounds.values():
            if mailbox is None or round_.scope.mailbox == mailbox:
                round_.expired = code
                count += 1
        return count


def _collapse(changes: list[Change], duplicates: bool, prefix: str) -> list[Entry]:
    if duplicates:
        return [Entry(f"{prefix}{c.key.hex()}", c.removed) for c in changes]
    latest: dict[bytes, Change] = {}
    for change in changes:
        latest.pop(change.key, None)
        latest[change.key] = change
    return [Entry(f"{prefix}{c.key.hex()}", c.removed) for c in latest.values()]


def change_entries(mailbox: Mailbox, scope: Scope, cursor: Cursor, settings: DeltaSettings, prefix: str) -> list[Entry]:
    """A follow-up round of a folder-like collection: what the change log says happened since the cursor."""
    changes = mailbox.changes_since(scope.change_scope, cursor.position)
    entries = _collapse(changes, settings.duplicates, prefix)
    if settings.replays:
        entries = [*cursor.delivered, *entries]
    return entries


def calendar_entries(
    mailbox: Mailbox, instances: list[Instance], cursor: Cursor, settings: DeltaSettings
) -> list[Entry]:
    """A follow-up round of a calendar view: instances new or changed in the window, instances that left it, and
    events changed outside it (reported as ``deleted``, as event: delta documents)."""
    before = cursor.snapshot or {}
    now = {instance.token: instance.version for instance in instances}
    entries = [Entry(token) for token, version in now.items() if before.get(token) != version]
    entries += [Entry(token, "deleted") for token in before if token not in now]
    seen = {entry.ref for entry in entries} | set(now)
    for change in mailbox.changes_since(cursor.scope.change_scope, cursor.position):
        ref = f"i:{change.key.hex()}"
        item = mailbox.items.get(change.key)
        if item is not None and item.props.get("recurrence"):
            continue  # a series shows through its instances, never as the master itself
        if ref not in seen:
            entries.append(Entry(ref, "deleted"))
            seen.add(ref)
    if settings.replays:
        entries = [*cursor.delivered, *entries]
    return entries
