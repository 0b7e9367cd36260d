"""Creating, updating and deleting Outlook contacts through ``$batch``, 20 requests per batch.

Each item's failure stays in its slot, as the engine's failure kind. Creates carry the marker (a string extended
property) and, in manual selection, the category, in the create body. Updates set every mapped property under
``If-Match`` with the change key (412 is a precondition failure), keeping the contact's other email addresses and
home numbers as read, so a contact this store has not seen at that change key is read first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.connectors.microsoft import mapping
from app.connectors.microsoft.batch_writes import deletes_answered, precondition, write, written_doc
from app.connectors.microsoft.client import MAX_BATCH_REQUESTS, BatchRequest, BatchResponse
from app.connectors.microsoft.contacts_folder import ensure_folder
from app.connectors.microsoft.contacts_reads import LIST_PAGE_SIZE, fetch_by_id, graph_url, raise_for, send_batch
from app.connectors.microsoft.contacts_state import MailboxState
from app.connectors.microsoft.request_failures import request_failure, status_line
from app.connectors.selection import SYNC_CATEGORY
from app.sync.items import Fields, normalise_fields
from app.sync.stores import Create, Delete, FailureKind, Update, WriteFailure, WriteResult, Written

#: Pages of the folder read side by side in the first batch of a scan for updates (5,000 contacts).
SCAN_PAGES_FIRST = 5
#: What an update needs to have read of a contact.
UPDATE_SELECT = "id,changeKey,parentFolderId,displayName,givenName,middleName,surname,emailAddresses,homePhones"


def create_many(mailbox: MailboxState, creates: Sequence[Create]) -> Sequence[WriteResult]:
    """See :meth:`app.sync.stores.ItemStore.create_many`."""
    if not creates:
        return []
    folder = ensure_folder(mailbox)
    categories = [SYNC_CATEGORY] if mailbox.manual else []
    bodies = [mapping.create_body(c.fields, marker=c.marker, with_categories=categories) for c in creates]
    requests = [
        [BatchRequest(f"c{i}", "POST", f"/me/contactFolders/{folder}/contacts", body=body)]
        for i, body in enumerate(bodies)
    ]
    answers = write(mailbox.client, requests)
    return [
        _outcome(mailbox, answers[f"c{i}"], "POST", create.fields, written=bodies[i]["singleValueExtendedProperties"])
        for i, create in enumerate(creates)
    ]


def update_many(mailbox: MailboxState, updates: Sequence[Update]) -> Sequence[WriteResult]:
    """See :meth:`app.sync.stores.ItemStore.update_many`: every mapped property under ``If-Match``, from the
    contact as read at that etag (read again first when this store has not seen that version)."""
    if not updates:
        return []
    stale = [u.id for u in updates if mapping.change_key(mailbox.docs.get(u.id, {})) != u.etag]
    for item_id, doc in _read_for_update(mailbox, stale).items():
        if doc is not None:
            mailbox.remember(doc)
        else:
            mailbox.docs.pop(item_id, None)
    results: dict[int, WriteResult] = {}
    requests: list[list[BatchRequest]] = []
    for i, update in enumerate(updates):
        current = mailbox.docs.get(update.id)
        mailbox.seen.pop(update.id, None)
        if current is None:
            results[i] = WriteFailure(FailureKind.NOT_FOUND, "the contact no longer exists")
        elif mapping.change_key(current) != update.etag:
            results[i] = WriteFailure(FailureKind.PRECONDITION, "the contact changed since it was read")
        else:
            body = mapping.update_body(update.fields, current)
            headers = precondition(update.etag)
            requests.append([BatchRequest(f"u{i}", "PATCH", f"/me/contacts/{update.id}", body=body, headers=headers)])
    answers = write(mailbox.client, requests)
    for i, update in enumerate(updates):
        if i not in results:
            results[i] = _outcome(
                mailbox, answers[f"u{i}"], "PATCH", update.fields, previous=mailbox.docs.get(update.id)
            )
    return [results[i] for i in range(len(updates))]


def delete_many(mailbox: MailboxState, deletes: Sequence[Delete]) -> Sequence[WriteResult]:
    """See :meth:`app.sync.stores.ItemStore.delete_many`."""
    requests = [
        [BatchRequest(f"d{i}", "DELETE", f"/me/contacts/{d.id}", headers=precondition(d.etag))]
        for i, d in enumerate(deletes)
    ]
    return deletes_answered(mailbox, deletes, write(mailbox.client, requests), _failure)


def _outcome(
    mailbox: MailboxState,
    answer: BatchResponse | WriteFailure,
    method: str,
    sent: Fields,
    *,
    previous: Mapping[str, Any] | None = None,
    written: Any = None,
) -> WriteResult:
    """A create's or update's result: the failure, or the contact as the answer shows it (``stored`` when it
    differs from what was sent)."""
    doc = written_doc(mailbox, answer, method, _failure, previous=previous, written=written)
    return doc if isinstance(doc, WriteFailure) else _written(doc, sent)


def _written(doc: Mapping[str, Any], sent: Fields) -> Written:
    stored = mapping.to_fields(doc)
    return Written(
        mapping.contact_id(doc), mapping.change_key(doc), None if stored == normalise_fields(sent) else stored
    )


def _read_for_update(mailbox: MailboxState, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
    """The contacts an update needs to have read (their other addresses and numbers): by id when one batch
    does, else by reading the folder's contacts in 1,000-contact pages sent side by side (a 5,000-contact
    folder in one round trip), then by id for those the pages missed."""
    wanted = list(dict.fromkeys(ids))
    if len(wanted) <= MAX_BATCH_REQUESTS:
        return fetch_by_id(mailbox.client, wanted)
    contacts = f"/me/contactFolders/{ensure_folder(mailbox)}/contacts"
    targets = set(wanted)
    found: dict[str, dict[str, Any] | None] = {}
    total: int | None = None  # from $count on the first page, else from the first page that is not full
    skip = 0
    while len(found) < len(targets):
        pages = SCAN_PAGES_FIRST if skip == 0 else MAX_BATCH_REQUESTS
        skips = [s for s in range(skip, skip + pages * LIST_PAGE_SIZE, LIST_PAGE_SIZE) if total is None or s < total]
        if not skips:
            break
        result = send_batch(
            mailbox.client,
            [
                BatchRequest(
                    f"p{s}",
                    "GET",
                    graph_url(
                        contacts,
                        top=LIST_PAGE_SIZE,
                        skip=s,
                        select=UPDATE_SELECT,
                        **({"count": "true"} if s == 0 else {}),
                    ),
                )
                for s in skips
            ],
        )
        for s in skips:
            answer = result[f"p{s}"]
            raise_for(answer)
            values = [doc for doc in answer.json.get("value") or [] if isinstance(doc, dict)]
            if s == 0 and isinstance(answer.json.get("@odata.count"), int):
                total = int(answer.json["@odata.count"])
            if len(values) < LIST_PAGE_SIZE and total is None:
                total = s + len(values)
            found.update({str(doc["id"]): doc for doc in values if doc.get("id") in targets})
        skip = skips[-1] + LIST_PAGE_SIZE
    found.update(fetch_by_id(mailbox.client, [i for i in wanted if i not in found]))
    return found


def _failure(answer: BatchResponse, method: str) -> WriteFailure:
    """One request's failure as the engine's failure kind, with Graph's status line (its message alone when Graph
    refused the contact)."""
    return request_failure(answer, method, _describe)


def _describe(kind: FailureKind, answer: BatchResponse) -> str:
    return answer.error_message if kind is FailureKind.INVALID else status_line(answer)
