"""Reading particular Outlook events: by id (``get_many``) and by the engine's marker (``find_by_markers``).

``get_many`` answers from what this pass already read and reads the rest by id, 20 per batch: an event that no
longer exists is :class:`Gone`; one that exists outside the window (or private, in a series, not selected) is
:class:`OutOfScope`. ``find_by_markers`` runs one filtered query of ``/me/events`` per 20 markers, the queries side
by side in one batch.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from app.connectors.microsoft import events_mapping as em
from app.connectors.microsoft import mapping
from app.connectors.microsoft.client import PagedRead
from app.connectors.microsoft.contacts_reads import LIST_PAGE_SIZE, chunks, follow_chains, graph_url, odata_string
from app.connectors.microsoft.events_reads import read_events
from app.connectors.microsoft.events_state import CalendarState
from app.sync.items import Item
from app.sync.stores import Lookup, Marked

#: Markers per ``find_by_markers`` filter.
MARKERS_PER_QUERY = 20


def get_many(state: CalendarState, ids: Sequence[str]) -> Mapping[str, Lookup]:
    """See :meth:`app.sync.stores.ItemStore.get_many`."""
    wanted = [item_id for item_id in dict.fromkeys(ids) if item_id not in state.seen]
    for item_id, doc in read_events(state, wanted).items():
        state.seen[item_id] = state.judge(item_id, doc)
    return {item_id: state.seen[item_id] for item_id in ids}


def find_by_markers(state: CalendarState, markers: Sequence[str]) -> Mapping[str, Marked]:
    """See :meth:`app.sync.stores.ItemStore.find_by_markers`."""
    wanted = list(dict.fromkeys(markers))
    if not wanted:
        return {}
    chains: list[PagedRead] = []
    for index, chunk in enumerate(chunks(wanted, MARKERS_PER_QUERY)):
        values = " or ".join(f"ep/value eq {odata_string(marker)}" for marker in chunk)
        condition = (
            f"singleValueExtendedProperties/any(ep: ep/id eq {odata_string(mapping.MARKER_PROPERTY_ID)} and ({values}))"
        )
        query = graph_url("/me/events", filter=condition, top=LIST_PAGE_SIZE, expand=em.EXPAND_MARKER)
        chains.append(PagedRead(f"m{index}", query, prefer=em.READ_PREFERENCES))
    follow_chains(state.client, chains)
    found: dict[str, Marked] = {}
    for chain in chains:
        for doc in chain.items:
            marker = em.marker_of(doc)
            if marker is None or marker not in wanted:
                continue
            state.remember(doc)
            lookup = state.in_scope(doc)
            in_scope = isinstance(lookup, Item)
            if marker not in found or in_scope:
                found[marker] = Marked(lookup if isinstance(lookup, Item) else state.item_of(doc), in_scope)
    return found
