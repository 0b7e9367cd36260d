"""Manual selection's housekeeping in Outlook: the "Sync with Salesforce" category and the contacts that carry it.

Each pass reads one page of the contacts that carry the category in the default Contacts folder and in the other
contact folders (see :mod:`~app.connectors.microsoft.contacts_sources` for which, and for the turn they take when
they do not all fit in the listing's first batch), and brings them into the synced folder (Graph v1.0 cannot move a
contact, so the contact is copied into the folder and the original deleted, in one ``$batch`` with ``dependsOn``; a
copy whose original stays is deleted again). It puts the category back on contacts of the folder that lost it and
takes it off contacts that left the folder. Failures are left for the next pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.connectors.microsoft import mapping
from app.connectors.microsoft.batch_writes import precondition, with_extended, write
from app.connectors.microsoft.client import MAX_BATCH_REQUESTS, BatchRequest, BatchResponse, BatchResult, PagedRead
from app.connectors.microsoft.contacts_reads import chunks, graph_url, odata_string, send_batch
from app.connectors.microsoft.contacts_sources import forget_folder, in_turn, searched_folders
from app.connectors.microsoft.contacts_state import MailboxState
from app.connectors.selection import SYNC_CATEGORY
from app.sync.stores import StoreError

#: Page size of the manual-selection query for categorised contacts of a folder.
PICK_PAGE_SIZE = 100


@dataclass
class PickRead:
    """The query for one folder's contacts that ask to be synced (``folder`` None: the default Contacts folder)."""

    chain: PagedRead
    folder: str | None

    def request(self) -> BatchRequest:
        return self.chain.request()


def pick_reads(mailbox: MailboxState, room: int) -> list[PickRead]:
    """Manual selection: the queries for contacts that ask to be synced (full representation, to copy), for a
    batch with ``room`` requests free: the default folder's, then the other folders' in turn."""
    if not mailbox.manual:
        return []
    others = in_turn(mailbox, searched_folders(mailbox), room - 1)
    return [_pick_read("pick", None), *(_pick_read(f"pick{n}", folder) for n, folder in enumerate(others, 1))]


def take_picks(mailbox: MailboxState, picks: Sequence[PickRead], result: BatchResult) -> list[dict[str, Any]]:
    """The first page of each query (one page per pass: the rest is found again on the next pass), each contact
    once. A refused grant fails the pass; a folder that is gone is dropped from the list; any other failure
    waits for the next pass."""
    found: dict[str, dict[str, Any]] = {}
    for pick in picks:
        response = result[pick.chain.name]
        if response.ok:
            pick.chain.take(response)
            pick.chain.url = None
            for doc in pick.chain.items:
                if mapping.parent_folder(doc) != mailbox.folder:
                    found.setdefault(mapping.contact_id(doc), doc)
        elif response.status in (401, 403):
            raise StoreError(f"microsoft: {response.status} {response.error_message}")
        elif response.status == 404 and pick.folder is not None:
            forget_folder(mailbox, pick.folder)
    return list(found.values())


def pick_in(mailbox: MailboxState, folders: Sequence[str]) -> list[dict[str, Any]]:
    """The contacts that ask to be synced in ``folders`` (folders just learned of), 20 folders per batch."""
    found: list[dict[str, Any]] = []
    for chunk in chunks(folders, MAX_BATCH_REQUESTS):
        picks = [_pick_read(f"pick{n}", folder) for n, folder in enumerate(chunk)]
        found.extend(take_picks(mailbox, picks, send_batch(mailbox.client, [pick.request() for pick in picks])))
    return found


def _pick_read(name: str, folder: str | None) -> PickRead:
    path = "/me/contacts" if folder is None else f"/me/contactFolders/{folder}/contacts"
    condition = f"categories/any(c: c eq {odata_string(SYNC_CATEGORY)})"
    url = graph_url(path, filter=condition, top=PICK_PAGE_SIZE, expand=mapping.EXPAND_EXTENDED)
    return PickRead(PagedRead(name, url), folder)


def housekeeping(
    mailbox: MailboxState,
    in_folder: Sequence[dict[str, Any]],
    picked: Sequence[dict[str, Any]],
    departed: Sequence[dict[str, Any]],
    entries: dict[str, str],
    *,
    skip: set[str] | None = None,
) -> None:
    """Manual selection: bring picked contacts into the folder, put the category back on contacts of the folder,
    take it off contacts that left the folder. Failures are left for the next pass."""
    folder = mailbox.require_folder()
    groups: list[list[BatchRequest]] = []
    moves: dict[str, dict[str, Any]] = {}
    for n, doc in enumerate(d for d in picked if mapping.contact_id(d) not in (skip or set())):
        body = mapping.copy_body(doc, with_categories=[SYNC_CATEGORY])
        moves[f"m{n}"] = {"original": doc, "body": body}
        groups.append(
            [
                BatchRequest(f"m{n}", "POST", f"/me/contactFolders/{folder}/contacts", body=body),
                BatchRequest(
                    f"o{n}",
                    "DELETE",
                    f"/me/contacts/{mapping.contact_id(doc)}",
                    headers=precondition(mapping.change_key(doc)),
                    depends_on=(f"m{n}",),
                ),
            ]
        )
    fixes: dict[str, dict[str, Any]] = {}
    for n, doc in enumerate(d for d in in_folder if not mapping.has_category(d, SYNC_CATEGORY)):
        fixes[f"k{n}"] = doc
        groups.append([_categories_patch(f"k{n}", doc, [*mapping.categories(doc), SYNC_CATEGORY])])
    for n, doc in enumerate(d for d in departed if mapping.has_category(d, SYNC_CATEGORY)):
        kept = [c for c in mapping.categories(doc) if c.casefold() != SYNC_CATEGORY.casefold()]
        groups.append([_categories_patch(f"s{n}", doc, kept)])
    if not groups:
        return
    answers = write(mailbox.client, groups)
    rollback: list[list[BatchRequest]] = []
    for request_id, move in moves.items():
        created, removed = answers[request_id], answers["o" + request_id[1:]]
        if not isinstance(created, BatchResponse) or not created.ok:
            continue
        doc = with_extended(created.json, None, move["body"].get("singleValueExtendedProperties", []))
        if isinstance(removed, BatchResponse) and (removed.ok or removed.status == 404):
            mailbox.remember(doc)
            mailbox.record(doc, entries)
        else:  # the original stays: undo the copy so that no duplicate is left
            rollback.append([BatchRequest(f"r{request_id}", "DELETE", f"/me/contacts/{mapping.contact_id(doc)}")])
    for request_id, old in fixes.items():
        answer = answers[request_id]
        if isinstance(answer, BatchResponse) and answer.ok:
            doc = with_extended(answer.json, old)
            mailbox.remember(doc)
            mailbox.record(doc, entries)
    if rollback:
        write(mailbox.client, rollback)


def _categories_patch(request_id: str, doc: Mapping[str, Any], names: list[str]) -> BatchRequest:
    return BatchRequest(
        request_id,
        "PATCH",
        f"/me/contacts/{mapping.contact_id(doc)}",
        body={"categories": list(dict.fromkeys(names))},
        headers=precondition(mapping.change_key(doc)),
    )
