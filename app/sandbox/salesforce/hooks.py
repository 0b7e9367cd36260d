"""Per-object save logic (Salesforce's standard behaviour, not triggers): the base class and its context."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from app.sandbox.salesforce.schema import ObjectDef
from app.sandbox.salesforce.sharing import Caller

if TYPE_CHECKING:
    from app.sandbox.salesforce.models import SalesforceOrg


@dataclass
class WriteContext:
    """One record being created or updated."""

    org: SalesforceOrg
    caller: Caller
    definition: ObjectDef
    #: The fields the caller sent, cleaned.
    values: Mapping[str, Any]
    #: The stored row before this write (None on create).
    old: Mapping[str, Any] | None
    #: The row being written; hooks adjust it before it is stored.
    row: dict[str, Any]

    @property
    def creating(self) -> bool:
        """Whether this is a create."""
        return self.old is None

    def changed(self, name: str) -> bool:
        """Whether the write changes field ``name``."""
        return self.old is None or self.old.get(name) != self.row.get(name)


class Behaviour:
    """What Salesforce does around saving and deleting a record of one object. The defaults do nothing."""

    def before_save(self, ctx: WriteContext) -> None:
        """Derive fields and check cross-field rules; raise ApiError to refuse the write."""

    def after_save(self, ctx: WriteContext) -> None:
        """Create or update related records once the row is stored."""

    def before_delete(self, org: SalesforceOrg, caller: Caller, row: Mapping[str, Any]) -> None:
        """Adjust related records before ``row`` goes to the Recycle Bin; raise ApiError to refuse."""

    def after_undelete(self, org: SalesforceOrg, row: Mapping[str, Any]) -> None:
        """Restore what the deletion changed on related records."""
