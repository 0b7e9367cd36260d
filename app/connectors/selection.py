"""How a user picks the mailbox contacts that sync, and the names crmbridge shows in the mailbox."""

from __future__ import annotations

from enum import StrEnum

#: The contact folder (Outlook) or contact group (Google) that holds synced contacts.
SYNC_CONTAINER_NAME = "Salesforce Contacts"
#: Manual selection: the category (Outlook) or group (Google) that asks for a contact to sync.
SYNC_CATEGORY = "Sync with Salesforce"
#: Automatic selection: the category or group that keeps a contact of the folder out of sync.
DONT_SYNC_CATEGORY = "Don't sync with Salesforce"


class SelectionMethod(StrEnum):
    """Which mailbox contacts sync.

    ``AUTOMATIC`` ("Sync all items"): every contact in the Salesforce Contacts folder or group, except those
    marked "Don't sync with Salesforce". ``MANUAL`` ("Sync only the items I select"): contacts marked "Sync
    with Salesforce"; such a contact is brought into the folder or group, and the "Don't sync" mark is not
    created.
    """

    AUTOMATIC = "automatic"
    MANUAL = "manual"
