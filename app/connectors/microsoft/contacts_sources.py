"""Manual selection: the contact folders searched for contacts that carry the "Sync with Salesforce" category.

A contact given the category anywhere is brought into the synced folder. "Anywhere" is the default Contacts folder
(``/me/contacts``, searched on every pass) and every other contact folder of the mailbox, child folders included,
except the synced folder itself and folders in Deleted Items (any ancestor of theirs is Deleted Items).

The folders are learned from ``/me/contactFolders/delta``, which lists every contact folder of the mailbox
whatever its depth (id and parent id only), so that no walk through ``childFolders`` is needed:

- a fresh round rides in the setup batch of a complete listing; the list (id -> parent id) and the round's delta
  link then ride in the cursor;
- the delta link rides in the first batch of every incremental listing: a quiet mailbox answers with an empty page,
  so a pass with no change stays one HTTP call, and a folder created since the previous pass is searched at once
  (in one more batch, only on the pass that learns of it);
- a fresh round is due again when Graph answers 404 for a searched folder, when the round's token expired or failed,
  and a day after the last fresh round (a check against drift, not the way changes are learned).

Further pages of the round (more than 200 folders changed at once) are read in batches of their own.

Rotation. Each folder's query is one request, and a ``$batch`` holds at most 20. The queries ride in the first
batch of the listing, in the room its other requests leave: 15 folders besides the default one in an incremental
listing (the delta, the "modified since" query, the folder check, the folder round and the default folder's query
take 5), 16 or 17 in a complete listing (the delta, the listing, the master category creation when due and the
default folder's query). When the mailbox has more folders than that, each pass searches the next ones in turn,
wrapping around (:func:`in_turn`; the turn rides in the cursor): every folder is searched at least once every
``ceil(folders / room)`` passes, and a pass with no change stays ONE HTTP call however many folders there are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from app.connectors.microsoft.client import BatchRequest, BatchResult, PagedRead
from app.connectors.microsoft.contacts_reads import graph_url, send_batch
from app.connectors.microsoft.contacts_state import MailboxState
from app.sync.stores import StoreError

#: What the folder round asks of each folder.
FOLDERS_SELECT = "id,parentFolderId"
#: Page size of the folder round ("Prefer: odata.maxpagesize").
FOLDERS_PAGE_SIZE = 200
#: How long the folder list is trusted before a fresh round reads it whole again.
FOLDERS_REFRESH = timedelta(days=1)

_TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"


@dataclass
class FolderRound:
    """The folder round's request of this pass: a fresh round, or the changes since the delta link."""

    chain: PagedRead
    fresh: bool

    def request(self) -> BatchRequest:
        return self.chain.request()


def folder_round(mailbox: MailboxState, *, last_pass: str | None = None) -> FolderRound | None:
    """Manual selection: the folder round's request for this pass (fresh when due, see the module docstring);
    ``last_pass`` is when the previous pass started (Graph's time), the clock the daily refresh goes by."""
    if not mailbox.manual:
        return None
    state = mailbox.contact_folders
    fresh = state.parents is None or state.link is None or _older_than(state.read_at, last_pass, FOLDERS_REFRESH)
    url = graph_url("/me/contactFolders/delta", select=FOLDERS_SELECT) if fresh else state.link
    return FolderRound(PagedRead("folders", url, prefer=(f"odata.maxpagesize={FOLDERS_PAGE_SIZE}",)), fresh)


def take_folder_round(mailbox: MailboxState, round_: FolderRound, result: BatchResult) -> list[str]:
    """Apply the folder round's answer (reading further pages when there are); returns the folders to search
    that the list did not hold before. A failed round leaves the list as it was and makes the next one fresh;
    a refused grant fails the pass."""
    state = mailbox.contact_folders
    before = set(searched_folders(mailbox))
    chain = round_.chain
    answer = result[chain.name]
    while True:
        if answer.status in (401, 403):
            raise StoreError(f"microsoft: {answer.status} {answer.error_message}")
        if not answer.ok:  # an expired token or a failure: read the list whole on the next pass
            state.link = None
            return []
        chain.take(answer)
        if chain.url is None:
            break
        answer = send_batch(mailbox.client, [chain.request()])[chain.name]
    parents: dict[str, str | None] = {} if round_.fresh or state.parents is None else dict(state.parents)
    for entry in chain.items:
        folder_id = str(entry["id"])
        if "@removed" in entry:
            parents.pop(folder_id, None)
        else:
            parent = entry.get("parentFolderId")
            parents[folder_id] = str(parent) if isinstance(parent, str) and parent else None
    state.parents = parents
    state.link = chain.delta_link
    if round_.fresh:
        state.read_at = (result.server_time or datetime.now(UTC)).astimezone(UTC).strftime(_TIME_FORMAT)
    return [folder for folder in searched_folders(mailbox) if folder not in before]


def searched_folders(mailbox: MailboxState) -> list[str]:
    """The contact folders to search besides the default one (sorted by id): all the list holds but the synced
    folder and folders in Deleted Items."""
    parents = mailbox.contact_folders.parents or {}
    return sorted(
        folder
        for folder in parents
        if folder not in (mailbox.folder, mailbox.trash) and not _in_trash(folder, parents, mailbox.trash)
    )


def in_turn(mailbox: MailboxState, folders: Sequence[str], room: int) -> list[str]:
    """The folders this pass searches when only ``room`` fit in its batch: the next ones in turn after those the
    previous pass searched (the turn rides in the cursor), so every folder is searched once every
    ``ceil(len(folders) / room)`` passes."""
    state = mailbox.contact_folders
    if len(folders) <= room:
        return list(folders)
    if room <= 0:
        return []
    start = state.turn % len(folders)
    chosen = [*folders[start:], *folders[:start]][:room]
    state.turn = (start + room) % len(folders)
    return chosen


def forget_folder(mailbox: MailboxState, folder: str) -> None:
    """Graph answered 404 for a searched folder: drop it, and read the list whole on the next pass."""
    state = mailbox.contact_folders
    if state.parents is not None:
        state.parents.pop(folder, None)
    state.link = None


def _in_trash(folder: str, parents: dict[str, str | None], trash: str | None) -> bool:
    """Whether Deleted Items is among the folder's ancestors (as far as the list knows them)."""
    if trash is None:
        return False
    seen = {folder}
    parent = parents.get(folder)
    while parent is not None and parent not in seen:
        if parent == trash:
            return True
        seen.add(parent)
        parent = parents.get(parent)
    return False


def _older_than(moment: str | None, now: str | None, age: timedelta) -> bool:
    if moment is None or now is None:
        return moment is None
    try:
        then = datetime.strptime(moment, _TIME_FORMAT).replace(tzinfo=UTC)
        current = datetime.strptime(now, _TIME_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return True
    return current - then >= age
