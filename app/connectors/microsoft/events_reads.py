"""Reading Outlook events in full through ``$batch``: by id, 20 per batch, with the marker, the body as text and
the times in UTC (what calendar view delta cannot give: it takes no ``$expand`` and no ``$select``).

The mailbox owner's address (left out of attendees) rides in the first batch while it is unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from app.connectors.microsoft import events_mapping as em
from app.connectors.microsoft.client import MAX_BATCH_REQUESTS, BatchRequest, BatchResponse
from app.connectors.microsoft.contacts_reads import graph_url, raise_for, send_batch
from app.connectors.microsoft.events_state import CalendarState

#: The request that reads the mailbox owner's address.
OWNER_REQUEST = BatchRequest("owner", "GET", graph_url("/me", select="mail,userPrincipalName"))


def event_request(request_id: str, event_id: str) -> BatchRequest:
    """A GET of one event in full (marker expanded, body as text, times in UTC)."""
    url = graph_url(f"/me/events/{event_id}", expand=em.EXPAND_MARKER)
    return BatchRequest(request_id, "GET", url, prefer=em.READ_PREFERENCES)


def take_owner(state: CalendarState, answer: BatchResponse | None) -> None:
    """Keep the owner's address from an answer to :data:`OWNER_REQUEST` (a failed answer leaves it unknown)."""
    if answer is None or not answer.ok:
        return
    address = answer.json.get("mail") or answer.json.get("userPrincipalName")
    if isinstance(address, str) and address:
        state.owner = address.lower()


def missing(answer: BatchResponse) -> bool:
    """Whether an answer says the event does not exist (404, or an id Graph cannot parse)."""
    return answer.status == 404 or (answer.status == 400 and answer.error_code == "ErrorInvalidIdMalformed")


def read_events(state: CalendarState, ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
    """Events by id in full, 20 per batch; None for those that do not exist. Each one read is remembered."""
    found: dict[str, dict[str, Any] | None] = {}
    pending = list(dict.fromkeys(ids))
    if not pending:
        return found
    while pending or state.owner is None:
        extras = [OWNER_REQUEST] if state.owner is None else []
        chunk, pending = pending[: MAX_BATCH_REQUESTS - len(extras)], pending[MAX_BATCH_REQUESTS - len(extras) :]
        result = send_batch(state.client, [*extras, *(event_request(f"e{n}", i) for n, i in enumerate(chunk))])
        if extras:
            take_owner(state, result.get("owner"))
            if state.owner is None:
                state.owner = ""  # unreadable: do not ask again in this store's life
        for n, item_id in enumerate(chunk):
            answer = result[f"e{n}"]
            if answer.ok:
                doc = answer.json
                state.remember(doc)
                found[item_id] = doc
            elif missing(answer):
                found[item_id] = None
            else:
                raise_for(answer)
    return found
