"""A listing that survives one expired delta round: the Outlook and To Do stores' ``list_changes``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from app.connectors.microsoft.contacts_reads import RoundExpired
from app.sync.stores import Listing, Lookup, StoreError


class PassReads(Protocol):
    """A store's state, as far as what this pass read goes."""

    seen: dict[str, Lookup]


def listed_with_one_restart(
    state: PassReads, listing: Callable[[], Listing], complete: Callable[[], Listing], *, round_name: str
) -> Listing:
    """``listing()``; when its delta round expired, ``complete()`` from a fresh round, what this pass read
    forgotten first. A fresh round that expires too fails the call (``round_name`` says which round)."""
    try:
        return listing()
    except RoundExpired:
        state.seen = {}
    try:
        return complete()
    except RoundExpired as exc:
        raise StoreError(f"microsoft: the {round_name} expired twice in a row") from exc
