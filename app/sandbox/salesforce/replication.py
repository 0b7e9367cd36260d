"""sObject Get Updated and Get Deleted: record ids changed or deleted in a time window, for replication.

Documented rules emulated: seconds are ignored in ``start`` and ``end``; ``start`` must precede ``end``; updated
records are returned for no more than 30 days back and deleted ones for no more than 15 (the Recycle Bin), and an
older ``start`` is refused with INVALID_REPLICATION_DATE; updates are read from SystemModstamp, deletions from
the Recycle Bin. ``latestDateCovered`` is the window's end, or now when the end is in the future (always whole
minutes), and ``earliestDateAvailable`` the time of the last record of the type physically deleted.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.sandbox.salesforce import exceptions as errors
from app.sandbox.salesforce.schema import ObjectDef
from app.sandbox.salesforce.sharing import Caller, can_read
from app.sandbox.salesforce.values import format_datetime, parse_datetime, wire_datetime_to_python

if TYPE_CHECKING:
    from app.sandbox.salesforce.models import SalesforceOrg

UPDATED_WINDOW = timedelta(days=30)
DELETED_WINDOW = timedelta(days=15)


def _window(params: Mapping[str, str], now: datetime, reach: timedelta) -> tuple[datetime, datetime, datetime]:
    raw_start, raw_end = params.get("start"), params.get("end")
    if not raw_start or not raw_end:
        missing = "start" if not raw_start else "end"
        raise errors.api_error(400, "MISSING_ARGUMENT", f"{missing} was not specified")
    start, end = parse_datetime(raw_start), parse_datetime(raw_end)
    if start is None or end is None:
        bad = raw_start if start is None else raw_end
        raise errors.api_error(400, errors.INVALID_REPLICATION_DATE, f"invalid date: {bad}")
    start, end = _minute(start), _minute(end)
    if start >= end:
        raise errors.api_error(400, errors.INVALID_REPLICATION_DATE, "startDate must chronologically precede endDate")
    if start < _minute(now - reach):
        days = reach.days
        raise errors.api_error(400, errors.INVALID_REPLICATION_DATE, f"startDate cannot be more than {days} days ago")
    covered = min(end, _minute(now))
    return start, end, covered


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def updated(org: SalesforceOrg, definition: ObjectDef, caller: Caller, params: Mapping[str, str]) -> dict[str, Any]:
    """``{"ids": [...], "latestDateCovered": ...}`` for records created or changed in the window."""
    start, _, covered = _window(params, org.now(), UPDATED_WINDOW)
    ids = [
        row["Id"]
        for row in org.visible_rows(definition.name, caller)
        if start <= wire_datetime_to_python(row["SystemModstamp"]) < covered
    ]
    return {"ids": ids, "latestDateCovered": format_datetime(covered)}


def deleted(org: SalesforceOrg, definition: ObjectDef, caller: Caller, params: Mapping[str, str]) -> dict[str, Any]:
    """``{"deletedRecords": [...], "earliestDateAvailable": ..., "latestDateCovered": ...}`` for the window."""
    start, _, covered = _window(params, org.now(), DELETED_WINDOW)
    records = []
    for record_id, entry in org.store.bin_entries().items():
        found = org.find(record_id)
        if found is None or found[0] != definition.name or not start <= entry.deleted_at < covered:
            continue
        if can_read(org, caller, found[0], found[1]):
            records.append((entry.deleted_at, {"id": record_id, "deletedDate": format_datetime(entry.deleted_at)}))
    records.sort(key=lambda item: item[0])
    earliest = org.last_purge.get(definition.name, org.created_at)
    return {
        "deletedRecords": [record for _, record in records],
        "earliestDateAvailable": format_datetime(_minute(earliest)),
        "latestDateCovered": format_datetime(covered),
    }
