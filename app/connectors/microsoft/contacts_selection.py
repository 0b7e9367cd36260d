"""Manual selection's housekeeping in Outlook: the "Sync with Salesforce" category and the contacts that carry it.

Each pass reads one page of the default Contacts folder's contacts that carry the category and brings them into the
synced folder (Graph v1.0 cannot move a contact, so the contact is copied into the folder and the original deleted,
in one ``$batch`` with ``dependsOn``; a copy whose original stays is deleted again). It puts the category back on
contacts of the folder that lost it and takes it off contacts that left the folder. Failures are left for the next
pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.connectors.microsoft import mapping
from app.connectors.microsoft.client import BatchRequest, BatchResponse, PagedRead
from app.connectors.microsoft.contacts_reads import graph_url, odata_string
from app.connectors.microsoft.contacts_state import MailboxState
from app.connectors.microsoft.contacts_writes import precondition, with_extended, write
from app.connectors.selection import SYNC_CATEGORY
from app.sync.stores import StoreError

#: Page size of the manual-selection query for categorised contacts of the default folder.
PICK_PAGE_SIZE = 100


def pick_chain(mailbox: MailboxState) -> PagedRead | None:
    """Manual selection: the default folder's contacts that ask to be synced (full representation, to copy)."""
    if not mailbox.manual:
        return None
    condition = f"categories/any(c: c eq {odata_string(SYNC_CATEGORY)})"
    return PagedRead(
        "pick", graph_url("/me/contacts", filter=condition, top=PICK_PAGE_SIZE, expand=mapping.EXPAND_EXTENDED)
    )


def take_pick(pick: PagedRead, response: BatchResponse) -> None:
    """Keep the pick query's first page; a refused grant fails the pass, any other failure waits for the next."""
    if response.ok:
        pick.take(response)
        pick.url = None  # one page per pass: the rest is found again on the next pass
    elif response.status in (401, 403):
        raise StoreError(f"microsoft: {response.status} {response.error_message}")


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
