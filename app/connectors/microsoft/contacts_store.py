"""The Outlook side of contact sync: the "Salesforce Contacts" folder of one mailbox, as an :class:`ItemStore`.

Scope. The folder (created on the first pass, then found by the id kept in the cursor, so renaming it changes
nothing) holds the synced contacts. Automatic selection syncs every contact in it except those categorised
"Don't sync with Salesforce"; manual selection keeps the category "Sync with Salesforce" on every contact in it,
brings contacts that carry that category anywhere else into it (the default Contacts folder and every other contact
folder, child folders included, but Deleted Items; Graph v1.0 cannot move a contact, so the contact is copied into
the folder and the original deleted, in one ``$batch`` with ``dependsOn``), and takes the category off contacts
moved out of it. Private contacts (``PidTagSensitivity`` 2) are out of scope unless
``include_private``.

Every call is a ``$batch`` round trip. This class ties together the modules that do the work:

- :mod:`~app.connectors.microsoft.contacts_state`: what the store knows of the mailbox, and which contacts are items;
- :mod:`~app.connectors.microsoft.contacts_cursor`: what a pass hands to the next (JSON);
- :mod:`~app.connectors.microsoft.contacts_folder`: the folder, Deleted Items and the master categories;
- :mod:`~app.connectors.microsoft.contacts_listing`: complete and incremental listings (``list_changes``);
- :mod:`~app.connectors.microsoft.contacts_lookups`: contacts by id and by marker (``get_many``,
  ``find_by_markers``);
- :mod:`~app.connectors.microsoft.contacts_selection`: manual selection's housekeeping;
- :mod:`~app.connectors.microsoft.contacts_sources`: the contact folders manual selection searches;
- :mod:`~app.connectors.microsoft.contacts_writes`: creates, updates and deletes;
- :mod:`~app.connectors.microsoft.contacts_reads`: read round trips and the Graph URLs they ask for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.connectors.microsoft import contacts_lookups, contacts_writes
from app.connectors.microsoft.client import GraphClient
from app.connectors.microsoft.contacts_cursor import Cursor
from app.connectors.microsoft.contacts_folder import setup
from app.connectors.microsoft.contacts_listing import complete, incremental
from app.connectors.microsoft.contacts_state import ContactFolders, MailboxState
from app.connectors.microsoft.delta_restart import listed_with_one_restart
from app.connectors.selection import SelectionMethod
from app.sync.stores import Create, Delete, Listing, Lookup, Marked, Update, WriteResult

__all__ = ["GraphContactStore"]


class GraphContactStore:
    """One mailbox's "Salesforce Contacts" folder under the sync engine's store protocol."""

    def __init__(
        self,
        client: GraphClient,
        *,
        selection: SelectionMethod = SelectionMethod.AUTOMATIC,
        include_private: bool = False,
    ) -> None:
        self._mailbox = MailboxState(client, selection, include_private)

    @property
    def folder_id(self) -> str | None:
        """The synced folder's id, once known."""
        return self._mailbox.folder

    # -- ItemStore: reading ---------------------------------------------------------------------------------------

    def list_changes(self, cursor: str | None) -> Listing:
        """See :meth:`app.sync.stores.ItemStore.list_changes`."""
        mailbox = self._mailbox
        mailbox.seen = {}
        saved = Cursor.load(cursor)

        def listing() -> Listing:
            if saved is None:
                return complete(mailbox, setup(mailbox, None, listing=True))
            mailbox.trash = saved.trash
            mailbox.contact_folders = ContactFolders(
                saved.folders, saved.folders_link, saved.folders_read_at, saved.turn
            )
            if saved.scope != mailbox.scope or saved.delta_link is None:
                return complete(mailbox, setup(mailbox, saved.folder, listing=True))
            mailbox.folder = saved.folder
            return incremental(mailbox, saved)

        return listed_with_one_restart(mailbox, listing, lambda: complete(mailbox, []), round_name="delta round")

    def get_many(self, ids: Sequence[str]) -> Mapping[str, Lookup]:
        """See :meth:`app.sync.stores.ItemStore.get_many`."""
        return contacts_lookups.get_many(self._mailbox, ids)

    def find_by_markers(self, markers: Sequence[str]) -> Mapping[str, Marked]:
        """See :meth:`app.sync.stores.ItemStore.find_by_markers`."""
        return contacts_lookups.find_by_markers(self._mailbox, markers)

    # -- ItemStore: writing ---------------------------------------------------------------------------------------

    def create_many(self, creates: Sequence[Create]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.create_many`."""
        return contacts_writes.create_many(self._mailbox, creates)

    def update_many(self, updates: Sequence[Update]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.update_many`."""
        return contacts_writes.update_many(self._mailbox, updates)

    def delete_many(self, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
        """See :meth:`app.sync.stores.ItemStore.delete_many`."""
        return contacts_writes.delete_many(self._mailbox, deletes)
