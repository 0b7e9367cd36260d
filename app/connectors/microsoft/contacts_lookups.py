"""Reading particular Outlook contacts: by id (``get_many``) and by the engine's marker (``find_by_markers``).

``get_many`` answers from what this pass's listing read and reads the rest by id, 20 per batch.
``find_by_markers`` runs one filtered query per 20 markers over the synced folder and the default Contacts folder,
in as few batches as fit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.connectors.microsoft import mapping
from app.connectors.microsoft.client import PagedRead
from app.connectors.microsoft.contacts_folder import ensure_folder
from app.connectors.microsoft.contacts_reads import (
    LIST_PAGE_SIZE,
    chunks,
    fetch_by_id,
    follow_chains,
    graph_url,
    odata_string,
)
from app.connectors.microsoft.contacts_state import MailboxState, item_of
from app.sync.items import Item
from app.sync.stores import Lookup, Marked, OutOfScope

#: Markers per ``find_by_markers`` filter.
MARKERS_PER_QUERY = 20


def get_many(mailbox: MailboxState, ids: Sequence[str]) -> Mapping[str, Lookup]:
    """See :meth:`app.sync.stores.ItemStore.get_many`."""
    wanted = [item_id for item_id in dict.fromkeys(ids) if item_id not in mailbox.seen]
    if wanted:
        ensure_folder(mailbox)
        for item_id, doc in fetch_by_id(mailbox.client, wanted).items():
            mailbox.seen[item_id] = mailbox.judge(item_id, doc)
    return {item_id: mailbox.seen[item_id] for item_id in ids}


def find_by_markers(mailbox: MailboxState, markers: Sequence[str]) -> Mapping[str, Marked]:
    """See :meth:`app.sync.stores.ItemStore.find_by_markers`: one filtered query per 20 markers, over the folder
    and the default Contacts folder, in as few batches as fit."""
    wanted = list(dict.fromkeys(markers))
    if not wanted:
        return {}
    folder = ensure_folder(mailbox)
    chains: list[PagedRead] = []
    for index, chunk in enumerate(chunks(wanted, MARKERS_PER_QUERY)):
        values = " or ".join(f"ep/value eq {odata_string(marker)}" for marker in chunk)
        condition = (
            f"singleValueExtendedProperties/any(ep: ep/id eq {odata_string(mapping.MARKER_PROPERTY_ID)} and ({values}))"
        )
        for name, path in ((f"f{index}", f"/me/contactFolders/{folder}/contacts"), (f"d{index}", "/me/contacts")):
            query = graph_url(
                path, filter=condition, top=LIST_PAGE_SIZE, select=mapping.SELECT, expand=mapping.EXPAND_EXTENDED
            )
            chains.append(PagedRead(name, query))
    follow_chains(mailbox.client, chains)
    found: dict[str, Marked] = {}
    for chain in chains:
        for doc in chain.items:
            marker = mapping.marker_of(doc)
            if marker not in wanted or marker is None:
                continue
            mailbox.remember(doc)
            in_folder = chain.name.startswith("f")
            lookup = mailbox.in_folder(doc) if in_folder else OutOfScope(mapping.contact_id(doc))
            in_scope = isinstance(lookup, Item)
            if marker not in found or in_scope:
                found[marker] = Marked(item_of(doc), in_scope)
    return found
