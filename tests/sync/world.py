"""A two-sided in-memory world for engine tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from app.sync.apply import PassResult
from app.sync.config import Side, SyncConfig
from app.sync.engine import run_pass
from app.sync.memory import MemoryItemStore, MemoryStatusStore
from app.sync.stores import Link

CONTACTS = SyncConfig(multi_valued=frozenset({"emails", "phones"}), match_key=("emails",))


@dataclass
class World:
    """Mailbox store, Salesforce store, status store and a config."""

    config: SyncConfig = CONTACTS
    use_delta: bool = True
    server_rewrite: bool = False
    mb: MemoryItemStore = field(init=False)
    sf: MemoryItemStore = field(init=False)
    status: MemoryStatusStore = field(default_factory=MemoryStatusStore)

    def __post_init__(self) -> None:
        self.mb = MemoryItemStore("mb", use_delta=self.use_delta, server_rewrite=self.server_rewrite)
        self.sf = MemoryItemStore("sf", use_delta=self.use_delta, server_rewrite=self.server_rewrite)

    def store(self, side: Side) -> MemoryItemStore:
        return self.mb if side is Side.MAILBOX else self.sf

    def sync(self, **overrides: Any) -> PassResult:
        return run_pass(self.mb, self.sf, self.status, replace(self.config, **overrides))

    def links(self) -> list[Link]:
        return list(self.status.links())

    def partner(self, side: Side, item_id: str) -> str | None:
        for link in self.links():
            if link.ref(side).id == item_id and link.parked is None:
                return link.ref(side.other).id
        return None

    def fields(self, side: Side, item_id: str) -> dict[str, object]:
        return dict(self.store(side).snapshot(in_scope_only=False)[item_id].fields)

    def projections(self, side: Side) -> list[Mapping[str, object]]:
        return sorted((dict(item.fields) for item in self.store(side).snapshot().values()), key=repr)
