"""One Outlook mailbox: containers, items, master categories, and the change log that delta rounds read.

Every write goes through :class:`Mailbox` so that it bumps the item's change key and appends to the change log;
delta tokens are positions in that log. Items keep their Graph properties in ``props`` (client-writable values, as
Graph would store them); ids, change keys and timestamps are derived when an item is rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from app.sandbox.directory import SandboxUser
from app.sandbox.microsoft import ids
from app.sandbox.microsoft.timezones import UTC_ZONE, Zone

ItemKind = Literal["contact", "event", "task", "message"]
FolderKind = Literal["contactFolder", "calendar", "todoList", "mailFolder"]
RemovedReason = Literal["deleted", "changed"]

#: Change-log scopes for container changes (contact folder and task list delta), one per folder kind.
FOLDER_SCOPES: dict[FolderKind, bytes] = {
    "contactFolder": b"scope:contactFolders",
    "calendar": b"scope:calendars",
    "todoList": b"scope:todoLists",
    "mailFolder": b"scope:mailFolders",
}


@dataclass
class Attachment:
    """A file attachment of a message."""

    key: bytes
    name: str
    content_type: str
    content: bytes
    modified: datetime
    is_inline: bool = False
    content_id: str | None = None


@dataclass
class Item:
    """A contact, event, To Do task or message."""

    key: bytes
    kind: ItemKind
    folder: bytes
    props: dict[str, Any]
    version: int
    created: datetime
    modified: datetime
    #: Single-value extended properties: normalized id -> (id as the client wrote it, value).
    extended: dict[str, tuple[str, str]] = field(default_factory=dict)
    attachments: list[Attachment] = field(default_factory=list)
    # Events only: start and end as UTC moments and the zones they were given in.
    start: datetime | None = None
    end: datetime | None = None
    start_zone: Zone = UTC_ZONE
    end_zone: Zone = UTC_ZONE
    #: Exceptions: the series master and the occurrence's original start.
    series_master: bytes | None = None
    original_start: datetime | None = None
    #: Series masters: original starts of deleted occurrences, and of occurrences replaced by exceptions.
    cancelled: set[datetime] = field(default_factory=set)
    exceptions: dict[datetime, bytes] = field(default_factory=dict)


@dataclass
class Folder:
    """A container: contact folder, calendar, To Do list or mail folder."""

    key: bytes
    kind: FolderKind
    props: dict[str, Any]
    parent: bytes | None
    version: int
    well_known: str | None = None


@dataclass(frozen=True)
class Change:
    """One change-log entry: in ``scope`` (a container key or a folder scope), ``key`` changed or went away."""

    seq: int
    scope: bytes
    key: bytes
    removed: RemovedReason | None = None


class Mailbox:
    """A user's mailbox. All writes happen on the event loop (handlers are ``async def``)."""

    def __init__(self, user: SandboxUser) -> None:
        self.user = user
        self.guid = user.microsoft_id
        self.folders: dict[bytes, Folder] = {}
        self.items: dict[bytes, Item] = {}
        self.categories: list[dict[str, str]] = []
        #: Event ``transactionId`` -> event key, so a retried create returns the first event.
        self.transactions: dict[str, bytes] = {}
        self.log: list[Change] = []
        self._keys = 0
        self._version = 0

    # -- keys and versions

    def new_key(self, kind: str) -> bytes:
        """A fresh deterministic key (the n-th key this mailbox handed out)."""
        self._keys += 1
        return ids.make_key(self.user.email, kind, str(self._keys))

    def _bump(self) -> int:
        self._version += 1
        return self._version

    @property
    def position(self) -> int:
        """The change log's current end (what a delta token issued now covers)."""
        return self.log[-1].seq if self.log else 0

    def _record(self, scope: bytes, key: bytes, removed: RemovedReason | None = None) -> None:
        self.log.append(Change(self.position + 1, scope, key, removed))

    def change_key(self, version: int) -> str:
        """The change key of a version of an item or folder."""
        return ids.change_key(self.guid, version)

    # -- containers

    def add_folder(
        self, kind: FolderKind, props: dict[str, Any], *, parent: bytes | None = None, well_known: str | None = None
    ) -> Folder:
        """Create a container."""
        folder = Folder(self.new_key(kind), kind, dict(props), parent, self._bump(), well_known)
        self.folders[folder.key] = folder
        self._record(FOLDER_SCOPES[kind], folder.key)
        return folder

    def update_folder(self, folder: Folder, props: dict[str, Any]) -> None:
        """Change a container's properties."""
        folder.props.update(props)
        folder.version = self._bump()
        self._record(FOLDER_SCOPES[folder.kind], folder.key)

    def delete_folder(self, folder: Folder) -> None:
        """Delete a container with its items and sub-containers."""
        for child in [f for f in self.folders.values() if f.parent == folder.key]:
            self.delete_folder(child)
        for item in self.items_in(folder.key):
            self.delete_item(item)
        del self.folders[folder.key]
        self._record(FOLDER_SCOPES[folder.kind], folder.key, "deleted")

    def folder_id(self, folder: Folder) -> str:
        """A container's id."""
        return ids.folder_id(self.guid, folder.key)

    def folders_of(self, kind: FolderKind) -> list[Folder]:
        """Containers of one kind, in creation order."""
        return [f for f in self.folders.values() if f.kind == kind]

    def well_known(self, kind: FolderKind, name: str) -> Folder | None:
        """The container with a well-known name (``contacts``, ``calendar``, ``defaultList``, ``inbox``...)."""
        for folder in self.folders.values():
            if folder.kind == kind and folder.well_known == name:
                return folder
        return None

    def default_folder(self, kind: FolderKind) -> Folder:
        """The default container of a kind (Contacts, Calendar, Tasks, Inbox)."""
        name = {"contactFolder": "contacts", "calendar": "calendar", "todoList": "defaultList", "mailFolder": "inbox"}
        folder = self.well_known(kind, name[kind])
        assert folder is not None, f"mailbox of {self.user.email} lacks its default {kind}"
        return folder

    # -- items

    def add_item(self, kind: ItemKind, folder: Folder, props: dict[str, Any], now: datetime, **extra: Any) -> Item:
        """Create an item in ``folder``."""
        item = Item(self.new_key(kind), kind, folder.key, dict(props), self._bump(), now, now, **extra)
        self.items[item.key] = item
        self._record(folder.key, item.key)
        return item

    def touch(self, item: Item, now: datetime) -> None:
        """Record a change to ``item`` (its properties were already changed in place)."""
        item.version = self._bump()
        item.modified = now
        self._record(item.folder, item.key)

    def delete_item(self, item: Item) -> None:
        """Delete an item (and, for a series master, its exceptions)."""
        for exception_key in list(item.exceptions.values()):
            exception = self.items.get(exception_key)
            if exception is not None:
                self.delete_item(exception)
        self.items.pop(item.key, None)
        self._record(item.folder, item.key, "deleted")
        if item.kind == "event":
            self.transactions = {t: k for t, k in self.transactions.items() if k != item.key}

    def move_item(self, item: Item, folder: Folder, now: datetime) -> None:
        """Move an item to another container: its REST id changes, its immutable id does not."""
        self._record(item.folder, item.key, "changed")
        item.folder = folder.key
        self.touch(item, now)

    def items_in(self, folder_key: bytes, kind: ItemKind | None = None) -> list[Item]:
        """The items of a container, oldest first."""
        return [i for i in self.items.values() if i.folder == folder_key and (kind is None or i.kind == kind)]

    def item_id(self, item: Item, *, immutable: bool) -> str:
        """An item's id in the requested form."""
        return ids.item_id(self.guid, item.key, item.folder, immutable=immutable)

    def changes_since(self, scope: bytes, position: int) -> list[Change]:
        """Change-log entries of ``scope`` after ``position``, oldest first."""
        return [change for change in self.log if change.seq > position and change.scope == scope]

    def changes_between(self, scope: bytes, after: int, upto: int) -> list[Change]:
        """Change-log entries of ``scope`` in ``(after, upto]``."""
        return [change for change in self.log if after < change.seq <= upto and change.scope == scope]
