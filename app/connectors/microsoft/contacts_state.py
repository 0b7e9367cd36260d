"""What the Outlook contact store knows of one mailbox between calls, and which of its contacts are items.

The state: the client, the selection method, whether private contacts are in scope, the synced folder and Deleted
Items ids once known, in manual selection the mailbox's other contact folders (where categorised contacts are looked
for, see :mod:`~app.connectors.microsoft.contacts_sources`), what this pass read (the answer ``get_many`` gives
without asking again) and the contacts as last read or written (for updates). The scope rules: a contact read by id
is gone, out of scope or an item; a contact of the folder is an item unless private or, in automatic selection,
excluded by its category.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.connectors.microsoft import mapping
from app.connectors.microsoft.client import GraphClient
from app.connectors.selection import DONT_SYNC_CATEGORY, SYNC_CONTAINER_NAME, SelectionMethod
from app.sync.items import Item
from app.sync.stores import Gone, Lookup, OutOfScope, StoreError


@dataclass(eq=False)
class ContactFolders:
    """Manual selection: the mailbox's contact folders as a ``/me/contactFolders/delta`` round last told them."""

    #: Every contact folder listed: id -> parent folder id (None: not read yet, a fresh round is due).
    parents: dict[str, str | None] | None = None
    #: The delta link of the folder round (None: a fresh round is due).
    link: str | None = None
    #: When the last fresh round ended (Graph's time, UTC text).
    read_at: str | None = None
    #: Where the next pass starts in the folders to search, when they do not all fit in one batch.
    turn: int = 0


@dataclass(eq=False)
class MailboxState:
    """One mailbox as the contact store sees it: its settings, its folders and what it has read."""

    client: GraphClient
    selection: SelectionMethod
    include_private: bool
    folder: str | None = None
    trash: str | None = None
    #: Manual selection: the other contact folders, searched for contacts that ask to be synced.
    contact_folders: ContactFolders = field(default_factory=ContactFolders)
    #: What this pass read: the answer ``get_many`` gives without asking again.
    seen: dict[str, Lookup] = field(default_factory=dict)
    #: Contacts as last read or written (their other addresses and numbers, for updates).
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def manual(self) -> bool:
        """Whether the selection is manual."""
        return self.selection is SelectionMethod.MANUAL

    @property
    def scope(self) -> str:
        """The scope as the cursor records it: a change of it calls for a complete listing."""
        return f"{self.selection.value}:{'private' if self.include_private else 'public'}"

    def require_folder(self) -> str:
        """The synced folder's id; a :class:`StoreError` while it is unknown."""
        if self.folder is None:
            raise StoreError(f"microsoft: the {SYNC_CONTAINER_NAME!r} folder is unknown")
        return self.folder

    def judge(self, item_id: str, doc: dict[str, Any] | None) -> Lookup:
        """A contact read by id: gone, out of scope (elsewhere, excluded), or the item."""
        if doc is None:
            return Gone(item_id)
        parent = mapping.parent_folder(doc)
        if self.trash is not None and parent == self.trash:
            return Gone(item_id)
        if parent != self.folder:
            return OutOfScope(item_id)
        return self.in_folder(doc)

    def in_folder(self, doc: Mapping[str, Any]) -> Item | OutOfScope:
        """A contact of the folder: the item, unless private or (automatic selection) excluded by its category."""
        if not self.include_private and mapping.is_private(doc):
            return OutOfScope(mapping.contact_id(doc))
        if not self.manual and mapping.has_category(doc, DONT_SYNC_CATEGORY):
            return OutOfScope(mapping.contact_id(doc))
        return item_of(doc)

    def remember(self, doc: dict[str, Any]) -> None:
        """Keep a contact as read or written (for a later update)."""
        self.docs[mapping.contact_id(doc)] = doc

    def record(self, doc: dict[str, Any], entries: dict[str, str]) -> bool:
        """Note a contact of the folder as seen this pass; True (and listed) when it is in scope."""
        lookup = self.in_folder(doc)
        self.seen[mapping.contact_id(doc)] = lookup
        if isinstance(lookup, Item):
            entries[lookup.id] = lookup.etag
            return True
        entries.pop(lookup.id, None)
        return False


def item_of(doc: Mapping[str, Any]) -> Item:
    """A contact as the sync engine's item."""
    return Item(
        mapping.contact_id(doc),
        mapping.change_key(doc),
        mapping.to_fields(doc),
        mapping.marker_of(doc),
        mapping.modified_at(doc),
    )
