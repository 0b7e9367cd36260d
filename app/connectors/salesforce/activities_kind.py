"""What tells an Event store from a Task store to the shared reading and writing code
(:mod:`app.connectors.salesforce.activities_reader`, :mod:`app.connectors.salesforce.activities_writer`): the
object, its scope, its projection and what a write sends."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from app.connectors.salesforce.activities_describe import ActivityDescribe
from app.sync.items import Fields
from app.sync.stores import WriteFailure


@dataclass(frozen=True)
class PreparedRecord:
    """One record ready to send: the Salesforce fields to set (None clears one) and the projection Salesforce will
    hold after the write."""

    values: Mapping[str, Any]
    holds: Fields


class ActivityKind(Protocol):
    """One activity object (Event or Task) as a store syncs it."""

    #: The sObject name.
    sobject: str
    #: What the records are, in messages ("events", "tasks").
    label: str
    #: The text fields whose lengths the describe gives.
    text_fields: tuple[str, ...]

    def cursor_scope(self) -> str:
        """What decides the scope, as text: a cursor for another scope starts a complete listing."""
        ...

    def select(self) -> str:
        """The SELECT list of a full row (with Id, IsDeleted, SystemModstamp, LastModifiedDate, OwnerId and
        Description)."""
        ...

    def feed_conditions(self) -> list[str]:
        """The conditions of the rows whose changes an incremental listing reads (the owner's): every row in scope
        meets them; those outside the scope are reported as having left it."""
        ...

    def scope_conditions(self) -> list[str]:
        """The conditions that select exactly the rows in scope."""
        ...

    def in_scope(self, row: Mapping[str, Any]) -> bool:
        """Whether a (live) row read is in scope."""
        ...

    def projection(self, row: Mapping[str, Any]) -> Fields:
        """A row as the projection."""
        ...

    def prepare(
        self,
        fields: Fields,
        describe: ActivityDescribe | None,
        *,
        current: Mapping[str, Any] | None,
        marker: str | None,
    ) -> PreparedRecord | WriteFailure:
        """What to send for ``fields``: a create (``current`` None, carrying ``marker``) or an update of the row
        ``current`` (its marker kept)."""
        ...
