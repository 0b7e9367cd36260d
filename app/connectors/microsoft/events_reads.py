"""Reading Outlook events in full through ``$batch``: by id, 20 per batch, with the marker, the body as text and
the times in UTC (what calendar view delta cannot give: it takes no ``$expand`` and no ``$select``).

The mailbox owner's address (left out of attendees) rides in the first batch while it is unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.connectors.microsoft import events_mapping as em
from app.connectors.microsoft.client import BatchRequest, BatchResponse, BatchResult
from app.connectors.microsoft.contacts_reads import fetch_by_id, graph_url
from app.connectors.microsoft.events_state import CalendarState

#: The request that reads the mailbox owner's address.
OWNER_REQUEST = BatchRequest("owner", "GET", graph_url("/me", select="mail,userPrincipalName"))


def event_url(event_id: str) -> str:
    """One event in full, with the marker (read with :data:`~events_mapping.READ_PREFERENCES`: body as text,
    times in UTC)."""
    return graph_url(f"/me/events/{event_id}", expand=em.EXPAND_MARKER)


def take_owner(state: CalendarState, answer: BatchResponse | None) -> None:
    """Keep the owner's address from an answer to :data:`OWNER_REQUEST` (a failed answer leaves it unknown)."""
    if answer is None or not answer.ok:
        return
    address = answer.json.get("mail") or answer.json.get("userPrincipalName")
    if isinstance(address, str) and address:
        state.owner = address.lower()


def read_events(state: CalendarState, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
    """Events by id in full, 20 per batch; None for those that do not exist. Each one read is remembered."""
    if not ids:
        return {}

    def owner_read(result: BatchResult) -> None:
        take_owner(state, result.get("owner"))
        if state.owner is None:
            state.owner = ""  # unreadable: do not ask again in this store's life

    riders = [OWNER_REQUEST] if state.owner is None else []
    found = fetch_by_id(state.client, ids, event_url, prefer=em.READ_PREFERENCES, riders=riders, on_riders=owner_read)
    for doc in found.values():
        if doc is not None:
            state.remember(doc)
    return found
