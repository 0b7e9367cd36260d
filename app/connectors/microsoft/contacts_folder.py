"""Where the Outlook contact store's pass starts: the "Salesforce Contacts" folder, Deleted Items, master categories.

The folder is found by the id kept in the cursor (so renaming it changes nothing), else by name, and created when it
does not exist or was deleted (gone, or in Deleted Items). The category the selection uses ("Don't sync with
Salesforce" in automatic selection, "Sync with Salesforce" in manual) is added to the master list when missing. In
manual selection, the setup of a listing also reads the mailbox's contact folders afresh (see
:mod:`~app.connectors.microsoft.contacts_sources`).
"""

from __future__ import annotations

from collections.abc import Sequence

from app.connectors.microsoft.client import BatchRequest, BatchResponse
from app.connectors.microsoft.contacts_reads import graph_url, odata_string, raise_for, send_batch
from app.connectors.microsoft.contacts_sources import FolderRound, folder_round, take_folder_round
from app.connectors.microsoft.contacts_state import MailboxState
from app.connectors.selection import DONT_SYNC_CATEGORY, SYNC_CATEGORY, SYNC_CONTAINER_NAME
from app.sync.stores import StoreError

#: Colours of the categories crmbridge creates in the master list.
CATEGORY_COLOURS = {SYNC_CATEGORY: "preset4", DONT_SYNC_CATEGORY: "preset0"}


def setup(mailbox: MailboxState, known_folder: str | None, *, listing: bool = False) -> list[BatchRequest]:
    """Find (or create) the folder, note Deleted Items, check the master categories and, for a ``listing`` in
    manual selection, read the contact folders afresh.

    Returns the category creations still to send (they ride with the next batch).
    """
    wanted = SYNC_CATEGORY if mailbox.manual else DONT_SYNC_CATEGORY
    folders: FolderRound | None = None
    if listing and mailbox.manual:
        mailbox.contact_folders.link = None
        folders = folder_round(mailbox)
    requests = [
        BatchRequest("categories", "GET", "/me/outlook/masterCategories"),
        BatchRequest("trash", "GET", graph_url("/me/mailFolders/deleteditems", select="id")),
        _folder_lookup(known_folder),
        *([folders.request()] if folders is not None else []),
    ]
    result = send_batch(mailbox.client, requests)
    trash = result["trash"]
    mailbox.trash = str(trash.json["id"]) if trash.ok and trash.json.get("id") else mailbox.trash
    pending: list[BatchRequest] = []
    listed = result["categories"]
    if listed.ok:
        names = {str(c.get("displayName", "")).casefold() for c in listed.json.get("value") or []}
        if wanted.casefold() not in names:
            body = {"displayName": wanted, "color": CATEGORY_COLOURS[wanted]}
            pending.append(BatchRequest("newcategory", "POST", "/me/outlook/masterCategories", body=body))
    mailbox.folder = _found_folder(mailbox, result["folder"], known_folder)
    if folders is not None:
        take_folder_round(mailbox, folders, result)
    if mailbox.folder is None:
        _create_folder(mailbox, pending)
        pending = []
    return pending


def ensure_folder(mailbox: MailboxState) -> str:
    """The folder's id, found or created first when this store does not know it yet."""
    if mailbox.folder is None:
        pending = setup(mailbox, None)
        if pending:
            send_batch(mailbox.client, pending)
    return mailbox.require_folder()


def recreate_folder(mailbox: MailboxState) -> None:
    """Create the folder again (it was deleted)."""
    mailbox.folder = None
    _create_folder(mailbox)


def folder_gone(mailbox: MailboxState, answer: BatchResponse) -> bool:
    """Whether the answer to a read of the folder says it was deleted (gone, or in Deleted Items)."""
    if answer.status == 404:
        return True
    raise_for(answer)
    return mailbox.trash is not None and answer.json.get("parentFolderId") == mailbox.trash


def _folder_lookup(known_folder: str | None) -> BatchRequest:
    if known_folder is not None:
        return BatchRequest(
            "folder", "GET", graph_url(f"/me/contactFolders/{known_folder}", select="id,parentFolderId")
        )
    condition = f"displayName eq {odata_string(SYNC_CONTAINER_NAME)}"
    return BatchRequest("folder", "GET", graph_url("/me/contactFolders", filter=condition, select="id,parentFolderId"))


def _found_folder(mailbox: MailboxState, answer: BatchResponse, known_folder: str | None) -> str | None:
    if known_folder is not None:
        if folder_gone(mailbox, answer):
            return None
        return known_folder
    raise_for(answer)
    for folder in answer.json.get("value") or []:
        if isinstance(folder, dict) and folder.get("id") and folder.get("parentFolderId") != mailbox.trash:
            return str(folder["id"])
    return None


def _create_folder(mailbox: MailboxState, extras: Sequence[BatchRequest] = ()) -> None:
    body = {"displayName": SYNC_CONTAINER_NAME}
    result = send_batch(mailbox.client, [BatchRequest("newfolder", "POST", "/me/contactFolders", body=body), *extras])
    answer = result["newfolder"]
    if answer.ok and answer.json.get("id"):
        mailbox.folder = str(answer.json["id"])
        return
    if answer.status == 409:  # a folder of that name appeared meanwhile: use it
        found = send_batch(mailbox.client, [_folder_lookup(None)])
        mailbox.folder = _found_folder(mailbox, found["folder"], None)
        if mailbox.folder is not None:
            return
    raise StoreError(f"microsoft: cannot create the {SYNC_CONTAINER_NAME!r} folder: {answer.error_message}")
