"""Reading through ``$batch`` for the Outlook contact store: the round trips and the Graph URLs they ask for.

One batch (a whole-call failure is a :class:`StoreError`), paged chains read to their end, contacts by id (20 per
batch), and how a failed answer reads: an expired delta round (:class:`RoundExpired`), a refused optional query, a
request that failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

from app.connectors.errors import VendorError
from app.connectors.microsoft import mapping
from app.connectors.microsoft.client import (
    MAX_BATCH_REQUESTS,
    BatchRequest,
    BatchResponse,
    BatchResult,
    GraphClient,
    PagedRead,
    PageFailed,
)
from app.sync.stores import StoreError

#: Page size of the complete listing of the folder (Outlook caps ``$top`` at 1,000).
LIST_PAGE_SIZE = 1000

_EXPIRED_CODES = frozenset({"syncstatenotfound", "resyncrequired", "syncstateinvalid"})


def odata_string(value: str) -> str:
    """An OData string literal (single quotes doubled)."""
    return "'" + value.replace("'", "''") + "'"


def graph_url(path: str, **params: str | int) -> str:
    """A Graph path with OData query options given as keywords (``select=...`` -> ``$select=...``)."""
    if not params:
        return path
    parts = [f"${name}={quote(str(value), safe=chr(39) + '(),/:*$-')}" for name, value in params.items()]
    return path + "?" + "&".join(parts)


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``size``."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


class RoundExpired(Exception):
    """A delta or skip token expired in the middle of a round: the listing starts again from a fresh round."""


def delta_expired(response: BatchResponse) -> bool:
    """410 with ``Location``, or a 40x ``syncStateNotFound`` / ``resyncRequired`` (Outlook's expired delta token)."""
    return response.status == 410 or (400 <= response.status < 500 and response.error_code.lower() in _EXPIRED_CODES)


def send_batch(client: GraphClient, requests: Sequence[BatchRequest]) -> BatchResult:
    """One read round trip; a whole-call failure is a :class:`StoreError`."""
    try:
        return client.batch(requests)
    except VendorError as exc:
        raise StoreError(str(exc)) from exc


def follow_chains(client: GraphClient, chains: Sequence[PagedRead]) -> None:
    """Read every chain to its end, one page of each per round trip (at most 20 chains a round)."""
    while True:
        active = [chain for chain in chains if chain.url is not None][:MAX_BATCH_REQUESTS]
        if not active:
            return
        result = send_batch(client, [chain.request() for chain in active])
        for chain in active:
            take_page(chain, result[chain.name])


def take_page(chain: PagedRead, response: BatchResponse) -> None:
    """Add an answer to its chain (a failed page is a :class:`StoreError`; a delta round that expires after its
    first page is :class:`RoundExpired`)."""
    if chain.name == "delta" and chain.pages and delta_expired(response):
        raise RoundExpired(response.error_message)
    try:
        chain.take(response)
    except PageFailed as exc:
        raise StoreError(f"microsoft: {exc}") from exc


def take_optional_page(chain: PagedRead, response: BatchResponse) -> PagedRead | None:
    """The "modified since" query is an optimisation: when Graph refuses it, changed ids are read by id."""
    if response.status in (401, 403):
        raise StoreError(f"microsoft: {response.status} {response.error_message}")
    if not response.ok:
        return None
    chain.take(response)
    return chain


def raise_for(answer: BatchResponse) -> None:
    """A failed answer as a :class:`StoreError`."""
    if not answer.ok:
        raise StoreError(f"microsoft: {answer.status} {answer.error_code}: {answer.error_message}")


def missing(answer: BatchResponse) -> bool:
    """Whether an answer says the item does not exist (404, or an id Graph cannot parse)."""
    return answer.status == 404 or (answer.status == 400 and answer.error_code == "ErrorInvalidIdMalformed")


def contact_url(item_id: str) -> str:
    """One contact, with the extended properties."""
    return graph_url(f"/me/contacts/{item_id}", select=mapping.SELECT, expand=mapping.EXPAND_EXTENDED)


def fetch_by_id(
    client: GraphClient,
    ids: Sequence[str],
    url: Callable[[str], str] = contact_url,
    *,
    prefer: tuple[str, ...] = (),
    riders: Sequence[BatchRequest] = (),
    on_riders: Callable[[BatchResult], None] | None = None,
) -> dict[str, dict[str, Any] | None]:
    """Items by id (20 per batch, each read at ``url(id)`` with the preferences ``prefer``; contacts with their
    extended properties by default); None for those that do not exist (:func:`missing`), a :class:`StoreError` for
    any other failed answer. ``riders`` (other reads) ride in the first batch, whose answers go to ``on_riders``.
    """
    found: dict[str, dict[str, Any] | None] = {}
    pending = list(dict.fromkeys(ids))
    extras = list(riders)
    while pending:
        size = MAX_BATCH_REQUESTS - len(extras)
        chunk, pending = pending[:size], pending[size:]
        reads = [BatchRequest(f"g{n}", "GET", url(item_id), prefer=prefer) for n, item_id in enumerate(chunk)]
        result = send_batch(client, [*extras, *reads])
        if extras and on_riders is not None:
            on_riders(result)
        extras = []
        for n, item_id in enumerate(chunk):
            answer = result[f"g{n}"]
            if answer.ok:
                found[item_id] = answer.json
            elif missing(answer):
                found[item_id] = None
            else:
                raise_for(answer)
    return found
