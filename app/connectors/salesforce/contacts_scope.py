"""Which contacts the Salesforce contact store syncs: :class:`ContactScope`, the SOQL conditions that select a scope's
contacts, and whether a row read is in the scope."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from app.connectors.salesforce.contacts_mapping import row_key
from app.connectors.salesforce.contacts_soql import ListViewFilter, owner_condition


class ContactScope(StrEnum):
    """Which contacts are synced."""

    ALL = "all"  # every contact the rep can see
    MINE = "mine"  # the contacts the rep owns
    LIST_VIEW = "list_view"  # the members of a Contact list view


def scope_filter(scope: ContactScope, user_id: str, view: ListViewFilter | None) -> tuple[list[str], str | None]:
    """The conditions and the ``USING SCOPE`` that select ``scope``'s contacts (a list view's: from its SOQL, which
    must have been read)."""
    if scope is ContactScope.MINE:
        return [owner_condition(user_id)], None
    if scope is ContactScope.LIST_VIEW:
        assert view is not None
        return view.conditions(), view.scope
    return [], None


def in_scope(scope: ContactScope, user_id: str, row: Mapping[str, Any], in_view: set[str]) -> bool:
    """Whether ``row`` is in ``scope``; ``in_view`` holds the 15-character ids found in the list view."""
    if scope is ContactScope.MINE:
        return row_key(str(row.get("OwnerId") or "")) == row_key(user_id)
    if scope is ContactScope.LIST_VIEW:
        return row_key(str(row["Id"])) in in_view
    return True
