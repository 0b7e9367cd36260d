"""The Outlook contact store's listings: complete (from a fresh delta round) or incremental (from the delta link).

- An incremental listing sends ONE batch when little changed: the folder's delta (``$select=id``), the folder's
  contacts modified since the previous pass (newest first, with the two extended properties crmbridge needs and
  that delta cannot expand: the marker and the sensitivity), the folder itself (deleted or in Deleted Items means
  re-create it), and in manual selection the changes to the mailbox's contact folders and the categorised contacts
  of the default folder and of the other contact folders (as many as fit in the batch: the rest take turns across
  passes, see :mod:`app.connectors.microsoft.contacts_sources`). Further delta pages (200 per page) ride with
  further pages of that query; a changed id the query did not bring is read by id (20 per batch); a contact folder
  created since the previous pass is searched in one more batch.
- A complete listing (no cursor, an expired delta token, a changed selection, a re-created folder) runs a fresh
  delta round next to a plain listing of the folder (1,000 per page, with the extended properties): the listing
  gives the content, the round gives the delta link and the ids the listing may have missed while it paged. In
  manual selection the categorised contacts ride in the same first batch (the contact folders were read in the
  setup batch).

Every read is a ``$batch`` round trip. In manual selection, both listings end with the housekeeping of
:mod:`app.connectors.microsoft.contacts_selection`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from app.connectors.microsoft import mapping
from app.connectors.microsoft.client import MAX_BATCH_REQUESTS, BatchRequest, BatchResult, GraphClient, PagedRead
from app.connectors.microsoft.contacts_cursor import Cursor
from app.connectors.microsoft.contacts_folder import folder_gone, recreate_folder
from app.connectors.microsoft.contacts_reads import (
    LIST_PAGE_SIZE,
    delta_expired,
    fetch_by_id,
    follow_chains,
    graph_url,
    send_batch,
    take_optional_page,
    take_page,
)
from app.connectors.microsoft.contacts_selection import housekeeping, pick_in, pick_reads, take_picks
from app.connectors.microsoft.contacts_sources import folder_round, take_folder_round
from app.connectors.microsoft.contacts_state import MailboxState
from app.sync.stores import Gone, Listing, Removal

#: Delta page size ("Prefer: odata.maxpagesize"; 200 is the contacts cap Microsoft staff give).
DELTA_PAGE_SIZE = 200
#: Page size of the "modified since the previous pass" query (keeps pace with delta pages).
RECENT_PAGE_SIZE = 200
#: How far before the previous pass's start the "modified since" query looks (clock skew between Graph's servers).
RECENT_MARGIN = timedelta(minutes=5)

_MAX_PAGE = f"odata.maxpagesize={DELTA_PAGE_SIZE}"


def complete(mailbox: MailboxState, extras: list[BatchRequest], *, may_recreate: bool = True) -> Listing:
    """A complete listing of the folder from a fresh delta round (see the module docstring)."""
    folder = mailbox.require_folder()
    contacts = f"/me/contactFolders/{folder}/contacts"
    delta = PagedRead("delta", graph_url(f"{contacts}/delta", select="id"), prefer=(_MAX_PAGE,))
    listing = PagedRead(
        "list",
        graph_url(contacts, top=LIST_PAGE_SIZE, select=mapping.SELECT, expand=mapping.EXPAND_EXTENDED),
        depends_on=("delta",),
    )
    fixed = [delta.request(), listing.request(), *extras]
    picks = pick_reads(mailbox, MAX_BATCH_REQUESTS - len(fixed))
    first = send_batch(mailbox.client, [*fixed, *(pick.request() for pick in picks)])
    answer = first["delta"]
    if answer.status == 404 and may_recreate:
        recreate_folder(mailbox)
        return complete(mailbox, [], may_recreate=False)
    take_page(delta, answer)
    take_page(listing, first["list"])
    picked = take_picks(mailbox, picks, first)
    follow_chains(mailbox.client, [delta, listing])
    docs = {mapping.contact_id(doc): doc for doc in listing.items}
    missing = [
        i for i in dict.fromkeys(mapping.contact_id(d) for d in delta.items if "@removed" not in d) if i not in docs
    ]
    for item_id, doc in fetch_by_id(mailbox.client, missing).items():
        if doc is not None and mapping.parent_folder(doc) == folder:
            docs[item_id] = doc
    entries: dict[str, str] = {}
    in_folder = list(docs.values())
    for doc in in_folder:
        mailbox.remember(doc)
        mailbox.record(doc, entries)
    if mailbox.manual:
        housekeeping(mailbox, in_folder, picked, (), entries)
    cursor = _cursor(mailbox, delta.delta_link, first)
    return Listing(MappingProxyType(entries), complete=True, cursor=cursor.dump())


def incremental(mailbox: MailboxState, saved: Cursor) -> Listing:
    """What changed since the stored delta link, in one batch when little did."""
    folder = mailbox.require_folder()
    assert saved.delta_link is not None
    delta = PagedRead("delta", saved.delta_link, prefer=(_MAX_PAGE,))
    recent = _recent_read(folder, saved.since)
    check = BatchRequest("folder", "GET", graph_url(f"/me/contactFolders/{folder}", select="id,parentFolderId"))
    folders = folder_round(mailbox, last_pass=saved.since)
    fixed = [delta.request(), recent.request(), check, *([folders.request()] if folders is not None else [])]
    picks = pick_reads(mailbox, MAX_BATCH_REQUESTS - len(fixed))
    first = send_batch(mailbox.client, [*fixed, *(pick.request() for pick in picks)])
    created_folders = take_folder_round(mailbox, folders, first) if folders is not None else []
    if folder_gone(mailbox, first["folder"]) or first["delta"].status == 404:
        recreate_folder(mailbox)
        return complete(mailbox, [], may_recreate=False)
    if delta_expired(first["delta"]):
        return complete(mailbox, [])
    picked = {mapping.contact_id(doc): doc for doc in take_picks(mailbox, picks, first)}
    for doc in pick_in(mailbox, created_folders):
        picked.setdefault(mapping.contact_id(doc), doc)
    docs = _read_round(mailbox.client, delta, recent, first)
    changed, removed = _changes(delta.items)
    entries: dict[str, str] = {}
    reasons: dict[str, Removal] = {}
    in_folder = _place_changed(mailbox, changed, docs, entries, reasons)
    if mailbox.manual:
        departed = _place_removed(mailbox, removed, entries, reasons, in_folder)
        housekeeping(mailbox, in_folder, list(picked.values()), departed, entries, skip=set(removed))
    else:
        for item_id in removed:
            reasons.setdefault(item_id, Removal.UNKNOWN)
    for item_id in entries:
        reasons.pop(item_id, None)
    cursor = _cursor(mailbox, delta.delta_link or saved.delta_link, first)
    return Listing(MappingProxyType(entries), complete=False, cursor=cursor.dump(), removed=MappingProxyType(reasons))


def _recent_read(folder: str, since: str | None) -> PagedRead:
    """The folder's contacts modified since the previous pass started, newest first, with their extended
    properties: the content of what the delta round reports as changed, without asking for it by id."""
    start = since or _utc_text(datetime.now(UTC) - RECENT_MARGIN)
    url = graph_url(
        f"/me/contactFolders/{folder}/contacts",
        filter=f"lastModifiedDateTime ge {start}",
        orderby="lastModifiedDateTime desc",
        top=RECENT_PAGE_SIZE,
        select=mapping.SELECT,
        expand=mapping.EXPAND_EXTENDED,
    )
    return PagedRead("recent", url, depends_on=("delta",))


def _read_round(
    client: GraphClient, delta: PagedRead, recent: PagedRead, first: BatchResult
) -> dict[str, dict[str, Any]]:
    """Finish the delta round (a page of the "modified since" query rides with each delta page) and return the
    contents read; the query goes on alone only while it may still hold changed contacts."""
    take_page(delta, first["delta"])
    following: PagedRead | None = take_optional_page(recent, first["recent"])
    while delta.url is not None:
        chains = [delta, *([following] if following is not None and following.url else [])]
        result = send_batch(client, [chain.request() for chain in chains])
        take_page(delta, result["delta"])
        if following is not None and following.url and "recent" in result.responses:
            following = take_optional_page(following, result["recent"])
    changed, _ = _changes(delta.items)
    docs = {mapping.contact_id(doc): doc for doc in recent.items}
    while following is not None and following.url and any(i not in docs for i in changed):
        following = take_optional_page(following, send_batch(client, [following.request()])["recent"])
        docs.update({mapping.contact_id(doc): doc for doc in recent.items})
    return docs


def _place_changed(
    mailbox: MailboxState,
    changed: Sequence[str],
    docs: dict[str, dict[str, Any]],
    entries: dict[str, str],
    reasons: dict[str, Removal],
) -> list[dict[str, Any]]:
    """Sort the changed ids into listed items and departures (reading by id those the query did not bring);
    returns the changed contacts still in the folder."""
    folder = mailbox.require_folder()
    for item_id, doc in fetch_by_id(mailbox.client, [i for i in changed if i not in docs]).items():
        lookup = mailbox.judge(item_id, doc)
        if doc is not None and not isinstance(lookup, Gone) and mapping.parent_folder(doc) == folder:
            docs[item_id] = doc
        else:
            mailbox.seen[item_id] = lookup
            reasons[item_id] = Removal.DELETED if isinstance(lookup, Gone) else Removal.LEFT_SCOPE
    in_folder = [docs[i] for i in changed if i in docs]
    for doc in in_folder:
        mailbox.remember(doc)
        if not mailbox.record(doc, entries):
            reasons[mapping.contact_id(doc)] = Removal.LEFT_SCOPE
    return in_folder


def _place_removed(
    mailbox: MailboxState,
    removed: Sequence[str],
    entries: dict[str, str],
    reasons: dict[str, Removal],
    in_folder: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Manual selection: tell deleted from moved out for the ids delta removed; returns those moved out."""
    folder = mailbox.require_folder()
    departed: list[dict[str, Any]] = []
    for item_id, doc in fetch_by_id(mailbox.client, removed).items():
        lookup = mailbox.judge(item_id, doc)
        mailbox.seen[item_id] = lookup
        if doc is None or isinstance(lookup, Gone):
            reasons[item_id] = Removal.DELETED
        elif mapping.parent_folder(doc) != folder:
            reasons[item_id] = Removal.LEFT_SCOPE
            departed.append(doc)
        else:  # back in the folder within the same round
            mailbox.remember(doc)
            if mailbox.record(doc, entries):
                in_folder.append(doc)
    return departed


def _changes(entries: Iterable[dict[str, Any]]) -> tuple[list[str], list[str]]:
    """Ids changed and ids removed in a delta round (an id's last appearance wins; replays are harmless)."""
    state: dict[str, bool] = {}
    for entry in entries:
        item_id = mapping.contact_id(entry)
        state.pop(item_id, None)
        state[item_id] = "@removed" not in entry
    return [i for i, alive in state.items() if alive], [i for i, alive in state.items() if not alive]


def _cursor(mailbox: MailboxState, delta_link: str | None, first: BatchResult) -> Cursor:
    """The cursor this pass hands on (the contact folders in manual selection only)."""
    known = mailbox.contact_folders
    return Cursor(
        mailbox.require_folder(),
        mailbox.scope,
        delta_link,
        _since(first),
        mailbox.trash,
        known.parents if mailbox.manual else None,
        known.link,
        known.read_at,
        known.turn,
    )


def _since(result: BatchResult) -> str:
    return _utc_text((result.server_time or datetime.now(UTC)) - RECENT_MARGIN)


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
