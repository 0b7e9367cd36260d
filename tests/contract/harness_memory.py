"""The in-memory store under the contract suite: the reference every connector is held to."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from app.sync.memory import MemoryItemStore
from tests.contract.harness import ContactHarness


class MemoryHarness(ContactHarness):
    """:class:`MemoryItemStore` with its own hands."""

    supports_preconditions = True

    def __init__(self) -> None:
        self.store = MemoryItemStore("contract")

    def add(self, fields: Mapping[str, object]) -> str:
        return self.store.put(fields)

    def add_outside(self, fields: Mapping[str, object]) -> str:
        return self.store.put(fields, in_scope=False)

    def edit(self, item_id: str, changes: Mapping[str, object]) -> None:
        self.store.edit(item_id, changes)

    def remove(self, item_id: str) -> None:
        self.store.remove(item_id)

    def leave_scope(self, item_id: str) -> None:
        self.store.set_scope(item_id, False)

    def expire_cursor(self) -> None:
        self.store.expire_cursor()

    def calls(self) -> int:
        return sum(self.store.calls.values())


def make_harness(request: pytest.FixtureRequest) -> MemoryHarness:
    """A fresh in-memory store."""
    return MemoryHarness()
