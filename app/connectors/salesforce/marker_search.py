"""Looking for the engine's markers, shared by the contact and the activity readers: Description is long text,
which SOQL cannot filter, so a store reads the rows the rep created or owns since its watermark and picks the
markers out of them."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from app.connectors.salesforce.contacts_cursor import OVERLAP
from app.connectors.salesforce.contacts_mapping import marker_of
from app.connectors.salesforce.contacts_soql import soql_datetime
from app.connectors.salesforce.mapping import soql_string
from app.sync.stores import Marked

#: How far back markers are looked for when the store has no watermark.
MARKER_LOOKBACK = timedelta(days=30)


def made_by_conditions(user_id: str, watermark: datetime | None, clock: Callable[[], datetime]) -> list[str]:
    """The conditions of the rows ``user_id`` created or owns, created since ``watermark`` (less the overlap), or
    over the last :data:`MARKER_LOOKBACK` without one."""
    since = watermark - OVERLAP if watermark is not None else clock() - MARKER_LOOKBACK
    user = soql_string(user_id)
    return [f"OwnerId = {user} OR CreatedById = {user}", f"CreatedDate >= {soql_datetime(since)}"]


def first_marked(
    rows: Sequence[Mapping[str, Any]], wanted: Collection[str], marked: Callable[[Mapping[str, Any]], Marked]
) -> dict[str, Marked]:
    """The earliest created row (with CreatedDate) carrying each of the ``wanted`` markers, as ``marked`` says."""
    found: dict[str, Marked] = {}
    for row in sorted(rows, key=lambda row: (str(row.get("CreatedDate")), str(row["Id"]))):
        marker = marker_of(row)
        if marker is not None and marker in wanted and marker not in found:
            found[marker] = marked(row)
    return found
